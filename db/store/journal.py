"""The offline journal's queries: its own bookkeeping, and the one transaction that hands a
journal check-in to central.

A kiosk with a central database keeps a local SQLite journal (see :mod:`db.offline`). Which of
its check-ins central has is noted in the ``replayed`` table; a check-in numbered by central is
copied in for the duplicate guard. The replay's policy (order, counting, back-off) is
:mod:`db.offline.replay`; what it reads and writes is here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from db.errors import describe_error, store_errors
from db.models import audit_log, checkins, replayed
from db.store.checkins import checkin_from_row, checkin_values
from db.store.engine import READ_ONLY
from db.store.sql_store import SqlStore
from kiosk.model import CheckIn, CheckInFlag
from kiosk.ports import StoreError

# Results kept in the journal's ``replayed`` table.
REPLAYED = "replayed"
ALREADY = "already"  # central had it already (an earlier replay that was cut short)
FLAGGED = "flagged"  # replayed, and flagged for reception
CENTRAL = "central"  # numbered by central: a copy for the duplicate guard, nothing to replay
HELD = "held"  # central refused its data: reception looks; replay goes on past it
CLEARED = "cleared"  # a held one that reception has dealt with


@dataclass(frozen=True)
class PendingCheckIn:
    """One journal check-in waiting for central, with what goes in with it."""

    checkin: CheckIn
    idempotency_key: str
    audits: tuple[dict[str, Any], ...]


# -- the journal's own bookkeeping --------------------------------------------------------------


def _pending_clause() -> Any:
    return and_(
        checkins.c.series != "",
        ~select(replayed.c.checkin_id).where(replayed.c.checkin_id == checkins.c.id).exists(),
    )


def _reading(journal: SqlStore) -> Connection:
    # A plain deferred BEGIN: a read must not queue behind (or block) the journal's writers.
    return journal.engine.connect().execution_options(**READ_ONLY)


def remember_central(journal: SqlStore, checkin: CheckIn, idempotency_key: str) -> None:
    """Copy a check-in central numbered into the journal (for the duplicate guard offline)."""
    values = checkin_values(checkin)
    values["idempotency_key"] = idempotency_key
    try:
        with journal.engine.begin() as conn:
            known = conn.execute(
                select(checkins.c.id).where(
                    (checkins.c.id == checkin.id) | (checkins.c.idempotency_key == idempotency_key)
                )
            ).first()
            if known is not None:
                return
            conn.execute(insert(checkins).values(**values))
            conn.execute(
                insert(replayed).values(
                    checkin_id=checkin.id, at=checkin.created_at, result=CENTRAL
                )
            )
    except SQLAlchemyError as error:
        raise StoreError(describe_error(error)) from error


def pending_count(journal: SqlStore) -> int:
    """How many of the journal's own check-ins central does not have yet."""
    try:
        with _reading(journal) as conn:
            return int(
                conn.execute(
                    select(func.count()).select_from(checkins).where(_pending_clause())
                ).scalar_one()
            )
    except SQLAlchemyError as error:
        raise StoreError(describe_error(error)) from error


def pending_checkins(journal: SqlStore) -> list[PendingCheckIn]:
    """The journal's own check-ins central does not have yet, oldest first."""
    try:
        with _reading(journal) as conn:
            rows = conn.execute(
                select(checkins).where(_pending_clause()).order_by(checkins.c.created_at)
            ).all()
            found: list[PendingCheckIn] = []
            for row in rows:
                audits = conn.execute(
                    select(audit_log).where(audit_log.c.target == row.id).order_by(audit_log.c.id)
                ).all()
                found.append(
                    PendingCheckIn(
                        checkin=checkin_from_row(row),
                        idempotency_key=row.idempotency_key,
                        audits=tuple(
                            {k: v for k, v in a._mapping.items() if k != "id"} for a in audits
                        ),
                    )
                )
            return found
    except SQLAlchemyError as error:
        raise StoreError(describe_error(error)) from error


def is_pending(journal: SqlStore, checkin_id: str) -> bool:
    """True when the check-in lives only in the journal (numbered offline, not replayed)."""
    try:
        with _reading(journal) as conn:
            row = conn.execute(
                select(checkins.c.id).where(checkins.c.id == checkin_id, _pending_clause())
            ).first()
    except SQLAlchemyError as error:
        raise StoreError(describe_error(error)) from error
    return row is not None


@dataclass(frozen=True)
class HeldCheckIn:
    """A journal check-in central refused for its data, and why (in our words)."""

    checkin_id: str
    label: str
    clinic_code: str
    reason: str


def mark_held(journal: SqlStore, checkin: CheckIn, reason: str, at: datetime) -> None:
    """Set a check-in central refused aside as ``held``, with its cleaned reason."""
    try:
        with journal.engine.begin() as conn:
            conn.execute(delete(replayed).where(replayed.c.checkin_id == checkin.id))
            conn.execute(
                insert(replayed).values(
                    checkin_id=checkin.id, at=at, result=HELD, reason=reason[:200]
                )
            )
    except SQLAlchemyError as error:
        raise StoreError(describe_error(error)) from error


