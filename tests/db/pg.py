"""Throw-away PostgreSQL databases on the server of KIOSK_TEST_DATABASE_URL: an empty one per
test (:func:`fresh_database`), or a migrated one from this process's pool
(:func:`migrated_database`)."""

from __future__ import annotations

import atexit
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import URL, make_url

from db.store.engine import create_kiosk_engine
from db.store.migrate import upgrade

# What a migrated database's schema is, in one row: a test that changed the schema (or left
# something behind that emptying does not undo) gives its database back with another answer,
# and that database is dropped instead of used again.
_SCHEMA_PRINT = text(
    """
    SELECT (SELECT string_agg(version_num, ',') FROM alembic_version),
           (SELECT md5(string_agg(table_name || '.' || column_name || ':' || data_type || ':'
                                  || coalesce(character_maximum_length::text, '') || ':'
                                  || is_nullable || ':' || coalesce(column_default, ''),
                                  ',' ORDER BY table_name, column_name))
              FROM information_schema.columns WHERE table_schema = 'public'),
           (SELECT md5(string_agg(indexdef, ',' ORDER BY indexdef))
              FROM pg_indexes WHERE schemaname = 'public'),
           (SELECT md5(string_agg(trigger_name || event_manipulation || event_object_table,
                                  ',' ORDER BY trigger_name, event_manipulation))
              FROM information_schema.triggers WHERE trigger_schema = 'public'),
           (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = 'public')
    """
)
_TABLES = text(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
    "AND table_type = 'BASE TABLE' AND table_name <> 'alembic_version' ORDER BY table_name"
)


def _server(server_url: str) -> URL:
    url = make_url(server_url)
    return url if url.get_driver_name() == "psycopg" else url.set(drivername="postgresql+psycopg")


def _admin(server_url: str) -> Engine:
    return create_engine(_server(server_url), isolation_level="AUTOCOMMIT")


def _drop(admin: Engine, name: str) -> None:
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def fresh_database(server_url: str, prefix: str = "kiosk_store") -> Iterator[str]:
    """Create a uniquely named empty database, yield its URL, drop it afterwards."""
    url = _server(server_url)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = _admin(server_url)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        _drop(admin, name)
        admin.dispose()


class _Pool:
    """This process's migrated databases that no test holds: emptied, schema as migrated.

    Making one (CREATE DATABASE, every migration, DROP at the end) costs about 0.3 s of a
    test's time; emptying one for the next test (TRUNCATE of every table, identities
    restarted) about 0.05 s. The databases are dropped when the process exits."""

    def __init__(self) -> None:
        self.free: dict[str, list[str]] = {}  # server URL → its free databases' URLs
        self.made: list[tuple[str, str]] = []  # (server URL, database name)
        self.schema_print: tuple[object, ...] | None = None
        atexit.register(self.drop_all)

    def take(self, server_url: str) -> str:
        if self.free.get(server_url):
            return self.free[server_url].pop()
        url = _server(server_url)
        name = f"kiosk_pool_{uuid.uuid4().hex[:12]}"
        admin = _admin(server_url)
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()
        self.made.append((server_url, name))
        made = url.set(database=name).render_as_string(hide_password=False)
        engine = create_kiosk_engine(made)
        try:
            upgrade(engine)
            with engine.connect() as conn:
                printed = tuple(conn.execute(_SCHEMA_PRINT).one())
            self.schema_print = self.schema_print or printed
        finally:
            engine.dispose()
        return made

    def give_back(self, server_url: str, database_url: str) -> None:
        """Empty the database for the next test, or drop it if it is not as migrated."""
        name = make_url(database_url).database
        assert name is not None
        admin = _admin(server_url)
        try:
            with admin.connect() as conn:  # whatever the test left connected
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                )
            engine = create_engine(database_url)
            try:
                with engine.begin() as conn:
                    emptied = self._emptied(conn)
            finally:
                engine.dispose()
            if emptied:
                self.free.setdefault(server_url, []).append(database_url)
            else:
                _drop(admin, name)
        finally:
            admin.dispose()

    def _emptied(self, conn: Connection) -> bool:
        if tuple(conn.execute(_SCHEMA_PRINT).one()) != self.schema_print:
            return False
        tables = ", ".join(f'"{name}"' for name in conn.execute(_TABLES).scalars())
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        return True

    def drop_all(self) -> None:
        for server_url, name in self.made:
            admin = _admin(server_url)
            try:
                _drop(admin, name)
            except Exception:  # the server may be gone at exit: nothing left to do
                pass
            finally:
                admin.dispose()


_POOL = _Pool()


@contextmanager
def migrated_database(server_url: str) -> Iterator[str]:
    """A database at the newest migration with no rows, for the block (yields its URL).

    From this process's pool: the tables are emptied afterwards (identities restarted) and
    the database serves the next test; one whose schema the test changed is dropped."""
    url = _POOL.take(server_url)
    try:
        yield url
    finally:
        _POOL.give_back(server_url, url)
