"""Card import throughput beside raw ``sqlite3`` ``executemany`` in the same run.

Three figures on fresh, migrated SQLite files (same schema, same pragmas):

* ``raw``: ``sqlite3.executemany`` of ready tuples into ``cards``, one transaction per 5,000.
* ``store``: ``SqlStore.import_cards`` from ready ``CardRecord``s (the bulk path the importer
  and the sync use: record -> tuple -> one upsert ``executemany`` per batch, with counts).
* ``file``: ``db.cards.importer.import_file`` on a CSV file end to end (read, validate every field,
  build records, upsert).

Goal: ``store`` >= 200,000 cards/s, i.e. >= 40 % of ``raw``. Generation time is not counted.

    python -m tests.bench.bench_import [--cards 1000000]

The last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from db.cards.importer import import_file
from db.cards.rows import FIELDS
from db.store import SqlStore
from db.store.card_columns import CARD_COLUMNS
from db.store.engine import create_kiosk_engine
from db.store.migrate import upgrade
from tests.bench import benchdata

BATCH = 5000
CHUNK = 50_000  # generated at a time, so memory stays flat


def _fresh(path: Path) -> None:
    engine = create_kiosk_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()


def bench_raw(path: Path, n: int) -> float:
    _fresh(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA cache_size = -65536")
    marks = ", ".join("?" * len(CARD_COLUMNS))
    sql = f"INSERT INTO cards ({', '.join(CARD_COLUMNS)}) VALUES ({marks})"
    spent = 0.0
    for start in range(0, n, CHUNK):
        rows = list(benchdata.sqlite_rows(start, min(n, start + CHUNK)))
        began = time.perf_counter()
        for i in range(0, len(rows), BATCH):
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(sql, rows[i : i + BATCH])
            conn.execute("COMMIT")
        spent += time.perf_counter() - began
    assert conn.execute("SELECT count(*) FROM cards").fetchone()[0] == n
    conn.close()
    return spent


def bench_store(path: Path, n: int) -> float:
    _fresh(path)
    store = SqlStore(create_kiosk_engine(f"sqlite:///{path}"))
    spent = 0.0
    added = 0
    for start in range(0, n, CHUNK):
        records = list(benchdata.records(start, min(n, start + CHUNK)))
        began = time.perf_counter()
        added += store.import_cards(records, batch_size=BATCH).added
        spent += time.perf_counter() - began
    assert added == n
    assert store.count_cards() == n
    store.dispose()
    return spent


def bench_file(path: Path, csv_path: Path, n: int) -> float:
    with csv_path.open("w", encoding="utf-8") as handle:
        handle.write(",".join(FIELDS) + "\n")
        for start in range(0, n, CHUNK):
            handle.writelines(benchdata.csv_lines(start, min(n, start + CHUNK)))
    _fresh(path)
    store = SqlStore(create_kiosk_engine(f"sqlite:///{path}"))
    began = time.perf_counter()
    summary = import_file(store, csv_path, batch_size=BATCH)
    spent = time.perf_counter() - began
    assert summary.imported == n, summary.as_json()
    assert summary.bad == 0
    store.dispose()
    return spent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=1_000_000)
    parser.add_argument("--skip-file", action="store_true", help="skip the end-to-end CSV run")
    args = parser.parse_args()
    n = args.cards
    with tempfile.TemporaryDirectory(prefix="bench_import_") as folder:
        base = Path(folder)
        raw = n / bench_raw(base / "raw.db", n)
        print(f"raw sqlite3 executemany: {raw:,.0f} cards/s", file=sys.stderr)
        store = n / bench_store(base / "store.db", n)
        print(f"SqlStore.import_cards:   {store:,.0f} cards/s", file=sys.stderr)
        end_to_end = None
        if not args.skip_file:
            end_to_end = n / bench_file(base / "file.db", base / "cards.csv", n)
            print(f"import_file (CSV):       {end_to_end:,.0f} cards/s", file=sys.stderr)
    result = {
        "bench": "import",
        "cards": n,
        "raw_executemany_per_s": round(raw),
        "store_import_per_s": round(store),
        "store_vs_raw": round(store / raw, 3),
        "file_import_per_s": round(end_to_end) if end_to_end else None,
        "file_vs_raw": round(end_to_end / raw, 3) if end_to_end else None,
        "goal_per_s": 200_000,
        "goal_share_of_raw": 0.4,
        "store_meets_goal": store >= 200_000 and store / raw >= 0.4,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
