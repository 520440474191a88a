"""The reception desk page, ``/desk``: sign-in, look-up by a handheld scan, overrides in a few
keys, reprint, cancel and today's search, for a PC at the reception desk.

Everything a patient's check-in needs is the kiosk's use case (:class:`kiosk.checkin.
CheckInService`, built by :func:`db.wiring.build_service` in the composition root): this page
parses nothing and decides nothing. A look-up is :meth:`CheckInService.assess` on what the
scanner typed (the whole QR payload, Telex-mangled or not: the kiosk's parser un-mangles it) or
a typed card, BHXH or CCCD number; an override is :meth:`CheckInService.staff_check_in` with a
preset reason (``staff.desk_reasons``), printed on the desk's printer (``staff.desk_printer``).

Sign-in is a staff code + PIN with the account lock-out of :mod:`kiosk.staff_auth` (a desk's
failures count as ``origin="desk"``; the desks share one :class:`PadLimiter` per client
address). The session is a signed HTTP-only SameSite=Strict cookie that ends after
``staff.desk_session_minutes`` idle (each request renews it); every form carries its CSRF
token. The clinic of the last override is remembered in the session.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from itsdangerous import URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from db.store import SqlStore
from db.store.figures import day_rows
from db.store.print_requests import (
    PrintRequest,
    get_request,
    known_kiosks,
    request_print,
    todays_requests,
)
from kiosk.checkin import CheckInRequest, CheckInService
from kiosk.clock import Clock
from kiosk.config import PrinterSettings
from kiosk.masking import mask_name, mask_number
from kiosk.model import CheckIn
from kiosk.outcome import Outcome, Reason, Status
from kiosk.ports import SlipPrinter, StoreError
from kiosk.printers import FilePrinter, build_printer
from kiosk.staff_auth import LoginResult, StaffAuth
from kiosk.visit_facts import DeclaredFacts, ReferralPaper
from ui.web.room import _REFUSED, _STATUS, Web, _forbidden, staff_pc_limiter
from ui.web.sessions import same, set_cookie, signed_cookie

DESK_ID = "DESK"  # the kiosk id of check-ins made at the desk
DESK_COOKIE = "kiosk_desk"
DESK_CSRF_COOKIE = "kiosk_desk_csrf"  # before sign-in: the double-submit token

# Why a kiosk sent a patient here, in the words reception uses
STAFF_WORDS: dict[Reason, str] = {
    Reason.CARD_NOT_FOUND: "Thẻ chưa có trong dữ liệu",
    Reason.CARD_EXPIRED: "Thẻ hết hạn",
    Reason.EXPIRY_UNCONFIRMED: "Hạn thẻ chưa xác nhận được",
    Reason.CARD_NOT_YET_VALID: "Thẻ chưa đến hạn sử dụng",
    Reason.GATEWAY_REJECTED: "Cổng BHXH báo không có thẻ",
    Reason.CARD_CODE_UNCONFIRMED: "Mã thẻ cần xác nhận (mã cổng)",
    Reason.UNKNOWN_OBJECT_CODE: "Mã đối tượng lạ",
    Reason.BIRTH_NEEDS_CONFIRMATION: "Cần xác nhận năm sinh",
    Reason.BIRTH_MISMATCH: "Năm sinh không khớp",
    Reason.NAME_MISMATCH: "Tên không khớp",
    Reason.CHILD_WITHOUT_CARD: "Trẻ em chưa có thẻ",
    Reason.VALIDITY_UNKNOWN: "Chưa rõ hiệu lực thẻ",
    Reason.TREATED_ELSEWHERE: "Đang điều trị nơi khác",
    Reason.DATABASE_UNAVAILABLE: "Mất kết nối cơ sở dữ liệu",
    Reason.ALREADY_CHECKED_IN: "Đã lấy số hôm nay",
}


@dataclass(frozen=True)
class DeskSession:
    """Who signed in at this desk, the session's CSRF token and the last override's clinic."""

    who: str
    role: str
    csrf: str
    clinic: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class DeskSessions:
    """Desk sessions in a cookie signed with the server's secret, ended after ``max_idle_s``
    without a request (timed by ``clock``: the cookie carries when it was last renewed)."""

    def __init__(self, secret: bytes, max_idle_s: int, clock: Clock) -> None:
        self._signer = URLSafeTimedSerializer(secret, salt="kiosk-web-desk")
        self.max_idle_s = max_idle_s
        self._clock = clock

    def read(self, request: Request) -> DeskSession | None:
        data = signed_cookie(request, DESK_COOKIE, self._signer, self.max_idle_s)
        if data is None:
            return None
        idle = self._clock.now().timestamp() - float(data.get("at", 0))
        if not 0 <= idle < self.max_idle_s:
            return None  # idle too long (or renewed "in the future": a clock went back)
        return DeskSession(
            str(data["who"]), str(data["role"]), str(data["csrf"]), str(data.get("clinic", ""))
        )

    def write(self, request: Request, response: Response, session: DeskSession) -> None:
        """Set (or renew: the idle time starts again) the session cookie."""
        value = self._signer.dumps(
            {
                "who": session.who,
                "role": session.role,
                "csrf": session.csrf,
                "clinic": session.clinic,
                "at": self._clock.now().timestamp(),
            }
        )
        set_cookie(request, response, DESK_COOKIE, value, self.max_idle_s, path="/")

    @staticmethod
    def clear(response: Response) -> None:
        response.delete_cookie(DESK_COOKIE, path="/", httponly=True, samesite="strict")


class SignedInPages:
    """Pages behind the desk's sign-in (the waiting list, the fleet): the site and the
    desk's sessions, which :class:`DeskPages` opens."""

    def __init__(self, web: Web, sessions: DeskSessions) -> None:
        self.web = web
        self.sessions = sessions


