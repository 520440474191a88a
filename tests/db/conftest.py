"""Fixtures of the db tests: a migrated store on SQLite, and on PostgreSQL when configured."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.engine import create_kiosk_engine
from db.migrate import upgrade
from db.store import SqlStore
from tests.db.pg import fresh_database
from tests.db.storehelp import ZONE, sqlite_store


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    """A freshly migrated store, once on an SQLite file and once on a new PostgreSQL database."""
    if request.param == "sqlite":
        sql = sqlite_store(tmp_path)
        yield sql
        sql.dispose()
        return
    server = os.environ.get("KIOSK_TEST_DATABASE_URL")
    if not server:
        pytest.skip("KIOSK_TEST_DATABASE_URL is not set: no PostgreSQL server to test against")
    with fresh_database(server) as url:
        engine = create_kiosk_engine(url)
        upgrade(engine)
        pg = SqlStore(engine, zone=ZONE)
        yield pg
        pg.dispose()
