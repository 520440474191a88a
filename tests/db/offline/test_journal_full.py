"""A full disk under the journal: the journal's copy of a check-in central numbered is not
skipped in silence. The check-in stands (central has it), the copy waits in memory where the
offline duplicate guard still sees it, one log line says so (and one when the journal takes
copies again), the kiosk's health carries it, and the copies go in once there is room.

The full disk is real SQLite: the journal file is capped at its size (``PRAGMA
max_page_count`` on every connection), so SQLite answers "database or disk is full".
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import event, text

from db.offline.failover import FailoverStore
from db.offline.replay import ReplayLoop
from db.store import SqlStore
from kiosk.config import load_config
from kiosk.model import CheckIn
from tests.builders import draft
from tests.db.offline.test_offline import DAY, MORNING, ROOT
from tests.fakes import FakeClock
from ui.admin_tools import build_health

_MOST_TRIES = 200  # check-ins until the capped file is full (a few dozen in practice)


def _cap(journal: SqlStore, pages: int | None) -> None:
    """Cap the journal file at ``pages`` pages from now on (None: lift the cap)."""
    limit = pages if pages is not None else 1_073_741_823

    def on_connect(dbapi: Any, _record: object) -> None:
        dbapi.execute(f"PRAGMA max_page_count = {limit}")

    event.listen(journal.engine, "connect", on_connect)
    journal.engine.dispose()  # the pooled connections go; new ones get the cap


def _fill_until_refused(
    failover: FailoverStore, caplog: pytest.LogCaptureFixture
) -> tuple[list[CheckIn], CheckIn]:
    """Check patients in online until the journal refuses a copy: those it took, and the first
    one it refused."""
    taken: list[CheckIn] = []
    for n in range(2, _MOST_TRIES):
        made = failover.commit_checkin(draft(f"scan-{n}", n=n))
        assert (made.label, made.offline) == (str(n), False)  # central numbers every one
        if failover.copies.problem is not None:
            return taken, made
        taken.append(made)
    pytest.fail("the capped journal never filled up")


def _health_detail(central: SqlStore, failover: FailoverStore) -> str:
    """The detail line of the kiosk's health report (status.json)."""
    report = build_health(
        config=load_config(ROOT / "config.toml", env={}),
        clock=FakeClock(MORNING),
        store=central,
        camera=None,
        version="9.9",
        failover=failover,
    )
    return report.detail


def test_a_full_journal_keeps_the_copy_in_memory_and_says_so(
    store: SqlStore, journal: SqlStore, caplog: pytest.LogCaptureFixture
) -> None:
    failover = FailoverStore(store, journal)
    failover.commit_checkin(draft("scan-1", n=1))
    with journal.engine.connect() as conn:
        pages = int(conn.execute(text("PRAGMA page_count")).scalar_one())
    _cap(journal, pages)
    caplog.set_level(logging.INFO)
    _, refused = _fill_until_refused(failover, caplog)
    problem = failover.copies.problem
    assert problem is not None
    assert "full" in problem  # the kiosk's health says why, in our words
    later = failover.commit_checkin(draft("scan-later", n=150))
    assert later.label.isdigit()  # online check-ins go on: the journal is a cache
    assert failover.copies.waiting == 2
    said = [r.getMessage() for r in caplog.records if "offline journal" in r.getMessage()]
    assert len(said) == 1  # one line when it starts, not one a patient
    assert refused.id in said[0]
    # status.json and the register carry it (the kiosk's health report's detail)
    detail = _health_detail(store, failover)
    assert f"offline journal: {problem} (2 copies wait in memory)" in detail

    # central goes away: the duplicate guard still sees the patients whose copies wait
    failover.set_online(False)
    again = failover.existing_checkin("7900000150", "NOI", DAY)
    assert again is not None
    assert (again.id, again.label) == (later.id, later.label)
    assert journal.existing_checkin("7900000150", "NOI", DAY) is None  # not in the file
    # a cancel at the desk (central back for it) makes the guard forget it too
    failover.set_online(True)
    failover.cancel_checkin(later.id, "Lan", "left")
    failover.set_online(False)
    assert failover.existing_checkin("7900000150", "NOI", DAY) is None

    # room again: the replay loop's next step writes the waiting copies, and says so once
    _cap(journal, None)
    caplog.clear()
    ReplayLoop(failover, FakeClock(MORNING)).step()
    assert failover.copies.waiting == 0
    assert failover.copies.problem is None
    written = journal.existing_checkin(
        refused.patient.bhxh_number or "", refused.clinic_code, refused.local_day
    )
    assert written is not None
    assert written.id == refused.id
    assert [r.getMessage() for r in caplog.records if "offline journal" in r.getMessage()] == [
        "offline journal takes copies again; none waits"
    ]