def patient_row(checkin: CheckIn) -> dict[str, object]:
    """One of today's check-ins as the desk lists it (names masked: the screen faces a hall)."""
    return {
        "id": checkin.id,
        "label": checkin.shown_label,  # "12 (A-1)": the slip's label beside central's number
        "clinic": checkin.clinic_code,
        "flag": checkin.flag or "",
        "name": mask_name(checkin.patient.name),
        "card": mask_number(checkin.patient.bhxh_number or checkin.patient.id_number),
        "time": checkin.created_at,
        "override": checkin.override_reason or "",
        "cancelled": checkin.cancelled,
        "printed": str(checkin.print_state),
    }


class DeskPages:
    """The routes of ``/desk``; ``service`` is the check-in use case (None: no desk here)."""

    def __init__(self, web: Web, service: CheckInService | None, secret: bytes) -> None:
        self.web = web
        self.service = service
        staff = web.config.staff
        self.sessions = DeskSessions(secret, staff.desk_session_minutes * 60, web.clock)
        self.limiter = staff_pc_limiter(web)

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/desk", self.page),
            Route("/desk/signin", self.signin, methods=["POST"]),
            Route("/desk/signout", self.signout, methods=["POST"]),
            Route("/desk/lookup", self.lookup, methods=["POST"]),
            Route("/desk/override", self.override, methods=["POST"]),
            Route("/desk/reprint", self.reprint, methods=["POST"]),
            Route("/desk/cancel", self.cancel, methods=["POST"]),
            Route("/desk/unlock", self.unlock, methods=["POST"]),
            Route("/desk/print/{request_id:int}", self.print_state),
        ]

    # -- pages -------------------------------------------------------------------------------

    def _render(
        self,
        request: Request,
        session: DeskSession,
        *,
        status: int = 200,
        **context: Any,
    ) -> Response:
        web = self.web
        search = request.query_params.get("q", "").strip() or None
        today: list[dict[str, object]] = []
        waiting: list[dict[str, object]] = []
        if self.service is not None:
            found = self.service.todays_checkins(search, limit=50)
            today = [patient_row(c) for c in found]
        try:
            _, tallies, _ = day_rows(web.store.engine, web.today())
            sent = sum(int(n) for _, status, n in tallies if status == Status.NEEDS_RECEPTION)
        except StoreError:
            sent = None
        locked = []
        if session.is_admin:
            try:
                locked = [a for a in web.store.list_staff() if a.locked_until is not None]
            except StoreError:
                locked = []
        kiosks, requests = kiosk_printing(web)
        clinics = web.config.clinics
        response = web.templates.TemplateResponse(
            request,
            "desk.html",
            {
                "session": session,
                "csrf": session.csrf,
                "reasons": web.config.staff.desk_reasons[:9],
                "clinics": clinics,
                "clinic": session.clinic or (clinics[0].code if clinics else ""),
                "today": today,
                "waiting": waiting,
                "sent": sent,
                "search": search or "",
                "locked": locked,
                "ready": self.service is not None,
                "today_iso": web.today().isoformat(),
                "kiosks": kiosks,
                "requests": requests,
                "print_words": PRINT_WORDS,
                **context,
            },
            status_code=status,
        )
        self.sessions.write(request, response, session)
        return response

    def _signin_page(
        self, request: Request, message: tuple[str, str] | None, status: int = 200
    ) -> Response:
        token = request.cookies.get(DESK_CSRF_COOKIE) or secrets.token_urlsafe(24)
        response = self.web.templates.TemplateResponse(
            request,
            "desk_signin.html",
            {"message": message, "csrf": token},
            status_code=status,
        )
        set_cookie(request, response, DESK_CSRF_COOKIE, token, 3600, path="/")
        return response

    async def page(self, request: Request) -> Response:
        session = self.sessions.read(request)
        if session is None:
            return self._signin_page(request, None)
        return await run_in_threadpool(self._render, request, session)

    async def _session(self, request: Request) -> tuple[DeskSession | None, Any]:
        """The session and the form, when the form carries the session's CSRF token."""
        session = self.sessions.read(request)
        form = await request.form()
        if session is None or not same(form.get("csrf"), session.csrf):
            return None, form
        return session, form

    # -- sign-in -----------------------------------------------------------------------------

    async def signin(self, request: Request) -> Response:
        web = self.web
        form = await request.form()
        if not same(form.get("csrf"), request.cookies.get(DESK_CSRF_COOKIE)):
            return _forbidden()
        staff = web.config.staff
        auth = StaffAuth(
            web.store,
            web.clock,
            max_failures=staff.max_pin_failures,
            lockout_minutes=staff.lockout_minutes,
            where="web:desk",
            origin="desk",
            window_minutes=staff.failure_window_minutes,
            limiter=self.limiter,
        )
        code, pin = str(form.get("code") or ""), str(form.get("pin") or "")
        source = request.client.host if request.client else ""
        attempt = await run_in_threadpool(partial(auth.login, code, pin, source=source))
        if attempt.result is LoginResult.OK and attempt.session is not None:
            response = RedirectResponse("/desk", status_code=303)
            who = attempt.session
            self.sessions.write(
                request, response, DeskSession(who.name, who.role, secrets.token_urlsafe(24))
            )
            return response
        vi, en = _REFUSED[attempt.result]
        fill = {"s": max(1, round(attempt.wait_s)), "m": max(1, round(attempt.locked_for_s / 60))}
        status = _STATUS.get(attempt.result, 401)
        return self._signin_page(request, (vi.format(**fill), en.format(**fill)), status)

    async def signout(self, request: Request) -> Response:
        session, _ = await self._session(request)
        if session is None:
            return _forbidden()
        response = RedirectResponse("/desk", status_code=303)
        DeskSessions.clear(response)
        return response

    # -- look-up and override ----------------------------------------------------------------

    async def lookup(self, request: Request) -> Response:
        session, form = await self._session(request)
        if session is None:
            return _forbidden()
        text = str(form.get("q") or "").strip()
        if self.service is None or not text:
            return await run_in_threadpool(self._render, request, session)
        assessment = await run_in_threadpool(self.service.assess, text)
        return await run_in_threadpool(
            partial(self._render, request, session, found=_found(assessment.outcome()), scan=text)
        )

    async def override(self, request: Request) -> Response:
        session, form = await self._session(request)
        if session is None:
            return _forbidden()
        service = self.service
        reasons = self.web.config.staff.desk_reasons
        text = str(form.get("scan") or "").strip()
        clinic = str(form.get("clinic") or session.clinic)
        try:
            reason = reasons[int(str(form.get("reason") or "0")) - 1]
        except (ValueError, IndexError):
            reason = ""
        if service is None or not text or not reason or self.web.config.clinic(clinic) is None:
            return await run_in_threadpool(
                partial(self._render, request, session, status=400, notice=_BAD_FORM)
            )
        facts = declared_facts(form, self.web.today())
        if facts is None:
            return await run_in_threadpool(
                partial(self._render, request, session, status=400, notice=_BAD_REFERRAL)
            )
        who = session.who

        kiosk = self._chosen_kiosk(form)
        if kiosk is None:
            return await run_in_threadpool(
                partial(self._render, request, session, status=400, notice=_NO_KIOSK)
            )

        def work() -> dict[str, object]:
            assessment = service.assess(text)
            request_ = CheckInRequest(clinic, override_reason=reason, facts=facts)
            outcome = service.staff_check_in(assessment, request_, who, printing=not kiosk)
            return self._print_on(kiosk, outcome, who)

        done = await run_in_threadpool(work)
        session = replace(session, clinic=clinic)  # remembered for the next override
        return await run_in_threadpool(partial(self._render, request, session, done=done))

    def _chosen_kiosk(self, form: Any) -> str | None:
        """The kiosk the form chose to print on ("" the desk's printer), None when the form
        names a kiosk that was not offered (not seen today)."""
        kiosk = str(form.get("printer") or "").strip()
        if not kiosk:
            return ""
        offered, _ = kiosk_printing(self.web)
        return kiosk if kiosk in offered else None

    def _print_on(self, kiosk: str, outcome: Outcome, who: str) -> dict[str, object]:
        """What the desk shows of a check-in or reprint, its slip asked of ``kiosk`` (when
        one is chosen: a request in central that the kiosk prints and marks)."""
        done = _done(outcome)
        checkin = outcome.checkin
        if not kiosk or checkin is None:
            return done
        web = self.web
        try:
            made = request_print(
                web.store, checkin.id, kiosk, staff=who, day=web.today(), at=web.clock.now()
            )
        except StoreError:
            return {**done, "kiosk": kiosk, "request": None, "state": "failed"}
        return {**done, "kiosk": kiosk, "request": made, "state": "waiting"}

    async def reprint(self, request: Request) -> Response:
        session, form = await self._session(request)
        if session is None:
            return _forbidden()
        service = self.service
        if service is None:
            return Response(status_code=404)
        kiosk = self._chosen_kiosk(form)
        if kiosk is None:
            return await run_in_threadpool(
                partial(self._render, request, session, status=400, notice=_NO_KIOSK)
            )
        checkin_id, who = str(form.get("id") or ""), session.who

        def work() -> dict[str, object]:
            if not kiosk:
                return _done(service.reprint(checkin_id, who))
            found = service.todays_checkins(None)
            checkin = next((c for c in found if c.id == checkin_id), None)
            if checkin is None:
                return _done(Outcome(status=Status.REJECTED, reason=Reason.CHECKIN_NOT_FOUND))
            return self._print_on(kiosk, Outcome(Status.ACCEPTED, None, checkin=checkin), who)

        done = await run_in_threadpool(work)
        return await run_in_threadpool(partial(self._render, request, session, done=done))

    async def print_state(self, request: Request) -> Response:
        """How a print request on a kiosk went, for the desk's page to follow (JSON)."""
        if self.sessions.read(request) is None:
            return _forbidden()
        found = await run_in_threadpool(
            _request_or_none, self.web.store, int(request.path_params["request_id"])
        )
        if found is None:
            return JSONResponse({"state": "unknown"}, status_code=404)
        return JSONResponse(
            {"state": found.state, "kiosk": found.kiosk_id, "problem": found.problem or ""}
        )

    async def cancel(self, request: Request) -> Response:
        session, form = await self._session(request)
        if session is None:
            return _forbidden()
        reason = str(form.get("why") or "").strip()
        if self.service is None or not reason:
            return await run_in_threadpool(
                partial(self._render, request, session, status=400, notice=_NO_REASON)
            )
        outcome = await run_in_threadpool(
            self.service.cancel, str(form.get("id") or ""), session.who, reason
        )
        return await run_in_threadpool(partial(self._render, request, session, done=_done(outcome)))

    async def unlock(self, request: Request) -> Response:
        session, form = await self._session(request)
        if session is None:
            return _forbidden()
        if not session.is_admin:
            return Response("admins only / chỉ quản trị viên", status_code=403)
        name = str(form.get("name") or "")
        try:
            await run_in_threadpool(self.web.store.unlock_staff, name, f"desk:{session.who}")
        except LookupError:
            return Response(status_code=404)
        return RedirectResponse("/desk", status_code=303)


