"""Queue numbers under the hard cases: local midnight, a killed process, a locked or absent DB."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from db.store import SqlStore
from db.store.engine import create_kiosk_engine
from kiosk.clock import local_day
from kiosk.model import CheckIn
from kiosk.ports import StoreError
from tests.builders import ZONE, card, draft
from tests.db.storehelp import open_sqlite_store
from tests.fakes import FakeClock

ROOT = Path(__file__).resolve().parents[3]


def test_local_midnight_resets_numbers(store: SqlStore) -> None:
    clock = FakeClock(datetime(2026, 11, 25, 2, 0, tzinfo=UTC))  # 09:00 local

    def commit(key: str, clinic: str = "NOI") -> tuple[str, int]:
        checkin = store.commit_checkin(
            draft(key, clinic, day=local_day(clock, ZONE), created_at=clock.now())
        )
        return checkin.local_day.isoformat(), checkin.queue_number

    assert commit("a") == ("2026-11-25", 1)
    clock.set(datetime(2026, 11, 25, 16, 59, tzinfo=UTC))  # 23:59 local, same UTC day
    assert commit("b") == ("2026-11-25", 2)
    assert commit("b-nhi", "NHI") == ("2026-11-25", 1)  # another clinic counts on its own
    clock.advance(minutes=1)  # 00:00 local on the 26th, still the 25th in UTC
    assert commit("c") == ("2026-11-26", 1)
    assert commit("d") == ("2026-11-26", 2)
    assert commit("e", "NHI") == ("2026-11-26", 1)
    clock.set(datetime(2026, 11, 26, 0, 30, tzinfo=UTC))  # UTC midnight passed: same local day
    assert commit("f") == ("2026-11-26", 3)


def test_locked_database_gives_store_error_and_loses_nothing(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path, busy_timeout_ms=200)
    store.save_card(card(1))
    first = store.commit_checkin(draft("k1"))
    holder = sqlite3.connect(tmp_path / "kiosk.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError, match="locked"):
            store.commit_checkin(draft("k2", n=2))
        with pytest.raises(StoreError, match="locked"):
            store.save_card(card(2))
        # WAL: readers are not blocked by the writer
        assert store.find_card("7900000001") is not None
        assert store.get_checkin(first.id) == first
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    second = store.commit_checkin(draft("k2", n=2))
    assert second.queue_number == 2  # the failed attempt consumed no number
    store.dispose()


def test_unreachable_postgresql_gives_store_error() -> None:
    engine = create_kiosk_engine("postgresql+psycopg://kiosk:secret@127.0.0.1:1/kiosk", 1000)
    store = SqlStore(engine, zone=ZONE)
    with pytest.raises(StoreError, match="unreachable"):
        store.find_card("7900000001")
    with pytest.raises(StoreError, match="unreachable"):
        store.commit_checkin(draft("k1"))
    with pytest.raises(StoreError):
        store.existing_checkin("7900000001", "NOI", datetime(2026, 11, 25).date())
    store.dispose()


def test_damaged_sqlite_file_gives_store_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.db"
    path.write_bytes(b"this is not an SQLite database file at all" * 100)
    store = SqlStore(create_kiosk_engine(f"sqlite:///{path}"), zone=ZONE)
    with pytest.raises(StoreError, match="not a database"):
        store.commit_checkin(draft("k1"))
    store.dispose()


WORKER = """
import os, signal, sys
from datetime import UTC, datetime
from db.store.engine import create_kiosk_engine
from db.store import SqlStore
from tests.builders import ZONE, draft
tag = sys.argv[2]
kill_at = int(sys.argv[3])  # 0: never kill itself
done = 0

def fault(point):
    # A number is taken and its check-in not yet written: die here, at this exact moment.
    if point == "counter" and kill_at and done + 1 == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)

store = SqlStore(create_kiosk_engine(sys.argv[1]), zone=ZONE, fault=fault)
while True:
    checkin = store.commit_checkin(draft(f"{tag}-{done}", n=done % 50))
    print(checkin.queue_number, flush=True)
    done += 1
"""
KILL_AT = 60  # the victim dies inside its 60th allocation


def test_sigkill_during_allocations_leaves_no_half_checkin(store: SqlStore) -> None:
    sqlite = store.engine.dialect.name == "sqlite"
    url = store.engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # On SQLite the victim kills itself between the counter and the check-in insert (the
    # store's fault point), every run. PostgreSQL allocates in ONE statement, which has no
    # such moment: there the victim is killed from outside while it commits non-stop.
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, tag, str(KILL_AT if tag == "a" and sqlite else 0)],
            stdout=subprocess.PIPE if tag == "a" else subprocess.DEVNULL,
            env=env,
            cwd=ROOT,
        )
        for tag in ("a", "b")
    ]
    try:
        seen: list[int] = []
        victim = workers[0]
        assert victim.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (sqlite or len(seen) < 100):
            line = victim.stdout.readline()
            if not line:
                break  # it died (on SQLite: by its own hand, at the fault point)
            seen.append(int(line))
        if not sqlite:
            victim.send_signal(signal.SIGKILL)  # mid-stream: it was committing non-stop
        victim.wait()
        assert victim.returncode == -signal.SIGKILL
        if sqlite:
            assert len(seen) == KILL_AT - 1  # it died inside its next allocation, not elsewhere
        time.sleep(0.3)  # the other worker keeps allocating after the kill
    finally:
        for worker in workers:
            worker.kill()
            worker.wait()
            if worker.stdout is not None:
                worker.stdout.close()
    with store.engine.connect() as conn:
        if sqlite:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        numbers = [
            row[0]
            for row in conn.execute(text("SELECT queue_number FROM checkins ORDER BY queue_number"))
        ]
        audited = conn.execute(
            text("SELECT count(*) FROM audit_log a JOIN checkins c ON a.target = c.id")
        ).scalar()
        last = conn.execute(text("SELECT last FROM queue_counters")).scalar()
    # every number the killed worker reported is stored, numbers are 1..n without holes,
    # every check-in has its audit row, and the counter stands at the last number given
    assert set(seen) <= set(numbers)
    assert numbers == list(range(1, len(numbers) + 1))
    assert audited == len(numbers)
    assert last == len(numbers)
    after = store.commit_checkin(draft("after"))
    assert after.queue_number == len(numbers) + 1


def test_same_key_from_two_threads_gives_one_checkin(store: SqlStore) -> None:
    barrier = threading.Barrier(4)
    results: list[CheckIn] = []

    def commit() -> None:
        barrier.wait()
        results.append(store.commit_checkin(draft("same-key")))

    threads = [threading.Thread(target=commit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4
    assert {r.id for r in results} == {results[0].id}
    assert results[0].queue_number == 1
    assert store.commit_checkin(draft("next")).queue_number == 2  # no number was burnt
