"""The outbox table: events for the hospital information system (HIS) and their delivery state.

:class:`SqlStore` writes an event in the transaction of every check-in, cancel and reprint
(:func:`outbox_event`, :meth:`SqlOutbox.enqueue`); the delivery step (``db.his.delivery``) reads,
claims and settles them through :class:`SqlOutbox`. A row is ``pending`` until the HIS took
it (``delivered``) or it failed ``his.max_attempts`` times (``failed``, a dead letter that
``kiosk-admin outbox retry`` puts back in line). An event whose patient the HIS could not
match (no CCCD, no BHXH number) is set aside as ``needs_identity`` for reception; it holds the
patient's later events back like a dead letter.

The payload is the check-in as it stood when the event happened, as JSON: delivery needs
nothing else from the database, so a journal's events go out the same way as central's.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, or_, select, update

from db.errors import store_errors
from db.models import checkins, outbox, replayed, sqlite_moment
from db.store.checkin_fields import decision_fields, label_fields, patient_fields
from db.store.engine import READ_ONLY
from db.tally import Counts
from kiosk.model import CheckIn

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"
NEEDS_IDENTITY = "needs_identity"
# A journal's event of a check-in central may hold too (a lost reply): not delivered from the
# journal; the replay drops it (central's event stands) or hands it to central's outbox.
IN_DOUBT = "in_doubt"
_HELD = "held"  # db.store.journal.HELD: a replayed row central refused (journal imports us)
_STUCK = (FAILED, NEEDS_IDENTITY)  # states that hold a patient's later events back

# The number is only known inside the write transaction: the payload is built beforehand with
# this stand-in as its first key and completed by a string substitution (JSON escapes quotes
# inside values, so the key cannot be mimicked).
_NUMBER_STAND_IN = '{"queue_number": 0, '
_LABEL_STAND_IN = '"queue_label": "'  # an offline label ("A-0" until numbered) comes second

OUTBOX_INSERT_SQL = (
    "INSERT INTO outbox (event_id, kind, checkin_id, patient_key, payload, created_at, state,"
    " attempts, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)"
)
"""The SQLite insert of one event, for the check-in's bare-driver transaction."""


def event_payload(kind: str, checkin: CheckIn, event_id: str) -> dict[str, Any]:
    """The check-in as the HIS receives it (the webhook body; the FHIR Bundle's source)."""
    patient = patient_fields(checkin.patient)
    return {
        "queue_number": checkin.queue_number,
        # The printed label of an offline series ("A-3"); None for a plain number.
        "queue_label": checkin.label if checkin.offline else None,
        "offline": checkin.offline,
        # The slip's label when central numbered the check-in otherwise ("A-1" on "12"): the
        # patient holds it. One event a visit: the alias rides on the check-in's own event.
        **label_fields(checkin),
        "event": kind,
        "event_id": event_id,
        "checkin_id": checkin.id,
        "local_day": checkin.local_day.isoformat(),
        "clinic_code": checkin.clinic_code,
        "created_at": checkin.created_at.astimezone(UTC).isoformat(),
        **decision_fields(checkin),
        "cancelled": checkin.cancelled,
        "staff_name": checkin.staff_name,
        "patient": {
            **patient,
            "valid_from": _iso(checkin.patient.valid_from),
            "valid_to": _iso(checkin.patient.valid_to),
        },
    }


def purge_outbox(conn: Connection, day: date, start: datetime) -> tuple[int, list[datetime]]:
    """Delete, in the caller's transaction, the events past retention: those written before
    ``start`` (UTC) and those of check-ins of local days before ``day``, whatever their state
    (each holds the patient as JSON). Returns how many went, and when each one that never
    reached the HIS (a dead letter, one set aside or still pending) was written: the purge
    counts those in the audit."""
    old = or_(
        outbox.c.created_at < start,
        outbox.c.checkin_id.in_(select(checkins.c.id).where(checkins.c.local_day < day)),
    )
    undelivered = [
        at
        for (at,) in conn.execute(
            select(outbox.c.created_at).where(old, outbox.c.state != DELIVERED)
        )
    ]
    gone = int(conn.execute(delete(outbox).where(old)).rowcount)
    return gone, undelivered


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