_BAD_REFERRAL = (
    "Ngày ký giấy chuyển tuyến không hợp lệ (ngày/tháng/năm, không sau hôm nay).",
    "The referral paper's signing date is not valid (a date, not after today).",
)


def declared_facts(form: Any, today: date) -> DeclaredFacts | None:
    """What the override form declares of the visit: a referral paper (``referral``, signed
    on ``referral_signed``, today when left empty; ``referral_one_year`` the one-year slip) and
    an emergency (``emergency``). None when the signing date is not a date up to today."""
    paper = None
    if form.get("referral"):
        raw = str(form.get("referral_signed") or "").strip()
        try:
            signed = date.fromisoformat(raw) if raw else today
        except ValueError:
            return None
        if signed > today:
            return None
        paper = ReferralPaper(signed, one_year=bool(form.get("referral_one_year")))
    return DeclaredFacts(referral=paper, emergency=bool(form.get("emergency")))


# how a print request on a kiosk stands, in the desk's words (desk.js uses the same)
PRINT_WORDS = {
    "waiting": "chờ kiosk in",
    "printing": "đang in",
    "printed": "đã in",
    "failed": "không in được",
}
_NO_KIOSK = (
    "Kiosk này không có trong danh sách hôm nay: chọn lại máy in.",
    "That kiosk is not among today's: choose the printer again.",
)
_BAD_FORM = ("Chọn lý do và phòng khám.", "Choose a reason and a clinic.")
_NO_REASON = ("Cần ghi lý do hủy.", "A cancel needs a reason.")


