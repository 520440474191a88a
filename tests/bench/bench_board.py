"""The waiting-room board under load: 50 boards on Server-Sent Events, 4 rooms calling every 2 s.

A real ``kiosk-web`` process (``python -m ui.web.main``) serves a database seeded with enough
check-ins; this process opens ``--clients`` event streams on ``/events`` (each asks for all the
rooms, as a hall's TV does) and calls ``next`` in each room every ``--interval`` seconds, the
rooms staggered, through the calling store as ``kiosk-admin call next`` does. It reports the
time from each call's commit to its arrival at each board (p50, p95, max over every board and
call), and the server's CPU (share of one core over the run) and resident memory (the most seen,
sampled every second).

Reference in the same run: a watch of the database in this process (LISTEN on PostgreSQL, the
SQLite poll), timed from the same calls — the part of the latency the database's own wake-up
takes before the web server adds anything.

    python -m tests.bench.bench_board [--clients 50] [--rooms 4] [--interval 2] [--duration 300]
                                      [--database sqlite|postgresql]

PostgreSQL needs KIOSK_TEST_DATABASE_URL (a throw-away database is made on its server); the
default is PostgreSQL when that is set, else an SQLite file. Goals: p95 <= 1 s, RSS <= 150 MB,
CPU <= 25 % of one core. The last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from db.store import SqlStore
from db.store.calling import calling_store
from db.store.engine import create_kiosk_engine
from db.store.migrate import upgrade
from db.store.notify import watch_for
from tests.builders import card, draft, patient
from tests.db.pg import fresh_database

ROOT = Path(__file__).resolve().parents[2]
GOALS = {"p95_ms": 1000.0, "rss_mb": 150.0, "cpu_percent": 25.0}


def bench_config(folder: Path, rooms: int, url: str) -> Path:
    """A config with one clinic called by ``rooms`` rooms (R1, R2, …) on ``url``."""
    codes = ", ".join(f'"R{i + 1}"' for i in range(rooms))
    path = folder / "config.toml"
    path.write_text(
        f"""
[kiosk]
data_dir = "{folder / "data"}"
offline_prefix = "A"

[database]
url = "{url}"

