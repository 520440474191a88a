"""Retention: slip files and check-ins go after their configured number of days."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from kiosk.config import load_config
from kiosk.retention import Retention, purge_slips
from tests.fakes import FakeClock, FakeRetentionStore

ROOT = Path(__file__).resolve().parents[2]
DAY_S = 24 * 3600


def _slip(folder: Path, name: str, age_s: float, now_s: float) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"slip")
    os.utime(path, (now_s - age_s, now_s - age_s))
    return path


def test_slips_older_than_the_period_are_deleted_and_nothing_else(tmp_path: Path) -> None:
    clock = FakeClock()
    now = clock.now().timestamp()
    old_png = _slip(tmp_path, "20261123-NOI-0001.png", 2 * DAY_S, now)
    old_pdf = _slip(tmp_path, "archive/20261123-NOI-0001.pdf", 25 * 3600, now)
    fresh = _slip(tmp_path, "20261125-NOI-0002.png", 3600, now)
    other = _slip(tmp_path, "notes.txt", 9 * DAY_S, now)
    config = load_config(ROOT / "config.toml", env={"KIOSK_PRINTER_OUTPUT_DIR": str(tmp_path)})
    store = FakeRetentionStore()
    report = Retention(config, clock, store).run()
    assert report.slips == 2
    assert not old_png.exists()
    assert not old_pdf.exists()
    assert fresh.exists()
    assert other.exists()
    # check-ins: 90 days before the hospital's today (25/11/2026 in Hồ Chí Minh City)
    assert store.days == [date(2026, 11, 25) - timedelta(days=90)]
    assert (report.checkins, report.audit_rows) == (3, 7)
    # the lobby's rows (wrong years, the desk's waiting list) count for their own day only
    assert store.lobby_days == [date(2026, 11, 25)]
    assert report.lobby_rows == 2
    assert report.line().endswith(", 2 lobby rows")


def test_the_periods_are_settings(tmp_path: Path) -> None:
    clock = FakeClock()
    now = clock.now().timestamp()
    kept = _slip(tmp_path, "a.png", 2 * DAY_S, now)
    config = load_config(ROOT / "config.toml", env={"KIOSK_PRINTER_OUTPUT_DIR": str(tmp_path)})
    config = replace(
        config, privacy=replace(config.privacy, keep_slips_days=3, keep_checkins_days=30)
    )
    store = FakeRetentionStore()
    Retention(config, clock, store).run()
    assert kept.exists()
    assert store.days == [date(2026, 10, 26)]
    assert purge_slips(tmp_path, now) == 1


def test_a_database_problem_does_not_stop_the_slip_purge(tmp_path: Path) -> None:
    clock = FakeClock()
    old = _slip(tmp_path, "a.png", 2 * DAY_S, clock.now().timestamp())
    config = load_config(ROOT / "config.toml", env={"KIOSK_PRINTER_OUTPUT_DIR": str(tmp_path)})
    report = Retention(config, clock, FakeRetentionStore(fail=True)).run()
    assert not old.exists()
    assert "database is locked" in report.failed
