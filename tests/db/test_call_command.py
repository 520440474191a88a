"""``kiosk-admin call`` and ``room token`` through the real CLI, and the queue keys of
``checkin --json``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from tests.db.test_checkin_command import CARD_ROW, EXAMPLE

RunCli = Callable[..., CompletedProcess[bytes]]


@pytest.fixture
def site(tmp_path: Path, run_cli: RunCli) -> dict[str, str]:
    """The shipped config on a private database holding the domain example's card."""
    env = {
        "KIOSK_DATABASE_URL": f"sqlite:///{tmp_path / 'kiosk.db'}",
        "KIOSK_PRINTER_KIND": "file",
        "KIOSK_PRINTER_OUTPUT_DIR": str(tmp_path / "slips"),
        "KIOSK_INSURANCE_GATEWAY_URL": "",
    }
    cards = tmp_path / "cards.jsonl"
    cards.write_text(json.dumps(CARD_ROW, ensure_ascii=False) + "\n", encoding="utf-8")
    assert run_cli(["import", str(cards), "--no-progress"], env=env).returncode == 0
    return env


def _out(result: CompletedProcess[bytes]) -> object:
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout.decode().strip().splitlines()[-1])


def test_a_room_calls_recalls_and_finishes(site: dict[str, str], run_cli: RunCli) -> None:
    checked = _out(run_cli(["checkin", "--text", EXAMPLE, "--clinic", "NOI", "--json"], env=site))
    assert isinstance(checked, dict)
    assert checked["ahead"] == 0
    assert checked["priority"] is None
    assert checked["wait_minutes"] == [0, 5]

    called = _out(run_cli(["call", "next", "101", "--json"], env=site))
    assert called == {"label": "1", "clinic": "NOI", "room": "101", "priority": None}
    assert _out(run_cli(["call", "recall", "101", "--json"], env=site)) == called
    assert _out(run_cli(["call", "absent", "101", "--json"], env=site)) == called
    assert _out(run_cli(["call", "done", "101", "--json"], env=site)) is None
    assert _out(run_cli(["call", "next", "101", "--json"], env=site)) is None
    said = run_cli(["call", "next", "101"], env=site)
    assert said.stdout.decode().strip() == "nobody waits"


def test_an_unknown_room_is_a_usage_error(site: dict[str, str], run_cli: RunCli) -> None:
    result = run_cli(["call", "next", "999"], env=site)
    assert result.returncode == 2
    message = result.stderr.decode()
    assert "999" in message
    assert "không gọi" in message
    assert "known rooms: 101, 105, 203" in message


def test_a_room_token_is_printed_once_and_kept_as_a_hash(
    tmp_path: Path, site: dict[str, str], run_cli: RunCli
) -> None:
    made = _out(run_cli(["room", "token", "101", "--json"], env=site))
    assert isinstance(made, dict)
    token = made["token"]
    assert isinstance(token, str)
    assert len(token) >= 24
    assert token.encode() not in (tmp_path / "kiosk.db").read_bytes()
    assert run_cli(["room", "token", "999"], env=site).returncode == 2
