"""The database schema: SQLAlchemy 2 typed declarative models for the cache and the check-ins.

The same models serve SQLite (one kiosk) and PostgreSQL (many kiosks). Every schema change
goes through an Alembic migration in ``db/migrations/versions``; a test checks that the
migrations and these models agree on both databases.

Times are stored in UTC through :class:`UTCDateTime`, which hands back timezone-aware values
on SQLite too. Calendar days (``local_day``, queue days) are the hospital's local dates.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from kiosk import field_caps as caps


class UTCDateTime(TypeDecorator[datetime]):
    """A moment in UTC: refuses naive datetimes, always returns aware UTC datetimes.

    SQLite has no time zone type, so the moment is stored as naive UTC text and made aware
    again when read; PostgreSQL stores ``timestamptz``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store aware UTC moments only")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def sqlite_moment(value: datetime) -> str:
    """The naive-UTC text :class:`UTCDateTime` stores on SQLite, for statements run on the bare
    ``sqlite3`` driver (they must write what SQLAlchemy reads back)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


# Autoincrementing 64-bit ids: BIGINT on PostgreSQL, the rowid alias INTEGER on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """The declarative base of every kiosk table."""


class Card(Base):
    """One insurance card in the local cache, keyed by its 10-digit BHXH number."""

    __tablename__ = "cards"

    bhxh_number: Mapped[str] = mapped_column(String(caps.BHXH_NUMBER), primary_key=True)
    # 15 characters when known, else the 10-digit number (2021-form cards).
    card_number: Mapped[str] = mapped_column(String(caps.CARD_NUMBER), nullable=False)
    id_number: Mapped[str | None] = mapped_column(String(caps.ID_NUMBER))
    name: Mapped[str] = mapped_column(String(caps.NAME), nullable=False)
    birth: Mapped[str | None] = mapped_column(String(10))  # "YYYY" or "YYYY-MM-DD"
    gender: Mapped[str | None] = mapped_column(String(8))  # kiosk.model.Gender values
    address: Mapped[str | None] = mapped_column(Text)
    facility_code: Mapped[str | None] = mapped_column(String(caps.FACILITY_CODE))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    benefit_level: Mapped[int | None] = mapped_column(SmallInteger)
    area_code: Mapped[str | None] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="active")
    new_card_number: Mapped[str | None] = mapped_column(String(15))
    new_valid_from: Mapped[date | None] = mapped_column(Date)
    new_valid_to: Mapped[date | None] = mapped_column(Date)
    new_facility_code: Mapped[str | None] = mapped_column(String(5))
    new_facility_name: Mapped[str | None] = mapped_column(String(200))
    five_years_from: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(16), nullable=False, default="import")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_online_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        # Unique over every row: a 10-character card number is the BHXH number itself (the
        # key), and a 15-character one ends with it, so two cards never share one.
        Index("uq_cards_card_number", "card_number", unique=True),
        Index("ix_cards_id_number", "id_number"),
    )


class CheckInRow(Base):
    """A committed check-in with the snapshot of the patient fields printed on the slip."""

    __tablename__ = "checkins"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # uuid4 hex
    local_day: Mapped[date] = mapped_column(Date, nullable=False)
    clinic_code: Mapped[str] = mapped_column(String(16), nullable=False)
    queue_number: Mapped[int] = mapped_column(Integer, nullable=False)
    patient_name: Mapped[str] = mapped_column(String(caps.NAME), nullable=False)
    patient_birth: Mapped[str | None] = mapped_column(String(10))
    patient_gender: Mapped[str | None] = mapped_column(String(8))
    card_number: Mapped[str | None] = mapped_column(String(caps.CARD_NUMBER))
    bhxh_number: Mapped[str | None] = mapped_column(String(caps.BHXH_NUMBER))
    id_number: Mapped[str | None] = mapped_column(String(caps.ID_NUMBER))
    facility_code: Mapped[str | None] = mapped_column(String(caps.FACILITY_CODE))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    benefit_level: Mapped[int | None] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(32), nullable=False)
    reason: Mapped[str | None] = mapped_column(String(64))
    route: Mapped[str | None] = mapped_column(String(16))
    benefit_percent: Mapped[int | None] = mapped_column(SmallInteger)
    verification: Mapped[str] = mapped_column(String(16), nullable=False)
    kiosk_id: Mapped[str] = mapped_column(String(64), nullable=False)
    staff_name: Mapped[str | None] = mapped_column(String(100))
    override_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    print_state: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    cancelled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    idempotency_key: Mapped[str] = mapped_column(String(128), nullable=False)
    # The number series: "" for numbers the central database gave, else the offline prefix of
    # the kiosk that numbered it from its journal ("A" for "A-3").
    series: Mapped[str] = mapped_column(String(8), nullable=False, default="", server_default="")
    # Set when reception must look at the check-in, e.g. "duplicate": replayed from a journal
    # while the same card had checked in at another kiosk meanwhile.
    flag: Mapped[str | None] = mapped_column(String(32))
    # Five years and the year's co-payment over the threshold: 100 % since this local date;
    # kept so a reprinted slip still says "Miễn cùng chi trả từ dd/MM/yyyy".
    copay_exempt_from: Mapped[date | None] = mapped_column(Date)
    # The label the patient's slip carries when it is not this row's own (migration
    # 0013_label_alias): a kiosk printed an offline label ("A-1") for a check-in central also
    # numbered (a lost reply), or its offline label was taken by another kiosk's (a collision).
    # Staff find the row by it, the HIS gets it, and the rooms call by it.
    printed_label: Mapped[str | None] = mapped_column(String(24))

    __table_args__ = (
        UniqueConstraint("idempotency_key", name="uq_checkins_idempotency_key"),
        # The guarantee of the whole queue: one number, one patient, per clinic, day and series.
        UniqueConstraint(
            "clinic_code", "local_day", "series", "queue_number", name="uq_checkins_number"
        ),
        Index("ix_checkins_day_bhxh", "local_day", "bhxh_number"),
        Index("ix_checkins_day_id_number", "local_day", "id_number"),
    )


class QueueCounter(Base):
    """The last number given per clinic per local day; only ever incremented."""

    __tablename__ = "queue_counters"

    clinic: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, nullable=False)


class StaffRow(Base):
    """A reception or admin account; the PIN only as a salted hash.

    ``code`` is typed before the PIN at the kiosk; the sign-in state (failures in a row, next
    try, lockout) is here so every kiosk on the database shares it and a restart keeps it.
    """

    __tablename__ = "staff"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    pin_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    code: Mapped[str] = mapped_column(String(8), nullable=False)
    failed_logins: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_try_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the start of the failure window (the server's time); kiosk pads' failures counted apart
    failures_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lobby_failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    __table_args__ = (Index("uq_staff_code", "code", unique=True),)


class AuditRow(Base):
    """One line of the append-only audit log: who did what to which record, before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    actor: Mapped[str] = mapped_column(String(100), nullable=False)
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    target: Mapped[str] = mapped_column(String(128), nullable=False)
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)


