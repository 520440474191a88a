"""Build the SQLAlchemy engine for the kiosk database (SQLite file or PostgreSQL).

SQLite is tuned for one kiosk with several processes: WAL (readers never block the writer), a
busy timeout (writers wait their turn instead of failing), foreign keys on, ``synchronous =
FULL`` (WAL with NORMAL survives a killed process but not a power cut: the last check-ins could
roll back after their slips were handed out, and their numbers be given again), and every
write transaction opened with ``BEGIN IMMEDIATE`` so two
writers queue at the start rather than deadlocking on a lock upgrade. The file and its folder
are created readable by their owner only: they hold personal data.

Nothing here runs at import; composition roots call :func:`create_kiosk_engine`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry

# Execution option: open the transaction with a plain deferred BEGIN (a read that must not
# queue behind writers). Set with ``engine.connect().execution_options(**READ_ONLY)``.
READ_ONLY = {"kiosk_read_only": True}


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL, or None for PostgreSQL and in-memory databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _prepare_sqlite_file(path: Path) -> None:
    folder = path.parent
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        # Create the file ourselves so it never exists with a wider mode, even briefly.
        descriptor = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(descriptor)
        path.chmod(0o600)


SYNCHRONOUS = ("FULL", "NORMAL")  # NORMAL only for the benchmark's comparison


def create_kiosk_engine(
    url: str,
    busy_timeout_ms: int = 5000,
    connect_timeout_s: float | None = None,
    synchronous: str = "FULL",
) -> Engine:
    """An engine for ``url`` with the kiosk's connection settings.

    SQLite URLs (``sqlite:///path``) get the file created with mode 0600 and the pragmas
    above; PostgreSQL URLs (``postgresql+psycopg://...``) use psycopg 3. A bare
    ``postgresql://`` URL is read as psycopg 3 too. ``connect_timeout_s`` bounds how long a
    server may take to accept a connection, and how long sent data may stay unacknowledged
    on an open one (a dropped network then fails a call instead of hanging it).
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if synchronous not in SYNCHRONOUS:
            raise ValueError(f"synchronous must be one of {', '.join(SYNCHRONOUS)}")
        return _sqlite_engine(url, busy_timeout_ms, synchronous)
    if backend == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            parsed = parsed.set(drivername="postgresql+psycopg")
        connect_args: dict[str, Any] = {"connect_timeout": max(1, busy_timeout_ms // 1000)}
        if connect_timeout_s is not None:
            connect_args["connect_timeout"] = max(1, round(connect_timeout_s))
            connect_args["tcp_user_timeout"] = max(1000, int(connect_timeout_s * 1000))
        # No pool_pre_ping: it costs a round trip per checkout. A connection found dead is
        # invalidated by SQLAlchemy and SqlStore retries that one call on a fresh connection.
        return create_engine(parsed, connect_args=connect_args)
    raise ValueError(f"unsupported database URL {parsed.render_as_string(hide_password=True)}")


def _sqlite_engine(url: str, busy_timeout_ms: int, synchronous: str) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        _prepare_sqlite_file(path)
    engine = create_engine(
        url,
        connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        if path is not None:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA synchronous = {synchronous}")
        cursor.execute("PRAGMA foreign_keys = ON")
        # A 64 MB page cache (allocated only as used) keeps the card indexes' hot pages in
        # memory: bulk upserts into random keys run about 1.5x faster than with the 2 MB default.
        cursor.execute("PRAGMA cache_size = -65536")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        options: dict[str, Any] = dict(connection.get_execution_options())
        if options.get("kiosk_read_only"):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
