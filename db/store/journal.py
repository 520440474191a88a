"""The offline journal's queries: its own bookkeeping, and the one transaction that hands a
journal check-in to central.

A kiosk with a central database keeps a local SQLite journal (see :mod:`db.offline`). Which of
its check-ins central has is noted in the ``replayed`` table; a check-in numbered by central is
copied in for the duplicate guard. The replay's policy (order, counting, back-off) is
:mod:`db.offline.replay`; what it reads and writes is here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from db.errors import store_errors
from db.models import audit_log, checkins, outbox, queue_counters, replayed
from db.store.checkins import checkin_from_row, checkin_values
from db.store.dialect import dialect_for
from db.store.engine import READ_ONLY
from db.store.journal_errors import journal_errors
from db.store.outbox import DELIVERED, IN_DOUBT, PENDING
from db.store.sql_store import SqlStore
from kiosk.model import CheckIn, CheckInDraft, CheckInFlag

# Results kept in the journal's ``replayed`` table.
REPLAYED = "replayed"
ALREADY = "already"  # central had it already (an earlier replay that was cut short)
FLAGGED = "flagged"  # replayed, and flagged for reception
CENTRAL = "central"  # numbered by central: a copy for the duplicate guard, nothing to replay
HELD = "held"  # central refused its data: reception looks; replay goes on past it
CLEARED = "cleared"  # a held one that reception has dealt with
# central numbered it already (a lost reply): the journal's label became central's alias
ALIASED = "aliased"
# another kiosk's check-in had the same label in central: both flagged, this one renumbered
COLLIDED = "collided"


@dataclass(frozen=True)
class PendingCheckIn:
    """One journal check-in waiting for central, with what goes in with it."""

    checkin: CheckIn
    idempotency_key: str
    audits: tuple[dict[str, Any], ...]
    # the journal's HIS events of the check-in that have not gone out, oldest first (as
    # outbox values without their row id): the replay hands them to central's outbox
    events: tuple[dict[str, Any], ...] = ()


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
    with journal_errors(), journal.engine.begin() as conn:
        known = conn.execute(
            select(checkins.c.id).where(
                (checkins.c.id == checkin.id) | (checkins.c.idempotency_key == idempotency_key)
            )
        ).first()
        if known is not None:
            return
        conn.execute(insert(checkins).values(**values))
        conn.execute(
            insert(replayed).values(checkin_id=checkin.id, at=checkin.created_at, result=CENTRAL)
        )


def pending_count(journal: SqlStore) -> int:
    """How many of the journal's own check-ins central does not have yet."""
    with journal_errors(), _reading(journal) as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(checkins).where(_pending_clause())
            ).scalar_one()
        )


def pending_checkins(journal: SqlStore) -> list[PendingCheckIn]:
    """The journal's own check-ins central does not have yet, oldest first."""
    with journal_errors(), _reading(journal) as conn:
        rows = conn.execute(
            select(checkins).where(_pending_clause()).order_by(checkins.c.created_at)
        ).all()
        found: list[PendingCheckIn] = []
        for row in rows:
            audits = conn.execute(
                select(audit_log).where(audit_log.c.target == row.id).order_by(audit_log.c.id)
            ).all()
            events = conn.execute(
                select(outbox)
                .where(outbox.c.checkin_id == row.id, outbox.c.state != DELIVERED)
                .order_by(outbox.c.id)
            ).all()
            found.append(
                PendingCheckIn(
                    checkin=checkin_from_row(row),
                    idempotency_key=row.idempotency_key,
                    audits=tuple(_without_id(a) for a in audits),
                    events=tuple(_without_id(e) for e in events),
                )
            )
        return found


def _without_id(row: Any) -> dict[str, Any]:
    return {k: v for k, v in row._mapping.items() if k != "id"}


def is_pending(journal: SqlStore, checkin_id: str) -> bool:
    """True when the check-in lives only in the journal (numbered offline, not replayed)."""
    with journal_errors(), _reading(journal) as conn:
        row = conn.execute(
            select(checkins.c.id).where(checkins.c.id == checkin_id, _pending_clause())
        ).first()
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
    with journal_errors(), journal.engine.begin() as conn:
        conn.execute(delete(replayed).where(replayed.c.checkin_id == checkin.id))
        conn.execute(
            insert(replayed).values(checkin_id=checkin.id, at=at, result=HELD, reason=reason[:200])
        )