class AuditCountRow(Base):
    """Audit rows past the retention period, kept as counts per local day and action."""

    __tablename__ = "audit_counts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    action: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, nullable=False)


class SyncStateRow(Base):
    """Where the card sync from one source stands: its resume cursor and running totals."""

    __tablename__ = "sync_state"

    source: Mapped[str] = mapped_column(String(100), primary_key=True)
    cursor: Mapped[str | None] = mapped_column(Text)
    last_success: Mapped[datetime | None] = mapped_column(UTCDateTime)
    added: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    updated: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    removed: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)


class CardChange(Base):
    """The last transaction that wrote or removed a card (filled by a PostgreSQL trigger).

    Kiosks copy the card cache into their offline journal incrementally from it: everything
    written by a transaction at or after the oldest one still running at the last copy.
    """

    __tablename__ = "card_changes"

    bhxh_number: Mapped[str] = mapped_column(String(10), primary_key=True)
    xid: Mapped[int] = mapped_column(BigInteger, nullable=False)

    __table_args__ = (Index("ix_card_changes_xid", "xid"),)


class ReplayRow(Base):
    """In an offline journal: a check-in already handed to the central database, and how."""

    __tablename__ = "replayed"

    checkin_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # "replayed", "already" (central had it), "flagged" (replayed, reception must look),
    # "central" (numbered by central; kept only so the journal knows today's card numbers),
    # "held" (central refused its data: reception looks, replay goes on) or "cleared" (a held
    # one reception has dealt with).
    result: Mapped[str] = mapped_column(String(16), nullable=False)
    # why central refused a held one, in our words (never the row's values)
    reason: Mapped[str | None] = mapped_column(String(200))