def held_checkins(journal: SqlStore) -> list[HeldCheckIn]:
    """The journal's held check-ins, oldest first."""
    try:
        with _reading(journal) as conn:
            rows = conn.execute(
                select(checkins, replayed.c.reason.label("held_reason"))
                .join(replayed, replayed.c.checkin_id == checkins.c.id)
                .where(replayed.c.result == HELD)
                .order_by(checkins.c.created_at)
            ).all()
    except SQLAlchemyError as error:
        raise StoreError(describe_error(error)) from error
    return [
        HeldCheckIn(c.id, c.label, c.clinic_code, row.held_reason or "")
        for row in rows
        for c in (checkin_from_row(row),)
    ]


def held_count(journal: SqlStore) -> int:
    """How many of the journal's check-ins are held."""
    try:
        with _reading(journal) as conn:
            return int(
                conn.execute(
                    select(func.count()).select_from(replayed).where(replayed.c.result == HELD)
                ).scalar_one()
            )
    except SQLAlchemyError as error:
        raise StoreError(describe_error(error)) from error


def release_held(journal: SqlStore, checkin_id: str | None = None) -> int:
    """Put held check-ins (one, or all) back in line for the next replay; how many."""
    where = replayed.c.result == HELD
    if checkin_id is not None:
        where = where & (replayed.c.checkin_id == checkin_id)
    try:
        with journal.engine.begin() as conn:
            return int(conn.execute(delete(replayed).where(where)).rowcount or 0)
    except SQLAlchemyError as error:
        raise StoreError(describe_error(error)) from error


def clear_held(journal: SqlStore, checkin_id: str) -> bool:
    """Reception dealt with a held check-in: it stops counting as held (kept as ``cleared``)."""
    try:
        with journal.engine.begin() as conn:
            done = conn.execute(
                update(replayed)
                .where(replayed.c.checkin_id == checkin_id, replayed.c.result == HELD)
                .values(result=CLEARED)
            ).rowcount
    except SQLAlchemyError as error:
        raise StoreError(describe_error(error)) from error
    return bool(done)


def mark_replayed(journal: SqlStore, checkin: CheckIn, result: str, at: datetime) -> None:
    """Note how the replay of ``checkin`` went (flagging it when central flagged it)."""
    with journal.engine.begin() as conn:
        conn.execute(delete(replayed).where(replayed.c.checkin_id == checkin.id))
        conn.execute(insert(replayed).values(checkin_id=checkin.id, at=at, result=result))
        if result == FLAGGED:
            conn.execute(
                update(checkins)
                .where(checkins.c.id == checkin.id)
                .values(flag=CheckInFlag.DUPLICATE.value)
            )


def cancel_copy(journal: SqlStore, checkin_id: str) -> None:
    """Mark the journal's copy of a central check-in cancelled (raises SQLAlchemyError)."""
    with journal.engine.begin() as conn:
        conn.execute(update(checkins).where(checkins.c.id == checkin_id).values(cancelled=True))


# -- into central -------------------------------------------------------------------------------


def _live_duplicate(conn: Connection, checkin: CheckIn) -> bool:
    """Does central hold another live check-in of this patient for this clinic and day?"""
    keys = [k for k in (checkin.patient.bhxh_number, checkin.patient.id_number) if k]
    if not keys or checkin.cancelled:
        return False
    found = conn.execute(
        select(checkins.c.id)
        .where(
            checkins.c.local_day == checkin.local_day,
            checkins.c.clinic_code == checkin.clinic_code,
            checkins.c.cancelled.is_(False),
            checkins.c.id != checkin.id,
            checkins.c.bhxh_number.in_(keys) | checkins.c.id_number.in_(keys),
        )
        .limit(1)
    ).first()
    return found is not None


def _has_key(conn: Connection, key: str) -> bool:
    """Whether central has the check-in of this idempotency key already."""
    found = conn.execute(select(checkins.c.id).where(checkins.c.idempotency_key == key)).first()
    return found is not None


def replay_checkin(central: SqlStore, item: PendingCheckIn) -> str:
    """Put one journal check-in into central in ONE transaction; returns how it went.

    Raises :class:`RecordRefusedError` when central refuses the row's data (a constraint, a
    value too long), plain :class:`StoreError` on an outage: each in our words
    (:func:`db.errors.store_errors`), never with the row's values."""
    with store_errors():
        return _replay_checkin(central, item)


def _replay_checkin(central: SqlStore, item: PendingCheckIn) -> str:
    checkin = item.checkin
    key = item.idempotency_key
    try:
        with central.engine.begin() as conn:
            if _has_key(conn, key):
                return ALREADY
            duplicate = _live_duplicate(conn, checkin)
            flag = CheckInFlag.DUPLICATE.value if duplicate else checkin.flag
            values = checkin_values(replace(checkin, flag=flag))
            values["idempotency_key"] = key
            conn.execute(insert(checkins).values(**values))
            for audit in item.audits:
                conn.execute(insert(audit_log).values(**audit))
            if duplicate:
                conn.execute(
                    insert(audit_log).values(
                        at=checkin.created_at,
                        actor=checkin.kiosk_id,
                        action="replay_duplicate",
                        target=checkin.id,
                        before=None,
                        after=json.dumps({"label": checkin.label, "clinic": checkin.clinic_code}),
                    )
                )
    except IntegrityError:
        # Another replay of the same journal got there first: theirs stands. Anything else
        # (two kiosks with one prefix) is a real failure, reported and retried.
        with central.engine.connect() as conn:
            if _has_key(conn, key):
                return ALREADY
        raise
    return FLAGGED if duplicate else REPLAYED
