"""What differs between SQLite and PostgreSQL, each difference in one place.

:func:`dialect_for` picks one of the two once, when the store is built; the aggregates
(cards, check-ins, staff) ask it and never test the database's name themselves.

SQLite runs its two hottest paths (``find_card`` and ``commit_checkin``) straight on the pooled
``sqlite3`` connection: SQLAlchemy's per-call bookkeeping would double the CPU time of a
check-in, and eight kiosk processes on two cores are CPU-bound. Those statements write and read
the same text forms the models' types use (:data:`db.store.card_columns.SQLITE_ROW`).
PostgreSQL makes
a check-in (counter, check-in, audit row, outbox event) ONE statement: one round trip, atomic
on its own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Select, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.elements import BindParameter

from db.models import cards, checkins, sqlite_moment
from db.store.card_columns import CARD_COLUMNS, SERVER_ROW, SQLITE_ROW, CardRow, CardValues
from db.store.engine import READ_ONLY, sqlite_path
from db.store.outbox import OUTBOX_INSERT_SQL, OutboxEvent
from kiosk.model import CardRecord

# Keep what we knew when a newer record leaves these out (the gateway rarely returns a CCCD).
_KEEP_WHEN_NULL = frozenset({"id_number", "verified_online_at"})
IN_CHUNK = 500  # keys per IN (...) list: well under every driver's parameter limit
CHECKIN_COLUMNS = [c.name for c in checkins.columns]
Fault = Callable[[str], None] | None  # the crash tests' hook, None in the product
# The column looked up for a code of each length: card number, BHXH number, CCCD number.
CODE_COLUMNS = {15: "card_number", 10: "bhxh_number", 12: "id_number"}


def card_select() -> Select[Any]:
    """``SELECT`` of the cards table's columns in :data:`CARD_COLUMNS` order (for
    :data:`SERVER_ROW`)."""
    return select(*(cards.c[name] for name in CARD_COLUMNS))


@dataclass(frozen=True)
class NewCheckin:
    """A check-in ready to be written: its ``values`` (``queue_number`` a stand-in 0), its
    audit row (``after`` a JSON text with ``"number": 0``) and its outbox ``event``, if any."""

    values: dict[str, object]
    audit: dict[str, object]
    event: OutboxEvent | None


def _upsert_sql(mark: str, *, indexed: bool = True) -> str:
    """The bulk card upsert for ``executemany``; without ``indexed``, an update of a known card
    leaves its card number and CCCD (the indexed columns) alone."""
    setters = [
        f"{c} = COALESCE(excluded.{c}, cards.{c})"
        if c in _KEEP_WHEN_NULL
        else f"{c} = excluded.{c}"
        for c in CARD_COLUMNS
        if c != "bhxh_number" and (indexed or c not in ("card_number", "id_number"))
    ]
    # Built from the constant column names above, never from input.
    return (
        f"INSERT INTO cards ({', '.join(CARD_COLUMNS)}) "  # noqa: S608
        f"VALUES ({', '.join([mark] * len(CARD_COLUMNS))}) "
        f"ON CONFLICT (bhxh_number) DO UPDATE SET {', '.join(setters)}"
    )


class Dialect:
    """The database-specific half of the store; see :class:`SqliteDialect` and
    :class:`PostgresDialect`."""

    name: str
    card_row: CardRow  # the driver's own row of the cards table
    bulk_load = False  # can a first load drop and rebuild the card indexes?
    card_changes_log = False  # does a trigger note each card write in ``card_changes``?

    def read(self, engine: Engine) -> Connection:
        """A connection for reading."""
        raise NotImplementedError

    def insert(self, table: Any) -> Any:
        """An ``INSERT`` that takes ``on_conflict_do_update``."""
        raise NotImplementedError

    def find_card(self, engine: Engine, code: str) -> CardRecord | None:
        """The card whose number, BHXH number or CCCD number is ``code`` (a length of
        :data:`CODE_COLUMNS`, already normalised)."""
        raise NotImplementedError

    def upsert(self, conn: Connection, rows: Sequence[CardValues], *, split: bool) -> int:
        """Write card rows in :attr:`card_row`'s forms; returns how many cards were new.
        ``split``: rows come sorted by key, and known cards change their indexed columns only
        when these really change (SQLite; a conflict then raises, see the cards store)."""
        raise NotImplementedError

    def commit_checkin(self, engine: Engine, new: NewCheckin, fault: Fault) -> int:
        """Take the next queue number and write ``new`` with it, all or nothing; returns the
        number. ``fault`` is the crash tests' hook (see :class:`Database`)."""
        raise NotImplementedError

    def size_bytes(self, engine: Engine) -> int | None:
        """The database's size on disk."""
        raise NotImplementedError

    def server_now(self, conn: Connection) -> datetime:
        """The database server's time (UTC, aware): where machines must agree on time."""
        raise NotImplementedError

    def serialize(self, conn: Connection, name: str) -> None:
        """Make the transactions that call this with the same ``name`` run one after another
        (till ``conn``'s transaction ends): SQLite's writers are one at a time already."""

    def oldest_running_transaction(self, engine: Engine) -> int | None:
        """The oldest transaction still running on the server, for the card replica's
        incremental refresh; None where no ``card_changes`` log is kept (every refresh of a
        replica of such a database is a full pass)."""
        return None


