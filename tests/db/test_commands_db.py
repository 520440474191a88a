"""The db sub-commands of kiosk-admin, run as real processes: db upgrade, import, lookup, status."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from db.cards.rows import row_from_record
from db.store.migrate import head_revision
from kiosk.synthetic import card_record, people
from tests.db.storehelp import open_sqlite_store

RunCli = Callable[..., subprocess.CompletedProcess[bytes]]


def _env(tmp_path: Path) -> dict[str, str]:
    return {"KIOSK_DATABASE_URL": f"sqlite:///{tmp_path / 'db' / 'kiosk.db'}"}


def test_db_upgrade_then_status(run_cli: RunCli, tmp_path: Path) -> None:
    env = _env(tmp_path)
    first = run_cli(["db", "upgrade"], env=env)
    assert first.returncode == 0, first.stderr
    assert f"upgraded from empty to {head_revision()}".encode() in first.stdout
    second = run_cli(["db", "upgrade"], env=env)
    assert f"already at revision {head_revision()}".encode() in second.stdout
    status = run_cli(["status", "--json"], env=env)
    assert status.returncode == 0, status.stderr
    data = json.loads(status.stdout.decode().splitlines()[-1])
    assert set(data) == {
        "cards",
        "checkins_today",
        "collided",
        "last_sync",
        "database",
        "size_bytes",
        "offline_pending",
        "held",
        "state",
        "outbox_pending",
        "outbox_failed",
        "journal_outbox_pending",
        "journal_outbox_failed",
        "last_checkin",
        "printer",
        "prefix_held_by",
        "notice",
    }
    assert data["offline_pending"] == 0  # an SQLite database keeps no journal
    assert data["state"] == "online"
    assert data["cards"] == 0
    assert data["checkins_today"] == 0
    assert data["last_sync"] is None
    assert data["database"].endswith("kiosk.db")
    assert data["size_bytes"] > 0


def test_import_lookup_and_status(run_cli: RunCli, tmp_path: Path) -> None:
    env = _env(tmp_path)
    cards = [replace(card_record(p), source="import") for p in people(12, seed=7)]
    lines = [json.dumps(row_from_record(c), ensure_ascii=False) for c in cards]
    lines.insert(3, json.dumps({"maThe": "XX", "hoTen": "Bad"}))  # line 4
    path = tmp_path / "cards.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    imported = run_cli(["import", str(path), "--json"], env=env)
    assert imported.returncode == 1  # one row skipped
    summary = json.loads(imported.stdout)
    assert summary["imported"] == 12
    assert summary["bad"] == 1
    assert summary["bad_rows"] == [
        {
            "line": 4,
            "field": "maThe",
            "error": "expected 15 characters or 10 digits, got 2 characters",
        }
    ]

    text = run_cli(["import", str(path)], env=env)
    assert b"12 imported (0 new, 12 updated), 1 bad" in text.stdout
    assert b"line 4: maThe:" in text.stdout

    card = cards[0]
    masked = run_cli(["lookup", card.bhxh_number], env=env)
    assert masked.returncode == 0, masked.stderr
    out = masked.stdout.decode()
    assert card.name not in out
    assert card.bhxh_number not in out
    assert card.bhxh_number[-4:] in out
    revealed = run_cli(["lookup", card.card_number, "--reveal", "--json"], env=env)
    data = json.loads(revealed.stdout)
    assert data["hoTen"] == card.name
    assert data["maSoBHXH"] == card.bhxh_number
    assert data["soCCCD"] == card.id_number

    missing = run_cli(["lookup", "7999999999"], env=env)
    assert missing.returncode == 1
    assert b"no card in the cache for ******9999" in missing.stderr

    status = run_cli(["status"], env=env)
    assert b"cards:           12" in status.stdout


def test_import_of_unusable_file(run_cli: RunCli, tmp_path: Path) -> None:
    env = _env(tmp_path)
    path = tmp_path / "cards.csv"
    path.write_text("name,number\nA,1\n", encoding="utf-8")
    result = run_cli(["import", str(path)], env=env)
    assert result.returncode == 2
    assert result.stderr.decode().strip().startswith("kiosk-admin import: line 1:")
    gone = run_cli(["import", str(tmp_path / "nope.csv")], env=env)
    assert gone.returncode == 2


def test_unreachable_database_is_one_line(run_cli: RunCli) -> None:
    env = {
        "KIOSK_DATABASE_URL": "postgresql+psycopg://kiosk:secret@127.0.0.1:1/kiosk",
        "KIOSK_KIOSK_OFFLINE_PREFIX": "A",
    }
    result = run_cli(["status"], env=env)
    assert result.returncode == 1
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1
    assert "unreachable" in lines[0]
    assert "secret" not in lines[0]


def test_files_it_creates_are_its_owners_only(run_cli: RunCli, tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = run_cli(["demo-data", "--patients", "2", "--out", str(out)], cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    made = [out, *out.rglob("*")]
    assert len(made) > 2
    for path in made:
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path


def test_purge_applies_the_retention_periods(run_cli: RunCli, tmp_path: Path) -> None:
    env = {"KIOSK_DATABASE_URL": f"sqlite:///{tmp_path / 'kiosk.db'}",
           "KIOSK_PRINTER_OUTPUT_DIR": str(tmp_path / "slips")}  # fmt: skip
    old = tmp_path / "slips" / "20200101-NOI-0001.png"
    old.parent.mkdir()
    old.write_bytes(b"slip")
    os.utime(old, (0, 0))
    result = run_cli(["purge", "--json"], env=env)
    assert result.returncode == 0, result.stderr.decode()
    assert json.loads(result.stdout) == {
        "slips": 1, "checkins": 0, "audit_rows": 0, "his_events": 0, "his_undelivered": 0,
        "lobby_rows": 0, "failed": None,
    }  # fmt: skip
    assert not old.exists()


def test_purge_removes_the_lobbys_rows_of_past_days(run_cli: RunCli, tmp_path: Path) -> None:
    """The wrong birth years and the calls for staff count for their day: purge removes the
    days before today (LobbyStore.purge_lobby_before), today's stay."""
    store = open_sqlite_store(tmp_path)
    today = store.today(datetime.now(UTC))
    yesterday, last_week = today - timedelta(days=1), today - timedelta(days=7)
    for day in (last_week, yesterday, today):
        store.note_wrong_year("0123456789", day, "KIOSK-01")
        store.raise_help_call("KIOSK-01", "birth_year", day)
    store.dispose()
    env = {"KIOSK_DATABASE_URL": f"sqlite:///{tmp_path / 'kiosk.db'}",
           "KIOSK_PRINTER_OUTPUT_DIR": str(tmp_path / "slips")}  # fmt: skip
    result = run_cli(["purge", "--json"], env=env)
    assert result.returncode == 0, result.stderr.decode()
    assert json.loads(result.stdout)["lobby_rows"] == 4
    store = open_sqlite_store(tmp_path)
    try:
        assert store.wrong_years("0123456789", today) == 1
        assert len(store.open_help_calls(today)) == 1
        for day in (yesterday, last_week):
            assert store.wrong_years("0123456789", day) == 0
            assert store.open_help_calls(day) == []
    finally:
        store.dispose()
    again = run_cli(["purge"], env=env)
    assert b", 0 lobby rows" in again.stdout
