"""Replay never stops the line: a journal check-in central refuses for its data is ``held``
(with its reason in our words) and the replay goes on with the rows after it; nothing the
replay logs or prints carries the row's values."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from subprocess import CompletedProcess

import pytest
from sqlalchemy import insert

from db.models import checkins
from db.offline.failover import FailoverStore
from db.offline.replay import ReplayLoop, replay
from db.store import SqlStore
from db.store.checkins import checkin_values
from db.store.journal import (
    held_checkins,
    held_count,
    hold_events,
    pending_count,
    release_held,
)
from kiosk.model import CheckIn
from tests.builders import ZONE, card, draft, patient
from tests.db.clihelp import cli_json
from tests.db.offline.test_offline import (
    CLOSED_PORT,
    MORNING,
    central_rows,
    journal_store,
    kiosk_env,
)
from tests.fakes import FakeClock

RunCli = Callable[..., CompletedProcess[bytes]]
# a synthetic patient: no real person's data
NAME = "Trần Thị Giảđịnh " * 12  # 204 characters: one column over on PostgreSQL
CCCD = "079190004321"


def _taken_id_in_central(central: SqlStore, mine: CheckIn) -> None:
    """Central holds another check-in (another idempotency key) under ``mine``'s id: a row
    central must refuse, on SQLite as on PostgreSQL."""
    values = checkin_values(replace(mine, series="", queue_number=99))
    values["idempotency_key"] = "someone-else"
    with central.engine.begin() as conn:
        conn.execute(insert(checkins).values(**values))


def test_a_refused_row_is_held_and_the_rows_after_it_go_in(
    store: SqlStore, journal: SqlStore, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    mine = [journal.commit_checkin(draft(f"k{i}", n=i)) for i in (1, 2, 3)]
    assert [c.label for c in mine] == ["A-1", "A-2", "A-3"]
    _taken_id_in_central(store, mine[1])
    caplog.set_level(logging.INFO)
    summary = replay(store, journal, FakeClock(MORNING))
    assert summary.as_json() == {"replayed": 2, "already": 0, "failed": 0, "held": 1}
    assert pending_count(journal) == 0
    [held] = held_checkins(journal)
    assert (held.checkin_id, held.label) == (mine[1].id, "A-2")
    assert "checkins" in held.reason
    assert NAME.strip()[:20] not in held.reason
    assert mine[1].id in caplog.text  # the log names the check-in by its id
    numbers = {row[0]: row[2] for row in central_rows(store)}
    assert mine[0].id in numbers
    assert mine[2].id in numbers
    assert numbers[mine[1].id] == 99  # the other one stays, untouched
    # a second replay does not try it again, and the kiosk goes back online
    assert replay(store, journal, FakeClock(MORNING)).as_json()["held"] == 0
    failover = FailoverStore(store, journal, online=False)
    ReplayLoop(failover, FakeClock(MORNING)).step()
    assert failover.online
    assert held_count(journal) == 1


def test_no_log_line_or_cli_output_carries_the_rows_values(
    postgres_url: str,
    store: SqlStore,
    tmp_path: Path,
    run_cli: RunCli,
    caplog: pytest.LogCaptureFixture,
) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL enforces the column's length; SQLite stores the name")
    journal = journal_store(tmp_path)
    bad = journal.commit_checkin(
        draft("bad", n=1, patient=patient(card(1), name=NAME, id_number=CCCD))
    )
    journal.commit_checkin(draft("good", n=2))
    journal.dispose()
    site = kiosk_env(store.engine.url.render_as_string(hide_password=False), tmp_path)
    caplog.set_level(logging.DEBUG)
    result = run_cli(["replay", "--json"], env=site)
    assert cli_json(result) == {"replayed": 1, "already": 0, "failed": 0, "held": 1, "collided": 0}
    status = run_cli(["status", "--json"], env=site)
    assert (cli_json(status)["held"], cli_json(status)["offline_pending"]) == (1, 0)
    assert cli_json(status)["state"] == "held"
    cut = run_cli(["status", "--json"], env={**site, "KIOSK_DATABASE_URL": CLOSED_PORT})
    assert cut.returncode == 1
    down = json.loads(cut.stdout.decode().strip().splitlines()[-1])
    assert (down["state"], down["held"]) == ("offline", 1)
    said = (
        "".join(part.decode() for r in (result, status) for part in (r.stdout, r.stderr))
        + caplog.text
    )
    assert bad.id in said
    for secret in (NAME.strip()[:20], "Giảđịnh", CCCD):
        assert secret not in said, f"{secret!r} leaked into a log line or the CLI's output"
    cleared = run_cli(["replay", "--clear-held", bad.id, "--json"], env=site)
    assert cli_json(cleared) == {"cleared": 1}
    after = cli_json(run_cli(["status", "--json"], env=site))
    assert (after["held"], after["state"]) == (0, "online")


def test_the_event_of_a_held_check_in_waits_with_it_not_in_the_backlog(
    store: SqlStore, journal: SqlStore
) -> None:
    """A check-in numbered offline right after central failed (its HIS event in doubt) that
    central then refuses is held: its event waits for staff with it, so the journal's outbox
    backlog is empty (the kiosk is drained) until staff release it."""
    with_outbox = SqlStore(
        journal.engine, zone=ZONE, clock=FakeClock(MORNING), series="A", outbox=True
    )
    mine = [with_outbox.commit_checkin(draft(f"k{i}", n=i)) for i in (1, 2)]
    for checkin in mine:
        hold_events(with_outbox, checkin.id)
    assert with_outbox.outbox.counts().pending == 2  # both wait for the replay
    _taken_id_in_central(store, mine[1])
    assert replay(store, with_outbox, FakeClock(MORNING)).as_json()["held"] == 1
    assert (pending_count(journal), held_count(journal)) == (0, 1)
    assert with_outbox.outbox.counts().pending == 0
    assert release_held(journal, mine[1].id) == 1  # staff put it back in line
    assert with_outbox.outbox.counts().pending == 1
