"""The transport shared by the insurance clients: one ``requests`` session per thread, the
token, and the one retry loop.

The only module that imports ``requests``. Every request has connect and read timeouts, retries
with exponential backoff and jitter on connection errors and 5xx only, verified TLS (optionally
against a configured CA bundle) and a bounded reply size. A refused token is renewed once
(:meth:`TokenCache.with_token`). Passwords are never logged. The protocols are described in
``docs/insurance-api.md``; the feed and the gateway are in ``db.insurance.feed`` and
``db.insurance.gateway``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

import requests

from kiosk.clock import Clock
from kiosk.config import InsuranceSettings

T = TypeVar("T")

log = logging.getLogger(__name__)

TOKEN_PATH = "/api/token/take"  # noqa: S105 - a URL path, not a secret
_CHUNK = 256 * 1024
_TOKEN_MARGIN_S = 30.0  # refresh a little before the gateway's expiry
# The token keeper renews this long before expiry, so a check never waits for a token.
PREFETCH_MARGIN_S = 300.0


class InsuranceError(Exception):
    """The insurance service could not be used; the message is one line for an admin."""


class TransientError(InsuranceError):
    """A failure worth retrying: connection error, 5xx, truncated or unreadable body."""


class BadReplyError(TransientError):
    """The body was cut short or is not JSON (retried like a connection error)."""


class UnauthorizedError(InsuranceError):
    """HTTP 401 (or maKetQua 401): the token was refused."""


class TokenRefusedError(UnauthorizedError):
    """A service refused the token it was sent (not the credentials): a fresh one may do."""


class BudgetError(InsuranceError):
    """The time budget ran out."""


class TooLargeError(InsuranceError):
    """The reply exceeded the configured size bound."""


def require_https(url: str, settings: InsuranceSettings, what: str) -> None:
    """Refuse a plain http:// ``url`` unless ``insurance.allow_http`` (a test simulator): the
    gateway protocol sends the token and the password's MD5 in the query string."""
    if not url.lower().startswith("https://") and not settings.allow_http:
        raise InsuranceError(
            f"{what}: expected an https:// URL (plain http:// only with "
            "insurance.allow_http = true, for a test simulator)"
        )


def password_md5(password: str, uppercase: bool = False) -> str:
    """The MD5 hex of the password, as the gateway wants it."""
    digest = hashlib.md5(password.encode("utf-8")).hexdigest()
    return digest.upper() if uppercase else digest


@dataclass(frozen=True)
class Credentials:
    """The facility account and officer, read from the environment variables named in config."""

    username: str
    password_md5: str = field(repr=False)
    officer_name: str = ""
    officer_id: str = ""

    @classmethod
    def from_settings(
        cls, settings: InsuranceSettings, env: Mapping[str, str] | None = None
    ) -> Credentials:
        environment = os.environ if env is None else env
        password = environment.get(settings.password_env, "")
        if not password:
            raise InsuranceError(
                f"environment variable {settings.password_env} (insurance.password_env) is empty"
            )
        return cls(
            username=settings.username,
            password_md5=password_md5(password, settings.md5_uppercase),
            officer_name=environment.get(settings.officer_name_env, ""),
            officer_id=environment.get(settings.officer_id_env, ""),
        )


@dataclass(frozen=True)
class Token:
    """A gateway/feed token and when it stops working (UTC)."""

    access_token: str = field(repr=False)
    id_token: str = field(repr=False)
    username: str
    expires_at: datetime


@dataclass(frozen=True)
class Call:
    """One request as the clients describe it: ``form_body`` is sent form-urlencoded instead of
    ``json_body``."""

    method: str
    url: str
    params: Mapping[str, str] | None = None
    json_body: Any = None
    headers: Mapping[str, str] | None = None
    form_body: Mapping[str, str] | None = None


