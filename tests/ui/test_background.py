"""The running kiosk's background duties: the outbox and health steps on threads, the watchdog."""

from __future__ import annotations

import contextlib
import json
import socket
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pytestqt.qtbot import QtBot

from db.offline.register import KioskRegister
from db.store import SqlStore
from db.store.engine import create_kiosk_engine
from db.store.migrate import upgrade
from db.store.register import register_store
from kiosk.config import Config, load_config
from kiosk.health import SystemdNotifier, write_status
from tests.builders import ZONE, draft
from tests.fakes import FakeClock, FakePrinter, StubCamera
from ui.admin_tools import KioskAdminTools, build_health
from ui.app import health_duty
from ui.background import Background, PeriodicWorker

ROOT = Path(__file__).resolve().parents[2]


def _drain(sock: socket.socket) -> list[bytes]:
    found = []
    try:
        while True:
            found.append(sock.recv(256))
            sock.settimeout(0.2)
    except TimeoutError:
        return found


def test_periodic_worker_steps_until_stopped(qtbot: QtBot) -> None:
    calls: list[int] = []
    results: list[object] = []

    def step() -> int:
        calls.append(1)
        return len(calls)

    worker = PeriodicWorker("test", step, 0.01)
    worker.stepped.connect(lambda boxed: results.append(boxed[0]))
    worker.start()
    qtbot.waitUntil(lambda: len(results) >= 3, timeout=5000)
    worker.stop()
    seen = len(calls)
    qtbot.wait(50)
    assert len(calls) == seen
    assert results[:3] == [1, 2, 3]


def test_a_failing_step_does_not_end_the_worker(qtbot: QtBot) -> None:
    calls: list[int] = []

    def step() -> None:
        calls.append(1)
        raise RuntimeError("boom")

    worker = PeriodicWorker("failing", step, 0.01)
    worker.start()
    qtbot.waitUntil(lambda: len(calls) >= 2, timeout=5000)
    worker.stop()


def test_background_notifies_ready_pings_the_watchdog_and_writes_health(
    qtbot: QtBot, notify_socket: tuple[socket.socket, str], tmp_path: Path, config: Config
) -> None:
    sock, path = notify_socket
    engine = create_kiosk_engine(f"sqlite:///{tmp_path / 'k.db'}")
    upgrade(engine)
    store = SqlStore(engine, zone=ZONE, outbox=True)
    store.commit_checkin(draft("k1", n=1))
    clock = FakeClock(datetime(2026, 11, 25, 3, 0, tzinfo=UTC))
    delivered: list[int] = []

    def write_health() -> Path:
        report = build_health(
            config=config, clock=clock, store=store, camera=StubCamera(), version="test"
        )
        return write_status(tmp_path / "data", report)

    background = Background(
        deliver=lambda: delivered.append(1),
        deliver_interval_s=0.05,
        write_health=write_health,
        notifier=SystemdNotifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "3000000"}),
        health_interval_s=0.05,
    )
    got: list[bytes] = []

    def heard(message: bytes) -> bool:
        sock.settimeout(0.01)  # a short look: the GUI thread must keep turning
        with contextlib.suppress(TimeoutError):
            got.append(sock.recv(256))
        return message in got

    background.start()
    try:
        assert sock.recv(256).startswith(b"READY=1")
        # The pings come from the GUI thread's event loop, every second (a third of 3 s).
        qtbot.waitUntil(lambda: heard(b"WATCHDOG=1"), timeout=5000)
        status = tmp_path / "data" / "status.json"
        qtbot.waitUntil(status.exists, timeout=5000)
        qtbot.waitUntil(lambda: len(delivered) >= 2, timeout=5000)
    finally:
        background.stop()
        store.dispose()
    sock.settimeout(2)
    assert b"STOPPING=1" in _drain(sock)
    data = json.loads(status.read_text(encoding="utf-8"))
    assert data["camera"] == "ok"
    assert data["database"] == "central"
    assert data["outbox_pending"] == 1
    assert data["printer"] == "pending"
    assert data["last_checkin"] == "2026-11-25T02:00:00+00:00"
    assert data["kiosk_id"] == config.kiosk.id


def test_health_says_when_the_database_is_unavailable(tmp_path: Path, config: Config) -> None:
    engine = create_kiosk_engine(f"sqlite:///{tmp_path / 'missing' / 'x.db'}")
    store = SqlStore(engine, zone=ZONE)
    clock = FakeClock(datetime(2026, 11, 25, 3, 0, tzinfo=UTC))
    report = build_health(config=config, clock=clock, store=store, camera=None, version="t")
    store.dispose()
    assert (report.database, report.camera) == ("unavailable", "none")
    assert report.detail


def test_the_health_duty_writes_status_json_and_the_register_row(
    tmp_path: Path, config: Config
) -> None:
    engine = create_kiosk_engine(f"sqlite:///{tmp_path / 'k.db'}")
    upgrade(engine)
    store = SqlStore(engine, zone=ZONE, outbox=True)
    config = replace(config, kiosk=replace(config.kiosk, offline_prefix="A"))
    try:
        store.commit_checkin(draft("k1", n=1))
        register_store(store).claim("KIOSK-07", "A", "1.0", hold=timedelta(days=30))
        register = KioskRegister(
            register_store(store),
            None,
            kiosk_id=config.kiosk.id,
            prefix="A",
            version="test",
            hold_days=config.kiosk.prefix_hold_days,
        )
        clock = FakeClock(datetime(2026, 11, 25, 3, 0, tzinfo=UTC))
        step = health_duty(
            config, clock, store, camera=StubCamera(), version="test", register=register
        )
        written = step()
        data = json.loads(written.read_text(encoding="utf-8"))
        row = register_store(store).entry(config.kiosk.id)
        assert row is not None
        assert row.health is not None
        assert (row.health.state, data["state"]) == ("online", "online")
        assert (row.health.camera, row.health.printer) == (data["camera"], data["printer"])
        assert row.health.outbox_pending == data["outbox_pending"] == 1
        assert row.held_by == "KIOSK-07"
        assert row.version == "test"
        # the verdict of that check-in reaches status.json and the admin screen at the next
        second = json.loads(step().read_text(encoding="utf-8"))
        assert second["prefix_held_by"] == "KIOSK-07"
        admin = KioskAdminTools(
            config=config,
            clock=clock,
            store=store,
            printer=FakePrinter(),
            camera=None,
            register=register,
        )
        assert admin.cache_status().prefix_taken == ("A", "KIOSK-07")
    finally:
        store.dispose()


def test_the_health_interval_is_a_setting(tmp_path: Path) -> None:
    config = load_config(ROOT / "config.toml", env={"KIOSK_KIOSK_HEALTH_INTERVAL_S": "12.5"})
    assert config.kiosk.health_interval_s == 12.5
    assert load_config(ROOT / "config.toml", env={}).kiosk.health_interval_s == 30.0
