"""``/fleet``, for admins: every kiosk's last health record from the central kiosk register,
the sync state, and the HIS outbox's dead letters with a retry button each.

A kiosk's row shows its state (online, offline, held, down), camera, printer, the outbox
backlog of central and of its journal, cache age, last check-in, version and when central last
saw it, by the database server's clock; a kiosk unseen for more than three health intervals
is marked in red, and one whose offline prefix is another kiosk's says so. Kiosks that checked
someone in today but are not in the register (not restarted since the register came) are
listed too, from their check-ins. Signed in through the desk (an admin's desk session); every
form carries the session's CSRF token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from db.store.register import KioskEntry, register_store
from kiosk.ports import StoreError
from ui.web.desk import SignedInPages
from ui.web.room import Web, _forbidden
from ui.web.sessions import same

# A kiosk is "not seen" once this many health intervals passed without its record.
UNSEEN_INTERVALS = 3


@dataclass(frozen=True)
class KioskRow:
    """One kiosk on the page."""

    kiosk_id: str
    entry: KioskEntry | None  # None: not in the register (known from today's check-ins)
    today: int  # check-ins today
    last_today: datetime | None
    unseen_min: int | None  # minutes since central last saw it, when over the limit

    @property
    def state(self) -> str:
        health = self.entry.health if self.entry is not None else None
        return health.state if health is not None else "unknown"


def fleet_state(web: Web) -> dict[str, Any]:
    """What the fleet page shows (runs in a worker thread); ``down`` when central is not
    reachable."""
    store = web.store
    now = web.clock.now()
    try:
        status = store.status(now)
        checkins = store.list_checkins(web.today(), None)
        counts = store.outbox.counts()
        dead = store.outbox.dead_letters(50)
        fleet = register_store(store).fleet()
    except StoreError:
        return {"down": True}
    today: dict[str, tuple[int, datetime | None]] = {}
    for checkin in checkins:
        n, last = today.get(checkin.kiosk_id, (0, None))
        newer = last is None or checkin.created_at > last
        today[checkin.kiosk_id] = (n + 1, checkin.created_at if newer else last)
    limit_s = UNSEEN_INTERVALS * web.config.kiosk.health_interval_s
    rows: list[KioskRow] = []
    for entry in fleet.kiosks:
        age_s = (fleet.now - entry.last_seen).total_seconds()
        n, last = today.pop(entry.kiosk_id, (0, None))
        unseen = int(age_s // 60) if age_s > limit_s else None
        rows.append(KioskRow(entry.kiosk_id, entry, n, last, unseen))
    for kiosk_id, (n, last) in today.items():
        rows.append(KioskRow(kiosk_id, None, n, last, None))
    rows.sort(key=lambda r: r.kiosk_id)
    return {
        "down": False,
        "status": status,
        "kiosks": rows,
        "outbox": counts,
        "outbox_on": store.outbox_enabled,
        "dead": dead,
        "zone": web.config.kiosk.zone,
    }


class FleetPages(SignedInPages):
    """The routes of ``/fleet``."""

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/fleet", self.page),
            Route("/fleet/retry", self.retry, methods=["POST"]),
        ]

    async def page(self, request: Request) -> Response:
        session = self.sessions.read(request)
        if session is None:
            return RedirectResponse("/desk", status_code=303)
        if not session.is_admin:
            return Response("admins only / chỉ quản trị viên", status_code=403)
        state = await run_in_threadpool(fleet_state, self.web)
        notice = request.query_params.get("retried", "")
        response = self.web.templates.TemplateResponse(
            request,
            "fleet.html",
            {**state, "session": session, "csrf": session.csrf, "retried": notice},
        )
        self.sessions.write(request, response, session)
        return response

    async def retry(self, request: Request) -> Response:
        session = self.sessions.read(request)
        form = await request.form()
        if session is None or not same(form.get("csrf"), session.csrf):
            return _forbidden()
        if not session.is_admin:
            return Response("admins only / chỉ quản trị viên", status_code=403)
        try:
            item = int(str(form.get("id") or ""))
        except ValueError:
            return Response(status_code=400)
        web = self.web
        try:
            done = await run_in_threadpool(web.store.outbox.retry, item, web.clock.now())
        except StoreError:
            done = False
        if done:
            await run_in_threadpool(
                web.store.record_audit, session.who, "outbox_retry", str(item), None, None
            )
        return RedirectResponse(f"/fleet?retried={'ok' if done else 'no'}", status_code=303)
