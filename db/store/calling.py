"""Calling by room: each clinic's queue as it stands, and the steps rooms take on it.

A live check-in of the day with no ``queue_calls`` row (or a ``waiting`` one) waits in its
clinic's queue; so check-ins replayed from a kiosk's offline journal join the queue as soon
as they reach central. A room's "next" finishes the patient it called before (done), chooses
by :func:`kiosk.calling.choose_next` and claims the check-in in one transaction: the claim is
an INSERT on the check-in's key (or an UPDATE of a waiting row), so two rooms pressing at once
never get the same patient — the loser chooses again — and the clinic's counter row is locked
for the transaction so that rooms of one clinic take turns. Every step's time is the database
server's (``now()``; a test passes a clock), and each step is a ``call_events`` row, which on
PostgreSQL wakes every board through a trigger's NOTIFY (migration 0007).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Integer, cast, delete, func, insert, select, update

from db.models import call_events, checkins, queue_calls, queue_counters, room_tokens
from db.store.database import Database
from kiosk.calling import (
    CallError,
    CallState,
    CallStep,
    Place,
    Priority,
    Waiting,
    advance,
    call_order,
    initials,
    minutes_per_patient,
    priority_of,
    wait_range,
)
from kiosk.clock import Clock
from kiosk.model import BirthDate
from kiosk.ports import StoreError

_LIVE = (CallState.CALLED.value, CallState.RECALLED.value)
_CLAIM_TRIES = 8  # rooms racing for the same patient: each loss costs one more choice


class _TakenError(StoreError):
    """Another room claimed the chosen check-in first."""


@dataclass(frozen=True)
class Call:
    """A check-in a room has called (the answer of each step)."""

    checkin_id: str
    label: str
    clinic: str
    room: str
    priority: Priority | None
    state: CallState
    at: datetime  # when this step happened (UTC)
    initials: str = ""

    def as_json(self) -> dict[str, object]:
        """The contract of ``kiosk-admin call … --json``."""
        return {
            "label": self.label,
            "clinic": self.clinic,
            "room": self.room,
            "priority": self.priority.value if self.priority else None,
        }


@dataclass(frozen=True)
class QueueView:
    """One clinic's queue on one day, as it stands."""

    clinic: str
    day: date
    waiting: list[Waiting]  # arrival order
    recent: list[Priority | None]  # the priorities of the latest calls, newest first
    calls_by_room: dict[str, list[datetime]]  # when each room called today
    current: dict[str, Call] = field(default_factory=dict)  # room → its live call

    def order(self, run_limit: int) -> list[Waiting]:
        """Who will be called in which order, if nobody else arrives."""
        return call_order(self.waiting, self.recent, run_limit)


def token_hash(token: str) -> str:
    """What ``room_tokens`` keeps of a room token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _label(row: Any) -> str:
    """The label a room calls: the slip's (``printed_label``, an alias such as ``A-1`` on a
    check-in central numbered ``12``) when there is one, since the patient holds that slip;
    else the check-in's own number."""
    if row.printed_label:
        return str(row.printed_label)
    return f"{row.series}-{row.queue_number}" if row.series else str(row.queue_number)


def _priority(row: Any, day: date) -> Priority | None:
    birth = BirthDate.from_iso(row.patient_birth) if row.patient_birth else None
    return priority_of(birth, row.card_number, row.declared, day)


