"""``/fleet``, for admins: the kiosks as central sees them, the sync state, and the HIS
outbox's dead letters with a retry button each.

There is no kiosk register (health records) in this branch yet: the page shows what central
has — each kiosk that checked someone in today with its last check-in, the card replica's last
sync, today's count, and the outbox — and says that health records are not there. Signed in
through the desk (an admin's desk session); every form carries the session's CSRF token.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from kiosk.ports import StoreError
from ui.web.desk import DeskSessions
from ui.web.room import Web, _forbidden
from ui.web.sessions import same


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
    except StoreError:
        return {"down": True}
    kiosks: dict[str, dict[str, Any]] = {}
    for checkin in checkins:
        seen = kiosks.setdefault(
            checkin.kiosk_id, {"id": checkin.kiosk_id, "count": 0, "last": None}
        )
        seen["count"] += 1
        last: datetime | None = seen["last"]
        if last is None or checkin.created_at > last:
            seen["last"] = checkin.created_at
    return {
        "down": False,
        "status": status,
        "kiosks": sorted(kiosks.values(), key=lambda k: str(k["id"])),
        "outbox": counts,
        "outbox_on": store.outbox_enabled,
        "dead": dead,
        "zone": web.config.kiosk.zone,
    }


class FleetPages:
    """The routes of ``/fleet``."""

    def __init__(self, web: Web, sessions: DeskSessions) -> None:
        self.web = web
        self.sessions = sessions

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
