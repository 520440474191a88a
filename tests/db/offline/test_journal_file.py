"""The journal is a cache, not a dependency: a journal file SQLite cannot read, or none at
all, is moved aside (renamed with a timestamp) and rebuilt at start-up with one log line, and
online check-ins go on as if nothing had happened."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from db.store.journal import pending_count
from db.store.journal_file import move_aside
from db.store.open import open_journal
from kiosk.config import load_config
from tests.db.clihelp import cli_json
from tests.db.offline.test_offline import CLOSED_PORT, ROOT, kiosk_env
from tests.db.pg import fresh_database

RunCli = Callable[..., CompletedProcess[bytes]]
GARBAGE = b"PK\x03\x04 a zip file, not a database " * 200


def _site(tmp_path: Path, central: str = CLOSED_PORT) -> dict[str, str]:
    """A kiosk with a central PostgreSQL (``central``; by default one that never answers:
    opening the journal does not touch it) and its journal in ``tmp_path``."""
    return {
        **kiosk_env(central, tmp_path),
        "KIOSK_DATABASE_CONNECT_TIMEOUT_S": "1",
        "KIOSK_PRINTER_KIND": "file",
        "KIOSK_PRINTER_OUTPUT_DIR": str(tmp_path / "slips"),
    }


def _journal_lines(
    caplog: pytest.LogCaptureFixture, result: CompletedProcess[bytes] | None = None
) -> list[str]:
    """The log lines about the journal file: from the log, or from a command's stderr."""
    if result is not None:
        said = result.stderr.decode().splitlines()
        return [line for line in said if "offline journal" in line]
    return [r.getMessage() for r in caplog.records if "offline journal" in r.getMessage()]


def test_a_garbage_journal_is_moved_aside_and_online_check_ins_go_on(
    postgres_url: str, tmp_path: Path, run_cli: RunCli, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.db.test_checkin_command import CARD_ROW, EXAMPLE

    with fresh_database(postgres_url) as url:
        _garbage_journal(
            _site(tmp_path, url), tmp_path, run_cli, caplog, card_row=CARD_ROW, example=EXAMPLE
        )


def _garbage_journal(
    site: dict[str, str],
    tmp_path: Path,
    run_cli: RunCli,
    caplog: pytest.LogCaptureFixture,
    *,
    card_row: dict[str, str],
    example: str,
) -> None:
    cards = tmp_path / "cards.jsonl"
    cards.write_text(json.dumps(card_row, ensure_ascii=False) + "\n", encoding="utf-8")
    assert run_cli(["import", str(cards), "--no-progress"], env=site).returncode == 0
    journal = tmp_path / "offline.db"
    journal.write_bytes(GARBAGE)  # e.g. a file copied over it by mistake
    caplog.set_level(logging.INFO)
    caplog.clear()

    checked = run_cli(["checkin", "--text", example, "--clinic", "NOI", "--json"], env=site)
    done = cli_json(checked)
    assert (done["status"], done["queue_label"], done["offline"]) == ("accepted", "1", False)
    [aside] = sorted(tmp_path.glob("offline.db.corrupt-*[0-9]Z"))
    assert aside.read_bytes() == GARBAGE  # kept as it was, for whoever looks
    [line] = _journal_lines(caplog, checked)  # one line, saying what and where
    assert "moved aside" in line
    assert aside.name in line
    # the new journal is a real one: the next start finds nothing to move, and says nothing
    caplog.clear()
    status = run_cli(["status", "--json"], env=site)
    assert cli_json(status)["state"] == "online"
    assert sorted(tmp_path.glob("offline.db.corrupt-*[0-9]Z")) == [aside]
    assert _journal_lines(caplog, status) == []


def test_a_missing_journal_is_built_with_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = load_config(ROOT / "config.toml", env=_site(tmp_path))
    caplog.set_level(logging.INFO)
    built = open_journal(config)
    assert built is not None
    assert pending_count(built) == 0
    built.dispose()
    [line] = _journal_lines(caplog)
    assert "missing" in line
    assert list(tmp_path.glob("*.corrupt-*")) == []  # nothing to move aside


def test_a_journal_that_cannot_be_opened_for_another_reason_is_not_moved(
    tmp_path: Path,
) -> None:
    """Only a file SQLite says is not a database is set aside: a folder in its place (a
    mistake to fix, not a cache to rebuild) stays, and the error is told."""
    site = _site(tmp_path)
    (tmp_path / "offline.db").mkdir()
    config = load_config(ROOT / "config.toml", env=site)
    with pytest.raises(Exception, match="database"):
        open_journal(config)
    assert (tmp_path / "offline.db").is_dir()
    assert list(tmp_path.glob("*.corrupt-*")) == []


def test_moving_aside_takes_the_wal_and_shm_along(tmp_path: Path) -> None:
    journal = tmp_path / "offline.db"
    for name, data in (("offline.db", GARBAGE), ("offline.db-wal", b"w"), ("offline.db-shm", b"s")):
        (tmp_path / name).write_bytes(data)
    aside = move_aside(journal, datetime(2026, 11, 25, 2, 0, tzinfo=UTC))
    assert aside.name == "offline.db.corrupt-20261125T020000000000Z"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        aside.name,
        aside.name + "-shm",
        aside.name + "-wal",
    ]
    assert (tmp_path / (aside.name + "-wal")).read_bytes() == b"w"