class SqliteDialect(Dialect):
    """One kiosk's database file (or its offline journal)."""

    name = "sqlite"
    card_row = SQLITE_ROW
    bulk_load = True

    def server_now(self, conn: Connection) -> datetime:
        # SQLite's 'now' is the clock of the machine holding the file: with one file there is
        # one clock; milliseconds, as CURRENT_TIMESTAMP only has seconds
        text_now = conn.execute(select(func.strftime("%Y-%m-%d %H:%M:%f", "now"))).scalar_one()
        return datetime.fromisoformat(str(text_now)).replace(tzinfo=UTC)

    def __init__(self) -> None:
        self.upsert_sql = _upsert_sql("?")
        # SQLite rewrites an index entry whenever an UPDATE assigns an indexed column, even to
        # the same value: updates of known cards leave the two indexed columns to a second
        # statement that touches only rows whose number or CCCD really changes.
        self.upsert_unindexed_sql = _upsert_sql("?", indexed=False)
        self.checkin_sql = (
            f"INSERT INTO checkins ({', '.join(CHECKIN_COLUMNS)}) "  # noqa: S608
            f"VALUES ({', '.join('?' * len(CHECKIN_COLUMNS))})"
        )

    def read(self, engine: Engine) -> Connection:
        return engine.connect().execution_options(**READ_ONLY)

    def insert(self, table: Any) -> Any:
        return sqlite_insert(table)

    def find_card(self, engine: Engine, code: str) -> CardRecord | None:
        # The kiosk's hottest read, straight on the pooled sqlite3 connection: one indexed
        # SELECT in autocommit, no transaction, no SQLAlchemy result machinery.
        with engine.connect() as conn:
            driver = _driver(conn)
            found = driver.execute(_SQLITE_FIND[len(code)], (code,)).fetchone()
        return SQLITE_ROW.decode(found) if found is not None else None

    def upsert(self, conn: Connection, rows: Sequence[CardValues], *, split: bool) -> int:
        # Each new row takes rowid max+1 and an update keeps its rowid, so within this
        # transaction the growth of max(rowid) is exactly the number of cards added:
        # two index look-ups instead of one per card.
        before = conn.exec_driver_sql(_MAX_ROWID).scalar() or 0
        conn.exec_driver_sql(self.upsert_unindexed_sql if split else self.upsert_sql, rows)
        added: int = (conn.exec_driver_sql(_MAX_ROWID).scalar() or 0) - before
        if split and added < len(rows):  # some rows updated known cards
            conn.exec_driver_sql(_SQLITE_RENUMBER, [row[:3] for row in rows])
        return added

    def commit_checkin(self, engine: Engine, new: NewCheckin, fault: Fault) -> int:
        """The three (or four) statements on the bare driver inside BEGIN IMMEDIATE.

        Every writer queues for the one write lock, so the time it is held is the throughput
        of the whole kiosk: all the Python work (values, text forms) happens before the BEGIN.
        """
        values, event = new.values, new.event
        row = [_sqlite_value(values[c]) for c in CHECKIN_COLUMNS]
        number_at = CHECKIN_COLUMNS.index("queue_number")
        key = (values["clinic_code"], _sqlite_value(values["local_day"]))
        # The audit text with a stand-in number, so only a string substitution happens while
        # the lock is held (JSON escapes quotes inside values: the key cannot be mimicked).
        after = str(new.audit["after"])
        assert '"number": 0,' in after
        audit_row = [_sqlite_value(new.audit[c]) for c in _AUDIT_COLUMNS]
        with engine.connect() as conn:
            driver = _driver(conn)
            try:
                driver.execute("BEGIN IMMEDIATE")  # writers queue here
                number: int = driver.execute(_SQLITE_COUNTER, key).fetchone()[0]
                if fault is not None:
                    fault("counter")
                row[number_at] = number
                driver.execute(self.checkin_sql, row)
                audit_row[-1] = after.replace('"number": 0,', f'"number": {number},', 1)
                driver.execute(_SQLITE_AUDIT, audit_row)
                if event is not None:
                    driver.execute(OUTBOX_INSERT_SQL, event.sqlite_row(number))
                driver.execute("COMMIT")
            except BaseException:
                if driver.in_transaction:
                    driver.execute("ROLLBACK")
                raise
        return number

    def size_bytes(self, engine: Engine) -> int | None:
        path = sqlite_path(engine.url.render_as_string(hide_password=False))
        if path is None:
            return None
        return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


