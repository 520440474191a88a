"""Fixtures of the offline tests: the kiosk's own journal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from db.store import SqlStore
from tests.db.offline.test_offline import journal_store


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[SqlStore]:
    """A kiosk's journal (series A, its clock at MORNING) on a fresh SQLite file."""
    made = journal_store(tmp_path)
    yield made
    made.dispose()
