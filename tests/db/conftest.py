"""Fixtures of the db tests: a migrated store on SQLite, and on PostgreSQL when configured; a
store with an outbox on a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from db.store import SqlStore
from tests.db.storehelp import migrated_store
from tests.fakes import FakeClock


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    """A freshly migrated store, once on an SQLite file and once on a new PostgreSQL database."""
    with migrated_store(request.param, tmp_path) as made:
        yield made


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SqlStore]:
    """A freshly migrated store on the SQLite file ``kiosk.db`` in the test's folder."""
    with migrated_store("sqlite", tmp_path) as made:
        yield made


@pytest.fixture
def clock() -> FakeClock:
    """10:00 on 25/11/2026 in Hồ Chí Minh City, until a test moves it."""
    return FakeClock(datetime(2026, 11, 25, 3, 0, tzinfo=UTC))


@pytest.fixture
def outbox_store(tmp_path: Path, clock: FakeClock) -> Iterator[SqlStore]:
    """A migrated SQLite store that writes outbox events, its time read from ``clock``."""
    with migrated_store("sqlite", tmp_path, clock=clock, outbox=True) as made:
        yield made
