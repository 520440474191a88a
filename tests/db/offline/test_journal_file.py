"""The journal is a cache, not a dependency: a journal file SQLite cannot read, or none at
all, is moved aside (renamed with a timestamp) and rebuilt at start-up with one log line, and
online check-ins go on as if nothing had happened."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from subprocess import CompletedProcess

import pytest
from sqlalchemy import update

from db.models import checkins
from db.store import SqlStore
from db.store.engine import create_kiosk_engine
from db.store.journal import pending_count
from db.store.journal_file import move_aside
from db.store.journal_seed import REBUILD_OFFSET
from db.store.migrate import upgrade
from db.store.open import open_journal, start_above_central
from kiosk.config import load_config
from tests.builders import ZONE, draft
from tests.db.clihelp import cli_json
from tests.db.offline.test_offline import CLOSED_PORT, DAY, MORNING, ROOT, kiosk_env
from tests.db.pg import fresh_database
from tests.fakes import FakeClock

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


def _offline_label(
    journal: SqlStore, key: str, n: int, clinic: str = "NOI", day: date = DAY
) -> str:
    """The label the journal numbers a new check-in with (``n``: which synthetic card)."""
    return journal.commit_checkin(draft(key=key, n=n, clinic=clinic, day=day)).label


def test_a_rebuilt_journal_never_prints_a_label_the_lost_one_printed(tmp_path: Path) -> None:
    """The lost journal's counters go with it: the rebuilt one numbers today above the
    documented offset (per journal moved aside today), in every clinic, and keeps doing so
    when the kiosk starts again."""
    config = load_config(ROOT / "config.toml", env=_site(tmp_path))
    clock = FakeClock(MORNING)
    first = open_journal(config, clock)
    assert first is not None
    printed = {_offline_label(first, "k1", 1), _offline_label(first, "k2", 2, "NHI")}
    assert printed == {"A-1"}  # one per clinic
    first.dispose()
    journal = tmp_path / "offline.db"
    journal.write_bytes(GARBAGE)
    clock.advance(minutes=5)
    rebuilt = open_journal(config, clock)
    assert rebuilt is not None
    assert _offline_label(rebuilt, "k3", 3) == f"A-{REBUILD_OFFSET + 1}"
    assert _offline_label(rebuilt, "k4", 4, "NHI") == f"A-{REBUILD_OFFSET + 1}"
    rebuilt.dispose()
    again = open_journal(config, clock)  # a plain restart: the counters go on
    assert again is not None
    assert _offline_label(again, "k5", 5) == f"A-{REBUILD_OFFSET + 2}"
    again.dispose()
    journal.write_bytes(GARBAGE)  # the second loss of the day: above both lost files
    clock.advance(minutes=5)
    second = open_journal(config, clock)
    assert second is not None
    assert _offline_label(second, "k6", 6) == f"A-{2 * REBUILD_OFFSET + 1}"
    second.dispose()
    # a journal lost on another day does not move today's numbers
    clock.advance(days=1)
    journal.write_bytes(GARBAGE)
    clock.advance(minutes=5)
    tomorrow = open_journal(config, clock)
    assert tomorrow is not None
    next_day = DAY + timedelta(days=1)
    assert _offline_label(tomorrow, "k7", 7, day=next_day) == f"A-{REBUILD_OFFSET + 1}"
    assert _offline_label(tomorrow, "k8", 8, "NHI", day=next_day) == f"A-{REBUILD_OFFSET + 1}"
    assert _offline_label(tomorrow, "k9", 9, day=DAY + timedelta(days=2)) == "A-1"
    tomorrow.dispose()


def test_the_journal_numbers_above_what_central_holds_of_its_series(
    postgres_url: str, tmp_path: Path
) -> None:
    """Central answers at start-up: the journal's numbers of today go above central's highest
    of this kiosk's series, its own rows and the printed labels it keeps as aliases."""
    with fresh_database(postgres_url) as url:
        engine = create_kiosk_engine(url)
        upgrade(engine)
        clock = FakeClock(MORNING)
        central = SqlStore(engine, zone=ZONE, clock=clock)
        replayed = SqlStore(engine, zone=ZONE, clock=clock, series="A")
        try:
            assert replayed.commit_checkin(draft(key="r1", n=1)).label == "A-1"
            aliased = central.commit_checkin(draft(key="c1", n=2, clinic="NHI"))
            with engine.begin() as conn:
                conn.execute(
                    update(checkins).where(checkins.c.id == aliased.id).values(printed_label="A-7")
                )
            other = SqlStore(engine, zone=ZONE, clock=clock, series="B")  # another kiosk's
            assert other.commit_checkin(draft(key="b1", n=3, clinic="TMH")).label == "B-1"
            config = load_config(ROOT / "config.toml", env=_site(tmp_path, url))
            journal = open_journal(config, clock)
            assert journal is not None
            start_above_central(journal, central, config, clock)
            start_above_central(journal, central, config, clock)  # twice changes nothing
            assert _offline_label(journal, "k1", 4) == "A-2"
            assert _offline_label(journal, "k2", 5, "NHI") == "A-8"
            assert _offline_label(journal, "k3", 6, "TMH") == "A-1"
            journal.dispose()
        finally:
            engine.dispose()


def test_the_journal_numbers_in_the_kiosks_own_series(tmp_path: Path) -> None:
    """Each kiosk's offline labels carry its own ``kiosk.offline_prefix``: two kiosks offline
    at once never print one label."""
    labels = []
    for prefix in ("B", "K7"):
        folder = tmp_path / prefix
        site = {**_site(folder), "KIOSK_KIOSK_OFFLINE_PREFIX": prefix}
        journal = open_journal(load_config(ROOT / "config.toml", env=site), FakeClock(MORNING))
        assert journal is not None
        labels.append(_offline_label(journal, f"p-{prefix}", 1))
        journal.dispose()
    assert labels == ["B-1", "K7-1"]
