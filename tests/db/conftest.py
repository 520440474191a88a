"""Fixtures of the db tests: a migrated store on SQLite, and on PostgreSQL when configured."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from db.store import SqlStore
from tests.db.storehelp import migrated_store


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