@dataclass(frozen=True)
class OutboxEvent:
    """One event ready to be written; ``payload`` may still carry the stand-in number."""

    event_id: str
    kind: str
    checkin_id: str
    patient_key: str
    payload: str
    created_at: datetime  # UTC; also the first try's due time
    #: ``in_doubt`` for a journal check-in central may hold too: written so in the check-in's
    #: own transaction, so no delivery can send it before it is marked
    state: str = PENDING

    def payload_with(self, number: int) -> str:
        """The payload with the queue number the transaction allocated (and an offline series'
        label, which the payload's second key holds: ``"A-0"`` becomes ``"A-<number>"``)."""
        if not self.payload.startswith(_NUMBER_STAND_IN):
            return self.payload
        rest = self.payload[len(_NUMBER_STAND_IN) :]
        if rest.startswith(_LABEL_STAND_IN):
            end = rest.index('", ', len(_LABEL_STAND_IN))
            series = rest[len(_LABEL_STAND_IN) : end].rpartition("-")[0]
            rest = f"{_LABEL_STAND_IN}{series}-{number}" + rest[end:]
        return f'{{"queue_number": {number}, ' + rest

    def sqlite_row(self, number: int) -> tuple[object, ...]:
        """Parameters of :data:`OUTBOX_INSERT_SQL`."""
        at = sqlite_moment(self.created_at)
        return (
            self.event_id,
            self.kind,
            self.checkin_id,
            self.patient_key,
            self.payload_with(number),
            at,
            self.state,
            at,
        )

    def values(self) -> dict[str, object]:
        """The event as values of the outbox table, pending its first try."""
        return {**asdict(self), "attempts": 0, "next_attempt_at": self.created_at}


def outbox_event(kind: str, checkin: CheckIn, at: datetime | None = None) -> OutboxEvent:
    """The event ``kind`` (``checkin``, ``cancel``, ``reprint``) of a check-in, at ``at``
    (default: when the check-in was made)."""
    event_id = uuid.uuid4().hex
    patient = checkin.patient
    return OutboxEvent(
        event_id=event_id,
        kind=kind,
        checkin_id=checkin.id,
        # Events of one patient go out in order; a patient without numbers is one check-in.
        patient_key=patient.bhxh_number or patient.id_number or checkin.id,
        payload=json.dumps(event_payload(kind, checkin, event_id), ensure_ascii=False),
        created_at=(at or checkin.created_at).astimezone(UTC),
    )


@dataclass(frozen=True)
class OutboxCounts(Counts):
    """How many events wait, went out, and gave up (``kiosk-admin outbox status``)."""

    pending: int = 0
    delivered: int = 0
    failed: int = 0
    needs_identity: int = 0

    @property
    def stuck(self) -> int:
        """Events that need a person: dead letters and those waiting for an identity."""
        return self.failed + self.needs_identity


@dataclass(frozen=True)
class OutboxItem:
    """One pending event as the delivery step sees it."""

    id: int
    event_id: str
    kind: str
    patient_key: str
    payload: dict[str, Any]
    attempts: int
    next_attempt_at: datetime
    # when the event happened (UTC): delivery merges the outboxes of one kiosk in this order
    created_at: datetime | None = None


@dataclass(frozen=True)
class DeadLetter:
    """An event that gave up, as the operator sees it."""

    id: int
    kind: str
    checkin_id: str
    attempts: int
    last_error: str
    created_at: datetime
    state: str = FAILED  # or NEEDS_IDENTITY


