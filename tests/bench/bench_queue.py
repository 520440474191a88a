"""Queue allocation under contention: 8 processes x 1,000 complete check-ins into one clinic.

A complete check-in is what the kiosk does: look the card up, then ``SqlStore.commit_checkin``
(idempotency check, the atomic counter upsert, the check-in row and its audit row in one
transaction). Beside it, in the same run, the bare allocation statement alone (counter upsert
with RETURNING plus one insert per transaction, raw driver) as the reference.

Checks: zero duplicate numbers, zero lost check-ins, numbers exactly 1..P*N, one audit row each.
Runs on SQLite (WAL, BEGIN IMMEDIATE) twice in the same run: with the kiosk's
``synchronous=FULL`` (a committed check-in survives a power cut) and, for the cost of that,
with ``synchronous=NORMAL`` (survives a killed process only); and, when
KIOSK_TEST_DATABASE_URL is set, on a fresh PostgreSQL database. Goal: >= 1,000/s on SQLite
with FULL and >= 500/s on PostgreSQL.
An outbox column runs the same check-ins with the HIS outbox on (one event row written in each
check-in's transaction) into a clinic of its own, next to the run with it off.

With FULL every commit waits for one fsync of the WAL, and SQLite commits one writer at a time,
so the disk's fsync latency caps the rate whatever the code does: the run measures it in the
database's folder and reports the ceiling it implies (``fsync_ms``, ``fsync_ceiling_per_s``).
``--dir`` puts the databases elsewhere (e.g. the kiosk's own disk, or /dev/shm to see the CPU
cost alone).

    python -m tests.bench.bench_queue [--processes 8] [--per-process 1000] [--dir FOLDER]

The last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Connection, text

from db.store import SqlStore
from db.store.engine import create_kiosk_engine
from db.store.migrate import upgrade
from tests.bench import benchdata
from tests.builders import draft, patient

DAY = date(2026, 11, 25)
CARDS = 10_000
CLINIC = "NOI"
BARE_CLINIC = "BARE"
OUTBOX_CLINIC = "OUTBOX"


def _checkins(
    url: str, index: int, count: int, start: mp.synchronize.Event, *, outbox: bool
) -> None:
    """``count`` complete check-ins as the kiosk makes them; with ``outbox`` each transaction
    also writes the HIS event row, into a clinic of its own."""
    url, _, synchronous = url.partition("#")
    engine = create_kiosk_engine(url, busy_timeout_ms=30_000, synchronous=synchronous or "FULL")
    store = SqlStore(engine, outbox=outbox)
    store.find_card(benchdata.bhxh_number(0))  # connect and warm up before the start
    start.wait()
    for j in range(count):
        card = store.find_card(benchdata.bhxh_number((index * count + j) % CARDS))
        assert card is not None
        store.commit_checkin(
            draft(
                f"{'o' if outbox else 'p'}{index}-{j}",
                OUTBOX_CLINIC if outbox else CLINIC,
                DAY,
                patient=patient(card),
                kiosk_id=f"KIOSK-{index:02d}",
                created_at=datetime.now(UTC),
            )
        )
    store.dispose()


def _complete_worker(url: str, index: int, count: int, start: mp.synchronize.Event) -> None:
    _checkins(url, index, count, start, outbox=False)


def _outbox_worker(url: str, index: int, count: int, start: mp.synchronize.Event) -> None:
    """:func:`_complete_worker` with the HIS outbox on (an event row in every transaction)."""
    _checkins(url, index, count, start, outbox=True)


def _queue_numbers(conn: Connection, clinic: str) -> list[int]:
    """The queue numbers given in one clinic, in order (duplicates kept: they are the bug)."""
    sql = text("SELECT queue_number FROM checkins WHERE clinic_code = :clinic ORDER BY 1")
    return list(conn.execute(sql, {"clinic": clinic}).scalars())


def _rows_about(conn: Connection, table: str, column: str, clinic: str, counted: str) -> int:
    """``count(counted)`` over the rows of ``table`` whose ``column`` names a check-in of
    ``clinic`` (``counted`` is ``*`` for rows, or ``DISTINCT t.<column>`` for check-ins)."""
    sql = text(
        f"SELECT count({counted}) FROM {table} t JOIN checkins c ON t.{column} = c.id"
        " WHERE c.clinic_code = :clinic"
    )
    return int(conn.execute(sql, {"clinic": clinic}).scalar_one())


def _verify_outbox(store: SqlStore, total: int) -> dict[str, object]:
    """The outbox run: numbers 1..n in its own clinic, exactly one pending event each."""
    with store.engine.connect() as conn:
        numbers = _queue_numbers(conn, OUTBOX_CLINIC)
        events = _rows_about(conn, "outbox", "checkin_id", OUTBOX_CLINIC, "DISTINCT t.checkin_id")
        rows = conn.exec_driver_sql("SELECT count(*) FROM outbox").scalar()
    return {
        "outbox_numbers_exactly_1_to_n": numbers == list(range(1, total + 1)),
        "outbox_events": rows,
        "outbox_events_one_per_checkin": events == rows == total,
    }


def _bare_sqlite_worker(path: str, index: int, count: int, start: mp.synchronize.Event) -> None:
    path, _, synchronous = path.partition("#")
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute(f"PRAGMA synchronous = {synchronous or 'FULL'}")
    start.wait()
    day = DAY.isoformat()
    for _ in range(count):
        conn.execute("BEGIN IMMEDIATE")
        number = conn.execute(
            "INSERT INTO queue_counters (clinic, day, last) VALUES (?, ?, 1) "
            "ON CONFLICT (clinic, day) DO UPDATE SET last = queue_counters.last + 1 "
            "RETURNING last",
            (BARE_CLINIC, day),
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO bare (clinic, day, number) VALUES (?, ?, ?)", (BARE_CLINIC, day, number)
        )
        conn.execute("COMMIT")
    conn.close()


def _bare_pg_worker(url: str, index: int, count: int, start: mp.synchronize.Event) -> None:
    import psycopg

    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as conn:
        start.wait()
        for _ in range(count):
            with conn.transaction():
                row = conn.execute(
                    "INSERT INTO queue_counters (clinic, day, last) VALUES (%s, %s, 1) "
                    "ON CONFLICT (clinic, day) DO UPDATE SET last = queue_counters.last + 1 "
                    "RETURNING last",
                    (BARE_CLINIC, DAY),
                ).fetchone()
                assert row is not None  # RETURNING gives the row it wrote
                number = row[0]
                conn.execute(
                    "INSERT INTO bare (clinic, day, number) VALUES (%s, %s, %s)",
                    (BARE_CLINIC, DAY, number),
                )


def _race(target: Callable[..., None], arg: str, processes: int, count: int) -> float:
    ctx = mp.get_context("spawn")
    start = ctx.Event()
    workers = [ctx.Process(target=target, args=(arg, i, count, start)) for i in range(processes)]
    for worker in workers:
        worker.start()
    time.sleep(2.0)  # let every process import and connect before the clock starts
    began = time.perf_counter()
    start.set()
    for worker in workers:
        worker.join()
        if worker.exitcode != 0:
            raise SystemExit(f"a worker failed with exit code {worker.exitcode}")
    return time.perf_counter() - began


def _fsync_ms(folder: str, rounds: int = 100) -> float:
    """The median time of one small write + fsync in ``folder``, in milliseconds."""
    times = []
    descriptor, name = tempfile.mkstemp(dir=folder)
    try:
        for _ in range(rounds):
            began = time.perf_counter()
            os.write(descriptor, b"x" * 4096)
            os.fsync(descriptor)
            times.append(time.perf_counter() - began)
    finally:
        os.close(descriptor)
        Path(name).unlink()
    return round(sorted(times)[len(times) // 2] * 1000, 3)


def _verify(store: SqlStore, total: int) -> dict[str, object]:
    with store.engine.connect() as conn:
        numbers = _queue_numbers(conn, CLINIC)
        audited = _rows_about(conn, "audit_log", "target", CLINIC, "*")
        bare = [row[0] for row in conn.exec_driver_sql("SELECT number FROM bare ORDER BY 1")]
    return {
        "checkins": len(numbers),
        "duplicates": len(numbers) - len(set(numbers)),
        "numbers_exactly_1_to_n": numbers == list(range(1, total + 1)),
        "audit_rows": audited,
        "bare_numbers_exactly_1_to_n": bare == list(range(1, total + 1)),
    }


def _run(
    name: str,
    url: str,
    bare_target: Callable[..., None],
    bare_arg: str,
    *,
    processes: int,
    count: int,
    synchronous: str = "",
) -> dict[str, object]:
    engine = create_kiosk_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE bare (clinic VARCHAR(16), day DATE, number INTEGER, "
            "UNIQUE (clinic, day, number))"
        )
    store = SqlStore(engine)
    store.import_cards(benchdata.records(0, CARDS))
    total = processes * count
    # the workers' setting rides on the argument after "#" (a URL never has one here)
    suffix = f"#{synchronous}" if synchronous else ""
    bare_s = _race(bare_target, bare_arg + suffix, processes, count)
    complete_s = _race(_complete_worker, url + suffix, processes, count)
    outbox_s = _race(_outbox_worker, url + suffix, processes, count)
    checks = _verify(store, total)
    outbox_checks = _verify_outbox(store, total)
    store.dispose()
    ok = (
        checks["checkins"] == total
        and checks["duplicates"] == 0
        and checks["numbers_exactly_1_to_n"]
        and checks["audit_rows"] == total
        and checks["bare_numbers_exactly_1_to_n"]
        and outbox_checks["outbox_numbers_exactly_1_to_n"]
        and outbox_checks["outbox_events_one_per_checkin"]
    )
    return {
        "database": name,
        "synchronous": synchronous or None,
        "processes": processes,
        "per_process": count,
        "complete_checkins_per_s": round(total / complete_s, 1),
        "bare_allocations_per_s": round(total / bare_s, 1),
        "ratio_to_bare": round(bare_s / complete_s, 3),
        "outbox_checkins_per_s": round(total / outbox_s, 1),
        "outbox_ratio_to_off": round(complete_s / outbox_s, 3),
        "goal_per_s": 1000 if name == "sqlite" else 500,
        "meets_goal": total / complete_s >= (1000 if name == "sqlite" else 500),
        **checks,
        **outbox_checks,
        "ok": ok,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--per-process", type=int, default=1000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--dir", default=None, help="where the SQLite databases go (default: tmp)")
    args = parser.parse_args()
    results = []
    for synchronous in ("FULL", "NORMAL"):
        with tempfile.TemporaryDirectory(prefix="bench_queue_", dir=args.dir) as folder:
            fsync_ms = _fsync_ms(folder)
            path = Path(folder) / "kiosk.db"
            result = _run(
                "sqlite",
                f"sqlite:///{path}",
                _bare_sqlite_worker,
                str(path),
                processes=args.processes,
                count=args.per_process,
                synchronous=synchronous,
            )
            result["fsync_ms"] = fsync_ms
            result["fsync_ceiling_per_s"] = round(1000 / fsync_ms) if fsync_ms else None
            print(json.dumps(result), file=sys.stderr)
            results.append(result)
    full, normal = results
    full_rate, normal_rate = full["complete_checkins_per_s"], normal["complete_checkins_per_s"]
    assert isinstance(full_rate, float)
    assert isinstance(normal_rate, float)
    cost = round(1 - full_rate / normal_rate, 3)
    server = os.environ.get("KIOSK_TEST_DATABASE_URL")
    if server and not args.no_postgres:
        from tests.db.pg import fresh_database

        with ExitStack() as stack:
            url = stack.enter_context(fresh_database(server, prefix="kiosk_bench_queue"))
            result = _run(
                "postgresql",
                url,
                _bare_pg_worker,
                url,
                processes=args.processes,
                count=args.per_process,
            )
            print(json.dumps(result), file=sys.stderr)
            results.append(result)
    ok = all(r["ok"] for r in results)
    summary = {"bench": "queue", "ok": ok, "sqlite_full_cost_vs_normal": cost}
    print(json.dumps({**summary, "results": results}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
