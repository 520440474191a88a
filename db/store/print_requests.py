"""Printing a slip on a chosen kiosk: the desk's requests in central, each kiosk's claim of
its own, and how each went.

The desk writes a ``waiting`` request naming a kiosk; that kiosk's background duty
(:mod:`ui.kiosk_printing`) claims its own waiting requests (``printing``), prints the slip the
reprint way (the same number) and marks each ``printed`` or ``failed``. A kiosk never claims
another kiosk's request: the claim is by kiosk id in the statement itself. A request left
``printing`` (the kiosk stopped mid-way) stays so: the desk shows it and can ask again.
Requests are purged with the check-ins of their day (:meth:`CheckinStore.purge_before`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, insert, select, union, update

from db.errors import store_errors
from db.models import checkins, outcome_tallies, print_requests
from db.store.sql_store import SqlStore

WAITING, PRINTING, PRINTED, FAILED = "waiting", "printing", "printed", "failed"


@dataclass(frozen=True)
class PrintRequest:
    """One request to print a check-in's slip on a kiosk."""

    id: int
    checkin_id: str
    kiosk_id: str
    requested_by: str
    requested_at: datetime
    state: str
    problem: str | None = None


def request_print(
    store: SqlStore, checkin_id: str, kiosk_id: str, *, staff: str, day: date, at: datetime
) -> int:
    """Ask ``kiosk_id`` to print the slip of ``checkin_id``; the request's id."""
    with store_errors(), store.engine.begin() as conn:
        made = conn.execute(
            insert(print_requests)
            .values(
                checkin_id=checkin_id,
                kiosk_id=kiosk_id,
                local_day=day,
                requested_by=staff,
                requested_at=at,
                state=WAITING,
            )
            .returning(print_requests.c.id)
        )
        return int(made.scalar_one())


def claim_requests(store: SqlStore, kiosk_id: str, limit: int = 10) -> list[PrintRequest]:
    """This kiosk's waiting requests, oldest first, each now ``printing`` (claimed one by one:
    a request another poller took meanwhile is skipped, never printed twice)."""
    claimed: list[PrintRequest] = []
    with store_errors(), store.engine.begin() as conn:
        rows = conn.execute(
            select(print_requests)
            .where(print_requests.c.kiosk_id == kiosk_id, print_requests.c.state == WAITING)
            .order_by(print_requests.c.id)
            .limit(limit)
        ).all()
        for row in rows:
            took = conn.execute(
                update(print_requests)
                .where(
                    print_requests.c.id == row.id,
                    print_requests.c.kiosk_id == kiosk_id,
                    print_requests.c.state == WAITING,
                )
                .values(state=PRINTING)
            ).rowcount
            if took:
                claimed.append(_request(row, PRINTING))
    return claimed


def finish_request(
    store: SqlStore, request_id: int, ok: bool, at: datetime, problem: str | None = None
) -> None:
    """Note how printing a claimed request went."""
    with store_errors(), store.engine.begin() as conn:
        conn.execute(
            update(print_requests)
            .where(print_requests.c.id == request_id)
            .values(
                state=PRINTED if ok else FAILED,
                done_at=at,
                problem=(problem or "")[:200] or None,
            )
        )


def todays_requests(store: SqlStore, day: date, limit: int = 20) -> list[PrintRequest]:
    """The day's requests, newest first (the desk shows how each went)."""
    with store_errors(), store.engine.connect() as conn:
        rows = conn.execute(
            select(print_requests)
            .where(print_requests.c.local_day == day)
            .order_by(print_requests.c.id.desc())
            .limit(limit)
        ).all()
    return [_request(row, row.state) for row in rows]


def get_request(store: SqlStore, request_id: int) -> PrintRequest | None:
    """One request as it stands now."""
    with store_errors(), store.engine.connect() as conn:
        row = conn.execute(select(print_requests).where(print_requests.c.id == request_id)).first()
    return _request(row, row.state) if row is not None else None


def known_kiosks(store: SqlStore, day: date, desk_id: str) -> Sequence[str]:
    """The kiosks seen today (a check-in, or a scan sent to reception), for the desk's choice
    of printer; the desk's own id left out."""
    seen = union(
        select(checkins.c.kiosk_id.label("k")).where(checkins.c.local_day == day),
        select(outcome_tallies.c.kiosk_id.label("k")).where(outcome_tallies.c.local_day == day),
    ).subquery()
    with store_errors(), store.engine.connect() as conn:
        rows = conn.execute(select(seen.c.k).order_by(seen.c.k)).all()
    return [k for (k,) in rows if k and k != desk_id]


def _request(row: Row[Any], state: str) -> PrintRequest:
    return PrintRequest(
        id=int(row.id),
        checkin_id=row.checkin_id,
        kiosk_id=row.kiosk_id,
        requested_by=row.requested_by,
        requested_at=row.requested_at,
        state=state,
        problem=row.problem,
    )