def held_checkins(journal: SqlStore) -> list[HeldCheckIn]:
    """The journal's held check-ins, oldest first."""
    with journal_errors(), _reading(journal) as conn:
        rows = conn.execute(
            select(checkins, replayed.c.reason.label("held_reason"))
            .join(replayed, replayed.c.checkin_id == checkins.c.id)
            .where(replayed.c.result == HELD)
            .order_by(checkins.c.created_at)
        ).all()
    return [
        HeldCheckIn(c.id, c.label, c.clinic_code, row.held_reason or "")
        for row in rows
        for c in (checkin_from_row(row),)
    ]


def held_count(journal: SqlStore) -> int:
    """How many of the journal's check-ins are held."""
    with journal_errors(), _reading(journal) as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(replayed).where(replayed.c.result == HELD)
            ).scalar_one()
        )


def release_held(journal: SqlStore, checkin_id: str | None = None) -> int:
    """Put held check-ins (one, or all) back in line for the next replay; how many."""
    where = replayed.c.result == HELD
    if checkin_id is not None:
        where = where & (replayed.c.checkin_id == checkin_id)
    with journal_errors(), journal.engine.begin() as conn:
        return int(conn.execute(delete(replayed).where(where)).rowcount or 0)


def clear_held(journal: SqlStore, checkin_id: str) -> bool:
    """Reception dealt with a held check-in: it stops counting as held (kept as ``cleared``)."""
    with journal_errors(), journal.engine.begin() as conn:
        done = conn.execute(
            update(replayed)
            .where(replayed.c.checkin_id == checkin_id, replayed.c.result == HELD)
            .values(result=CLEARED)
        ).rowcount
    return bool(done)


def mark_replayed(
    journal: SqlStore,
    checkin: CheckIn,
    result: str,
    at: datetime,
    handed: Sequence[str] = (),
) -> None:
    """Note how the replay of ``checkin`` went (flagging it when central flagged it). Its HIS
    events that had not gone out are central's now (:func:`replay_checkin` handed them
    over, ``handed`` their event ids): they leave the journal's outbox, so they go out once,
    from central."""
    flags = {FLAGGED: CheckInFlag.DUPLICATE.value, COLLIDED: CheckInFlag.LABEL_COLLISION.value}
    with journal.engine.begin() as conn:
        conn.execute(delete(replayed).where(replayed.c.checkin_id == checkin.id))
        conn.execute(insert(replayed).values(checkin_id=checkin.id, at=at, result=result))
        if handed:
            conn.execute(delete(outbox).where(outbox.c.event_id.in_(list(handed))))
        if result in flags:
            conn.execute(
                update(checkins).where(checkins.c.id == checkin.id).values(flag=flags[result])
            )


