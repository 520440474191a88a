"""SqlStore: the card cache, check-ins, queue numbers, staff and sync state on SQLAlchemy Core.

One class implements the core's ports ``CardCache``, ``CheckInStore`` and ``StaffDirectory``
(kiosk/ports.py) plus what the admin CLI and the sync need. Every database failure (locked,
unreachable, disk full) leaves as :class:`kiosk.ports.StoreError` with a one-line message; a
transaction either commits whole or not at all.

Queue numbers come from one atomic ``INSERT … ON CONFLICT … DO UPDATE … RETURNING`` on
``queue_counters`` inside the transaction that inserts the check-in, so two kiosks (or two
processes) never get the same number, and a rolled-back check-in gives its number back while
a committed one (even cancelled later) keeps it forever. On SQLite the transaction opens with
``BEGIN IMMEDIATE`` and runs three bare driver statements (the write lock is held as briefly as
possible); on PostgreSQL counter, check-in and audit row are one statement (one round trip).
With the outbox on, the check-in's event for the hospital information system is one more
statement in the same transaction (SQLite) or one more part of the same statement (PostgreSQL).

Bulk card writes (import, sync pages) bypass per-row ORM work: rows become plain tuples and
go to the driver's ``executemany`` as one upsert statement.

The two hottest SQLite paths (``find_card`` and ``commit_checkin``) run their few statements
straight on the pooled ``sqlite3`` connection, writing and reading the same text forms the
models' types use; everything else goes through SQLAlchemy Core.
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, Row, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.sql.elements import BindParameter

from db.card_rows import CARD_COLUMNS, CardValues, ValueForms
from db.engine import READ_ONLY, sqlite_path
from db.models import (
    audit_counts,
    audit_log,
    cards,
    checkins,
    clinics,
    facilities,
    outcome_tallies,
    queue_counters,
    staff,
    sync_state,
)
from db.outbox_store import OUTBOX_INSERT_SQL, SqlOutbox, outbox_event
from kiosk.clock import HOSPITAL_ZONE, Clock
from kiosk.model import (
    BirthDate,
    CardRecord,
    CardStatus,
    CheckIn,
    CheckInDraft,
    Clinic,
    Gender,
    PatientSnapshot,
    PrintState,
    ReplacementCard,
    Route,
    Verification,
)
from kiosk.ports import LoginClaim, Penalty, StaffAccount, StoreError
from kiosk.retention import CheckinPurge

T = TypeVar("T")


def _same_date(value: date) -> date:
    return value


# Bulk tuples: card values in CARD_COLUMNS order, in the driver's own value types. Rows of a
# feed or a file are validated straight into these forms (db.card_rows.card_values).
SQLITE_FORMS = ValueForms(date.isoformat, BirthDate.iso, enum_values=True)
SERVER_FORMS = ValueForms(_same_date, BirthDate.iso, enum_values=True)
# Keep what we knew when a newer record leaves these out (the gateway rarely returns a CCCD).
_KEEP_WHEN_NULL = frozenset({"id_number", "verified_online_at"})
_IN_CHUNK = 500  # keys per IN (...) list: well under every driver's parameter limit


class CardConflictError(StoreError):
    """A batch of cards broke a uniqueness rule (e.g. one card number on two BHXH numbers).

    The batch was rolled back; the database is fine and later batches can go ahead.
    """


@dataclass(frozen=True)
class PageCounts:
    """What one page (or batch) of cards did to the cache."""

    added: int = 0
    updated: int = 0
    removed: int = 0

    def __add__(self, other: PageCounts) -> PageCounts:
        return PageCounts(
            self.added + other.added, self.updated + other.updated, self.removed + other.removed
        )


@dataclass(frozen=True)
class Facility:
    """A health facility known to the route rules."""

    code: str  # 5 characters, e.g. "79024"
    name: str
    level: str  # "central", "province", "district" or "commune"


@dataclass(frozen=True)
class SyncState:
    """Where the sync from one source stands: resume ``cursor`` and totals since the reset."""

    source: str
    cursor: str | None
    last_success: datetime | None  # UTC
    added: int
    updated: int
    removed: int


@dataclass(frozen=True)
class StoreStatus:
    """The figures ``kiosk-admin status`` shows."""

    cards: int
    checkins_today: int
    last_sync: datetime | None
    database: str  # the URL without its password
    size_bytes: int | None

    def as_json(self) -> dict[str, object]:
        return {
            "cards": self.cards,
            "checkins_today": self.checkins_today,
            "last_sync": self.last_sync.isoformat() if self.last_sync else None,
            "database": self.database,
            "size_bytes": self.size_bytes,
        }


def describe_error(error: BaseException) -> str:
    """A one-line operator message for a database failure, in our own words.

    A driver's text can quote the row that failed (PostgreSQL: ``Key (card_number)=(…) already
    exists``), so only its kind, SQLSTATE and constraint name are kept; lock and connection
    failures, which happen before any row is touched, and SQLite's messages, which never quote
    a value, keep the driver's text for IT.
    """
    original = getattr(error, "orig", None) or error
    kind = type(original).__name__
    text = " ".join(str(original).split()) or kind
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered:
        return f"database is locked by another process: {text}"
    if isinstance(original, sqlite3.IntegrityError | IntegrityError) or _sqlstate(
        original
    ).startswith("23"):
        return f"a record conflicts with one already stored ({_constraint(original, text)})"
    if "connection" in lowered or "could not" in lowered or "timeout" in lowered:
        return f"database unreachable: {text}"
    if isinstance(original, sqlite3.Error):
        # SQLite's messages name files, tables and columns, never the values bound
        return f"database error: {text}"
    state = _sqlstate(original)
    return f"database error ({kind}{', SQLSTATE ' + state if state else ''})"


def _sqlstate(error: BaseException) -> str:
    state = getattr(error, "sqlstate", None)
    return state if isinstance(state, str) else ""


_SQLITE_CONSTRAINT = re.compile(r"constraint failed: ([\w.]+(?:, [\w.]+)*)$")


def _constraint(error: BaseException, text: str) -> str:
    diag = getattr(error, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if isinstance(name, str) and name:
        return name
    found = _SQLITE_CONSTRAINT.search(text)  # SQLite names the columns, never their values
    return found.group(1) if found else "a unique or required field"


_birth_texts: dict[BirthDate, str] = {}


def _birth_iso(birth: BirthDate | None) -> str | None:
    # Millions of cards share a few tens of thousands of birth dates: format each once.
    if birth is None:
        return None
    text = _birth_texts.get(birth)
    if text is None:
        text = birth.iso()
        if len(_birth_texts) < 100_000:
            _birth_texts[birth] = text
    return text


def _sqlite_card_row(card: CardRecord) -> tuple[object, ...]:
    # Runs once per card in bulk writes: plain attribute reads, no helper calls where avoidable
    # (``_value_`` is the enum's stored value without the descriptor's cost).
    new = card.replacement
    gender = card.gender
    valid_from = card.valid_from
    valid_to = card.valid_to
    five = card.five_years_from
    return (
        card.bhxh_number,
        card.card_number,
        card.id_number,
        card.name,
        _birth_iso(card.birth),
        gender._value_ if gender is not None else None,
        card.address,
        card.facility_code,
        valid_from.isoformat() if valid_from is not None else None,
        valid_to.isoformat() if valid_to is not None else None,
        card.benefit_level,
        card.area_code,
        card.status._value_,
        new.card_number if new else None,
        _iso(new.valid_from) if new else None,
        _iso(new.valid_to) if new else None,
        new.facility_code if new else None,
        new.facility_name if new else None,
        five.isoformat() if five is not None else None,
        card.source,
        _sqlite_moment(card.updated_at) if card.updated_at is not None else None,
        _sqlite_moment(card.verified_online_at) if card.verified_online_at is not None else None,
    )


def _server_card_row(card: CardRecord) -> tuple[object, ...]:
    new = card.replacement
    return (
        card.bhxh_number,
        card.card_number,
        card.id_number,
        card.name,
        _birth_iso(card.birth),
        card.gender.value if card.gender is not None else None,
        card.address,
        card.facility_code,
        card.valid_from,
        card.valid_to,
        card.benefit_level,
        card.area_code,
        card.status.value,
        new.card_number if new else None,
        new.valid_from if new else None,
        new.valid_to if new else None,
        new.facility_code if new else None,
        new.facility_name if new else None,
        card.five_years_from,
        card.source,
        card.updated_at,
        card.verified_online_at,
    )


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _sqlite_moment(value: datetime | None) -> str | None:
    # The text format SQLAlchemy's SQLite DateTime reads back (naive UTC).
    if value is None:
        return None
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


_bhxh_of = itemgetter(0)  # a card row's BHXH number (the key), without a Python call per row


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class SqlStore:
    """The kiosk's database adapter (SQLite or PostgreSQL), built on an engine you pass in.

    ``zone`` is the hospital's time zone: it decides which check-ins count as "today".
    ``clock`` stamps audit rows; without one, the database server's clock does.
    ``fault`` is for crash tests only (None in the product): it is called with the name of a
    point inside a transaction (``"counter"``: a queue number taken, its check-in not yet
    written), so a test can kill the process exactly there instead of hoping to.
    ``series`` is the number series of the check-ins it commits: "" on a central database, the
    kiosk's offline prefix on its offline journal (numbers then print as "A-3").
    ``outbox``: every check-in, cancel and reprint also writes an event for the hospital
    information system in its own transaction (off when no HIS is configured).
    """

    def __init__(
        self,
        engine: Engine,
        zone: ZoneInfo = HOSPITAL_ZONE,
        clock: Clock | None = None,
        *,
        fault: Callable[[str], None] | None = None,
        series: str = "",
        outbox: bool = False,
    ) -> None:
        self._engine = engine
        self._fault = fault
        self.series = series
        self.outbox = SqlOutbox(engine, enabled=outbox)
        self.outbox_enabled = outbox
        self.zone = zone
        self._clock = clock
        self._dialect = engine.dialect.name
        self._sqlite = self._dialect == "sqlite"
        mark = "?" if self._sqlite else "%s"
        columns = ", ".join(CARD_COLUMNS)
        marks = ", ".join([mark] * len(CARD_COLUMNS))
        setters = {
            c: f"{c} = COALESCE(excluded.{c}, cards.{c})"
            if c in _KEEP_WHEN_NULL
            else f"{c} = excluded.{c}"
            for c in CARD_COLUMNS
            if c != "bhxh_number"
        }
        assignments = ", ".join(setters.values())
        # Built from the constant column names above, never from input.
        self._upsert_sql = (
            f"INSERT INTO cards ({columns}) VALUES ({marks}) "  # noqa: S608
            f"ON CONFLICT (bhxh_number) DO UPDATE SET {assignments}"
        )
        # SQLite rewrites an index entry whenever an UPDATE assigns an indexed column, even to
        # the same value: updates of known cards leave the two indexed columns to a second
        # statement that touches only rows whose number or CCCD really changes (see _upsert).
        kept = ", ".join(a for c, a in setters.items() if c not in ("card_number", "id_number"))
        self._upsert_unindexed_sql = (
            f"INSERT INTO cards ({columns}) VALUES ({marks}) "  # noqa: S608
            f"ON CONFLICT (bhxh_number) DO UPDATE SET {kept}"
        )
        # Hot statements built once: SQLAlchemy then reuses their compiled form, and each call
        # only binds parameters (building .values(...) per call costs more than the SQL itself).
        code: BindParameter[str] = bindparam("code")
        self._find_by = {
            15: select(cards).where(cards.c.card_number == code).limit(1),
            10: select(cards).where(cards.c.bhxh_number == code).limit(1),
            12: select(cards).where(cards.c.id_number == code).limit(1),
        }
        self._pg_commit_sql = _pg_commit_sql(outbox=outbox)
        self._checkin_columns = [c.name for c in checkins.columns]
        self._sqlite_checkin_sql = (
            f"INSERT INTO checkins ({', '.join(self._checkin_columns)}) "  # noqa: S608
            f"VALUES ({', '.join('?' * len(self._checkin_columns))})"
        )

    @property
    def engine(self) -> Engine:
        return self._engine

    def dispose(self) -> None:
        """Close every pooled connection (end of a command or a test)."""
        self._engine.dispose()

    # -- plumbing ---------------------------------------------------------------------------

    def _read(self) -> Connection:
        if self._sqlite:
            return self._engine.connect().execution_options(**READ_ONLY)
        # One statement needs no BEGIN/ROLLBACK round trips on a server.
        return self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def _once_more(self, work: Callable[[], T]) -> T:
        """Run ``work``; if the connection turned out dead (server restarted), run it again.

        Safe for reads, and for ``commit_checkin`` thanks to its idempotency key.
        """
        try:
            try:
                return work()
            except DBAPIError as error:
                if not error.connection_invalidated:
                    raise
                return work()
        except (SQLAlchemyError, sqlite3.Error) as error:
            raise StoreError(describe_error(error)) from error

    def _now(self) -> Any:
        if self._clock is not None:
            return self._clock.now()
        return func.now()

    def _at(self) -> datetime:
        """Now by the injected clock, else by this machine's (outbox events need a value)."""
        return self._clock.now() if self._clock is not None else datetime.now(UTC)

    def _insert(self, table: Any) -> Any:
        return sqlite_insert(table) if self._sqlite else postgresql_insert(table)

    # -- card cache -------------------------------------------------------------------------

    def find_card(self, code: str) -> CardRecord | None:
        """The card for a 15-char card number, 10-digit BHXH number or 12-digit CCCD number."""
        code = code.strip().upper()
        stmt = self._find_by.get(len(code))
        if stmt is None:
            return None
        if self._sqlite:
            return self._once_more(lambda: self._find_sqlite(len(code), code))
        params = {"code": code}

        def work() -> Row[Any] | None:
            with self._read() as conn:
                return conn.execute(stmt, params).first()

        row = self._once_more(work)
        return _card_from_row(row) if row is not None else None

    def _find_sqlite(self, length: int, code: str) -> CardRecord | None:
        # The kiosk's hottest read, straight on the pooled sqlite3 connection: one indexed
        # SELECT in autocommit, no transaction, no SQLAlchemy result machinery.
        with self._engine.connect() as conn:
            driver = conn.connection.driver_connection
            assert isinstance(driver, sqlite3.Connection)
            found = driver.execute(_SQLITE_FIND[length], (code,)).fetchone()
        return _card_from_sqlite(found) if found is not None else None

    def save_card(self, card: CardRecord) -> None:
        """Insert or update one card (after an online check), keyed by its BHXH number."""
        self.upsert_cards([card])

    @property
    def card_forms(self) -> ValueForms:
        """The value forms this store's driver takes: validate rows into these
        (``db.card_rows.card_values``) and hand them to :meth:`upsert_card_rows` or
        :meth:`apply_card_rows`."""
        return SQLITE_FORMS if self._sqlite else SERVER_FORMS

    def _card_params(self, card: CardRecord) -> tuple[object, ...]:
        """One card as a tuple in CARD_COLUMNS order, in the driver's own value types."""
        return _sqlite_card_row(card) if self._sqlite else _server_card_row(card)

    def _existing_keys(self, conn: Connection, keys: Sequence[str]) -> int:
        found = 0
        for chunk in _chunks(keys, _IN_CHUNK):
            found += conn.execute(
                select(func.count()).select_from(cards).where(cards.c.bhxh_number.in_(chunk))
            ).scalar_one()
        return found

    def _upsert(
        self, conn: Connection, rows: Sequence[CardValues], *, split: bool = False
    ) -> PageCounts:
        if not rows:
            return PageCounts()
        keys = len({row[0] for row in rows})
        if self._sqlite:
            # Each new row takes rowid max+1 and an update keeps its rowid, so within this
            # transaction the growth of max(rowid) is exactly the number of cards added:
            # two index look-ups instead of one per card.
            before = conn.exec_driver_sql(_MAX_ROWID).scalar() or 0
            conn.exec_driver_sql(self._upsert_unindexed_sql if split else self._upsert_sql, rows)
            added = (conn.exec_driver_sql(_MAX_ROWID).scalar() or 0) - before
            if split and added < len(rows):  # some rows updated known cards
                conn.exec_driver_sql(_SQLITE_RENUMBER, [row[:3] for row in rows])
        else:
            existing = self._existing_keys(conn, [row[0] for row in rows])
            conn.exec_driver_sql(self._upsert_sql, rows)
            added = keys - existing
        return PageCounts(added=added, updated=keys - added)

    def _upsert_in_key_order(self, conn: Connection, rows: Sequence[CardValues]) -> PageCounts:
        """:meth:`_upsert` with the rows sorted by BHXH number: the primary key's B-tree is then
        written page after page instead of at random (about 15 % faster at a million cards).

        The sort is stable, so repeats of one card keep their order (the last still wins). On
        SQLite updated cards get their card number and CCCD in a second statement, and only when
        they change (their indexes are then left alone). Either change can meet a card-number
        conflict that the plain upsert in the given order avoids (a number passed from one card
        to another inside the batch), so on a conflict the batch runs again that way, which is
        the one that decides; success the fast way implies success that way, with the same
        result (every state it passes through holds a subset of the same numbers).
        """
        ordered = sorted(rows, key=_bhxh_of)
        try:
            with conn.begin_nested():
                return self._upsert(conn, ordered, split=True)
        except IntegrityError:
            return self._upsert(conn, rows)

    def _take_over_numbers(
        self, conn: Connection, rows: Sequence[CardValues]
    ) -> tuple[list[CardValues], int]:
        """Make way for the feed: a card number it gives to a BHXH number leaves any other.

        Returns the rows without those whose number a later row of the same batch claims, and
        how many stale cards were deleted. Without this one odd record would make the page
        fail, and the sync would stop at the same cursor forever.
        """
        owner = {row[1]: row[0] for row in rows}  # card number -> BHXH number, the last wins
        kept = [row for row in rows if owner[row[1]] == row[0]]
        stale: list[str] = []
        for chunk in _chunks(list(owner), _IN_CHUNK):
            found = conn.execute(
                select(cards.c.bhxh_number, cards.c.card_number).where(
                    cards.c.card_number.in_(chunk)
                )
            )
            stale.extend(bhxh for bhxh, number in found if owner[number] != bhxh)
        return kept, self._remove(conn, stale) if stale else 0

    def _remove(self, conn: Connection, codes: Sequence[str]) -> int:
        removed = 0
        for chunk in _chunks(list(codes), _IN_CHUNK):
            numbers = [c for c in chunk if len(c) == 15]
            keys = [c for c in chunk if len(c) != 15]
            if keys:
                removed += conn.execute(delete(cards).where(cards.c.bhxh_number.in_(keys))).rowcount
            if numbers:
                removed += conn.execute(
                    delete(cards).where(cards.c.card_number.in_(numbers))
                ).rowcount
        return removed

    def upsert_cards(self, batch: Sequence[CardRecord]) -> PageCounts:
        """Insert or update a batch of cards in ONE transaction (all or nothing)."""
        return self.upsert_card_rows([self._card_params(card) for card in batch])

    def upsert_card_rows(self, rows: Sequence[CardValues]) -> PageCounts:
        """:meth:`upsert_cards` for rows already validated into :attr:`card_forms`."""
        try:
            with self._engine.begin() as conn:
                return self._upsert_in_key_order(conn, rows)
        except IntegrityError as error:
            raise CardConflictError(describe_error(error)) from error
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error

    def import_cards(self, records: Iterable[CardRecord], batch_size: int = 5000) -> PageCounts:
        """Upsert a stream of cards, one transaction per ``batch_size`` cards."""
        total = PageCounts()
        batch: list[tuple[object, ...]] = []
        params = self._card_params
        for card in records:
            batch.append(params(card))
            if len(batch) >= batch_size:
                total += self.upsert_card_rows(batch)
                batch = []
        if batch:
            total += self.upsert_card_rows(batch)
        return total

    def apply_card_page(
        self, source: str, cards_page: Sequence[CardRecord], removals: Sequence[str], cursor: str
    ) -> PageCounts:
        """Apply one sync page and advance the source's cursor in ONE transaction.

        A sync killed at any moment resumes from the cursor of the last page that committed:
        no page is applied twice, none is skipped. ``removals`` are BHXH numbers (10 digits)
        or 15-character card numbers.
        """
        rows = [self._card_params(card) for card in cards_page]
        return self.apply_card_rows(source, rows, removals, cursor)

    def apply_card_rows(
        self, source: str, rows: Sequence[CardValues], removals: Sequence[str], cursor: str
    ) -> PageCounts:
        """:meth:`apply_card_page` for rows already validated into :attr:`card_forms`, in
        change order (the last claim of a card number wins)."""
        try:
            with self._engine.begin() as conn:
                displaced = 0
                try:
                    with conn.begin_nested():  # a savepoint: the common case pays nothing
                        counts = self._upsert_in_key_order(conn, rows)
                except IntegrityError:
                    kept, displaced = self._take_over_numbers(conn, rows)
                    counts = self._upsert_in_key_order(conn, kept)
                removed = displaced + self._remove(conn, removals)
                counts = PageCounts(counts.added, counts.updated, removed)
                stmt = self._insert(sync_state).values(
                    source=source,
                    cursor=cursor,
                    added=counts.added,
                    updated=counts.updated,
                    removed=counts.removed,
                )
                stmt = stmt.on_conflict_do_update(
                    index_elements=["source"],
                    set_={
                        "cursor": cursor,
                        "added": sync_state.c.added + counts.added,
                        "updated": sync_state.c.updated + counts.updated,
                        "removed": sync_state.c.removed + counts.removed,
                    },
                )
                conn.execute(stmt)
                return counts
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error

    # -- the first load of an empty cache (SQLite) -----------------------------------------

    def begin_bulk_load(self) -> bool:
        """Get an EMPTY card cache ready for a fast first load; True when the load should go on
        in bulk mode (then call :meth:`end_bulk_load` when it stops).

        The card-number and CCCD indexes are dropped, to be built once, sorted, at the end
        instead of updated row by row at random keys (a full sync of a million cards is then
        about 1.5 times faster). Nothing else changes: every page still commits with its cursor.
        SQLite only. A cache that holds any card (or a server database) answers False and is
        left alone. Indexes already missing mean an earlier load was killed: it goes on.
        """
        if not self._sqlite:
            return False
        try:
            with self._engine.begin() as conn:
                present = self._bulk_index_names(conn)
                if not present:
                    return True
                if conn.exec_driver_sql("SELECT 1 FROM cards LIMIT 1").first() is not None:
                    return False
                for index in _BULK_INDEXES:
                    if index.name in present:
                        index.drop(conn)
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error
        return True

    def end_bulk_load(self) -> bool:
        """Build the indexes :meth:`begin_bulk_load` dropped (one transaction); True when done.

        False, with the indexes still missing, when the loaded cards give one card number to
        two BHXH numbers: only the feed's change order can say which keeps it (see
        :meth:`apply_card_rows`), so the caller throws the load away
        (:meth:`abandon_bulk_load`) and syncs again the ordinary way.
        """
        try:
            with self._engine.begin() as conn:
                present = self._bulk_index_names(conn)
                for index in _BULK_INDEXES:
                    if index.name not in present:
                        index.create(conn)
        except IntegrityError:
            return False
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error
        return True

    def abandon_bulk_load(self, source: str) -> None:
        """Empty the cache again, forget ``source``'s cursor and rebuild the indexes (one
        transaction): the state before :meth:`begin_bulk_load`."""
        try:
            with self._engine.begin() as conn:
                conn.execute(delete(cards))
                conn.execute(delete(sync_state).where(sync_state.c.source == source))
                present = self._bulk_index_names(conn)
                for index in _BULK_INDEXES:
                    if index.name not in present:
                        index.create(conn)
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error

    def finish_killed_bulk_load(self, source: str = "feed") -> str | None:
        """Build the indexes a first load killed part-way left dropped; None when none was.

        Without them a lookup by card or CCCD number scans the whole table and nothing stops
        two cards sharing a card number, so every start but a sync's (which resumes the fast
        load) calls this. When the cards loaded so far give one card number to two BHXH
        numbers, the load is thrown away (:meth:`abandon_bulk_load`): only the feed's change
        order can settle that, and the next sync loads again from the start. Returns what
        was done, for the log.
        """
        if not self._sqlite:
            return None
        try:
            with self._read() as conn:
                if len(self._bulk_index_names(conn)) == len(_BULK_INDEXES):
                    return None
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error
        if self.end_bulk_load():
            return "rebuilt the card indexes an interrupted first load had dropped"
        self.abandon_bulk_load(source)
        return (
            "an interrupted first load gave one card number to two cards: the cache was "
            "emptied and the next sync loads it again"
        )

    def _bulk_index_names(self, conn: Connection) -> set[str]:
        rows = conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cards'"
        )
        names = {name for (name,) in rows}
        return {str(index.name) for index in _BULK_INDEXES if index.name in names}

    def get_sync_state(self, source: str) -> SyncState | None:
        """The sync state of ``source``, or None when it never synced (or was reset)."""
        try:
            with self._read() as conn:
                row = conn.execute(select(sync_state).where(sync_state.c.source == source)).first()
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error
        if row is None:
            return None
        return SyncState(
            source=row.source,
            cursor=row.cursor,
            last_success=row.last_success,
            added=row.added,
            updated=row.updated,
            removed=row.removed,
        )

    def mark_sync_success(self, source: str, at: datetime) -> None:
        """Record that a full pass over ``source`` finished at ``at`` (UTC)."""
        try:
            with self._engine.begin() as conn:
                stmt = self._insert(sync_state).values(source=source, cursor=None, last_success=at)
                conn.execute(
                    stmt.on_conflict_do_update(index_elements=["source"], set_={"last_success": at})
                )
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error

    def reset_sync(self, source: str) -> None:
        """Forget the cursor and totals of ``source`` (the next sync starts from the top)."""
        try:
            with self._engine.begin() as conn:
                conn.execute(delete(sync_state).where(sync_state.c.source == source))
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error

    def count_cards(self) -> int:
        return int(self._scalar(select(func.count()).select_from(cards)))

    def count_checkins(self, day: date) -> int:
        return int(
            self._scalar(
                select(func.count()).select_from(checkins).where(checkins.c.local_day == day)
            )
        )

    def _scalar(self, stmt: Any) -> Any:
        try:
            with self._read() as conn:
                return conn.execute(stmt).scalar_one()
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error

    def today(self, now: datetime) -> date:
        """The hospital's local date at the UTC moment ``now``."""
        return now.astimezone(self.zone).date()

    def status(self, now: datetime) -> StoreStatus:
        """Counts and size for ``kiosk-admin status`` (``now`` decides which day is today)."""
        last = self._scalar(select(func.max(sync_state.c.last_success)))
        if isinstance(last, str):  # an aggregate loses the column type on SQLite
            last = datetime.fromisoformat(last)
        if isinstance(last, datetime):
            last = last.replace(tzinfo=UTC) if last.tzinfo is None else last.astimezone(UTC)
        return StoreStatus(
            cards=self.count_cards(),
            checkins_today=self.count_checkins(self.today(now)),
            last_sync=last,
            database=self._engine.url.render_as_string(hide_password=True),
            size_bytes=self.size_bytes(),
        )

    def size_bytes(self) -> int | None:
        """The database's size on disk (SQLite file + WAL, or PostgreSQL's database size)."""
        path = sqlite_path(self._engine.url.render_as_string(hide_password=False))
        if self._sqlite:
            if path is None:
                return None
            return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
        value = self._scalar(select(func.pg_database_size(func.current_database())))
        return int(value) if value is not None else None

    # -- check-ins --------------------------------------------------------------------------

    def _by_key(self, conn: Connection, key: str) -> CheckIn | None:
        row = conn.execute(select(checkins).where(checkins.c.idempotency_key == key)).first()
        return _checkin_from_row(row) if row is not None else None

    def commit_checkin(self, draft: CheckInDraft) -> CheckIn:
        """Allocate the next number and store the check-in and its audit row in ONE transaction.

        The same ``idempotency_key`` again returns the first check-in and uses no number: the
        insert hits the unique key, the whole transaction (counter included) rolls back, and
        the stored check-in is read back. Trying the insert first keeps the common case at
        four statements.
        """
        return self._once_more(lambda: self._commit_once(draft))

    def _commit_once(self, draft: CheckInDraft) -> CheckIn:
        checkin = CheckIn(
            id=uuid.uuid4().hex,
            local_day=draft.local_day,
            clinic_code=draft.clinic_code,
            queue_number=0,  # set by the allocation below
            patient=draft.patient,
            status=draft.status,
            reason=draft.reason,
            route=draft.route,
            benefit_percent=draft.benefit_percent,
            verification=draft.verification,
            kiosk_id=draft.kiosk_id,
            created_at=draft.created_at.astimezone(UTC),
            staff_name=draft.staff_name,
            override_reason=draft.override_reason,
            series=self.series,
        )
        values = _checkin_values(checkin)
        values["idempotency_key"] = draft.idempotency_key
        # A staff override is audited by the same row, in the same transaction: a second
        # transaction could fail and leave the override in place with no trace of who did it.
        overriding = draft.override_reason is not None
        audit = {
            "at": checkin.created_at,
            "actor": draft.staff_name or draft.kiosk_id,
            "action": "override" if overriding else "checkin",
            "target": checkin.id,
            "before": f"refused:{draft.reason}" if overriding else None,
            "after": _audit_json(checkin),
        }
        try:
            if self._sqlite:
                number = self._commit_sqlite(checkin, values, audit)
            else:
                number = self._commit_server(values, audit, checkin)
        except (IntegrityError, sqlite3.IntegrityError):
            # Committed before (a retry), or by another kiosk at this very moment: theirs stands.
            with self._read() as conn:
                earlier = self._by_key(conn, draft.idempotency_key)
            if earlier is None:
                raise
            return earlier
        return replace(checkin, queue_number=number)

    def _commit_sqlite(
        self, checkin: CheckIn, values: dict[str, object], audit: dict[str, object]
    ) -> int:
        """SQLite: the three statements on the bare driver inside BEGIN IMMEDIATE.

        Every writer queues for the one write lock, so the time it is held is the throughput
        of the whole kiosk: all the Python work (values, text forms) happens before the BEGIN.
        """
        row = [_sqlite_value(values[c]) for c in self._checkin_columns]
        number_at = self._checkin_columns.index("queue_number")
        at = _sqlite_moment(checkin.created_at)
        key = (checkin.clinic_code, checkin.local_day.isoformat())
        # The audit text with a stand-in number, so only a string substitution happens while
        # the lock is held (JSON escapes quotes inside values: the key cannot be mimicked).
        after = _audit_json(checkin)
        assert '"number": 0,' in after
        event = outbox_event("checkin", checkin) if self.outbox_enabled else None
        # The pooled connection, but the statements straight on sqlite3: SQLAlchemy's per-call
        # bookkeeping would double the CPU time of a check-in, and eight kiosk processes on
        # two cores are CPU-bound.
        with self._engine.connect() as conn:
            driver = conn.connection.driver_connection
            assert isinstance(driver, sqlite3.Connection)
            try:
                driver.execute("BEGIN IMMEDIATE")  # writers queue here
                number: int = driver.execute(_SQLITE_COUNTER, key).fetchone()[0]
                if self._fault is not None:
                    self._fault("counter")
                row[number_at] = number
                driver.execute(self._sqlite_checkin_sql, row)
                driver.execute(
                    _SQLITE_AUDIT,
                    (
                        at,
                        audit["actor"],
                        audit["action"],
                        audit["target"],
                        audit["before"],
                        after.replace('"number": 0,', f'"number": {number},', 1),
                    ),
                )
                if event is not None:
                    driver.execute(OUTBOX_INSERT_SQL, event.sqlite_row(number))
                driver.execute("COMMIT")
            except BaseException:
                if driver.in_transaction:
                    driver.execute("ROLLBACK")
                raise
        return number

    def _commit_server(
        self, values: dict[str, object], audit: dict[str, object], checkin: CheckIn
    ) -> int:
        """PostgreSQL: counter, check-in and audit row in ONE statement, ONE round trip.

        A single statement is atomic on its own, so it runs without BEGIN/COMMIT round trips;
        a unique-key failure anywhere undoes every part (the counter included, and the outbox
        event when the outbox is on).
        """
        params = {**values, **{f"audit_{k}": v for k, v in audit.items()}}
        if self.outbox_enabled:
            params.update(outbox_event("checkin", checkin).server_params())
        with self._engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            number: int = conn.exec_driver_sql(self._pg_commit_sql, params).scalar_one()
        return number

    def existing_checkin(self, patient_key: str, clinic_code: str, day: date) -> CheckIn | None:
        """Today's live check-in of this patient (BHXH or CCCD number) at this clinic."""
        stmt = (
            select(checkins)
            .where(
                checkins.c.local_day == day,
                checkins.c.clinic_code == clinic_code,
                checkins.c.cancelled.is_(False),
                (checkins.c.bhxh_number == patient_key) | (checkins.c.id_number == patient_key),
            )
            .order_by(checkins.c.queue_number)
            .limit(1)
        )

        def work() -> Row[Any] | None:
            with self._read() as conn:
                return conn.execute(stmt).first()

        row = self._once_more(work)
        return _checkin_from_row(row) if row is not None else None

    def get_checkin(self, checkin_id: str) -> CheckIn | None:
        try:
            with self._read() as conn:
                row = conn.execute(select(checkins).where(checkins.c.id == checkin_id)).first()
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error
        return _checkin_from_row(row) if row is not None else None

    def set_print_state(self, checkin_id: str, state: PrintState) -> None:
        """Mark whether the slip reached the patient; raises LookupError for an unknown id."""
        try:
            with self._engine.begin() as conn:
                changed = conn.execute(
                    update(checkins)
                    .where(checkins.c.id == checkin_id)
                    .values(print_state=state.value)
                ).rowcount
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error
        if not changed:
            raise LookupError(f"no check-in {checkin_id}")

    def list_checkins(self, day: date, search: str | None = None) -> Sequence[CheckIn]:
        """The day's check-ins, newest first; ``search`` matches a queue number or a name."""
        stmt = (
            select(checkins)
            .where(checkins.c.local_day == day)
            .order_by(checkins.c.created_at.desc(), checkins.c.queue_number.desc())
        )
        needle = (search or "").strip()
        if needle.isdigit():
            stmt = stmt.where(checkins.c.queue_number == int(needle))
        series, dash, number = needle.upper().rpartition("-")
        if dash and series and number.isdigit():  # an offline label such as "A-3"
            stmt = stmt.where(checkins.c.series == series, checkins.c.queue_number == int(number))
            needle = ""
        try:
            with self._read() as conn:
                rows = conn.execute(stmt).all()
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error
        found = [_checkin_from_row(row) for row in rows]
        if needle and not needle.isdigit():
            # Python's casefold knows Vietnamese letters; SQLite's lower() only knows ASCII.
            folded = needle.casefold()
            found = [c for c in found if folded in c.patient.name.casefold()]
        return found

    def cancel_checkin(self, checkin_id: str, staff_name: str, reason: str) -> CheckIn:
        """Cancel a check-in; its number stays used. Raises LookupError for an unknown id."""
        try:
            with self._engine.begin() as conn:
                row = conn.execute(select(checkins).where(checkins.c.id == checkin_id)).first()
                if row is None:
                    raise LookupError(f"no check-in {checkin_id}")
                before = _checkin_from_row(row)
                conn.execute(
                    update(checkins).where(checkins.c.id == checkin_id).values(cancelled=True)
                )
                conn.execute(
                    insert(audit_log).values(
                        at=self._now(),
                        actor=staff_name,
                        action="cancel",
                        target=checkin_id,
                        before=_audit_json(before),
                        after=json.dumps({"cancelled": True, "reason": reason}, ensure_ascii=False),
                    )
                )
                if self.outbox_enabled:
                    self.outbox.enqueue(conn, "cancel", replace(before, cancelled=True), self._at())
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error
        return replace(before, cancelled=True)

    def last_checkin(self) -> CheckIn | None:
        """The most recent check-in of any day (the health signal's "last check-in")."""
        # The latest day first (an index gives it at once), then the latest moment within it.
        latest_day = select(func.max(checkins.c.local_day)).scalar_subquery()
        stmt = (
            select(checkins)
            .where(checkins.c.local_day == latest_day)
            .order_by(checkins.c.created_at.desc())
            .limit(1)
        )
        try:
            with self._read() as conn:
                row = conn.execute(stmt).first()
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error
        return _checkin_from_row(row) if row is not None else None

    def tally_outcome(self, status: str, kiosk_id: str, at: datetime) -> None:
        """Count one scan that ended without a check-in (``status`` e.g. ``rejected``) in its
        local day and hour, for the daily report."""
        local = at.astimezone(self.zone)
        stmt = self._insert(outcome_tallies).values(
            local_day=local.date(), hour=local.hour, kiosk_id=kiosk_id, status=status, count=1
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["local_day", "hour", "kiosk_id", "status"],
            set_={"count": outcome_tallies.c.count + 1},
        )
        try:
            with self._engine.begin() as conn:
                conn.execute(stmt)
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error

    def record_audit(
        self, actor: str, action: str, target: str, before: str | None, after: str | None
    ) -> None:
        """Append a row to the audit log.

        A ``reprint`` of a check-in is also an event for the hospital information system: with
        the outbox on, its event is written in the same transaction as this row.
        """
        try:
            with self._engine.begin() as conn:
                self._audit_in(
                    conn, actor=actor, action=action, target=target, before=before, after=after
                )
                if self.outbox_enabled and action == "reprint":
                    row = conn.execute(select(checkins).where(checkins.c.id == target)).first()
                    if row is not None:
                        self.outbox.enqueue(conn, "reprint", _checkin_from_row(row), self._at())
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error

    def purge_before(self, day: date) -> CheckinPurge:
        """Delete check-ins (and queue counters) of local days before ``day``, and fold the audit
        rows from before that day's start into ``audit_counts`` (per local day and action), in
        one transaction: the totals stay, the people go."""
        start = datetime.combine(day, datetime.min.time(), tzinfo=self.zone).astimezone(UTC)
        try:
            with self._engine.begin() as conn:
                old = conn.execute(
                    select(audit_log.c.at, audit_log.c.action).where(audit_log.c.at < start)
                ).all()
                counts: dict[tuple[date, str], int] = {}
                for at, action in old:
                    key = (at.astimezone(self.zone).date(), action)
                    counts[key] = counts.get(key, 0) + 1
                for (when, action), count in counts.items():
                    stmt = self._insert(audit_counts).values(day=when, action=action, count=count)
                    conn.execute(
                        stmt.on_conflict_do_update(
                            index_elements=["day", "action"],
                            set_={"count": audit_counts.c.count + count},
                        )
                    )
                conn.execute(delete(audit_log).where(audit_log.c.at < start))
                gone = conn.execute(delete(checkins).where(checkins.c.local_day < day)).rowcount
                conn.execute(delete(queue_counters).where(queue_counters.c.day < day))
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error
        return CheckinPurge(checkins=gone, audit_rows=len(old))

    def audit_counts(self) -> dict[tuple[date, str], int]:
        """The audit rows folded by :meth:`purge_before`, per local day and action."""
        try:
            with self._read() as conn:
                rows = conn.execute(
                    select(audit_counts.c.day, audit_counts.c.action, audit_counts.c.count)
                ).all()
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error
        return {(day, action): int(count) for day, action, count in rows}

    def audit_entries(self, target: str | None = None) -> list[dict[str, Any]]:
        """Audit rows oldest first (optionally for one target), as plain dicts."""
        stmt = select(audit_log).order_by(audit_log.c.id)
        if target is not None:
            stmt = stmt.where(audit_log.c.target == target)
        try:
            with self._read() as conn:
                return [dict(row._mapping) for row in conn.execute(stmt)]
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error

    # -- facilities and clinics --------------------------------------------------------------

    def save_facilities(self, rows: Iterable[Facility]) -> int:
        """Insert or update known facilities (code, name, level) for the route rules."""
        values = [{"code": f.code, "name": f.name, "level": f.level} for f in rows]
        if not values:
            return 0
        stmt = self._insert(facilities)
        stmt = stmt.on_conflict_do_update(
            index_elements=["code"],
            set_={"name": stmt.excluded.name, "level": stmt.excluded.level},
        )
        try:
            with self._engine.begin() as conn:
                conn.execute(stmt, values)
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error
        return len(values)

    def facility_levels(self) -> dict[str, str]:
        """Facility code -> level ("central", "province", "district", "commune")."""
        try:
            with self._read() as conn:
                rows = conn.execute(select(facilities.c.code, facilities.c.level)).all()
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error
        return {str(code): str(level) for code, level in rows}

    def sync_clinics(self, configured: Sequence[Clinic]) -> None:
        """Mirror the configured clinics in the database; clinics no longer listed go inactive.

        Check-ins keep their clinic code either way, so reports on past days stay readable.
        """
        codes = [c.code for c in configured]
        try:
            with self._engine.begin() as conn:
                for clinic in configured:
                    values = {
                        "name_vi": clinic.name_vi,
                        "name_en": clinic.name_en,
                        "room": clinic.room,
                        "location_vi": clinic.location_vi,
                        "location_en": clinic.location_en,
                        "active": True,
                    }
                    stmt = self._insert(clinics).values(code=clinic.code, **values)
                    conn.execute(stmt.on_conflict_do_update(index_elements=["code"], set_=values))
                conn.execute(
                    update(clinics).where(clinics.c.code.not_in(codes)).values(active=False)
                )
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error

    def list_clinics(self, active_only: bool = True) -> list[Clinic]:
        """The clinics in the database (opening hours live in config, not here)."""
        stmt = select(clinics).order_by(clinics.c.code)
        if active_only:
            stmt = stmt.where(clinics.c.active.is_(True))
        try:
            with self._read() as conn:
                rows = conn.execute(stmt).all()
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error
        return [
            Clinic(
                code=r.code,
                name_vi=r.name_vi,
                name_en=r.name_en,
                room=r.room,
                location_vi=r.location_vi,
                location_en=r.location_en,
            )
            for r in rows
        ]

    # -- staff ------------------------------------------------------------------------------

    def get_staff(self, name: str) -> StaffAccount | None:
        try:
            with self._read() as conn:
                row = conn.execute(select(staff).where(staff.c.name == name)).first()
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error
        return _staff_from_row(row) if row is not None else None

    def list_staff(self) -> Sequence[StaffAccount]:
        try:
            with self._read() as conn:
                rows = conn.execute(select(staff).order_by(staff.c.name)).all()
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error
        return [_staff_from_row(row) for row in rows]

    def add_staff(self, account: StaffAccount, actor: str = "kiosk-admin") -> None:
        """Create an account; raises ValueError when the name or the staff code is taken.

        An account without a code gets the next free one from 101.
        """
        try:
            with self._engine.begin() as conn:
                taken = conn.execute(select(staff.c.name).where(staff.c.name == account.name))
                if taken.first() is not None:
                    raise ValueError("this staff name is taken")
                code = account.code or self._free_code(conn)
                if conn.execute(select(staff.c.name).where(staff.c.code == code)).first():
                    raise ValueError("this staff code is taken")
                conn.execute(
                    insert(staff).values(
                        name=account.name,
                        role=account.role,
                        pin_hash=account.pin_hash,
                        active=account.active,
                        code=code,
                        failed_logins=0,
                    )
                )
                self._audit_in(
                    conn,
                    actor=actor,
                    action="staff_add",
                    target=account.name,
                    before=None,
                    after=account.role,
                )
        except IntegrityError as error:
            raise ValueError("this staff name or code is taken") from error
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error

    def _free_code(self, conn: Connection) -> str:
        codes = {int(c) for (c,) in conn.execute(select(staff.c.code)) if str(c).isdigit()}
        code = 101
        while code in codes:
            code += 1
        return str(code)

    def set_staff_pin(self, name: str, pin_hash: str, actor: str = "kiosk-admin") -> None:
        """Replace an account's PIN hash; raises LookupError for an unknown name."""
        self._staff_change(name, {"pin_hash": pin_hash}, "staff_pin", actor)

    def unlock_staff(self, name: str, actor: str = "kiosk-admin") -> None:
        """Clear an account's failures, wait and lockout (an admin's decision); audited."""
        values: dict[str, object] = {"failed_logins": 0, "next_try_at": None, "locked_until": None}
        self._staff_change(name, values, "staff_unlock", actor)

    def remove_staff(self, name: str, actor: str = "kiosk-admin") -> None:
        """Delete an account; raises LookupError for an unknown name."""
        try:
            with self._engine.begin() as conn:
                gone = conn.execute(delete(staff).where(staff.c.name == name)).rowcount
                if not gone:
                    raise LookupError("no such staff account")
                self._audit_in(
                    conn, actor=actor, action="staff_remove", target=name, before=None, after=None
                )
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error

    def _staff_change(self, name: str, values: dict[str, object], action: str, actor: str) -> None:
        try:
            with self._engine.begin() as conn:
                changed = conn.execute(
                    update(staff).where(staff.c.name == name).values(**values)
                ).rowcount
                if not changed:
                    raise LookupError("no such staff account")
                self._audit_in(
                    conn, actor=actor, action=action, target=name, before=None, after=None
                )
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error

    def claim_login(self, code: str, now: datetime, penalty: Penalty) -> LoginClaim | None:
        """Count one sign-in attempt for the account with staff ``code`` (see the port).

        The row is locked for the transaction (``BEGIN IMMEDIATE`` on SQLite, ``FOR UPDATE`` on
        PostgreSQL), so attempts from several kiosks at once are each counted.
        """
        try:
            with self._engine.begin() as conn:
                row = conn.execute(
                    select(staff)
                    .where(staff.c.code == code, staff.c.active.is_(True))
                    .with_for_update()
                ).first()
                if row is None:
                    return None
                account = _staff_from_row(row)
                if (account.locked_until is not None and account.locked_until > now) or (
                    account.next_try_at is not None and account.next_try_at > now
                ):
                    return LoginClaim(account, claimed=False)
                failures = account.failed_logins + 1
                delay_s, lock_s = penalty(failures)
                account = replace(
                    account,
                    failed_logins=failures,
                    next_try_at=now + timedelta(seconds=delay_s) if delay_s else None,
                    locked_until=now + timedelta(seconds=lock_s) if lock_s else None,
                )
                conn.execute(
                    update(staff)
                    .where(staff.c.name == account.name)
                    .values(
                        failed_logins=failures,
                        next_try_at=account.next_try_at,
                        locked_until=account.locked_until,
                    )
                )
                return LoginClaim(account, claimed=True)
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error

    def login_succeeded(self, name: str, audit_after: str | None) -> None:
        """Clear this account's failures and audit the login, in one transaction."""
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    update(staff)
                    .where(staff.c.name == name)
                    .values(failed_logins=0, next_try_at=None, locked_until=None)
                )
                self._audit_in(
                    conn, actor=name, action="login", target=name, before=None, after=audit_after
                )
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error

    def _audit_in(
        self,
        conn: Connection,
        *,
        actor: str,
        action: str,
        target: str,
        before: str | None,
        after: str | None,
    ) -> None:
        conn.execute(
            insert(audit_log).values(
                at=self._now(),
                actor=actor,
                action=action,
                target=target,
                before=before,
                after=after,
            )
        )