def _found(outcome: Outcome) -> dict[str, object]:
    """What a look-up found, for the page: status, reason in staff words, masked patient."""
    payload = outcome.payload
    reason = outcome.reason
    name = getattr(payload, "name", "") or ""
    number = getattr(payload, "card_number", None) or getattr(payload, "id_number", None)
    number = number or getattr(payload, "code", None)
    return {
        "status": str(outcome.status),
        "accepted": outcome.status is Status.ACCEPTED,
        "reason": STAFF_WORDS.get(reason, str(reason)) if reason else "",
        "name": mask_name(name) if name else "",
        "card": mask_number(number) if number else "",
    }


def _done(outcome: Outcome) -> dict[str, object]:
    """What an override, reprint or cancel did."""
    checkin = outcome.checkin
    reason = outcome.reason
    return {
        "ok": checkin is not None,
        "label": checkin.shown_label if checkin is not None else "",
        "clinic": checkin.clinic_code if checkin is not None else "",
        "id": checkin.id if checkin is not None else "",
        "printed": outcome.printed,
        "reason": STAFF_WORDS.get(reason, str(reason)) if reason else "",
        "cancelled": reason is Reason.CHECKIN_CANCELLED,
    }


def kiosk_printing(web: Web) -> tuple[list[str], list[dict[str, object]]]:
    """The kiosks the desk may print on (seen today) and today's print requests, newest
    first; empty when central does not answer."""
    try:
        kiosks = list(known_kiosks(web.store, web.today(), DESK_ID))
        requests = todays_requests(web.store, web.today())
    except StoreError:
        return [], []
    return kiosks, [
        {
            "id": r.id,
            "kiosk": r.kiosk_id,
            "checkin": r.checkin_id,
            "state": r.state,
            "problem": r.problem or "",
            "by": r.requested_by,
        }
        for r in requests
    ]


def _request_or_none(store: SqlStore, request_id: int) -> PrintRequest | None:
    try:
        return get_request(store, request_id)
    except StoreError:
        return None


def desk_printer(spec: str, settings: PrinterSettings) -> SlipPrinter:
    """The desk's printer from ``staff.desk_printer``: ``tcp://HOST:PORT`` an ESC/POS network
    printer, ``file:FOLDER`` PNG/PDF slips in a folder, "" this server's ``[printer]``."""
    if spec.startswith("tcp://"):
        host, _, port = spec.removeprefix("tcp://").partition(":")
        net = replace(settings, kind="escpos-network", host=host, port=int(port or 9100))
        return build_printer(replace(net, archive=False))
    if spec.startswith("file:"):
        return FilePrinter(Path(spec.removeprefix("file:")))
    return build_printer(settings)