class PostgresDialect(Dialect):
    """The central database many kiosks share."""

    name = "postgresql"
    card_row = SERVER_ROW
    card_changes_log = True

    def __init__(self, *, outbox: bool) -> None:
        self.upsert_sql = _upsert_sql("%s")
        self.commit_sql = _pg_commit_sql(outbox=outbox)
        # Hot statements built once: SQLAlchemy then reuses their compiled form, and each call
        # only binds parameters (building .where(...) per call costs more than the SQL itself).
        code: BindParameter[str] = bindparam("code")
        self.find_by = {
            length: card_select().where(cards.c[column] == code).limit(1)
            for length, column in CODE_COLUMNS.items()
        }

    def server_now(self, conn: Connection) -> datetime:
        # clock_timestamp(), not now(): now() is when the transaction began, and a sign-in that
        # waited on another's row lock would read a time before the window that one opened
        # (and reset its count: a lost failure under concurrent tries)
        value: datetime = conn.execute(select(func.clock_timestamp())).scalar_one()
        return value.astimezone(UTC)

    def serialize(self, conn: Connection, name: str) -> None:
        # A transaction-level advisory lock on the name's 64-bit hash, released at commit.
        conn.execute(
            select(func.pg_advisory_xact_lock(func.hashtextextended(bindparam("name", name), 0)))
        )

    def read(self, engine: Engine) -> Connection:
        # One statement needs no BEGIN/ROLLBACK round trips on a server.
        return engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def insert(self, table: Any) -> Any:
        return postgresql_insert(table)

    def find_card(self, engine: Engine, code: str) -> CardRecord | None:
        with self.read(engine) as conn:
            row = conn.execute(self.find_by[len(code)], {"code": code}).first()
        return SERVER_ROW.decode(row) if row is not None else None

    def upsert(self, conn: Connection, rows: Sequence[CardValues], *, split: bool) -> int:
        keys = list({row[0] for row in rows})
        existing = 0
        for start in range(0, len(keys), IN_CHUNK):
            chunk = keys[start : start + IN_CHUNK]
            existing += conn.execute(
                select(func.count()).select_from(cards).where(cards.c.bhxh_number.in_(chunk))
            ).scalar_one()
        conn.exec_driver_sql(self.upsert_sql, rows)
        return len(keys) - existing

    def commit_checkin(self, engine: Engine, new: NewCheckin, fault: Fault) -> int:
        """Counter, check-in and audit row (and outbox event) in ONE statement, ONE round trip.

        A single statement is atomic on its own, so it runs without BEGIN/COMMIT round trips;
        a unique-key failure anywhere undoes every part (the counter included).
        """
        params = {**new.values, **{f"audit_{k}": v for k, v in new.audit.items()}}
        if new.event is not None:
            params.update({f"outbox_{k}": v for k, v in asdict(new.event).items()})
        with self.read(engine) as conn:
            number: int = conn.exec_driver_sql(self.commit_sql, params).scalar_one()
        return number

    def size_bytes(self, engine: Engine) -> int | None:
        with self.read(engine) as conn:
            value = conn.execute(select(func.pg_database_size(func.current_database()))).scalar()
        return int(value) if value is not None else None

    def oldest_running_transaction(self, engine: Engine) -> int | None:
        # A trigger notes in card_changes the transaction that last wrote each card (xid8).
        with engine.connect() as conn:
            value = conn.execute(
                text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text")
            ).scalar()
        return int(str(value))