# -- row mapping ------------------------------------------------------------------------------


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text).replace(tzinfo=UTC) if text else None


def _card_from_sqlite(row: tuple[Any, ...]) -> CardRecord:
    """A card from a raw SQLite row in CARD_COLUMNS order (text dates as the models store)."""
    (
        bhxh_number,
        card_number,
        id_number,
        name,
        birth,
        gender,
        address,
        facility_code,
        valid_from,
        valid_to,
        benefit_level,
        area_code,
        status,
        new_card_number,
        new_valid_from,
        new_valid_to,
        new_facility_code,
        new_facility_name,
        five_years_from,
        source,
        updated_at,
        verified_online_at,
    ) = row
    replacement = None
    if new_card_number:
        replacement = ReplacementCard(
            card_number=new_card_number,
            valid_from=_day(new_valid_from),
            valid_to=_day(new_valid_to),
            facility_code=new_facility_code,
            facility_name=new_facility_name,
        )
    return CardRecord(
        card_number=card_number,
        bhxh_number=bhxh_number,
        name=name,
        birth=BirthDate.from_iso(birth) if birth else None,
        gender=Gender(gender) if gender else None,
        facility_code=facility_code,
        valid_from=_day(valid_from),
        valid_to=_day(valid_to),
        benefit_level=benefit_level,
        area_code=area_code,
        id_number=id_number,
        address=address,
        status=CardStatus(status),
        replacement=replacement,
        five_years_from=_day(five_years_from),
        source=source,
        updated_at=_moment(updated_at),
        verified_online_at=_moment(verified_online_at),
    )