[[clinics]]
code = "NOI"
name_vi = "Khám Nội"
room = "Phòng R"
rooms = [{codes}]
""",
        encoding="utf-8",
    )
    return path


def seed(store: SqlStore, count: int) -> None:
    day = datetime.now(UTC).astimezone(store.zone).date()
    start = datetime.now(UTC) - timedelta(hours=1)
    for n in range(1, count + 1):
        store.commit_checkin(
            draft(
                key=f"bench-{n}",
                n=n,
                day=day,
                patient=patient(card(n)),
                created_at=start + timedelta(seconds=n),
            )
        )


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'board.db'}"
        return
    server = os.environ.get("KIOSK_TEST_DATABASE_URL")
    if not server:
        raise SystemExit("--database postgresql needs KIOSK_TEST_DATABASE_URL")
    with fresh_database(server, prefix="kiosk_bench_board") as url:
        yield url


class ServerStats:
    """CPU time and the largest RSS of one process, read from /proc."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.rss_max_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def cpu_s(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])  # utime + stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def rss_kb(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def _sample(self) -> None:
        while not self._stop.wait(1.0):
            with contextlib.suppress(OSError):
                self.rss_max_kb = max(self.rss_max_kb, self.rss_kb())

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def start_server(config: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KIOSK_WEB_SECRET": "bench-secret-" * 3}
    child = subprocess.Popen(
        [sys.executable, "-m", "ui.web.main", "--config", str(config), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return child
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    child.kill()
    raise SystemExit("kiosk-web did not start")


async def board_client(
    url: str,
    rooms: str,
    got: list[tuple[str, str, float]],
    ready: list[bool],
    stop: asyncio.Event,
) -> None:
    """One board: when each room's new call arrived (matched to its making afterwards: an
    event may come before the caller has noted the call's time)."""
    shown: dict[str, str | None] = {}
    async with (
        httpx.AsyncClient(timeout=httpx.Timeout(30, read=60)) as http,
        http.stream("GET", f"{url}/events?rooms={rooms}") as stream,
    ):
        event = ""
        async for line in stream.aiter_lines():
            if stop.is_set():
                return
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event == "board":
                now = time.monotonic()
                if not shown:
                    ready.append(True)  # connected: the board shows the rooms as they stand
                for room in json.loads(line.split(":", 1)[1])["rooms"]:
                    key = room["call"]
                    if key and shown.get(room["room"]) not in (None, key):
                        got.append((room["room"], str(room["called"]), now))
                    shown[room["room"]] = key or ""


def caller(
    store: SqlStore,
    rooms: list[str],
    interval: float,
    until: float,
    sent: dict[tuple[str, str], float],
) -> None:
    """Each room calls next every ``interval`` seconds, the rooms spread over the interval;
    a call's time is taken just before it is made (its commit counts in the latency)."""
    calls = calling_store(store)
    day = datetime.now(UTC).astimezone(store.zone).date()
    step = interval / len(rooms)
    tick = time.monotonic()
    i = 0
    while time.monotonic() < until:
        room = rooms[i % len(rooms)]
        before = time.monotonic()
        made = calls.call_next(room, "NOI", day, 2)
        if made is not None:
            sent[(room, made.label)] = before
        i += 1
        tick += step
        time.sleep(max(0.0, tick - time.monotonic()))


def reference_wake(store: SqlStore, until: float) -> list[float]:
    """When a watch of the database in this process woke (matched to the calls afterwards)."""
    calls = calling_store(store)
    watch = watch_for(calls, lambda: datetime.now(UTC).astimezone(store.zone).date())
    woke: list[float] = []
    watch.wait(1.0)
    try:
        while time.monotonic() < until + 1:
            if watch.wait(0.5):
                woke.append(time.monotonic())
    finally:
        watch.close()
    return woke


@dataclass(frozen=True)
class BoardRun:
    """One run: when each call was made, each delivery's latency (s), the reference's (s)."""

    sent: dict[tuple[str, str], float]
    got: list[float]
    ref: list[float]


async def run(args: argparse.Namespace, url: str, store: SqlStore, port: int) -> BoardRun:
    rooms = [f"R{i + 1}" for i in range(args.rooms)]
    sent: dict[tuple[str, str], float] = {}
    got: list[tuple[str, str, float]] = []
    ready: list[bool] = []
    stop = asyncio.Event()
    base = f"http://127.0.0.1:{port}"
    clients = [
        asyncio.create_task(board_client(base, ",".join(rooms), got, ready, stop))
        for _ in range(args.clients)
    ]
    connecting = time.monotonic() + 60
    while len(ready) < args.clients and time.monotonic() < connecting:
        await asyncio.sleep(0.1)  # every board connected and shown its first state
    until = time.monotonic() + args.duration
    ref: list[float] = []
    ref_thread = threading.Thread(
        target=lambda: ref.extend(reference_wake(store, until)), daemon=True
    )
    ref_thread.start()
    call_thread = threading.Thread(
        target=caller, args=(store, rooms, args.interval, until, sent), daemon=True
    )
    call_thread.start()
    while call_thread.is_alive():
        await asyncio.sleep(0.5)
    await asyncio.sleep(2.0)  # the last calls reach the boards
    stop.set()
    for task in clients:
        task.cancel()
    await asyncio.gather(*clients, return_exceptions=True)
    ref_thread.join()
    latencies = [at - sent[(room, label)] for room, label, at in got if (room, label) in sent]
    wakes = sorted(ref)
    ref_latencies = []
    for made in sorted(sent.values()):
        after = next((w for w in wakes if w >= made), None)
        if after is not None:
            ref_latencies.append(after - made)
    return BoardRun(sent, latencies, ref_latencies)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rooms", type=int, default=4)
    parser.add_argument("--interval", type=float, default=2.0)
    parser.add_argument("--duration", type=float, default=300.0)
    default_db = "postgresql" if os.environ.get("KIOSK_TEST_DATABASE_URL") else "sqlite"
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default=default_db)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    calls_needed = int(args.duration / args.interval * args.rooms) + args.rooms * 4
    with tempfile.TemporaryDirectory() as tmp, database(args.database, Path(tmp)) as url:
        folder = Path(tmp)
        engine = create_kiosk_engine(url)
        upgrade(engine)
        store = SqlStore(engine)
        seed(store, calls_needed)
        port = args.port or _free_port()
        server = start_server(bench_config(folder, args.rooms, url), port)
        stats = ServerStats(server.pid)
        stats.start()
        cpu_before, wall_before = stats.cpu_s(), time.monotonic()
        try:
            result = asyncio.run(run(args, url, store, port))
            cpu = (stats.cpu_s() - cpu_before) / (time.monotonic() - wall_before) * 100
        finally:
            stats.stop()
            server.terminate()
            server.wait(timeout=10)
            store.dispose()
    got = [1000 * x for x in result.got]
    ref = [1000 * x for x in result.ref]
    sent = result.sent
    p95 = percentile(got, 0.95)
    rss_mb = stats.rss_max_kb / 1024
    report = {
        "bench": "board",
        "database": args.database,
        "clients": args.clients,
        "rooms": args.rooms,
        "interval_s": args.interval,
        "duration_s": args.duration,
        "calls": len(sent),
        "deliveries": len(got),
        "expected_deliveries": len(sent) * args.clients,
        "p50_ms": round(statistics.median(got), 1) if got else None,
        "p95_ms": round(p95, 1),
        "max_ms": round(max(got), 1) if got else None,
        "reference_db_wake_p95_ms": round(percentile(ref, 0.95), 1),
        "server_cpu_percent": round(cpu, 1),
        "server_rss_mb_max": round(rss_mb, 1),
        "goals": {
            "p95_le_1s": p95 <= GOALS["p95_ms"],
            "rss_le_150mb": rss_mb <= GOALS["rss_mb"],
            "cpu_le_25pct": cpu <= GOALS["cpu_percent"],
        },
    }
    print(json.dumps(report))


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


if __name__ == "__main__":
    main()