def dialect_for(engine: Engine, *, outbox: bool = False) -> Dialect:
    """The dialect of ``engine``'s database; ``outbox``: check-ins also write their event."""
    return SqliteDialect() if engine.dialect.name == "sqlite" else PostgresDialect(outbox=outbox)


def _driver(conn: Connection) -> sqlite3.Connection:
    driver = conn.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    return driver


def _sqlite_value(value: object) -> object:
    """A value in the text form SQLAlchemy's SQLite types write (and read back)."""
    if isinstance(value, datetime):
        return sqlite_moment(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


_MAX_ROWID = "SELECT max(rowid) FROM cards"
# The indexed columns of an updated card, written only when they change (id_number keeps
# what we knew when the newer record has none, as in the upsert).
_SQLITE_RENUMBER = (
    "UPDATE cards SET card_number = ?2, id_number = COALESCE(?3, id_number) "
    "WHERE bhxh_number = ?1 AND (card_number IS NOT ?2 OR (?3 IS NOT NULL AND id_number IS NOT ?3))"
)
_SQLITE_FIND = {
    length: f"SELECT {', '.join(CARD_COLUMNS)} FROM cards WHERE {column} = ? LIMIT 1"  # noqa: S608
    for length, column in CODE_COLUMNS.items()
}
_SQLITE_COUNTER = (
    "INSERT INTO queue_counters (clinic, day, last) VALUES (?, ?, 1) "
    "ON CONFLICT (clinic, day) DO UPDATE SET last = queue_counters.last + 1 RETURNING last"
)
_AUDIT_COLUMNS = ("at", "actor", "action", "target", "before", "after")
_SQLITE_AUDIT = f"INSERT INTO audit_log ({', '.join(_AUDIT_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)"  # noqa: S608


def _pg_commit_sql(*, outbox: bool = False) -> str:
    """The one-statement check-in for PostgreSQL (driver placeholders, constant names only).

    With ``outbox`` the statement also writes the check-in's event for the HIS, its payload
    given the allocated number (still one statement, still atomic).
    """
    chosen = ", ".join("n.last" if c == "queue_number" else f"%({c})s" for c in CHECKIN_COLUMNS)
    event = (
        ", o AS ("
        " INSERT INTO outbox (event_id, kind, checkin_id, patient_key, payload, created_at,"
        " state, attempts, next_attempt_at)"
        " SELECT %(outbox_event_id)s, %(outbox_kind)s, c.id, %(outbox_patient_key)s,"
        " jsonb_set(CAST(%(outbox_payload)s AS jsonb), '{queue_number}',"
        " to_jsonb(c.queue_number))::text, %(outbox_created_at)s, %(outbox_state)s, 0,"
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
        f" INSERT INTO checkins ({', '.join(CHECKIN_COLUMNS)}) SELECT {chosen} FROM n"
        " RETURNING id, queue_number"
        f"){event} INSERT INTO audit_log (at, actor, action, target, before, after)"
        " SELECT %(audit_at)s, %(audit_actor)s, %(audit_action)s, c.id, %(audit_before)s,"
        " jsonb_set(CAST(%(audit_after)s AS jsonb), '{number}', to_jsonb(c.queue_number))::text"
        " FROM c RETURNING (SELECT queue_number FROM c)"
    )
