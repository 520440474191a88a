"""Replay in real processes: a replay killed part-way (SIGKILL), then the exact second replay;
and the offline demo through ``kiosk-admin`` with central on a closed port, then fixed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

from sqlalchemy import func, select

from db.models import checkins
from db.offline.replay import replay
from db.store import SqlStore
from db.store.journal import pending_count
from tests.builders import draft
from tests.db.clihelp import cli_json
from tests.db.offline.test_offline import CLOSED_PORT, MORNING, journal_store, kiosk_env
from tests.db.pg import fresh_database
from tests.fakes import FakeClock

ROOT = Path(__file__).resolve().parents[3]
RunCli = Callable[..., CompletedProcess[bytes]]

# The child replays with a fault at the named point "between" (between central's commit and
# the journal's note of one check-in): at the KILL_AT-th check-in it tells the parent and
# waits there until the parent's SIGKILL. The kill lands at that exact point every run.
KILL_AT = 40
_CHILD = """
import sys
import threading
import db.offline.replay
from db.store.engine import create_kiosk_engine
from db.offline.replay import replay
from db.store import SqlStore
from kiosk.clock import SystemClock
seen = 0
def fault(point, item):
    global seen
    if point == "between":
        seen += 1
        if seen == int(sys.argv[3]):
            print("at-fault", flush=True)
            threading.Event().wait()  # held here until the parent's SIGKILL
db.offline.replay.fault_point = fault
central = SqlStore(create_kiosk_engine(sys.argv[1]))
journal = SqlStore(create_kiosk_engine(sys.argv[2]), series="A")
print(replay(central, journal, SystemClock()).as_json(), flush=True)
"""


def _count(store: SqlStore) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(checkins)).scalar_one())


def test_a_replay_killed_part_way_is_finished_exactly_by_the_next(
    store: SqlStore, tmp_path: Path
) -> None:
    total = 100
    journal = journal_store(tmp_path)
    made = {journal.commit_checkin(draft(f"k{i}", n=i)).id for i in range(1, total + 1)}
    central_url = store.engine.url.render_as_string(hide_password=False)
    journal_url = journal.engine.url.render_as_string(hide_password=False)
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, central_url, journal_url, str(KILL_AT)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None
    said = child.stdout.readline().decode().strip()  # blocks until the fault point is reached
    os.kill(child.pid, signal.SIGKILL)
    child.communicate(timeout=30)
    assert said == "at-fault", f"the replay never reached its fault point: {said!r}"
    assert child.returncode == -signal.SIGKILL
    # killed between central's commit and the journal's note of the KILL_AT-th check-in:
    # central has it, the journal still counts it as pending
    landed = _count(store)
    assert landed == KILL_AT, "central must commit a check-in before the journal notes it"
    assert pending_count(journal) == total - KILL_AT + 1

    second = replay(store, journal, FakeClock(MORNING))
    assert (second.failed, second.held) == (0, 0)
    assert second.replayed == total - KILL_AT
    assert second.already == 1  # found in central by its idempotency key
    assert pending_count(journal) == 0
    with store.engine.connect() as conn:
        ids = [row.id for row in conn.execute(select(checkins.c.id, checkins.c.series))]
        numbers = conn.execute(select(checkins.c.queue_number)).scalars().all()
    assert len(ids) == total
    assert set(ids) == made
    assert sorted(numbers) == list(range(1, total + 1))
    journal.dispose()


def test_the_offline_demo_through_kiosk_admin(
    postgres_url: str, tmp_path: Path, run_cli: RunCli
) -> None:
    from tests.db.test_checkin_command import CARD_ROW, EXAMPLE

    cards = tmp_path / "cards.jsonl"
    cards.write_text(json.dumps(CARD_ROW, ensure_ascii=False) + "\n", encoding="utf-8")
    with fresh_database(postgres_url) as url:
        site = {
            **kiosk_env(url, tmp_path),
            "KIOSK_DATABASE_CONNECT_TIMEOUT_S": "1",
            "KIOSK_PRINTER_KIND": "file",
            "KIOSK_PRINTER_OUTPUT_DIR": str(tmp_path / "slips"),
        }
        # the import on central also fills the journal's card replica
        assert run_cli(["import", str(cards), "--no-progress"], env=site).returncode == 0
        down = {**site, "KIOSK_DATABASE_URL": CLOSED_PORT}
        offline = cli_json(
            run_cli(["checkin", "--text", EXAMPLE, "--clinic", "NOI", "--json"], env=down)
        )
        assert offline["status"] == "accepted"
        assert offline["queue_label"] == "A-1"
        assert offline["queue_number"] == 1
        assert offline["offline"] is True
        assert Path(str(offline["slip"])).is_file()
        # the same card again while down: the same number
        again = cli_json(
            run_cli(["checkin", "--text", EXAMPLE, "--clinic", "NOI", "--json"], env=down)
        )
        assert (again["queue_label"], again["reason"]) == ("A-1", "already_checked_in")
        assert run_cli(["replay", "--json"], env=down).returncode == 1  # central still down

        assert cli_json(run_cli(["status", "--json"], env=site))["offline_pending"] == 1
        assert cli_json(run_cli(["replay", "--json"], env=site)) == {
            "replayed": 1,
            "already": 0,
            "failed": 0,
            "held": 0,
            "collided": 0,
        }
        assert cli_json(run_cli(["replay", "--json"], env=site)) == {
            "replayed": 0,
            "already": 0,
            "failed": 0,
            "held": 0,
            "collided": 0,
        }
        status = cli_json(run_cli(["status", "--json"], env=site))
        assert (status["offline_pending"], status["checkins_today"]) == (0, 1)
        # back online the card keeps its offline number; a new check-in gets central's series
        online = cli_json(
            run_cli(["checkin", "--text", EXAMPLE, "--clinic", "NOI", "--json"], env=site)
        )
        assert (online["queue_label"], online["offline"]) == ("A-1", True)
        refreshed = cli_json(run_cli(["replica", "refresh", "--json"], env=site))
        assert refreshed["cards"] == 1