class CallingStore(Database):
    """The queue, the rooms' steps and the room tokens, over one database (central)."""

    # -- reading ------------------------------------------------------------------------------

    def _waiting(self, conn: Connection, clinic: str, day: date) -> list[Waiting]:
        stmt = (
            select(
                checkins.c.id,
                checkins.c.series,
                checkins.c.queue_number,
                checkins.c.printed_label,
                checkins.c.patient_name,
                checkins.c.patient_birth,
                checkins.c.card_number,
                checkins.c.created_at,
                queue_calls.c.declared,
            )
            .select_from(checkins.outerjoin(queue_calls, queue_calls.c.checkin_id == checkins.c.id))
            .where(
                checkins.c.local_day == day,
                checkins.c.clinic_code == clinic,
                checkins.c.cancelled.is_(False),
                (queue_calls.c.state.is_(None)) | (queue_calls.c.state == CallState.WAITING),
            )
            .order_by(checkins.c.created_at, checkins.c.queue_number)
        )
        return [
            Waiting(
                checkin_id=row.id,
                label=_label(row),
                clinic=clinic,
                priority=_priority(row, day),
                arrived_at=row.created_at,
                initials=initials(row.patient_name),
            )
            for row in conn.execute(stmt)
        ]

    def _recent(self, conn: Connection, clinic: str, day: date) -> list[Priority | None]:
        stmt = (
            select(call_events.c.priority)
            .where(
                call_events.c.local_day == day,
                call_events.c.clinic_code == clinic,
                call_events.c.step == CallStep.CALL,
            )
            .order_by(call_events.c.id.desc())
            .limit(16)
        )
        return [Priority(p) if p else None for (p,) in conn.execute(stmt)]

    def _live_calls(self, conn: Connection, day: date, where: Any) -> dict[str, Call]:
        stmt = (
            select(
                queue_calls,
                checkins.c.series,
                checkins.c.queue_number,
                checkins.c.printed_label,
                checkins.c.patient_name,
            )
            .select_from(queue_calls.join(checkins, checkins.c.id == queue_calls.c.checkin_id))
            .where(queue_calls.c.local_day == day, queue_calls.c.state.in_(_LIVE), where)
            .order_by(queue_calls.c.called_at)
        )
        found: dict[str, Call] = {}
        for row in conn.execute(stmt):  # the latest call of a room wins
            found[row.room] = Call(
                checkin_id=row.checkin_id,
                label=_label(row),
                clinic=row.clinic_code,
                room=row.room,
                priority=Priority(row.priority) if row.priority else None,
                state=CallState(row.state),
                at=row.recalled_at or row.called_at,
                initials=initials(row.patient_name),
            )
        return found

    def queue(self, clinic: str, day: date) -> QueueView:
        """``clinic``'s queue on ``day``: who waits, the latest calls, each room's live call."""
        with self._reading() as conn:
            waiting = self._waiting(conn, clinic, day)
            recent = self._recent(conn, clinic, day)
            times: dict[str, list[datetime]] = {}
            for room, at in conn.execute(
                select(call_events.c.room, call_events.c.at)
                .where(
                    call_events.c.local_day == day,
                    call_events.c.clinic_code == clinic,
                    call_events.c.step == CallStep.CALL,
                )
                .order_by(call_events.c.id)
            ):
                times.setdefault(room, []).append(at)
            current = self._live_calls(conn, day, queue_calls.c.clinic_code == clinic)
        return QueueView(clinic, day, waiting, recent, times, current)

    def live_calls(self, rooms: Sequence[str], day: date) -> dict[str, Call]:
        """Each of ``rooms``' live call (called or recalled, not yet done or absent)."""
        with self._reading() as conn:
            return self._live_calls(conn, day, queue_calls.c.room.in_(list(rooms)))

    def place(
        self, checkin_id: str, clinic: str, day: date, *, run_limit: int, rooms: int, default: float
    ) -> Place | None:
        """Where a waiting check-in stands; None when it no longer waits."""
        view = self.queue(clinic, day)
        order = view.order(run_limit)
        index = next((i for i, w in enumerate(order) if w.checkin_id == checkin_id), None)
        if index is None:
            return None
        per_patient = minutes_per_patient(view.calls_by_room, rooms, default)
        return Place(index, order[index].priority, wait_range(index, per_patient))

    def version(self, day: date) -> tuple[int, int, int]:
        """Changes whenever a call step or a check-in of ``day`` is written (the boards' poll
        on SQLite, where no NOTIFY wakes them)."""
        with self._reading() as conn:
            last = conn.execute(select(func.max(call_events.c.id))).scalar_one()
            count, cancelled = conn.execute(
                select(
                    func.count(),
                    func.coalesce(func.sum(cast(checkins.c.cancelled, Integer)), 0),
                ).where(checkins.c.local_day == day)
            ).one()
        return int(last or 0), int(count), int(cancelled)

    def history(self, checkin_id: str) -> list[tuple[str, str, datetime]]:
        """Each step of one check-in's calls: (step, room, when), oldest first."""
        with self._reading() as conn:
            rows = conn.execute(
                select(call_events.c.step, call_events.c.room, call_events.c.at)
                .where(call_events.c.checkin_id == checkin_id)
                .order_by(call_events.c.id)
            ).all()
        return [(step, room, at) for step, room, at in rows]

    # -- steps --------------------------------------------------------------------------------

    def _event(
        self, conn: Connection, call: Call | Waiting, room: str, step: CallStep, day: date
    ) -> datetime:
        """Write one step; returns its time (the database server's, unless a clock is set)."""
        at = conn.execute(
            insert(call_events)
            .values(
                local_day=day,
                clinic_code=call.clinic,
                room=room,
                checkin_id=call.checkin_id,
                step=step.value,
                priority=call.priority.value if call.priority else None,
                at=self._now(),
            )
            .returning(call_events.c.at)
        ).scalar_one()
        assert isinstance(at, datetime)
        return at

    def _finish_live(self, conn: Connection, room: str, day: date, step: CallStep) -> Call | None:
        live = self._live_calls(conn, day, queue_calls.c.room == room).get(room)
        if live is None:
            return None
        state = advance(live.state, step)
        at = self._event(conn, live, room, step, day)
        values: dict[str, object] = {"state": state.value}
        values["recalled_at" if step is CallStep.RECALL else "finished_at"] = at
        conn.execute(
            update(queue_calls).where(queue_calls.c.checkin_id == live.checkin_id).values(**values)
        )
        return Call(live.checkin_id, live.label, live.clinic, room, live.priority, state, at)

    def call_next(self, room: str, clinic: str, day: date, run_limit: int) -> Call | None:
        """The room finishes its live call (done) and calls the next patient of ``clinic``;
        None when nobody waits (the live call is still finished)."""
        for _ in range(_CLAIM_TRIES):
            try:
                with self._writing(conflict=_TakenError) as conn:
                    return self._call_next_once(conn, room, clinic, day, run_limit)
            except _TakenError:
                continue
        raise StoreError("too many rooms called at once; press again")

    def _call_next_once(
        self, conn: Connection, room: str, clinic: str, day: date, run_limit: int
    ) -> Call | None:
        # One "next" of a clinic at a time: its day's number counter row is locked until commit
        # (FOR UPDATE on PostgreSQL; SQLite's write transactions are serial anyway), so rooms
        # do not all choose the same patient and the priority run is counted right.
        conn.execute(
            select(queue_counters.c.last)
            .where(queue_counters.c.clinic == clinic, queue_counters.c.day == day)
            .with_for_update()
        )
        self._finish_live(conn, room, day, CallStep.DONE)
        order = call_order(
            self._waiting(conn, clinic, day), self._recent(conn, clinic, day), run_limit
        )
        if not order:
            return None
        chosen = order[0]
        priority = chosen.priority.value if chosen.priority else None
        claimed = conn.execute(
            update(queue_calls)
            .where(
                queue_calls.c.checkin_id == chosen.checkin_id,
                queue_calls.c.state == CallState.WAITING,
            )
            .values(state=CallState.CALLED.value, room=room, priority=priority)
        ).rowcount
        if not claimed:
            # no waiting row: insert one; a row another room inserted meanwhile fails the key
            conn.execute(
                insert(queue_calls).values(
                    checkin_id=chosen.checkin_id,
                    local_day=day,
                    clinic_code=clinic,
                    state=CallState.CALLED.value,
                    room=room,
                    priority=priority,
                )
            )
        at = self._event(conn, chosen, room, CallStep.CALL, day)
        conn.execute(
            update(queue_calls)
            .where(queue_calls.c.checkin_id == chosen.checkin_id)
            .values(called_at=at)
        )
        return Call(
            chosen.checkin_id,
            chosen.label,
            clinic,
            room,
            chosen.priority,
            CallState.CALLED,
            at,
            chosen.initials,
        )

    def step(self, room: str, step: CallStep, day: date) -> Call | None:
        """Recall, finish (done) or mark absent the room's live call; None when it has none."""
        if step is CallStep.CALL:
            raise CallError("a room calls with call_next")
        with self._writing() as conn:
            return self._finish_live(conn, room, day, step)

    def declare_priority(self, checkin_id: str, priority: Priority) -> None:
        """Note what a waiting patient declared (pregnant, disability) on their check-in."""
        with self._writing() as conn:
            row = conn.execute(
                select(checkins.c.local_day, checkins.c.clinic_code).where(
                    checkins.c.id == checkin_id
                )
            ).first()
            if row is None:
                raise LookupError(f"no check-in {checkin_id}")
            changed = conn.execute(
                update(queue_calls)
                .where(queue_calls.c.checkin_id == checkin_id)
                .values(declared=priority.value)
            ).rowcount
            if not changed:
                conn.execute(
                    insert(queue_calls).values(
                        checkin_id=checkin_id,
                        local_day=row.local_day,
                        clinic_code=row.clinic_code,
                        state=CallState.WAITING.value,
                        declared=priority.value,
                    )
                )

    # -- room tokens and retention ----------------------------------------------------------

    def set_room_token(self, room: str, token: str, actor: str) -> None:
        """Replace ``room``'s sign-in token (only its hash is kept); audited."""
        with self._writing() as conn:
            conn.execute(delete(room_tokens).where(room_tokens.c.room == room))
            conn.execute(
                insert(room_tokens).values(
                    room=room, token_hash=token_hash(token), created_at=self._now()
                )
            )
            self._audit_in(conn, actor=actor, action="room_token", target=room)

    def room_token_ok(self, room: str, token: str) -> bool:
        """Whether ``token`` is ``room``'s current token (compared in constant time)."""
        with self._reading() as conn:
            stored = conn.execute(
                select(room_tokens.c.token_hash).where(room_tokens.c.room == room)
            ).scalar_one_or_none()
        given = token_hash(token)
        return hmac.compare_digest(stored or "0" * 64, given) and stored is not None

    def purge_calls_before(self, day: date) -> int:
        """Delete the calls and steps of local days before ``day`` (they go with their
        check-ins, see ``kiosk-admin purge``); returns how many steps went."""
        with self._writing() as conn:
            conn.execute(delete(queue_calls).where(queue_calls.c.local_day < day))
            gone = conn.execute(delete(call_events).where(call_events.c.local_day < day))
        return int(gone.rowcount)


def calling_store(store: Database, clock: Clock | None = None) -> CallingStore:
    """A :class:`CallingStore` on the same engine and zone as ``store``; its steps are timed
    by ``clock``, else by the database server."""
    return CallingStore(store.engine, zone=store.zone, clock=clock)
