"""Signed session cookies for the room pages, and CSRF tokens.

Nothing is kept in the process: a session is a cookie signed with the server's secret
(``itsdangerous``), so any kiosk-web process with the same secret reads it. It says which room
it may call for, who signed in (a staff name, or ``token``) and the session's CSRF token, and
it ends after ``queue.room_session_minutes`` without use (every page view renews it). The
cookie is HTTP-only and SameSite=Strict; Secure when the page came over HTTPS.
"""

from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "kiosk_room"
CSRF_COOKIE = "kiosk_csrf"  # before sign-in: the form's token is also in this cookie


@dataclass(frozen=True)
class RoomSession:
    """Who may press a room's buttons."""

    room: str
    who: str  # a staff name, or "token"
    csrf: str


class Sessions:
    """Issues and reads room sessions signed with ``secret``."""

    def __init__(self, secret: bytes, max_idle_s: int) -> None:
        self._signer = URLSafeTimedSerializer(secret, salt="kiosk-web-room")
        self.max_idle_s = max_idle_s

    def read(self, request: Request, room: str) -> RoomSession | None:
        data = signed_cookie(request, SESSION_COOKIE, self._signer, self.max_idle_s)
        if data is None or data.get("room") != room:
            return None
        return RoomSession(str(data["room"]), str(data["who"]), str(data["csrf"]))

    def write(self, request: Request, response: Response, session: RoomSession) -> None:
        """Set (or renew) the session cookie."""
        value = self._signer.dumps({"room": session.room, "who": session.who, "csrf": session.csrf})
        set_cookie(request, response, SESSION_COOKIE, value, self.max_idle_s)

    @staticmethod
    def new(room: str, who: str) -> RoomSession:
        return RoomSession(room, who, secrets.token_urlsafe(24))

    @staticmethod
    def clear(response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, path="/room", httponly=True, samesite="strict")


def signed_cookie(
    request: Request, name: str, signer: URLSafeTimedSerializer, max_age_s: int
) -> dict[str, Any] | None:
    """What the cookie ``name`` signed by ``signer`` holds; None when it is missing, forged,
    older than ``max_age_s`` or not a dict."""
    raw = request.cookies.get(name)
    if not raw:
        return None
    try:
        data = signer.loads(raw, max_age=max_age_s)
    except BadSignature:  # also an expired one
        return None
    return data if isinstance(data, dict) else None


def set_cookie(
    request: Request,
    response: Response,
    name: str,
    value: str,
    max_age: int,
    *,
    path: str = "/room",
) -> None:
    """Set a kiosk-web cookie: HTTP-only, SameSite=Strict, Secure behind https, under ``path``."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def signin_csrf(request: Request) -> str:
    """The CSRF token of a sign-in form: the browser's double-submit cookie, else a new one
    (set it with :func:`set_signin_csrf`)."""
    return request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)


def set_signin_csrf(request: Request, response: Response, token: str) -> None:
    set_cookie(request, response, CSRF_COOKIE, token, 3600)


def same(given: object, expected: str | None) -> bool:
    """Whether a form's token is the expected one (constant time)."""
    return (
        isinstance(given, str)
        and bool(expected)
        and hmac.compare_digest(given.encode(), (expected or "").encode())
    )


def server_secret(env_name: str, data_dir: Path) -> bytes:
    """The secret sessions are signed with: the variable ``env_name`` when set (the same on
    every machine serving one database), else a file ``web-secret`` in ``data_dir`` made on
    first use (readable by its owner only), shared by the processes of one machine."""
    given = os.environ.get(env_name, "")
    if given:
        return given.encode()
    path = data_dir / "web-secret"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        data_dir.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_bytes(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return path.read_bytes()
        with os.fdopen(fd, "wb") as out:
            out.write(secret)
        return secret
