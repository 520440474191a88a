"""Benchmark: full sync of N cards from the simulator into an empty SQLite cache, and an
incremental sync of 10,000 changes into it, beside raw ``sqlite3`` inserts of the same rows.

Run: ``python -m tests.bench.bench_sync [--cards 1000000] [--page 20000]``. The simulator runs
in this process (threads); each sync runs in a child process whose peak RSS is measured with
``resource.getrusage``. Two references: raw inserts into a table indexed as the cache is, and
the same with the secondary indexes built after the rows (what the sync's first load into an
empty cache does, see ``SqlStore.begin_bulk_load``); both with the kiosk engine's pragmas.
Goals: >= 150,000 cards/s, peak RSS <= 300 MB, incremental <= 1 s.
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def child(url: str, db_path: str, page: int) -> None:
    """One sync in this process; prints its figures as JSON."""
    from datetime import UTC, datetime

    from db.cards.sync import sync
    from db.insurance.feed import FeedClient
    from db.insurance.http import HttpTransport, TokenCache
    from db.store import SqlStore
    from db.store.engine import create_kiosk_engine
    from db.store.migrate import upgrade
    from kiosk.clock import SystemClock
    from tests.db.simhelp import CREDENTIALS

    engine = create_kiosk_engine(f"sqlite:///{db_path}")
    upgrade(engine)
    store = SqlStore(engine)
    http = HttpTransport(read_timeout_s=120)
    feed = FeedClient(http, TokenCache(http, url, CREDENTIALS, SystemClock()), url, page)
    started = time.perf_counter()
    summary = sync(store, feed, now=lambda: datetime.now(UTC))
    seconds = time.perf_counter() - started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    store.dispose()
    print(json.dumps({**summary.as_json(), "wall": seconds, "peak_rss_mb": round(rss_mb, 1)}))


def run_child(url: str, db_path: Path, page: int) -> dict[str, float]:
    child = [sys.executable, "-m", "tests.bench.bench_sync", "--child", url, str(db_path)]
    done = subprocess.run(
        [*child, "--page", str(page)],
        cwd=ROOT,  # the repository root: ``tests`` and the kiosk's packages import from there
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"sync child failed: {done.stderr.strip().splitlines()[-1:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def raw_sqlite(
    population: object, cards: int, db_path: Path, batch: int, *, index_after: bool = False
) -> float:
    """Seconds to insert the same rows with plain sqlite3 executemany (the reference), with the
    kiosk engine's pragmas (WAL, synchronous NORMAL, 64 MB page cache). ``index_after``: the
    two secondary indexes are built after the rows, as the sync's first load does."""
    from db.insurance.population import FIELDS, Population

    assert isinstance(population, Population)
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA cache_size=-65536")
    columns = ", ".join(FIELDS)
    conn.execute(f"CREATE TABLE cards ({columns}, PRIMARY KEY (maSoBHXH))")
    indexes = (
        "CREATE UNIQUE INDEX cards_the ON cards (maThe)",  # unique, as the cache's
        "CREATE INDEX cards_cccd ON cards (soCCCD)",
    )
    if not index_after:
        for sql in indexes:
            conn.execute(sql)
    sql = f"INSERT INTO cards VALUES ({', '.join('?' * len(FIELDS))})"
    spent = 0.0
    for start in range(0, cards, batch):
        rows = [population.fields(i) for i in range(start, min(cards, start + batch))]
        began = time.perf_counter()
        with conn:
            conn.executemany(sql, rows)
        spent += time.perf_counter() - began
    if index_after:
        began = time.perf_counter()
        with conn:
            for sql in indexes:
                conn.execute(sql)
        spent += time.perf_counter() - began
    conn.close()
    return spent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=1_000_000)
    parser.add_argument("--page", type=int, default=20_000)  # 50,000: ~285 MB peak
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--child", nargs=2, metavar=("URL", "DB"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.page)
        return

    from db.insurance.population import Population
    from db.insurance.simulator import Faults, SimState, start_simulator

    population = Population(args.cards, seed=1)
    server, url = start_simulator(state=SimState(population, Faults()))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "cache.db"
            full = run_child(url, db, args.page)
            population.add_changes(args.changes)
            incremental = run_child(url, db, args.page)
            reference_s = raw_sqlite(population, args.cards, Path(tmp) / "raw.db", args.page)
            after_s = raw_sqlite(
                population, args.cards, Path(tmp) / "raw2.db", args.page, index_after=True
            )
    finally:
        server.shutdown()
        server.server_close()
    rate = args.cards / full["wall"]
    figures = {
        "bench": "sync",
        "cards": args.cards,
        "page": args.page,
        "full_sync_s": round(full["wall"], 2),
        "full_sync_cards_per_s": round(rate),
        "full_sync_peak_rss_mb": full["peak_rss_mb"],
        "raw_sqlite3_insert_s": round(reference_s, 2),
        "raw_sqlite3_cards_per_s": round(args.cards / reference_s),
        "sync_vs_raw_insert": round(full["wall"] / reference_s, 2),
        "raw_sqlite3_index_after_s": round(after_s, 2),
        "raw_sqlite3_index_after_cards_per_s": round(args.cards / after_s),
        "sync_vs_raw_index_after": round(full["wall"] / after_s, 2),
        "incremental_changes": args.changes,
        "incremental_s": round(incremental["wall"], 3),
        "incremental_peak_rss_mb": incremental["peak_rss_mb"],
        "goal_cards_per_s": 150_000,
        "goal_rss_mb": 300,
        "goal_incremental_s": 1.0,
        "meets_rate": rate >= 150_000,
        "meets_rss": full["peak_rss_mb"] <= 300,
        "meets_incremental": incremental["wall"] <= 1.0,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
