"""The room page, ``/room/<room>``, for the doctor's or nurse's PC, and ``POST /api/call``.

Sign-in is a staff code + PIN (:class:`kiosk.staff_auth.StaffAuth` on the central staff table:
the same failure count, waits and lock-out as at the kiosks) or the room's token from
``kiosk-admin room token ROOM``. The page shows the room's live call and who waits (label,
initials, priority, minutes waited) with four buttons: "Gọi số tiếp theo", "Gọi lại",
"Vắng mặt", "Xong". Every form carries a CSRF token; every step is written in central by
:class:`db.store.calling.CallingStore`, and the boards hear of it from the database.

``POST /api/call`` lets the hospital information system press the same buttons: a JSON body
``{"room": "101", "action": "next"}`` signed with HMAC-SHA256 under the key in the variable
``queue.api_key_env`` names (headers ``X-Kiosk-Timestamp``, Unix seconds within 5 minutes,
and ``X-Kiosk-Signature: sha256=<hex of HMAC(key, timestamp + "." + body)>``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.templating import Jinja2Templates

from db.store import SqlStore
from db.store.calling import Call, CallingStore
from kiosk.calling import CallStep
from kiosk.clock import Clock
from kiosk.config import Config
from kiosk.ports import StoreError
from kiosk.staff_auth import LoginResult, PadLimiter, StaffAuth
from ui.web.board import room_state
from ui.web.sessions import (
    CSRF_COOKIE,
    RoomSession,
    Sessions,
    same,
    set_signin_csrf,
    signin_csrf,
)

ACTIONS = ("next", "recall", "absent", "done")
_STEPS = {"recall": CallStep.RECALL, "absent": CallStep.ABSENT, "done": CallStep.DONE}
_API_SKEW_S = 300

# What a refused sign-in says, in Vietnamese and English (never which of code or PIN was wrong)
_REFUSED = {
    LoginResult.WRONG_PIN: ("Mã nhân viên hoặc mã PIN không đúng.", "Wrong staff code or PIN."),
    LoginResult.WAIT: ("Vui lòng chờ {s} giây rồi thử lại.", "Please wait {s} s and try again."),
    LoginResult.LOCKED: (
        "Tài khoản tạm khóa {m} phút do nhập sai nhiều lần.",
        "Account locked for {m} min after too many wrong PINs.",
    ),
    LoginResult.UNAVAILABLE: (
        "Không kết nối được cơ sở dữ liệu. Vui lòng thử lại.",
        "The database cannot be reached. Please try again.",
    ),
}


@dataclass(frozen=True)
class Web:
    """What every page of the app shares (built once by :func:`ui.web.app.create_app`)."""

    config: Config
    store: SqlStore
    calls: CallingStore
    sessions: Sessions
    templates: Jinja2Templates
    today: Callable[[], date]
    clock: Clock


def staff_pc_limiter(web: Web) -> PadLimiter:
    """The staff PCs' rate limit on sign-ins, per client address (the account's own lock is
    in central), from ``staff.kiosk_lock_failures`` in ``staff.failure_window_minutes``."""
    staff = web.config.staff
    return PadLimiter(
        web.clock,
        max_failures=staff.kiosk_lock_failures,
        window_s=staff.failure_window_minutes * 60,
    )


class RoomPages:
    """The routes of the room pages and of the HIS's call API."""

    def __init__(self, web: Web) -> None:
        self.web = web
        self.limiter = staff_pc_limiter(web)

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/room/{room}", self.page),
            Route("/room/{room}/signin", self.signin, methods=["POST"]),
            Route("/room/{room}/signout", self.signout, methods=["POST"]),
            Route("/room/{room}/{action}", self.action, methods=["POST"]),
            Route("/api/call", self.api_call, methods=["POST"]),
        ]

    def act(self, room: str, action: str) -> Call | None:
        """Press one of ``room``'s buttons (runs in a worker thread)."""
        web = self.web
        clinic = web.config.clinic_of_room(room)
        assert clinic is not None
        if action == "next":
            return web.calls.call_next(
                room, clinic.code, web.today(), web.config.queue.priority_run
            )
        return web.calls.step(room, _STEPS[action], web.today())

    def signin_page(
        self, request: Request, room: str, message: tuple[str, str] | None, status: int = 200
    ) -> Response:
        token = signin_csrf(request)
        response = self.web.templates.TemplateResponse(
            request,
            "signin.html",
            {"room": room, "message": message, "csrf": token},
            status_code=status,
        )
        set_signin_csrf(request, response, token)
        return response

    async def page(self, request: Request) -> Response:
        web = self.web
        room = request.path_params["room"]
        clinic = web.config.clinic_of_room(room)
        if clinic is None:
            return web.templates.TemplateResponse(
                request, "unknown_room.html", {"room": room}, status_code=404
            )
        session = web.sessions.read(request, room)
        if session is None:
            return self.signin_page(request, room, None)
        try:
            state = await run_in_threadpool(
                partial(room_state, day=web.today(), now=web.clock.now()),
                web.calls,
                web.config,
                clinic,
                room,
            )
        except StoreError:
            state = {"room": room, "clinic": clinic, "live": None, "waiting": [], "down": True}
        response = web.templates.TemplateResponse(
            request,
            "room.html",
            {**state, "csrf": session.csrf, "who": session.who, "notice": _notice(request)},
        )
        web.sessions.write(request, response, session)  # renewed: the idle time starts again
        return response

    async def signin(self, request: Request) -> Response:
        web = self.web
        room = request.path_params["room"]
        if web.config.clinic_of_room(room) is None:
            return Response(status_code=404)
        form = await request.form()
        if not same(form.get("csrf"), request.cookies.get(CSRF_COOKIE)):
            return _forbidden()
        token = str(form.get("token") or "").strip()
        if token:
            if not await run_in_threadpool(web.calls.room_token_ok, room, token):
                return self.signin_page(request, room, _REFUSED[LoginResult.WRONG_PIN], 401)
            return _signed_in(request, web.sessions, Sessions.new(room, "token"))
        auth = StaffAuth(
            web.store,
            web.clock,
            max_failures=web.config.staff.max_pin_failures,
            lockout_minutes=web.config.staff.lockout_minutes,
            where=f"web:room:{room}",
            origin="desk",  # a staff PC: its failures lock at max_pin_failures
            window_minutes=web.config.staff.failure_window_minutes,
            limiter=self.limiter,
        )
        code, pin = str(form.get("code") or ""), str(form.get("pin") or "")
        source = request.client.host if request.client else ""
        attempt = await run_in_threadpool(partial(auth.login, code, pin, source=source))
        if attempt.result is LoginResult.OK and attempt.session is not None:
            return _signed_in(request, web.sessions, Sessions.new(room, attempt.session.name))
        vi, en = _REFUSED[attempt.result]
        fill = {"s": max(1, round(attempt.wait_s)), "m": max(1, round(attempt.locked_for_s / 60))}
        status = _STATUS.get(attempt.result, 401)
        return self.signin_page(request, room, (vi.format(**fill), en.format(**fill)), status)

    async def action(self, request: Request) -> Response:
        web = self.web
        room, name = request.path_params["room"], request.path_params["action"]
        if name not in ACTIONS or web.config.clinic_of_room(room) is None:
            return Response(status_code=404)
        session = web.sessions.read(request, room)
        form = await request.form()
        if session is None or not same(form.get("csrf"), session.csrf):
            return _forbidden()
        try:
            call = await run_in_threadpool(self.act, room, name)
        except StoreError:
            return _back(room, "down")
        except ValueError:
            return _back(room, "refused")
        if call is None:
            return _back(room, "empty" if name == "next" else "none")
        return _back(room, "")

    async def signout(self, request: Request) -> Response:
        room = request.path_params["room"]
        session = self.web.sessions.read(request, room)
        form = await request.form()
        if session is None or not same(form.get("csrf"), session.csrf):
            return _forbidden()
        response = RedirectResponse(f"/room/{room}", status_code=303)
        Sessions.clear(response)
        return response

    async def api_call(self, request: Request) -> Response:
        web = self.web
        key = os.environ.get(web.config.queue.api_key_env, "")
        if not key:
            return JSONResponse({"error": "the call API is off"}, status_code=404)
        body = await request.body()
        stamp = request.headers.get("x-kiosk-timestamp", "")
        if not _signed(key, stamp, body, request.headers.get("x-kiosk-signature", "")):
            return JSONResponse({"error": "bad or missing signature"}, status_code=401)
        room, name = _api_request(body)
        if name not in ACTIONS or web.config.clinic_of_room(room) is None:
            return JSONResponse({"error": "unknown room or action"}, status_code=400)
        try:
            call = await run_in_threadpool(self.act, room, name)
        except StoreError:
            return JSONResponse({"error": "database unavailable"}, status_code=503)
        except ValueError as error:
            return JSONResponse({"error": str(error)}, status_code=409)
        return JSONResponse(call.as_json() if call else None)


