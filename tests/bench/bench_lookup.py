"""Card lookup latency at 1 M and 10 M cards, beside a raw ``sqlite3`` primary-key lookup.

The fixture is built with raw ``executemany`` (numbers in key order, so it takes seconds per
million), grown from the smaller size to the larger in place. At each size it measures
``SqlStore.find_card`` for a random mix of 15-character card numbers, 10-digit BHXH numbers and
12-digit CCCD numbers (each through its own index, 1 % of codes absent), and, as the
reference in the same run, ``SELECT * FROM cards WHERE bhxh_number = ?`` on a bare
``sqlite3`` connection. Goal: p99 <= 1 ms at 10 M cards.

    python -m tests.bench.bench_lookup [--cards 1000000,10000000] [--samples 20000]
                                    [--keep DIR]   # reuse/keep the fixture files

The last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from db.store import CARD_COLUMNS, SqlStore
from db.store.engine import create_kiosk_engine
from db.store.migrate import upgrade
from tests.bench import benchdata

CHUNK = 100_000


def grow(path: Path, target: int) -> float | None:
    """Fill the fixture up to ``target`` cards; returns the rate in cards/s (None: no work)."""
    if not path.exists():
        engine = create_kiosk_engine(f"sqlite:///{path}")
        upgrade(engine)
        engine.dispose()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")  # a fixture: speed over durability
    conn.execute("PRAGMA cache_size = -262144")
    have = conn.execute("SELECT count(*) FROM cards").fetchone()[0]
    marks = ", ".join("?" * len(CARD_COLUMNS))
    sql = f"INSERT INTO cards ({', '.join(CARD_COLUMNS)}) VALUES ({marks})"
    began = time.perf_counter()
    for start in range(have, target, CHUNK):
        conn.execute("BEGIN")
        conn.executemany(sql, benchdata.sqlite_rows(start, min(target, start + CHUNK)))
        conn.execute("COMMIT")
        print(f"\rfixture: {min(target, start + CHUNK):,} cards", end="", file=sys.stderr)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    print(file=sys.stderr)
    spent = time.perf_counter() - began
    return round((target - have) / spent) if target > have else None


def _timed(call: Callable[[str], object], codes: list[str]) -> list[float]:
    times = []
    clock = time.perf_counter_ns
    for code in codes:
        began = clock()
        call(code)
        times.append((clock() - began) / 1e6)
    return times


def _pct(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "p50_ms": round(statistics.median(ordered), 4),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1], 4),
        "max_ms": round(ordered[-1], 4),
    }


def measure(path: Path, n: int, samples: int, rng: random.Random) -> dict[str, object]:
    store = SqlStore(create_kiosk_engine(f"sqlite:///{path}"))
    raw = sqlite3.connect(path, isolation_level=None)
    kinds: dict[str, Callable[[int], str]] = {
        "card": benchdata.card_number,
        "bhxh": benchdata.bhxh_number,
        "cccd": benchdata.id_number,
    }
    mixed: list[tuple[str, str]] = []
    for _ in range(samples):
        kind = rng.choice(tuple(kinds))
        index = rng.randrange(n) if rng.random() > 0.01 else n + rng.randrange(n)  # 1 % absent
        mixed.append((kind, kinds[kind](index)))
    raw_codes = [benchdata.bhxh_number(rng.randrange(n)) for _ in range(samples)]

    def raw_lookup(code: str) -> object:
        return raw.execute("SELECT * FROM cards WHERE bhxh_number = ?", (code,)).fetchone()

    warm = [code for _, code in mixed[:2000]]
    _timed(store.find_card, warm)
    _timed(raw_lookup, raw_codes[:2000])
    # interleave the two so machine noise hits both alike
    store_times: list[float] = []
    raw_times: list[float] = []
    by_kind: dict[str, list[float]] = {k: [] for k in kinds}
    for start in range(0, samples, 1000):
        block = mixed[start : start + 1000]
        times = _timed(store.find_card, [code for _, code in block])
        store_times.extend(times)
        for (kind, _), spent in zip(block, times, strict=True):
            by_kind[kind].append(spent)
        raw_times.extend(_timed(raw_lookup, raw_codes[start : start + 1000]))
    found = sum(store.find_card(code) is not None for _, code in mixed[:1000])
    raw.close()
    store.dispose()
    return {
        "cards": n,
        "store": _pct(store_times),
        "raw_sqlite3_pk": _pct(raw_times),
        "store_by_kind_p99_ms": {k: _pct(v)["p99_ms"] for k, v in by_kind.items()},
        "found_in_first_1000": found,
        "file_bytes": path.stat().st_size,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", default="1000000,10000000", help="comma-separated sizes")
    parser.add_argument("--samples", type=int, default=20_000)
    parser.add_argument("--keep", type=Path, default=None, help="folder for the fixture file")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.cards.split(","))
    rng = random.Random(7)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench_lookup_") as folder:
        base = args.keep or Path(folder)
        base.mkdir(parents=True, exist_ok=True)
        path = base / "lookup.db"
        for n in sizes:
            rate = grow(path, n)
            result = measure(path, n, args.samples, rng)
            result["fixture_cards_per_s"] = rate
            print(json.dumps(result), file=sys.stderr)
            results.append(result)
    largest = results[-1]
    store = largest["store"]
    assert isinstance(store, dict)
    store_p99 = store["p99_ms"]
    print(
        json.dumps(
            {
                "bench": "lookup",
                "results": results,
                "goal_p99_ms": 1.0,
                "meets_goal": store_p99 <= 1.0,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
