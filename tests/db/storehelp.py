"""Migrated stores for the db tests: on an SQLite file, or on a fresh PostgreSQL database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from db.store import SqlStore
from db.store.engine import create_kiosk_engine
from db.store.migrate import upgrade
from tests.builders import ZONE
from tests.db.pg import fresh_database


def open_sqlite_store(
    folder: Path, name: str = "kiosk.db", busy_timeout_ms: int = 5000, **store_args: Any
) -> SqlStore:
    """The store on the SQLite file ``folder/name``, migrated (made first when missing)."""
    engine = create_kiosk_engine(f"sqlite:///{folder / name}", busy_timeout_ms)
    upgrade(engine)
    return SqlStore(engine, zone=ZONE, **store_args)


@contextmanager
def migrated_store(kind: str, folder: Path, **store_args: Any) -> Iterator[SqlStore]:
    """A freshly migrated store, disposed afterwards: ``sqlite`` (a file in ``folder``) or
    ``postgresql`` (a new database on KIOSK_TEST_DATABASE_URL's server, skipped without it)."""
    if kind == "sqlite":
        store = open_sqlite_store(folder, **store_args)
        try:
            yield store
        finally:
            store.dispose()
        return
    server = os.environ.get("KIOSK_TEST_DATABASE_URL")
    if not server:
        pytest.skip("KIOSK_TEST_DATABASE_URL is not set: no PostgreSQL server to test against")
    with fresh_database(server) as url:
        engine = create_kiosk_engine(url)
        upgrade(engine)
        store = SqlStore(engine, zone=ZONE, **store_args)
        try:
            yield store
        finally:
            store.dispose()