def _card_from_row(row: Row[Any]) -> CardRecord:
    replacement = None
    if row.new_card_number:
        replacement = ReplacementCard(
            card_number=row.new_card_number,
            valid_from=row.new_valid_from,
            valid_to=row.new_valid_to,
            facility_code=row.new_facility_code,
            facility_name=row.new_facility_name,
        )
    return CardRecord(
        card_number=row.card_number,
        bhxh_number=row.bhxh_number,
        name=row.name,
        birth=BirthDate.from_iso(row.birth) if row.birth else None,
        gender=Gender(row.gender) if row.gender else None,
        facility_code=row.facility_code,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        benefit_level=row.benefit_level,
        area_code=row.area_code,
        id_number=row.id_number,
        address=row.address,
        status=CardStatus(row.status),
        replacement=replacement,
        five_years_from=row.five_years_from,
        source=row.source,
        updated_at=row.updated_at,
        verified_online_at=row.verified_online_at,
    )


_MAX_ROWID = "SELECT max(rowid) FROM cards"
# The indexed columns of an updated card, written only when they change (id_number keeps
# what we knew when the newer record has none, as in the upsert).
_SQLITE_RENUMBER = (
    "UPDATE cards SET card_number = ?2, id_number = COALESCE(?3, id_number) "
    "WHERE bhxh_number = ?1 AND (card_number IS NOT ?2 OR (?3 IS NOT NULL AND id_number IS NOT ?3))"
)
# Built after the first load of an empty cache rather than during it (begin_bulk_load).
_BULK_INDEXES = tuple(
    index for index in cards.indexes if index.name in ("uq_cards_card_number", "ix_cards_id_number")
)
_SQLITE_FIND = {
    length: f"SELECT {', '.join(CARD_COLUMNS)} FROM cards WHERE {column} = ? LIMIT 1"  # noqa: S608
    for length, column in ((15, "card_number"), (10, "bhxh_number"), (12, "id_number"))
}
_SQLITE_COUNTER = (
    "INSERT INTO queue_counters (clinic, day, last) VALUES (?, ?, 1) "
    "ON CONFLICT (clinic, day) DO UPDATE SET last = queue_counters.last + 1 RETURNING last"
)
_SQLITE_AUDIT = (
    "INSERT INTO audit_log (at, actor, action, target, before, after) VALUES (?, ?, ?, ?, ?, ?)"
)