@dataclass(eq=False)
class HttpTransport:
    """One ``requests`` session per thread with timeouts, retries, a size bound and a deadline.

    Deadlines are readings of ``monotonic`` (:meth:`deadline_after`), the clients' one time
    seam; ``sleep`` is the pause between retries.
    """

    connect_timeout_s: float = 3.0
    read_timeout_s: float = 30.0
    retries: int = 5
    ca_bundle: str = ""
    max_bytes: int = 64 * 1024 * 1024
    backoff_s: float = 0.1
    max_backoff_s: float = 5.0
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    attempts: int = field(default=0, init=False)  # requests sent, for diagnostics and tests
    _local: threading.local = field(default_factory=threading.local, init=False, repr=False)
    _rng: random.Random = field(default_factory=random.Random, init=False, repr=False)

    @classmethod
    def from_settings(cls, settings: InsuranceSettings) -> HttpTransport:
        return cls(
            connect_timeout_s=settings.connect_timeout_s,
            read_timeout_s=settings.read_timeout_s,
            retries=settings.retries,
            ca_bundle=settings.ca_bundle,
            max_bytes=settings.max_response_mb * 1024 * 1024,
        )

    def _session(self) -> requests.Session:
        # a session per thread: the feed prefetches on its own thread
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.verify = self.ca_bundle or True
            session.headers["Accept-Encoding"] = "gzip"
            session.headers["User-Agent"] = "clinic-checkin-kiosk/0.1"
            self._local.session = session
        return session

    def close(self) -> None:
        session = getattr(self._local, "session", None)
        if session is not None:
            session.close()

    def deadline_after(self, budget_s: float) -> float:
        """The deadline ``budget_s`` seconds from now, for :meth:`remaining` and the requests."""
        return self.monotonic() + budget_s

    def remaining(self, deadline: float | None) -> float | None:
        return None if deadline is None else deadline - self.monotonic()

    def once(self, call: Call, deadline: float | None = None) -> tuple[int, bytes]:
        """One request; the status and the whole (decoded) body. Raises :class:`TransientError`,
        :class:`BudgetError` or :class:`TooLargeError`."""
        connect, read = self.connect_timeout_s, self.read_timeout_s
        left = self.remaining(deadline)
        if left is not None:
            if left <= 0.005:
                raise BudgetError("time budget spent")
            connect, read = min(connect, left), min(read, left)
        self.attempts += 1
        url = call.url
        try:
            response = self._session().request(
                call.method,
                url,
                params=call.params,
                json=call.json_body,
                data=call.form_body,
                headers=call.headers,
                timeout=(connect, read),
                stream=True,
            )
        except requests.Timeout as error:
            raise BudgetError("no reply in time") from error
        except requests.RequestException as error:
            raise TransientError(f"cannot reach {host_of(url)}: {type(error).__name__}") from error
        with response:
            status = response.status_code
            if status >= 500:
                raise TransientError(f"{host_of(url)} answered HTTP {status}")
            declared = response.headers.get("Content-Length")
            if (
                declared
                and declared.isdigit()
                and "Content-Encoding" not in response.headers
                and int(declared) > self.max_bytes
            ):
                raise TooLargeError(f"reply of {declared} bytes is over the limit")
            parts: list[bytes] = []
            size = 0
            try:
                for chunk in response.iter_content(_CHUNK):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise TooLargeError(f"reply over the limit of {self.max_bytes} bytes")
                    parts.append(chunk)
                    left = self.remaining(deadline)
                    if left is not None and left <= 0:
                        raise BudgetError("reply too slow for the time budget")
            except requests.Timeout as error:
                raise BudgetError("reply stalled") from error
            except requests.RequestException as error:
                raise BadReplyError(f"reply from {host_of(url)} cut short") from error
        return status, b"".join(parts)

    def request(self, call: Call, deadline: float | None = None) -> tuple[int, bytes]:
        """:meth:`once` with retries (backoff with full jitter) on transient failures."""
        return self.retrying(partial(self.once, call, deadline), deadline)

    def retrying(self, attempt: Callable[[], T], deadline: float | None = None) -> T:
        """``attempt()``, tried again up to :attr:`retries` times while it raises a transient
        failure (connection error, 5xx, a body cut short or not JSON), with a pause before every
        retry: exponential backoff with full jitter, so kiosks that failed together do not all
        come back together.

        The one retry loop of the clients: an ``attempt`` sends one request (:meth:`once`) and
        may read its reply, and callers never loop around this, so a failing page costs
        ``retries + 1`` requests, not their square.
        """
        tries = 0
        while True:
            try:
                return attempt()
            except TransientError as error:
                if tries >= self.retries:
                    raise
                pause = self._rng.uniform(0, min(self.max_backoff_s, self.backoff_s * (2**tries)))
                left = self.remaining(deadline)
                if left is not None and left <= pause:
                    raise
                log.info("retrying after %s (%.2f s)", error, pause)
                self.sleep(pause)
                tries += 1


def host_of(url: str) -> str:
    return url.split("/")[2] if "//" in url else url


def parse_json(body: bytes, what: str) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadReplyError(f"{what}: reply is not valid JSON") from None


