"""status.json is replaced atomically; systemd notifications reach a real datagram socket."""

from __future__ import annotations

import json
import socket
import uuid
from pathlib import Path
from typing import Any

import pytest

from kiosk.health import HealthReport, SystemdNotifier, write_status


def _report(**changes: Any) -> HealthReport:
    values: dict[str, Any] = {
        "kiosk_id": "KIOSK-01",
        "at": "2026-11-25T03:00:00+00:00",
        "camera": "ok",
        "printer": "printed",
        "database": "central",
        "outbox_pending": 2,
        "outbox_failed": 0,
        "cache_age_h": 1.5,
        "last_checkin": "2026-11-25T02:59:00+00:00",
    }
    values.update(changes)
    return HealthReport(**values)


def test_status_file_is_written_and_replaced_whole(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    path = write_status(folder, _report())
    assert path == folder / "status.json"
    first = json.loads(path.read_text(encoding="utf-8"))
    assert first["camera"] == "ok"
    assert first["outbox_pending"] == 2
    assert set(first) >= {"camera", "printer", "database", "outbox_pending", "cache_age_h"}
    write_status(folder, _report(camera="lost", database="offline"))
    second = json.loads(path.read_text(encoding="utf-8"))
    assert (second["camera"], second["database"]) == ("lost", "offline")
    assert [p.name for p in folder.iterdir()] == ["status.json"]  # no temporary file left


def test_a_failed_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_status(tmp_path, _report())

    def broken(self: Path, target: Path) -> Path:
        raise OSError("disk full")

    monkeypatch.setattr(Path, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        write_status(tmp_path, _report(camera="lost"))
    monkeypatch.undo()
    assert json.loads((tmp_path / "status.json").read_text())["camera"] == "ok"
    assert [p.name for p in tmp_path.iterdir()] == ["status.json"]


def test_ready_and_watchdog_reach_the_socket(notify_socket: tuple[socket.socket, str]) -> None:
    sock, path = notify_socket
    notifier = SystemdNotifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "90000000"})
    assert notifier.enabled
    assert notifier.watchdog_s == 90.0
    assert notifier.ready("kiosk running")
    assert sock.recv(256) == b"READY=1\nSTATUS=kiosk running"
    assert notifier.watchdog()
    assert sock.recv(256) == b"WATCHDOG=1"


def test_abstract_socket_names() -> None:
    name = f"kiosk-test-{uuid.uuid4().hex[:8]}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(2)
        assert SystemdNotifier({"NOTIFY_SOCKET": "@" + name}).watchdog()
        assert sock.recv(64) == b"WATCHDOG=1"


def test_without_systemd_nothing_is_sent(tmp_path: Path) -> None:
    quiet = SystemdNotifier({})
    assert not quiet.enabled
    assert quiet.watchdog_s is None
    assert not quiet.ready()
    gone = SystemdNotifier({"NOTIFY_SOCKET": str(tmp_path / "none.sock")})
    assert not gone.watchdog()  # logged, never raised
