"""The offline journal's staff side: its short-lived copy of central's staff directory, and
the staff actions made during an outage that wait for central.

The copy lives in the journal's own ``staff`` table (the same table central has: names, roles,
staff codes and PIN hashes, never a PIN) and its age in ``sync_state`` (source
:data:`STAFF_COPY`). The waiting actions are rows of ``staff_actions``: an audit row to append
to central's log, or the cancel of a check-in central numbered. The policy (when to copy, how
long a copy may be used, the replay's order) is :mod:`db.offline.staff_copy`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import delete, insert, select, update

from db.errors import store_errors
from db.models import audit_log, checkins, staff, staff_actions
from db.store.journal_errors import journal_errors
from db.store.sql_store import SqlStore
from db.store.staff import staff_row
from kiosk.model import CheckIn, CheckInFlag
from kiosk.ports import StaffAccount, StoreError

STAFF_COPY = "staff-copy"  # the journal's sync_state row for the copy

# the kinds of waiting action, and their states
AUDIT, CANCEL = "audit", "cancel"
WAITING, DONE, HELD = "waiting", "done", "held"


@dataclass(frozen=True)
class StaffAction:
    """One staff action waiting in the journal for central."""

    id: int
    kind: str
    at: datetime
    actor: str
    action: str
    target: str
    before: str | None
    after: str | None


# -- the copy of the directory -------------------------------------------------------------------


def copy_staff(journal: SqlStore, accounts: Sequence[StaffAccount], at: datetime) -> None:
    """Replace the journal's copy of the staff directory with ``accounts`` (central's, sign-in
    state included: central is the truth whenever it answers), dated ``at``."""
    with journal_errors(), journal.engine.begin() as conn:
        conn.execute(delete(staff))
        for account in accounts:
            conn.execute(insert(staff).values(staff_row(account)))
    journal.mark_sync_success(STAFF_COPY, at)


def staff_copy_at(journal: SqlStore) -> datetime | None:
    """When the journal's copy was last made (None: never, or wiped)."""
    state = journal.get_sync_state(STAFF_COPY)
    return state.last_success if state is not None else None


def wipe_staff_copy(journal: SqlStore) -> None:
    """Forget the copy: an expired copy's hashes do not stay on the kiosk."""
    with journal_errors(), journal.engine.begin() as conn:
        conn.execute(delete(staff))
    journal.reset_sync(STAFF_COPY)


# -- staff actions waiting for central -----------------------------------------------------------


def queue_action(
    journal: SqlStore,
    kind: str,
    *,
    actor: str,
    action: str,
    target: str,
    before: str | None = None,
    after: str | None = None,
    at: datetime | None = None,
) -> None:
    """Keep one staff action in the journal until central takes it (made now, by the
    journal's clock, unless ``at`` says when)."""
    at = at or journal._at()  # the journal's clock (within the store)
    with journal_errors(), journal.engine.begin() as conn:
        conn.execute(
            insert(staff_actions).values(
                kind=kind,
                at=at,
                actor=actor,
                action=action,
                target=target,
                before=before,
                after=after,
                state=WAITING,
            )
        )


def waiting_actions(journal: SqlStore) -> list[StaffAction]:
    """The actions waiting for central, oldest first."""
    with journal_errors(), journal.engine.connect() as conn:
        rows = conn.execute(
            select(staff_actions)
            .where(staff_actions.c.state == WAITING)
            .order_by(staff_actions.c.id)
        ).all()
    return [
        StaffAction(r.id, r.kind, r.at, r.actor, r.action, r.target, r.before, r.after)
        for r in rows
    ]


def waiting_cancels(journal: SqlStore) -> set[str]:
    """The ids of the check-ins whose cancel waits for central ("chờ" on the staff screens)."""
    with journal_errors(), journal.engine.connect() as conn:
        rows = conn.execute(
            select(staff_actions.c.target).where(
                staff_actions.c.state == WAITING, staff_actions.c.kind == CANCEL
            )
        ).all()
    return {target for (target,) in rows}


def mark_action(
    journal: SqlStore, action_id: int, state: str, at: datetime, problem: str | None = None
) -> None:
    """Note how an action's replay went (``done``, or ``held`` with the problem)."""
    with journal_errors(), journal.engine.begin() as conn:
        conn.execute(
            update(staff_actions)
            .where(staff_actions.c.id == action_id)
            .values(state=state, done_at=at, problem=problem[:200] if problem else None)
        )


def replay_audit(central: SqlStore, action: StaffAction) -> bool:
    """Append a waiting audit row to central's log with its own time; False when central has
    that row already (a replay cut short after central's commit)."""
    row = {
        "at": action.at,
        "actor": action.actor,
        "action": action.action,
        "target": action.target,
    }
    with store_errors(), central.engine.begin() as conn:
        same = select(audit_log.c.id).where(*(audit_log.c[k] == v for k, v in row.items()))
        if conn.execute(same.limit(1)).first() is not None:
            return False
        conn.execute(insert(audit_log).values(**row, before=action.before, after=action.after))
    return True


def wait_to_cancel(journal: SqlStore, checkin_id: str, staff_name: str, reason: str) -> CheckIn:
    """Central is down: keep the cancel of one of central's check-ins for later; the check-in
    as the journal's copy has it (not cancelled yet: the staff screens show "chờ"). Raises
    StoreError when the journal has no copy (another kiosk's check-in: central only)."""
    checkin = journal.get_checkin(checkin_id)
    if checkin is None:
        raise StoreError("central database unreachable: cancel waits for it")
    after = json.dumps({"cancelled": True, "reason": reason}, ensure_ascii=False)
    queue_action(journal, CANCEL, actor=staff_name, action="cancel", target=checkin_id, after=after)
    flag_cancel_waiting(journal, checkin_id, waiting=True)
    return replace(checkin, flag=CheckInFlag.CANCEL_WAITING.value)


def flag_cancel_waiting(journal: SqlStore, checkin_id: str, *, waiting: bool) -> None:
    """Mark (or unmark) the journal's copy of a check-in as waiting for its cancel: the staff
    list shows "chờ hủy" while central is down."""
    value = CheckInFlag.CANCEL_WAITING.value if waiting else None
    with journal_errors(), journal.engine.begin() as conn:
        conn.execute(update(checkins).where(checkins.c.id == checkin_id).values(flag=value))
