"""The sync against the real simulator: exact results, resumable after SIGKILL, under faults."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import time
from contextlib import closing
from multiprocessing.process import BaseProcess
from pathlib import Path

import pytest

from db.cards.sync import SyncLimitError, SyncProgress, sync
from db.insurance.feed import FeedError
from db.insurance.simulator import DEFAULT_PASSWORD, Faults
from db.insurance.simulator import _is_bad as is_bad_position
from db.store import SqlStore
from tests.conftest import REPO_ROOT, run_cli_command
from tests.db.clihelp import KillAt, start_cli_child
from tests.db.simhelp import (
    cache_checksum,
    feed_client,
    simulator,
    source_checksum,
)
from tests.db.storehelp import open_sqlite_store
from tests.fakes import CursorFeed, ListFeed, hostile_feed

CONFIG = """
[database]
url = "sqlite:///{db}"

[[clinics]]
code = "NOI"
name_vi = "Khám Nội"

[insurance]
feed_url = "{url}"
username = "79024_BV"
page_size = {page}
retries = 8
allow_http = true
"""


def _config(tmp_path: Path, url: str, page: int = 500) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG.format(db=tmp_path / "kiosk.db", url=url, page=page))
    return path


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO_ROOT), "KIOSK_GATEWAY_PASSWORD": DEFAULT_PASSWORD}


def test_full_sync_matches_the_source_and_resyncing_changes_nothing(tmp_path: Path) -> None:
    with simulator(3000, seed=5, changes=600) as (state, url):
        store = open_sqlite_store(tmp_path)
        seen: list[SyncProgress] = []
        summary = sync(store, feed_client(url, page_size=400), progress=seen.append)
        assert cache_checksum(store) == source_checksum(state.population)
        assert summary.added >= 3000  # a removed card that comes back counts again
        assert summary.removed > 0
        assert summary.updated > 0
        assert seen[-1].records == 3600
        assert not seen[-1].has_more
        again = sync(store, feed_client(url, page_size=400))
        assert (again.added, again.updated, again.removed) == (0, 0, 0)
        state.population.add_changes(300)
        later = sync(store, feed_client(url, page_size=400))
        assert later.added + later.updated + later.removed > 0
        assert cache_checksum(store) == source_checksum(state.population)
        full = sync(store, feed_client(url, page_size=400), full=True)
        assert full.updated > 2000  # every present card comes again
        assert cache_checksum(store) == source_checksum(state.population)
        store.dispose()


def test_cancel_stops_between_pages(tmp_path: Path) -> None:
    with simulator(2000) as (_state, url):
        store = open_sqlite_store(tmp_path)
        summary = sync(store, feed_client(url, page_size=500), cancel=lambda: True)
        assert summary.cancelled
        assert summary.added == 500
        state = store.get_sync_state("feed")
        assert state is not None
        assert state.cursor == "500"
        store.dispose()


def _saved_cursor(database: Path) -> str | None:
    """The feed cursor committed in ``database`` now (None before the first page)."""
    try:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)) as conn:
            row = conn.execute("SELECT cursor FROM sync_state WHERE source = 'feed'").fetchone()
    except sqlite3.Error:  # no file or no table yet: the first run is still starting up
        return None
    return None if row is None else row[0]


def _next_cursor(process: BaseProcess, database: Path, since: str | None) -> str | None:
    """Wait until the running sync commits a cursor other than ``since``; that cursor, or
    None when the process ended (or a minute passed) first."""
    deadline = time.monotonic() + 60
    while process.is_alive() and time.monotonic() < deadline:
        cursor = _saved_cursor(database)
        if cursor != since:
            return cursor
        time.sleep(0.002)
    return None


@pytest.mark.slow
def test_sigkill_at_20_moments_then_exact(tmp_path: Path) -> None:
    rng = random.Random(20)
    with simulator(18_000, seed=9, changes=3000) as (state, url):
        config = _config(tmp_path, url, page=250)
        database = tmp_path / "kiosk.db"
        command = ["--config", str(config), "sync", "--json"]
        mid_run = 0
        for kill in range(20):
            cursor = _saved_cursor(database)
            pages = rng.randint(1, 3)
            if kill % 2 == 0:
                # Every other kill at the named point: the 1st to 3rd page of this run written
                # with its cursor, not yet committed, where a cursor committed apart from its
                # page would lose that page. No timing decides where this one lands.
                at = KillAt("db.store.cards", "page_written", pages)
                process = start_cli_child(command, _env(), kill_at=at)
                process.join(60)
                mid_run += process.exitcode == -signal.SIGKILL
                continue
            process = start_cli_child(command, _env())
            # The others at a random moment once this run has applied a page (its cursor
            # moved: a kill during start-up proves nothing): just after the 1st to 3rd cursor
            # this run commits, while the next page is being applied.
            for _ in range(pages):
                cursor = _next_cursor(process, database, cursor)
                if cursor is None:
                    break
            time.sleep(rng.uniform(0.0, 0.01))  # a random moment, not a wait for something
            if process.is_alive() and cursor is not None:
                mid_run += 1
            process.kill()
            process.join()
        assert mid_run >= 15  # every named kill and most random ones landed inside a sync
        final = run_cli_command(["--config", str(config), "sync", "--json"], env=_env())
        assert final.returncode == 0, final.stderr.decode()
        store = open_sqlite_store(tmp_path)
        assert cache_checksum(store) == source_checksum(state.population)
        store.dispose()


@pytest.mark.slow
def test_completes_with_30_percent_5xx_and_200ms_latency(tmp_path: Path) -> None:
    faults = Faults(latency_ms=200, error_rate=0.3)
    with simulator(2000, seed=2, changes=200, faults=faults) as (state, url):
        store = open_sqlite_store(tmp_path)
        summary = sync(store, feed_client(url, page_size=250, retries=12))
        assert summary.rejected == 0
        assert cache_checksum(store) == source_checksum(state.population)
        assert state.counts["changes"] > 9  # some pages needed retries
        store.dispose()


def test_bad_records_and_truncated_pages(tmp_path: Path) -> None:
    faults = Faults(bad_record_rate=0.02, truncate_rate=0.25)
    with simulator(4000, seed=4, faults=faults) as (state, url):
        store = open_sqlite_store(tmp_path)
        summary = sync(store, feed_client(url, page_size=500, retries=12))
        bad = {p for p in range(4000) if is_bad_position(state, p)}
        assert summary.rejected == len(bad) > 0
        assert summary.added == 4000 - len(bad)
        for position in (0, 1, 2, 3999):
            if position not in bad:
                found = store.find_card(state.population.bhxh_number(position))
                assert found is not None
        for position in list(bad)[:5]:
            assert store.find_card(state.population.bhxh_number(position)) is None
        store.dispose()


def test_cli_summary_json_and_failure_line(tmp_path: Path) -> None:
    with simulator(1200) as (_state, url):
        config = _config(tmp_path, url)
        done = run_cli_command(["--config", str(config), "sync", "--json"], env=_env())
        assert done.returncode == 0, done.stderr.decode()
        summary = json.loads(done.stdout.decode().strip().splitlines()[-1])
        assert set(summary) == {"added", "updated", "removed", "rejected", "seconds"}
        assert summary["added"] == 1200
    # no retries: the closed port's answer is the same on the first try and the eighth
    failed = run_cli_command(
        ["--config", str(config), "sync", "--url", "http://127.0.0.1:9"],
        env={**_env(), "KIOSK_INSURANCE_RETRIES": "0"},
    )
    assert failed.returncode == 1
    lines = failed.stderr.decode().strip().splitlines()
    assert len(lines) == 1
    assert "cannot reach" in lines[0]
    no_secret = run_cli_command(
        ["--config", str(config), "sync"], env={**_env(), "KIOSK_GATEWAY_PASSWORD": ""}
    )
    assert no_secret.returncode == 2
    assert "KIOSK_GATEWAY_PASSWORD" in no_secret.stderr.decode()


def test_first_load_that_moves_a_card_number_ends_as_an_ordinary_sync(tmp_path: Path) -> None:
    shared = "DN479ABCDE12345"  # letters in the tail: any BHXH number may carry it
    first = {"maThe": shared, "maSoBHXH": "7900000001", "hoTen": "Lê Thị Ánh"}
    second = {"maThe": shared, "maSoBHXH": "7900000002", "hoTen": "Trần Văn Bảo"}
    other = {"maThe": "HS4797900000003", "hoTen": "Phạm Ngọc Châu"}
    store = open_sqlite_store(tmp_path)
    summary = sync(store, ListFeed([[first, other], [second]]))
    # as page by page with every index: the later claim keeps the number, the first card goes
    found = store.find_card(shared)
    assert found is not None
    assert found.bhxh_number == "7900000002"
    assert store.find_card("7900000001") is None
    assert store.count_cards() == 2
    assert (summary.added, summary.removed) == (3, 1)
    state = store.get_sync_state("feed")
    assert state is not None
    assert state.cursor == "2"
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE tbl_name = 'cards'")
        assert {"uq_cards_card_number", "ix_cards_id_number"} <= {name for (name,) in rows}
    store.dispose()


def test_nul_and_bidi_controls_in_a_feed_are_stripped_on_both_databases(store: SqlStore) -> None:
    # PostgreSQL refuses a NUL in text: unstripped, every sync failed at this page for good.
    plain = {"maThe": "HS4797900000012", "hoTen": "Trần Văn Bảo"}
    poisoned = {
        "maThe": "HS4797900000011",
        "hoTen": "Lê\x00 Thị\u202e Ánh\u200f",
        "diaChi": "Số 5\x00 Lê\u2066 Lợi\r\nQuận 3\x07",
        "maDKBD": "79\x00024",
    }
    summary = sync(store, CursorFeed([([poisoned, plain], "1", False)]))
    assert (summary.added, summary.rejected) == (2, 0)
    found = store.find_card("7900000011")
    assert found is not None
    assert found.name == "Lê Thị Ánh"
    assert found.address == "Số 5 Lê Lợi  Quận 3"
    assert found.facility_code == "79024"
    state = store.get_sync_state("feed")
    assert state is not None
    assert state.cursor == "1"


def test_a_cursor_over_1_kb_is_an_error_and_never_saved(sqlite_store: SqlStore) -> None:
    card = {"maThe": "HS4797900000021", "hoTen": "Phạm Ngọc Châu"}
    later = {"maThe": "HS4797900000022", "hoTen": "Đỗ Minh Khang"}
    feed = CursorFeed([([card], "page-1", True), ([later], "x" * 1025, True)])
    with pytest.raises(FeedError, match="longer than 1024 bytes") as caught:
        sync(sqlite_store, feed)
    assert "x" * 50 not in str(caught.value)
    state = sqlite_store.get_sync_state("feed")
    assert state is not None
    assert state.cursor == "page-1"  # the page before stays applied; the long cursor is not kept
    assert sqlite_store.find_card("7900000022") is None
    control = CursorFeed([([card], "page\x00-2", True)])
    with pytest.raises(FeedError, match="control characters"):
        sync(sqlite_store, control)


def test_a_feed_stuck_on_one_cursor_stops_at_once(sqlite_store: SqlStore) -> None:
    with hostile_feed("stuck") as server:
        started = time.monotonic()
        with pytest.raises(SyncLimitError, match="not moving on"):
            sync(sqlite_store, feed_client(server.url), max_pages=1000, deadline_s=60)
        took = time.monotonic() - started
        asked = server.pages
    assert took < 2.0
    assert asked <= 3  # the first page, the same cursor again, at most one prefetched
    state = sqlite_store.get_sync_state("feed")
    assert state is not None
    assert state.cursor == "7"
    # the indexes of the first load are built even though the run stopped
    with sqlite_store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE tbl_name = 'cards'")
        assert "uq_cards_card_number" in {name for (name,) in rows}


def test_an_endless_feed_stops_at_max_pages_then_at_the_deadline(sqlite_store: SqlStore) -> None:
    with hostile_feed("endless") as server:
        with pytest.raises(SyncLimitError, match=r"after 5 pages \(sync\.max_pages\)"):
            sync(sqlite_store, feed_client(server.url), max_pages=5)
        assert server.pages <= 7
        assert sqlite_store.count_cards() == 5
        ticks = iter(range(0, 1000, 10))  # a clock that moves 10 s each time it is read
        with pytest.raises(SyncLimitError, match=r"sync\.deadline_s"):
            sync(sqlite_store, feed_client(server.url), deadline_s=35, clock=lambda: next(ticks))
        assert (
            sqlite_store.count_cards() == 9
        )  # read at the start, then after pages at 10..40 s: 4 more


def test_cli_names_the_limit_and_keeps_what_was_applied(tmp_path: Path) -> None:
    with hostile_feed("stuck") as server:
        config = _config(tmp_path, server.url)
        result = run_cli_command(["--config", str(config), "sync"], env=_env(), timeout=30)
    assert result.returncode == 1
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1
    assert "not moving on" in lines[0]