class TokenCache:
    """Takes a token with ``POST /api/token/take`` and keeps it until its ``expires_in``.

    ``body`` is how the request is encoded: ``"form"`` (form-urlencoded, as the 2025-26
    guidance describes) or ``"json"`` (``insurance.token_body``).
    """

    def __init__(
        self,
        http: HttpTransport,
        base_url: str,
        credentials: Credentials,
        clock: Clock,
        *,
        body: str = "form",
    ) -> None:
        if body not in ("form", "json"):
            raise ValueError(f"token body must be form or json, not {body!r}")
        self._http = http
        self._url = base_url.rstrip("/") + TOKEN_PATH
        self._credentials = credentials
        self._clock = clock
        self._body = body
        self._token: Token | None = None
        self._lock = threading.Lock()
        self.fetches = 0

    @classmethod
    def from_settings(
        cls,
        settings: InsuranceSettings,
        base_url: str,
        clock: Clock,
        env: Mapping[str, str] | None = None,
    ) -> TokenCache:
        """The token of the service at ``base_url``, taken over a transport made from
        ``settings`` with the credentials from the environment (``env``)."""
        return cls(
            HttpTransport.from_settings(settings),
            base_url,
            Credentials.from_settings(settings, env),
            clock,
            body=settings.token_body,
        )

    @property
    def http(self) -> HttpTransport:
        """The transport the token is taken over (the client using the token shares it)."""
        return self._http

    @property
    def credentials(self) -> Credentials:
        return self._credentials

    def get(self, deadline: float | None = None) -> Token:
        """A valid token: the cached one unless it expires within a margin."""
        with self._lock:
            token = self._token
            if token is not None and (
                (token.expires_at - self._clock.now()).total_seconds() > _TOKEN_MARGIN_S
            ):
                return token
            self._token = self._take(deadline)
            return self._token

    def with_token(self, use: Callable[[Token], T], deadline: float | None = None) -> T:
        """``use(token)`` with a valid token; when it raises :class:`TokenRefusedError`, once
        more with a fresh token. The second refusal is raised."""
        refreshed = False
        while True:
            token = self.get(deadline)
            try:
                return use(token)
            except TokenRefusedError:
                self.invalidate(token)
                if refreshed:
                    raise
                refreshed = True

    def invalidate(self, token: Token) -> None:
        """Forget ``token`` (the server refused it) so the next :meth:`get` takes a new one."""
        with self._lock:
            if self._token is token:
                self._token = None

    def due(self, ahead_s: float = PREFETCH_MARGIN_S) -> bool:
        """Whether there is no token, or the one held expires within ``ahead_s`` seconds."""
        token = self._token
        return token is None or (token.expires_at - self._clock.now()).total_seconds() <= ahead_s

    def refresh_ahead(self, ahead_s: float = PREFETCH_MARGIN_S) -> bool:
        """Take a new token now if :meth:`due`, off any check's path; never raises.

        Returns whether a usable token is held afterwards.
        """
        if not self.due(ahead_s):
            return True
        if self._token is None:
            # none held yet (at start): take it under the lock, so a check that comes meanwhile
            # waits for this token instead of taking a second one
            with self._lock:
                return self._take_ahead(ahead_s)
        return self._take_ahead(ahead_s)  # the held token stays usable while the next one comes

    def _take_ahead(self, ahead_s: float) -> bool:
        if not self.due(ahead_s):
            return True  # another caller took one meanwhile
        try:
            token = self._take(None)
        except InsuranceError as error:
            log.warning("could not take a gateway token ahead of time: %s", error)
            return self._token is not None
        self._token = token
        return True

    def _take(self, deadline: float | None) -> Token:
        self.fetches += 1
        fields = {
            "username": self._credentials.username,
            "password": self._credentials.password_md5,
        }
        call = Call(
            "POST",
            self._url,
            json_body=fields if self._body == "json" else None,
            form_body=fields if self._body == "form" else None,
        )
        status, body = self._http.request(call, deadline)
        if status == 401:
            raise UnauthorizedError("the token service refused the username or password")
        reply = parse_json(body, "token")
        key = reply.get("APIKey") if isinstance(reply, dict) else None
        code = str(reply.get("maKetQua", "")) if isinstance(reply, dict) else ""
        if code == "401":
            raise UnauthorizedError("the token service refused the username or password")
        if status != 200 or code != "200" or not isinstance(key, dict):
            raise InsuranceError(f"token service answered HTTP {status}, maKetQua {code or '?'}")
        try:
            expires = datetime.fromisoformat(str(key["expires_in"]).replace("Z", "+00:00"))
            if expires.tzinfo is None:
                expires = expires.replace(tzinfo=UTC)
            return Token(
                access_token=str(key["access_token"]),
                id_token=str(key.get("id_token") or ""),
                username=str(key.get("username") or self._credentials.username),
                expires_at=expires,
            )
        except (KeyError, ValueError):
            raise InsuranceError("token service reply lacks access_token or expires_in") from None