def _sqlite_value(value: object) -> object:
    """A value in the text form SQLAlchemy's SQLite types write (and read back)."""
    if isinstance(value, datetime):
        return _sqlite_moment(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _pg_commit_sql(*, outbox: bool = False) -> str:
    """The one-statement check-in for PostgreSQL (driver placeholders, constant names only).

    With ``outbox`` the statement also writes the check-in's event for the HIS, its payload
    given the allocated number (still one statement, still atomic).
    """
    columns = [c.name for c in checkins.columns]
    chosen = ", ".join("n.last" if c == "queue_number" else f"%({c})s" for c in columns)
    event = (
        ", o AS ("
        " INSERT INTO outbox (event_id, kind, checkin_id, patient_key, payload, created_at,"
        " state, attempts, next_attempt_at)"
        " SELECT %(outbox_event_id)s, %(outbox_kind)s, c.id, %(outbox_patient_key)s,"
        " jsonb_set(CAST(%(outbox_payload)s AS jsonb), '{queue_number}',"
        " to_jsonb(c.queue_number))::text, %(outbox_created_at)s, 'pending', 0,"
        " %(outbox_created_at)s FROM c)"
        if outbox
        else ""
    )
    return (
        "WITH n AS ("  # noqa: S608 - names come from the table, values are placeholders
        " INSERT INTO queue_counters (clinic, day, last) VALUES (%(clinic_code)s, %(local_day)s, 1)"
        " ON CONFLICT (clinic, day) DO UPDATE SET last = queue_counters.last + 1"
        " RETURNING last"
        "), c AS ("
        f" INSERT INTO checkins ({', '.join(columns)}) SELECT {chosen} FROM n"
        " RETURNING id, queue_number"
        f"){event} INSERT INTO audit_log (at, actor, action, target, before, after)"
        " SELECT %(audit_at)s, %(audit_actor)s, %(audit_action)s, c.id, %(audit_before)s,"
        " jsonb_set(CAST(%(audit_after)s AS jsonb), '{number}', to_jsonb(c.queue_number))::text"
        " FROM c RETURNING (SELECT queue_number FROM c)"
    )


def _checkin_values(checkin: CheckIn) -> dict[str, object]:
    patient = checkin.patient
    return {
        "id": checkin.id,
        "local_day": checkin.local_day,
        "clinic_code": checkin.clinic_code,
        "queue_number": checkin.queue_number,
        "patient_name": patient.name,
        "patient_birth": patient.birth.iso() if patient.birth is not None else None,
        "patient_gender": patient.gender.value if patient.gender is not None else None,
        "card_number": patient.card_number,
        "bhxh_number": patient.bhxh_number,
        "id_number": patient.id_number,
        "facility_code": patient.facility_code,
        "valid_from": patient.valid_from,
        "valid_to": patient.valid_to,
        "benefit_level": patient.benefit_level,
        "status": checkin.status,
        "reason": checkin.reason,
        "route": checkin.route.value if checkin.route is not None else None,
        "benefit_percent": checkin.benefit_percent,
        "verification": checkin.verification.value,
        "kiosk_id": checkin.kiosk_id,
        "staff_name": checkin.staff_name,
        "override_reason": checkin.override_reason,
        "created_at": checkin.created_at,
        "print_state": checkin.print_state.value,
        "cancelled": checkin.cancelled,
        "series": checkin.series,
        "flag": checkin.flag,
    }


def _checkin_from_row(row: Row[Any]) -> CheckIn:
    return CheckIn(
        id=row.id,
        local_day=row.local_day,
        clinic_code=row.clinic_code,
        queue_number=row.queue_number,
        patient=PatientSnapshot(
            name=row.patient_name,
            birth=BirthDate.from_iso(row.patient_birth) if row.patient_birth else None,
            gender=Gender(row.patient_gender) if row.patient_gender else None,
            card_number=row.card_number,
            bhxh_number=row.bhxh_number,
            id_number=row.id_number,
            facility_code=row.facility_code,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            benefit_level=row.benefit_level,
        ),
        status=row.status,
        reason=row.reason,
        route=Route(row.route) if row.route else None,
        benefit_percent=row.benefit_percent,
        verification=Verification(row.verification),
        kiosk_id=row.kiosk_id,
        created_at=row.created_at,
        print_state=PrintState(row.print_state),
        cancelled=bool(row.cancelled),
        staff_name=row.staff_name,
        override_reason=row.override_reason,
        series=row.series,
        flag=row.flag,
    )


def _audit_json(checkin: CheckIn) -> str:
    # No name or card number here: the audit log is read by many and kept long.
    facts: dict[str, object] = {
        "clinic": checkin.clinic_code,
        "day": checkin.local_day.isoformat(),
        "number": checkin.queue_number,
        "status": checkin.status,
        "verification": checkin.verification.value,
        "kiosk": checkin.kiosk_id,
        "cancelled": checkin.cancelled,
        "series": checkin.series,
    }
    if checkin.override_reason is not None:
        facts["override_reason"] = checkin.override_reason
    return json.dumps(facts, ensure_ascii=False)


def _staff_from_row(row: Row[Any]) -> StaffAccount:
    return StaffAccount(
        name=row.name,
        role=row.role,
        pin_hash=row.pin_hash,
        active=bool(row.active),
        code=row.code,
        failed_logins=row.failed_logins,
        next_try_at=row.next_try_at,
        locked_until=row.locked_until,
    )
