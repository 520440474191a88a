"""The queue's watch: PostgreSQL NOTIFYs every call step and check-in (migration 0007's
triggers) to a LISTENing connection; on SQLite a poll of the store's version sees them."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from db.store import SqlStore
from db.store.calling import calling_store
from db.store.notify import ListenWatch, PollWatch, QueueWatch
from kiosk.calling import CallStep
from tests.builders import DAY, card, draft, patient
from tests.db.storehelp import migrated_store


@pytest.fixture
def pg_store(tmp_path: Path) -> Iterator[SqlStore]:
    with migrated_store("postgresql", tmp_path) as made:
        yield made


def later(work: Callable[[], object], after_s: float = 0.2) -> threading.Thread:
    def run() -> None:
        time.sleep(after_s)
        work()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def heard_within(watch: QueueWatch, work: Callable[[], object]) -> float:
    """Seconds from ``work`` (run in another thread) to the watch waking."""
    started = time.monotonic()
    thread = later(work)
    woke = watch.wait(5.0)
    took = time.monotonic() - started - 0.2
    thread.join()
    assert woke, "the watch slept through the change"
    return took


def check_in(store: SqlStore, n: int) -> None:
    store.commit_checkin(draft(key=f"n{n}", n=n, patient=patient(card(n))))


def test_postgresql_notifies_each_check_in_and_call(pg_store: SqlStore) -> None:
    calls = calling_store(pg_store)
    watch = ListenWatch(pg_store.engine)
    try:
        assert watch.wait(1.0)  # connected: whatever happened before was missed, look now
        assert not watch.wait(0.3)  # quiet
        assert heard_within(watch, lambda: check_in(pg_store, 1)) < 1.0
        assert heard_within(watch, lambda: calls.call_next("101", "NOI", DAY, 2)) < 1.0
        assert heard_within(watch, lambda: calls.step("101", CallStep.RECALL, DAY)) < 1.0
        assert not watch.wait(0.3)
    finally:
        watch.close()


def test_a_lost_listen_connection_comes_back(pg_store: SqlStore) -> None:
    watch = ListenWatch(pg_store.engine)
    try:
        assert watch.wait(1.0)
        with pg_store.engine.connect() as conn:
            conn.execute(  # this test's own database only: others run beside it
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND query LIKE 'LISTEN%' "
                    "AND pid <> pg_backend_pid()"
                )
            )
        assert watch.wait(2.0)  # the loss wakes the boards: they re-read
        assert watch.wait(2.0)  # reconnected
        assert heard_within(watch, lambda: check_in(pg_store, 2)) < 1.0
    finally:
        watch.close()


def test_sqlite_polls_the_version(sqlite_store: SqlStore) -> None:
    calls = calling_store(sqlite_store)
    watch = PollWatch(calls, lambda: DAY, interval_s=0.05)
    assert watch.wait(1.0)  # the first look
    assert not watch.wait(0.2)
    assert heard_within(watch, lambda: check_in(sqlite_store, 1)) < 0.5
    assert heard_within(watch, lambda: calls.call_next("101", "NOI", DAY, 2)) < 0.5
    watch.close()
    assert not watch.wait(1.0)
