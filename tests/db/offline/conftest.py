"""Fixtures of the offline tests: the kiosk's own journal, and central with its HIS outbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from db.store import SqlStore
from tests.builders import ZONE
from tests.db.offline.test_offline import MORNING, journal_store
from tests.fakes import FakeClock


@pytest.fixture
def journal(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[SqlStore]:
    """A kiosk's journal (series A, its clock at MORNING) on a fresh SQLite file; a test
    module with ``JOURNAL_OUTBOX = True`` gets the journal of a kiosk with a HIS (its
    outbox on)."""
    made = journal_store(tmp_path, outbox=getattr(request.module, "JOURNAL_OUTBOX", False))
    yield made
    made.dispose()


@pytest.fixture
def central(store: SqlStore) -> SqlStore:
    """Central with its HIS outbox on (the same database as ``store``)."""
    return SqlStore(store.engine, zone=ZONE, clock=FakeClock(MORNING), outbox=True)