class OutboxRow(Base):
    """One event (check-in, cancel, reprint) waiting for, or done with, delivery to the HIS.

    Written in the transaction of the change it reports, so nothing is sent that did not
    commit and nothing committed is left unsent. ``event_id`` is the stable id the receiver
    sees (the webhook's Idempotency-Key); ``payload`` is the check-in as it stood, as JSON.
    Rows of one patient (``patient_key``) are delivered in ``id`` order.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(32), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # checkin, cancel, reprint
    checkin_id: Mapped[str] = mapped_column(String(32), nullable=False)
    patient_key: Mapped[str] = mapped_column(String(32), nullable=False)
    payload: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Due time of the next try; a worker that takes a row pushes it out (a lease), so two
    # workers never send the same row at once.
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the HIS answered that is worth keeping: a FHIR server's resource ids and versions
    # from the transaction-response, as JSON (never an error body).
    his_receipt: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("event_id", name="uq_outbox_event_id"),
        Index("ix_outbox_state_id", "state", "id"),
    )


class OutcomeTallyRow(Base):
    """Scans per local day, hour and kiosk that ended without a check-in (sent to reception,
    rejected): the daily report's shares need them, and no other table keeps them."""

    __tablename__ = "outcome_tallies"

    local_day: Mapped[date] = mapped_column(Date, primary_key=True)
    hour: Mapped[int] = mapped_column(SmallInteger, primary_key=True)  # local hour, 0-23
    kiosk_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, nullable=False)


class QueueCallRow(Base):
    """Where a check-in stands in its clinic's queue once a room has touched it (calling).

    A live check-in without a row is waiting; a row says called, recalled, done or absent, by
    which room, and when (the database server's clock). ``declared`` is a priority the patient
    declared at the kiosk (pregnant, disability), which a waiting row may carry; ``priority``
    is the priority the call was made with. Kept as long as its check-in (purged with it).
    """

    __tablename__ = "queue_calls"

    checkin_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    local_day: Mapped[date] = mapped_column(Date, nullable=False)
    clinic_code: Mapped[str] = mapped_column(String(16), nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False)  # kiosk.calling.CallState
    room: Mapped[str | None] = mapped_column(String(16))
    priority: Mapped[str | None] = mapped_column(String(16))
    declared: Mapped[str | None] = mapped_column(String(16))
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_queue_calls_day_room", "local_day", "room", "state"),
        Index("ix_queue_calls_day_clinic", "local_day", "clinic_code"),
    )


class CallEventRow(Base):
    """One step of a call (called, recalled, done, absent) by a room, in order: the board's
    feed, the room's pace for the wait estimate, and the history of each check-in."""

    __tablename__ = "call_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    local_day: Mapped[date] = mapped_column(Date, nullable=False)
    clinic_code: Mapped[str] = mapped_column(String(16), nullable=False)
    room: Mapped[str] = mapped_column(String(16), nullable=False)
    checkin_id: Mapped[str] = mapped_column(String(32), nullable=False)
    step: Mapped[str] = mapped_column(String(16), nullable=False)  # kiosk.calling.CallStep
    priority: Mapped[str | None] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (
        Index("ix_call_events_day_clinic", "local_day", "clinic_code", "id"),
        Index("ix_call_events_day_room", "local_day", "room", "id"),
    )


class RoomTokenRow(Base):
    """A room's sign-in token for its room page (``kiosk-admin room token``): only its hash."""

    __tablename__ = "room_tokens"

    room: Mapped[str] = mapped_column(String(16), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False)  # sha256 hex
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class WrongYearRow(Base):
    """A wrong birth year typed for a bare code (migration 0009_lobby): counted per code and
    local day by every kiosk, so that guessing a code's year is bounded. The code is kept only
    as its SHA-256 (no number in the table); rows are purged after their day
    (:meth:`db.store.lobby.LobbyStore.purge_lobby_before`)."""

    __tablename__ = "wrong_years"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    local_day: Mapped[date] = mapped_column(Date, nullable=False)
    kiosk_id: Mapped[str] = mapped_column(String(64), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (Index("ix_wrong_years_code_day", "code_hash", "local_day"),)


class HelpCallRow(Base):
    """A patient a kiosk sent to reception (migration 0009_lobby, extended by 0014_reception):
    "Gọi nhân viên" pressed, or an error screen that ends at the desk. Which kiosk and screen,
    why (``reason``: a :class:`kiosk.reception.SentReason`, ``detail``: e.g. the gateway's
    code), the day's reception ticket number, a masked hint of the patient (initials and the
    card's last digits, never a name or a number), and who answered it when. Purged with the
    day's lobby rows (:meth:`db.store.lobby.LobbyStore.purge_lobby_before`)."""

    __tablename__ = "help_calls"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kiosk_id: Mapped[str] = mapped_column(String(64), nullable=False)
    screen: Mapped[str] = mapped_column(String(32), nullable=False)
    local_day: Mapped[date] = mapped_column(Date, nullable=False)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(24), nullable=False, server_default="help")
    detail: Mapped[str] = mapped_column(String(32), nullable=False, server_default="")
    # the reception ticket's number, per local day across every kiosk (null: rows before 0014)
    ticket: Mapped[int | None] = mapped_column(Integer)
    hint: Mapped[str] = mapped_column(String(24), nullable=False, server_default="")
    answered_by: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_help_calls_day", "local_day", "answered_at"),
        UniqueConstraint("local_day", "ticket", name="uq_help_calls_ticket"),
    )