class SqlOutbox:
    """The outbox table of one database (central or a journal)."""

    def __init__(self, engine: Engine, *, enabled: bool = False) -> None:
        self._engine = engine
        self.enabled = enabled
        self.name = engine.url.render_as_string(hide_password=True)

    def _read(self) -> Connection:
        if self._engine.dialect.name == "sqlite":
            return self._engine.connect().execution_options(**READ_ONLY)
        return self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def enqueue(self, conn: Connection, kind: str, checkin: CheckIn, at: datetime) -> None:
        """Write the event inside the caller's transaction ``conn``."""
        conn.execute(insert(outbox).values(outbox_event(kind, checkin, at).values()))

    def counts(self) -> OutboxCounts:
        """Events per state.

        An event in doubt whose check-in is held for reception (in a journal: central refused
        the row) is not in the backlog: it waits for staff with its check-in, which the health
        counts as held, and goes to central with it once released."""
        held = select(replayed.c.checkin_id).where(replayed.c.result == _HELD)
        stmt = (
            select(outbox.c.state, func.count())
            .where(~((outbox.c.state == IN_DOUBT) & outbox.c.checkin_id.in_(held)))
            .group_by(outbox.c.state)
        )
        with store_errors(), self._read() as conn:
            found = {str(state): int(n) for state, n in conn.execute(stmt)}
        return OutboxCounts(
            found.get(PENDING, 0) + found.get(IN_DOUBT, 0),  # in doubt: waits for the replay
            found.get(DELIVERED, 0),
            found.get(FAILED, 0),
            found.get(NEEDS_IDENTITY, 0),
        )

    def pending(self, limit: int) -> tuple[list[OutboxItem], set[str]]:
        """The oldest ``limit`` pending events in order, and the patients held back by a dead
        letter or an event set aside (their later events wait until it is retried)."""
        rows_stmt = (
            select(outbox).where(outbox.c.state == PENDING).order_by(outbox.c.id).limit(limit)
        )
        dead_stmt = select(outbox.c.patient_key).where(outbox.c.state.in_(_STUCK)).distinct()
        with store_errors(), self._read() as conn:
            rows = conn.execute(rows_stmt).all()
            dead = {str(key) for (key,) in conn.execute(dead_stmt)}
        items = [
            OutboxItem(
                id=row.id,
                event_id=row.event_id,
                kind=row.kind,
                patient_key=row.patient_key,
                payload=json.loads(row.payload),
                attempts=row.attempts,
                next_attempt_at=row.next_attempt_at,
                created_at=row.created_at,
            )
            for row in rows
        ]
        return items, dead

    def claim(self, item: OutboxItem, now: datetime, lease_until: datetime) -> bool:
        """Take a due event for one try: True when this caller has it until ``lease_until``
        (another worker, or a crashed try whose lease has not run out, makes it False)."""
        stmt = (
            update(outbox)
            .where(
                outbox.c.id == item.id,
                outbox.c.state == PENDING,
                outbox.c.next_attempt_at <= now,
            )
            .values(next_attempt_at=lease_until, attempts=outbox.c.attempts + 1)
        )
        return self._change(stmt) == 1

    def delivered(self, item_id: int, now: datetime, receipt: str | None = None) -> None:
        """The HIS took the event; ``receipt`` is what it answered worth keeping."""
        self._change(
            update(outbox)
            .where(outbox.c.id == item_id)
            .values(state=DELIVERED, delivered_at=now, last_error=None, his_receipt=receipt)
        )

    def set_aside(self, item_id: int, reason: str) -> None:
        """The event waits for reception to identify its patient (``needs_identity``)."""
        self._change(
            update(outbox)
            .where(outbox.c.id == item_id)
            .values(state=NEEDS_IDENTITY, last_error=reason[:2000])
        )

    def receipt(self, event_id: str) -> str | None:
        """What the HIS answered to the event ``event_id`` (None: nothing kept)."""
        stmt = select(outbox.c.his_receipt).where(outbox.c.event_id == event_id)
        with store_errors(), self._read() as conn:
            value = conn.execute(stmt).scalar()
        return str(value) if value is not None else None

    def failed_try(self, item_id: int, error: str, retry_at: datetime | None) -> None:
        """A try failed: again at ``retry_at``, or never (a dead letter) when it is None."""
        values: dict[str, object] = {"last_error": error[:2000]}
        if retry_at is None:
            values["state"] = FAILED
        else:
            values["next_attempt_at"] = retry_at
        self._change(update(outbox).where(outbox.c.id == item_id).values(**values))

    def retry(self, item_id: int, now: datetime) -> bool:
        """Put a dead letter (or an event set aside) back in line with fresh attempts; False
        when ``item_id`` is neither here."""
        stmt = (
            update(outbox)
            .where(outbox.c.id == item_id, outbox.c.state.in_(_STUCK))
            .values(state=PENDING, attempts=0, next_attempt_at=now)
        )
        return self._change(stmt) == 1

    def last_error(self) -> str | None:
        """The error of the most recent failed try still unresolved (for the admin screen)."""
        stmt = (
            select(outbox.c.last_error)
            .where(outbox.c.state != DELIVERED, outbox.c.last_error.is_not(None))
            .order_by(outbox.c.id.desc())
            .limit(1)
        )
        with store_errors(), self._read() as conn:
            value = conn.execute(stmt).scalar()
        return str(value) if value is not None else None

    def dead_letters(self, limit: int = 20) -> list[DeadLetter]:
        """The most recent dead letters and events set aside, newest first (for ``kiosk-admin
        outbox status``)."""
        stmt = (
            select(outbox)
            .where(outbox.c.state.in_(_STUCK))
            .order_by(outbox.c.id.desc())
            .limit(limit)
        )
        with store_errors(), self._read() as conn:
            rows = conn.execute(stmt).all()
        return [
            DeadLetter(
                r.id, r.kind, r.checkin_id, r.attempts, r.last_error or "", r.created_at, r.state
            )
            for r in rows
        ]

    def _change(self, stmt: Any) -> int:
        with store_errors(), self._engine.begin() as conn:
            return int(conn.execute(stmt).rowcount)