_STATUS = {LoginResult.LOCKED: 423, LoginResult.WAIT: 429, LoginResult.UNAVAILABLE: 503}


def _api_request(body: bytes) -> tuple[str, str]:
    """The room and action of an API call's JSON body ("" when missing)."""
    try:
        data: Any = json.loads(body)
        return str(data["room"]), str(data["action"])
    except (ValueError, KeyError, TypeError):
        return "", ""


def _signed_in(request: Request, sessions: Sessions, session: RoomSession) -> Response:
    response = RedirectResponse(f"/room/{session.room}", status_code=303)
    sessions.write(request, response, session)
    return response


def _back(room: str, notice: str) -> Response:
    where = f"/room/{room}" + (f"?notice={notice}" if notice else "")
    return RedirectResponse(where, status_code=303)


_NOTICES = {
    "empty": ("Không còn ai chờ.", "Nobody is waiting."),
    "none": ("Phòng chưa gọi ai.", "The room has not called anyone."),
    "down": ("Không kết nối được cơ sở dữ liệu.", "The database cannot be reached."),
    "refused": ("Thao tác không hợp lệ.", "That step does not follow."),
}


def _notice(request: Request) -> tuple[str, str] | None:
    return _NOTICES.get(request.query_params.get("notice", ""))


def _forbidden() -> Response:
    return Response(
        "Phiên làm việc hết hạn hoặc biểu mẫu không hợp lệ; tải lại trang. / "
        "The session expired or the form is not valid; reload the page.",
        status_code=403,
        media_type="text/plain; charset=utf-8",
    )


def _signed(key: str, stamp: str, body: bytes, given: str) -> bool:
    if not stamp.isdigit() or abs(time.time() - int(stamp)) > _API_SKEW_S:
        return False
    mac = hmac.new(key.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"sha256={mac}", given)