class PrintRequestRow(Base):
    """The desk asked a kiosk to print a check-in's slip (migration 0015_print_requests).

    The kiosk named by ``kiosk_id`` polls for its own waiting requests, prints the slip (the
    reprint path: the same number) and marks the request ``printed`` or ``failed``; the desk
    shows the outcome. No personal data but who asked; purged with the check-ins of its day.
    """

    __tablename__ = "print_requests"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    checkin_id: Mapped[str] = mapped_column(String(32), nullable=False)
    kiosk_id: Mapped[str] = mapped_column(String(64), nullable=False)
    local_day: Mapped[date] = mapped_column(Date, nullable=False)
    requested_by: Mapped[str] = mapped_column(String(100), nullable=False)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False)  # waiting/printed/failed
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    problem: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (Index("ix_print_requests_kiosk_state", "kiosk_id", "state"),)


class StaffActionRow(Base):
    """A staff action made at a kiosk while central was down, waiting in the offline journal
    (migration 0015_print_requests): an audit row, or a cancel of a check-in central numbered.
    Replayed into central once it is back (``state`` waiting → done, or held with ``problem``);
    purged with the audit rows of its day."""

    __tablename__ = "staff_actions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # "audit" or "cancel"
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    actor: Mapped[str] = mapped_column(String(100), nullable=False)
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    target: Mapped[str] = mapped_column(String(128), nullable=False)
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    problem: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (Index("ix_staff_actions_state", "state", "id"),)


class KioskRegisterRow(Base):
    """One kiosk as central knows it (migration 0012_register): its offline prefix and the
    claim on it, when it was last seen (the database server's clock), its version and its
    last health record, written every health interval. One query shows the fleet.

    No personal data: kiosk ids, prefixes, states and counts only (the last check-in is a
    moment, not a patient), so the table has no retention; a retired kiosk's row is removed
    with ``kiosk-admin kiosks forget ID``.
    """

    __tablename__ = "kiosk_register"

    kiosk_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    offline_prefix: Mapped[str] = mapped_column(String(16), nullable=False, default="")
    # Since when this kiosk has held its prefix without a gap (server time): the oldest
    # standing claim of a prefix owns it.
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    version: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    # The kiosk whose standing claim on the same prefix stops this one's offline numbering.
    held_by: Mapped[str | None] = mapped_column(String(64))
    # The last health record (kiosk.health.HealthReport)
    state: Mapped[str | None] = mapped_column(String(16))
    camera: Mapped[str | None] = mapped_column(String(16))
    printer: Mapped[str | None] = mapped_column(String(16))
    outbox_pending: Mapped[int | None] = mapped_column(Integer)
    outbox_failed: Mapped[int | None] = mapped_column(Integer)
    journal_outbox_pending: Mapped[int | None] = mapped_column(Integer)
    journal_outbox_failed: Mapped[int | None] = mapped_column(Integer)
    offline_pending: Mapped[int | None] = mapped_column(Integer)
    held: Mapped[int | None] = mapped_column(Integer)
    cache_age_h: Mapped[float | None] = mapped_column(Float)
    last_checkin: Mapped[datetime | None] = mapped_column(UTCDateTime)
    detail: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (Index("ix_kiosk_register_prefix", "offline_prefix"),)


# Core handles on the tables, for the store's statements.
cards = cast(Table, Card.__table__)
checkins = cast(Table, CheckInRow.__table__)
queue_counters = cast(Table, QueueCounter.__table__)
staff = cast(Table, StaffRow.__table__)
audit_log = cast(Table, AuditRow.__table__)
audit_counts = cast(Table, AuditCountRow.__table__)
sync_state = cast(Table, SyncStateRow.__table__)
card_changes = cast(Table, CardChange.__table__)
replayed = cast(Table, ReplayRow.__table__)
outbox = cast(Table, OutboxRow.__table__)
outcome_tallies = cast(Table, OutcomeTallyRow.__table__)
queue_calls = cast(Table, QueueCallRow.__table__)
call_events = cast(Table, CallEventRow.__table__)
room_tokens = cast(Table, RoomTokenRow.__table__)
wrong_years = cast(Table, WrongYearRow.__table__)
help_calls = cast(Table, HelpCallRow.__table__)
print_requests = cast(Table, PrintRequestRow.__table__)
staff_actions = cast(Table, StaffActionRow.__table__)
kiosk_register = cast(Table, KioskRegisterRow.__table__)
