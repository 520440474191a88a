"""The desk's "Chờ tiếp đón": today's patients the kiosks sent to reception, for the desk page.

Routes (a signed-in desk session; none of them renews it, so a desk left alone still signs
out after ``staff.desk_session_minutes``):

- ``GET /desk/reception`` — JSON: the day's entries not answered yet, oldest first, each with
  its reception ticket number, the reason in reception's words, the kiosk, the time and the
  masked hint. The page asks every :data:`POLL_S` seconds.
- ``GET /desk/reception/ticket?code=RT-20261125-7`` — JSON: the entry of a scanned reception
  ticket (answered or not), or why there is none (a ticket printed while the kiosk could not
  reach the central database has no number).
- ``POST /desk/reception/answer`` — "Đã tiếp": the entry ``id`` answered by the signed-in
  staff member now (the session's CSRF token in the form). JSON when asked for, else back to
  ``/desk``.

Why a poll and not the board's Server-Sent Events: the board's events are woken by the
queue's watch (a trigger on check-ins and call steps, a version poll on SQLite), which knows
nothing of this list; a desk or two asking one indexed query of today's rows every two
seconds costs less than a second watch, and a poll carries the session check on each request.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from kiosk.outcome import Reason
from kiosk.ports import StoreError
from kiosk.reception import SentEntry, SentReason, parse_ticket_code, staff_words, ticket_code
from ui.web.desk import STAFF_WORDS, SignedInPages
from ui.web.room import Web
from ui.web.sessions import same

POLL_S = 2  # how often the desk page asks for the list (the page reads it from data-poll)

_UNAVAILABLE = ("Không đọc được danh sách chờ.", "The waiting list cannot be read.")
_NO_NUMBER = (
    "Phiếu in khi kiosk mất kết nối: không có số, xem lý do trên phiếu.",
    "Printed while the kiosk was offline: no number, read the reason on the slip.",
)
_UNKNOWN = (
    "Không có phiếu tiếp đón số này hôm nay.",
    "No reception ticket with this number today.",
)
_OTHER_DAY = ("Phiếu tiếp đón của ngày khác.", "A reception ticket of another day.")


def reason_words(entry: SentEntry) -> str:
    """The entry's reason in reception's words; a refusal or other case adds the kiosk's own
    reason in the desk's words ("Thẻ bị từ chối – Thẻ chưa đến hạn sử dụng")."""
    words = staff_words(entry.reason, entry.detail, entry.kiosk_id)
    if entry.reason in (SentReason.REJECTED, SentReason.OTHER) and entry.detail:
        try:
            said = STAFF_WORDS.get(Reason(entry.detail))
        except ValueError:
            said = None
        if said:
            return said if entry.reason == SentReason.OTHER else f"{words} – {said}"
    return words


class ReceptionPages(SignedInPages):
    """The routes of the desk's waiting list over the central store's lobby tables."""

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/desk/reception", self.waiting),
            Route("/desk/reception/ticket", self.ticket),
            Route("/desk/reception/answer", self.answer, methods=["POST"]),
        ]

    def row(self, entry: SentEntry) -> dict[str, object]:
        """One entry as the page shows it (the hint is masked at the kiosk already)."""
        zone = self.web.config.kiosk.zone
        now = self.web.clock.now()
        return {
            "id": entry.id,
            "ticket": entry.ticket,
            "code": ticket_code(entry.raised_at.astimezone(zone).date(), entry.ticket),
            "kiosk": entry.kiosk_id,
            "reason": reason_words(entry),
            "hint": entry.hint,
            "time": f"{entry.raised_at.astimezone(zone):%H:%M}",
            "waited_min": max(0, int((now - entry.raised_at).total_seconds() // 60)),
            "answered_by": entry.answered_by,
            "answered_at": _hm(entry.answered_at, self.web),
        }

    async def waiting(self, request: Request) -> Response:
        if self.sessions.read(request) is None:
            return JSONResponse({"signed_out": True}, status_code=401)
        try:
            entries = await run_in_threadpool(self.web.store.waiting_at_reception, self.web.today())
        except StoreError:
            return JSONResponse({"error": list(_UNAVAILABLE)}, status_code=503)
        return JSONResponse({"entries": [self.row(e) for e in entries], "poll_s": POLL_S})

    async def ticket(self, request: Request) -> Response:
        if self.sessions.read(request) is None:
            return JSONResponse({"signed_out": True}, status_code=401)
        body, status = await run_in_threadpool(self._ticket, request.query_params.get("code", ""))
        return JSONResponse(body, status_code=status)

    def _ticket(self, code: str) -> tuple[dict[str, object], int]:
        """A scanned ticket's entry, or why there is none (runs in a worker thread)."""
        parsed = parse_ticket_code(code)
        if parsed is None:
            return {"entry": None, "message": list(_UNKNOWN)}, 404
        day, number = parsed
        if number == 0:
            return {"entry": None, "message": list(_NO_NUMBER)}, 200
        if day != self.web.today():
            return {"entry": None, "message": list(_OTHER_DAY)}, 200
        try:
            entry = self.web.store.reception_entry(day, number)
        except StoreError:
            return {"entry": None, "error": list(_UNAVAILABLE)}, 503
        if entry is None:
            return {"entry": None, "message": list(_UNKNOWN)}, 200
        return {"entry": self.row(entry)}, 200

    async def answer(self, request: Request) -> Response:
        session = self.sessions.read(request)
        form = await request.form()
        if session is None or not same(form.get("csrf"), session.csrf):
            return Response("forbidden / không được phép", status_code=403)
        try:
            entry_id = int(str(form.get("id") or ""))
        except ValueError:
            return JSONResponse({"ok": False}, status_code=400)
        try:
            done = await run_in_threadpool(
                partial(self.web.store.answer_at_reception, entry_id, session.who)
            )
        except StoreError:
            return JSONResponse({"ok": False, "error": list(_UNAVAILABLE)}, status_code=503)
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"ok": done})
        return RedirectResponse("/desk", status_code=303)


def _hm(at: datetime | None, web: Web) -> Any:
    return f"{at.astimezone(web.config.kiosk.zone):%H:%M}" if at is not None else None