def hold_events(journal: SqlStore, checkin_id: str) -> None:
    """The journal numbered a check-in right after central failed to answer its commit, so
    central may hold it too (a lost reply): its HIS events wait (``in_doubt``, not delivered
    from the journal) until the replay knows. Central's own event then stands for the visit,
    or, when central did not have it, the replay hands these over (:func:`replay_checkin`).
    One visit, one check-in event."""
    with journal_errors(), journal.engine.begin() as conn:
        conn.execute(
            update(outbox)
            .where(outbox.c.checkin_id == checkin_id, outbox.c.state == PENDING)
            .values(state=IN_DOUBT)
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


def replay_checkin(central: SqlStore, item: PendingCheckIn) -> str:
    """Put one journal check-in into central in ONE transaction; returns how it went.

    With it go its audit rows and the journal's HIS events of it that have not gone out
    (:func:`_hand_over_events`), so central's outbox holds every event of the check-in in the
    order they happened, before anything staff do to it later. Raises
    :class:`RecordRefusedError` when central refuses the row's data (a constraint, a value
    too long), plain :class:`StoreError` on an outage: each in our words
    (:func:`db.errors.store_errors`), never with the row's values."""
    with store_errors():
        for attempt in range(_TRIES):
            try:
                with central.engine.begin() as conn:
                    result, row = _replay_in(conn, central, item)
                    _hand_over_events(conn, item, row)
                return result
            except IntegrityError:
                # Another replay of the same journal got there first (theirs stands), or
                # another kiosk put the same label in between our look and our insert (the
                # next look sees it: a collision). Anything else is refused data: held.
                if attempt == _TRIES - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover


_TRIES = 3  # looks at central per replayed check-in when others write the same labels at once

#: A named fault point for the race tests (None in the product): ``"looked"`` is called inside
#: the replay's transaction after it looked for the label in central, before it inserts.
fault_point: Callable[[str], None] | None = None


def _replay_in(conn: Connection, central: SqlStore, item: PendingCheckIn) -> tuple[str, CheckIn]:
    """The replay's writes in central's transaction ``conn``: the result, and the row central
    keeps for the check-in."""
    checkin = item.checkin
    there = conn.execute(
        select(checkins).where(checkins.c.idempotency_key == item.idempotency_key)
    ).first()
    if there is not None:
        return _already(conn, checkin, checkin_from_row(there))
    duplicate = _live_duplicate(conn, checkin)
    flag = CheckInFlag.DUPLICATE.value if duplicate else checkin.flag
    row = replace(checkin, flag=flag)
    taken = conn.execute(
        select(checkins.c.id).where(
            checkins.c.local_day == checkin.local_day,
            checkins.c.clinic_code == checkin.clinic_code,
            checkins.c.series == checkin.series,
            checkins.c.queue_number == checkin.queue_number,
        )
    ).first()
    if fault_point is not None:
        fault_point("looked")  # the race tests: another kiosk inserts the same label now
    if taken is not None:
        # Two kiosks with one offline prefix both printed this label for this clinic and day.
        # Both check-ins stay: this one takes central's next number with the printed label as
        # its alias (rooms call it by that), and both are flagged for reception.
        collision = CheckInFlag.LABEL_COLLISION.value
        row = replace(
            checkin,
            series="",
            queue_number=_next_central_number(conn, central, checkin),
            printed_label=checkin.label,
            flag=collision,
        )
        conn.execute(update(checkins).where(checkins.c.id == taken.id).values(flag=collision))
    values = checkin_values(row)
    values["idempotency_key"] = item.idempotency_key
    conn.execute(insert(checkins).values(**values))
    for audit in item.audits:
        conn.execute(insert(audit_log).values(**audit))
    facts = json.dumps({"label": checkin.label, "clinic": checkin.clinic_code})
    if duplicate:
        _note(conn, checkin, "replay_duplicate", checkin.id, facts)
    if taken is not None:
        for target in (taken.id, checkin.id):
            _note(conn, checkin, "label_collision", target, facts)
        return COLLIDED, row
    return (FLAGGED if duplicate else REPLAYED), row


def _already(conn: Connection, checkin: CheckIn, there: CheckIn) -> tuple[str, CheckIn]:
    """Central holds the check-in already: an earlier replay cut short, or central committed
    it and its reply was lost while the kiosk printed an offline label. Then that label
    becomes the row's alias (the patient holds that slip), and central's own pending
    check-in event carries it to the HIS: one event a visit."""
    if there.label == checkin.label or there.printed_label is not None:
        return ALREADY, there
    conn.execute(
        update(checkins).where(checkins.c.id == there.id).values(printed_label=checkin.label)
    )
    facts = json.dumps({"label": there.label, "printed_label": checkin.label})
    _note(conn, checkin, "label_alias", there.id, facts)
    for event_id, payload in conn.execute(
        select(outbox.c.event_id, outbox.c.payload).where(
            outbox.c.checkin_id == there.id, outbox.c.state == PENDING
        )
    ).all():
        conn.execute(
            update(outbox)
            .where(outbox.c.event_id == event_id)
            .values(payload=_with_label(payload, printed_label=checkin.label))
        )
    return ALIASED, replace(there, printed_label=checkin.label)


def _note(
    conn: Connection, checkin: CheckIn | CheckInDraft, action: str, target: str, facts: str
) -> None:
    """An audit row of the replay or of the journal's own bookkeeping, at the check-in's time
    and by its kiosk (no name, no number of the patient)."""
    conn.execute(
        insert(audit_log).values(
            at=checkin.created_at,
            actor=checkin.kiosk_id,
            action=action,
            target=target,
            before=None,
            after=facts,
        )
    )


def _next_central_number(conn: Connection, central: SqlStore, checkin: CheckIn) -> int:
    """The clinic's next central number of the day, from the counter every kiosk shares."""
    stmt = (
        dialect_for(central.engine)
        .insert(queue_counters)
        .values(clinic=checkin.clinic_code, day=checkin.local_day, last=1)
        .on_conflict_do_update(
            index_elements=["clinic", "day"], set_={"last": queue_counters.c.last + 1}
        )
        .returning(queue_counters.c.last)
    )
    return int(conn.execute(stmt).scalar_one())


def _with_label(payload: str, **changes: object) -> str:
    """An event's JSON payload with some of its fields changed (the number it went in as)."""
    data = json.loads(payload)
    data.update(changes)
    return json.dumps(data, ensure_ascii=False)


def _hand_over_events(conn: Connection, item: PendingCheckIn, row: CheckIn) -> None:
    """Move the journal's undelivered HIS events of the check-in into central's outbox, in
    central's transaction ``conn``: a cancel staff make after the replay is written to
    central after them, so whoever delivers central's outbox sends them in order.

    Each keeps its event id (a second replay adds none twice). The journal's check-in event
    is left out when central holds one for this check-in already (a lost reply: central's
    is the visit's one event). Events of a check-in central numbered otherwise (a collision)
    go with the number central gave and the printed label."""
    if not item.events:
        return
    known = {
        (str(event_id), str(kind))
        for event_id, kind in conn.execute(
            select(outbox.c.event_id, outbox.c.kind).where(outbox.c.checkin_id == row.id)
        ).all()
    }
    has_checkin_event = any(kind == "checkin" for _, kind in known)
    ids = {event_id for event_id, _ in known}
    renumbered = row.label != item.checkin.label
    for event in item.events:
        if event["event_id"] in ids or (event["kind"] == "checkin" and has_checkin_event):
            continue
        values = dict(event)
        if values["state"] == IN_DOUBT:  # central did not have it: now it goes out
            values["state"] = PENDING
        if renumbered:
            values["payload"] = _with_label(
                str(event["payload"]),
                queue_number=row.queue_number,
                queue_label=None if not row.series else row.label,
                offline=row.offline,
                printed_label=row.printed_label,
            )
        conn.execute(insert(outbox).values(**values))


#: The journal's note that the kiosk is about to commit a check-in to central (audit_log
#: action): if the kiosk dies before it learns the outcome, a later offline check-in of the
#: same visit takes the same idempotency key, so the replay finds central's row.
ATTEMPT = "central_attempt"


def _visit_marks(draft: CheckInDraft) -> list[str]:
    """The visit's marks (patient key, clinic, day), hashed: no ID number in the journal's
    audit rows."""
    keys = [k for k in (draft.patient.bhxh_number, draft.patient.id_number) if k]
    return [
        "attempt:"
        + hashlib.sha256(
            f"{key}|{draft.clinic_code}|{draft.local_day.isoformat()}".encode()
        ).hexdigest()
        for key in keys
    ]


def note_attempt(journal: SqlStore, draft: CheckInDraft) -> None:
    """Note in the journal, before the commit to central, which key this visit goes with."""
    marks = _visit_marks(draft)
    if not marks:
        return
    with journal_errors(), journal.engine.begin() as conn:
        for mark in marks:
            _note(conn, draft, ATTEMPT, mark, draft.idempotency_key)


def unsettled_attempt(journal: SqlStore, draft: CheckInDraft) -> str | None:
    """The idempotency key of this visit's last commit to central whose outcome the kiosk
    never learnt (no journal check-in has that key: the kiosk died, or lost its copy), or
    None. Central may hold a check-in under it."""
    marks = _visit_marks(draft)
    if not marks:
        return None
    with journal_errors(), _reading(journal) as conn:
        key = conn.execute(
            select(audit_log.c.after)
            .where(audit_log.c.action == ATTEMPT, audit_log.c.target.in_(marks))
            .order_by(audit_log.c.id.desc())
            .limit(1)
        ).scalar()
        if key is None:
            return None
        known = conn.execute(select(checkins.c.id).where(checkins.c.idempotency_key == key)).first()
    return None if known is not None else str(key)
