"""The printed label is the number: a label a kiosk printed offline stays with its check-in in
central, whatever central numbered it.

- A lost reply: central committed the check-in as ``1``, the kiosk (offline by then) printed
  ``A-1`` for it from its journal. The replay keeps ``A-1`` as the row's alias
  (``checkins.printed_label``): staff find it, rooms call it, and the HIS gets it with the
  visit's one check-in event.
- Two kiosks with one offline prefix both printed ``A-1``: the replay keeps both check-ins,
  flags both for reception and never fails forever.

Central is the ``store`` fixture (an SQLite file, then a new PostgreSQL database); journals are
SQLite files; the HIS is a capture server on 127.0.0.1.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from subprocess import CompletedProcess

import pytest
from sqlalchemy import select

import db.store.journal as journal_module
from db.his.delivery import RetryPolicy, deliver_pending
from db.his.event_fields import printed_label
from db.his.fhir import encounter_resource
from db.his.http import Endpoint, webhook_sender
from db.his.qd4750 import row_values
from db.models import checkins, outbox
from db.offline.failover import FailoverStore
from db.offline.replay import ReplayLoop, ReplaySummary, replay
from db.store import SqlStore
from db.store.calling import calling_store
from db.store.engine import create_kiosk_engine
from db.store.journal import held_count, pending_count
from db.store.migrate import upgrade
from kiosk.config import HisSettings
from kiosk.model import CheckInFlag
from kiosk.ports import StoreError
from tests.builders import ZONE, draft
from tests.db.clihelp import cli_json
from tests.db.his_server import his_server
from tests.db.offline.test_offline import DAY, MORNING, journal_store, kiosk_env
from tests.db.pg import fresh_database
from tests.fakes import FakeClock
from ui.web.desk import patient_row

RunCli = Callable[..., CompletedProcess[bytes]]
JOURNAL_OUTBOX = True  # a kiosk with a HIS: the journal keeps its events for it
POLICY = RetryPolicy(max_attempts=3, backoff_s=10, backoff_max_s=15, lease_s=60)


def _events(store: SqlStore, checkin_id: str) -> list[tuple[str, str, dict[str, object]]]:
    """(kind, state, payload) of the outbox events of one check-in, in delivery order."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(outbox.c.kind, outbox.c.state, outbox.c.payload)
            .where(outbox.c.checkin_id == checkin_id)
            .order_by(outbox.c.id)
        ).all()
    return [(kind, state, json.loads(payload)) for kind, state, payload in rows]


def _central_losing_a_reply_then_down(tmp_path: Path) -> tuple[SqlStore, SqlStore, list[str]]:
    """An SQLite central, and a store over it whose first commit loses its reply (fault point
    ``committed``) and whose retry meets an outage (``counter``); with the list of the fault
    points hit so far."""
    faults: list[str] = []

    def lost_then_down(point: str) -> None:
        if (point, len(faults)) in {("committed", 0), ("counter", 1)}:
            faults.append(point)
            raise StoreError("database unreachable: the server closed the connection")

    base = journal_store(tmp_path, series="", name="central.db")
    faulty = SqlStore(
        base.engine, zone=ZONE, clock=FakeClock(MORNING), outbox=True, fault=lost_then_down
    )
    return base, faulty, faults


def test_a_label_printed_after_a_lost_reply_is_kept_as_the_rows_alias(
    central: SqlStore, journal: SqlStore
) -> None:
    # Central committed "scan-1" and its reply was lost; the kiosk, offline by then, numbered
    # the same check-in (the same idempotency key, so the same id) from its journal: "A-1".
    committed = central.commit_checkin(draft("scan-1", n=1))
    printed = journal.commit_checkin(draft("scan-1", n=1))
    assert (committed.label, printed.label, committed.id) == ("1", "A-1", printed.id)

    summary = replay(central, journal, FakeClock(MORNING))
    assert summary.as_json() == {"replayed": 0, "already": 1, "failed": 0, "held": 0}
    assert summary.aliased == ("A-1",)
    assert pending_count(journal) == 0

    row = central.get_checkin(committed.id)
    assert row is not None
    assert (row.label, row.printed_label, row.shown_label) == ("1", "A-1", "1 (A-1)")
    # staff: the desk's search by the slip's label finds it, and its list shows both labels
    assert [c.id for c in central.list_checkins(DAY, "A-1")] == [committed.id]
    assert patient_row(row)["label"] == "1 (A-1)"
    # calling: the room calls the label the patient holds
    calls = calling_store(central)
    assert [w.label for w in calls.queue("NOI", DAY).waiting] == ["A-1"]
    called = calls.call_next("101", "NOI", DAY, run_limit=2)
    assert called is not None
    assert called.label == "A-1"
    # the HIS: one check-in event for the visit, central's, carrying the alias
    assert [(k, s) for k, s, _ in _events(central, committed.id)] == [("checkin", "pending")]
    assert _events(central, committed.id)[0][2]["printed_label"] == "A-1"
    assert _events(journal, committed.id) == []
    # a second replay changes nothing
    assert replay(central, journal, FakeClock(MORNING)).as_json()["already"] == 0
    with his_server() as (his, url):
        report = deliver_pending(
            [central.outbox, journal.outbox],
            webhook_sender(Endpoint(url, deadline_s=5, allow_http=True)),
            FakeClock(MORNING),
            POLICY,
        )
    assert report.delivered == 1
    [got] = his.bodies()
    assert (got["event"], got["checkin_id"], got["queue_number"]) == ("checkin", row.id, 1)
    assert got["printed_label"] == "A-1"
    # every HIS format carries it: FHIR a second queue identifier, QĐ 4750 its reserve field
    settings = HisSettings()
    encounter = encounter_resource(got, settings, None, ZONE, "urn:uuid:p")
    queue_ids = [
        i["value"] for i in encounter["identifier"] if i["system"] == settings.queue_system
    ]
    assert queue_ids == ["2026-11-25/1", "2026-11-25/A-1"]
    assert row_values(got, "79024", ZONE, "Nội")["DU_PHONG"] == "A-1"
    assert printed_label({**got, "printed_label": None}) is None


def test_two_kiosks_with_one_prefix_keep_both_checkins_and_flag_both(
    store: SqlStore, tmp_path: Path
) -> None:
    one = journal_store(tmp_path, "A", "one.db")
    two = journal_store(tmp_path, "A", "two.db")
    first = one.commit_checkin(draft("from-one", n=1))
    second = two.commit_checkin(draft("from-two", n=2))  # A-1 again: a configuration mistake
    assert first.label == second.label == "A-1"
    clock = FakeClock(MORNING)
    assert replay(store, one, clock).collided == ()
    summary = replay(store, two, clock)
    assert summary.as_json() == {"replayed": 1, "already": 0, "failed": 0, "held": 0}
    assert summary.collided == ("A-1",)
    assert (pending_count(two), held_count(two)) == (0, 0)  # nothing waits, nothing retried

    kept = {c.id: c for c in store.list_checkins(DAY, "A-1")}  # staff find both by the slip
    assert set(kept) == {first.id, second.id}
    assert {c.flag for c in kept.values()} == {CheckInFlag.LABEL_COLLISION.value}
    assert kept[first.id].label == "A-1"
    assert (kept[second.id].series, kept[second.id].printed_label) == ("", "A-1")
    assert kept[second.id].slip_label == "A-1"
    assert [patient_row(kept[i])["flag"] for i in (first.id, second.id)] == [
        "label_collision",
        "label_collision",
    ]
    # the second kiosk's own list shows the flag too (its staff see it while offline)
    mine = two.get_checkin(second.id)
    assert mine is not None
    assert mine.flag == CheckInFlag.LABEL_COLLISION.value
    with store.engine.connect() as conn:
        labels = conn.execute(select(checkins.c.printed_label, checkins.c.queue_number)).all()
    assert len(labels) == 2
    # never fails forever: another replay finds nothing to do, and the kiosk goes online
    assert replay(store, two, clock).as_json() == {
        "replayed": 0,
        "already": 0,
        "failed": 0,
        "held": 0,
    }
    failover = FailoverStore(store, two, online=False)
    ReplayLoop(failover, clock).step()
    assert failover.online
    one.dispose()
    two.dispose()


def test_colliding_labels_through_kiosk_admin(
    postgres_url: str, tmp_path: Path, run_cli: RunCli
) -> None:
    """``replay --json`` counts the collision and names it; ``status`` counts today's check-ins
    flagged for reception (a journal needs a server central: PostgreSQL only)."""
    now = datetime.now(UTC)
    day = now.astimezone(ZONE).date()
    one = journal_store(tmp_path, "A", "one.db")
    one.commit_checkin(draft("from-one", n=1, day=day, created_at=now))
    one.dispose()
    two = journal_store(tmp_path, "A", "two.db")
    two.commit_checkin(draft("from-two", n=2, day=day, created_at=now))
    two.dispose()
    with fresh_database(postgres_url) as url:
        first, second = kiosk_env(url, tmp_path, "one.db"), kiosk_env(url, tmp_path, "two.db")
        assert cli_json(run_cli(["replay", "--json"], env=first))["collided"] == 0
        done = run_cli(["replay", "--json"], env=second)
        assert cli_json(done) == {
            "replayed": 1,
            "already": 0,
            "failed": 0,
            "held": 0,
            "collided": 1,
        }
        assert "A-1 (another kiosk printed the same label; both kept)" in done.stderr.decode()
        again = cli_json(run_cli(["replay", "--json"], env=second))  # never fails forever
        assert (again["replayed"], again["failed"]) == (0, 0)
        status = cli_json(run_cli(["status", "--json"], env=second))
        assert (status["state"], status["collided"]) == ("online", 2)


def test_a_lost_reply_then_an_offline_slip_gives_the_his_one_checkin_event(
    tmp_path: Path, journal: SqlStore
) -> None:
    """Through the kiosk's store: central commits, the reply is lost and the retry meets an
    outage (fault points ``committed``, then ``counter``, on an SQLite central), so the kiosk
    prints ``A-1`` from its journal. The journal's event waits (central may hold the visit):
    the HIS hears nothing from the journal, and after the replay one check-in event, central's,
    with the alias."""
    base, faulty, faults = _central_losing_a_reply_then_down(tmp_path)
    central = SqlStore(base.engine, zone=ZONE, clock=FakeClock(MORNING), outbox=True)
    kiosk = FailoverStore(faulty, journal)
    slip = kiosk.commit_checkin(draft("scan-1", n=1))
    assert faults == ["committed", "counter"]
    assert (slip.label, kiosk.online) == ("A-1", False)
    with his_server() as (his, url):
        sender = webhook_sender(Endpoint(url, deadline_s=5, allow_http=True))
        deliver_pending([journal.outbox], sender, FakeClock(MORNING), POLICY)
        assert his.bodies() == []  # in doubt: not from the journal
        assert journal.outbox.counts().pending == 1  # but it is counted: it waits
        assert replay(central, journal, FakeClock(MORNING)).aliased == ("A-1",)
        deliver_pending([central.outbox, journal.outbox], sender, FakeClock(MORNING), POLICY)
        got = his.bodies()
    assert [(b["event"], b["queue_number"], b["printed_label"]) for b in got] == [
        ("checkin", 1, "A-1")
    ]
    base.dispose()


def test_two_kiosks_replaying_one_label_at_the_same_moment_keep_both(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kiosk one looks for ``A-1`` in central and finds nothing; before it inserts, kiosk two
    puts its ``A-1`` in (fault point ``looked``, timed with events). Kiosk one's insert meets
    the unique key, and its replay looks again: a collision, both kept, nothing held."""
    one = journal_store(tmp_path, "A", "one.db")
    two = journal_store(tmp_path, "A", "two.db")
    first = one.commit_checkin(draft("from-one", n=1))
    second = two.commit_checkin(draft("from-two", n=2))
    looked = threading.Event()
    go_on = threading.Event()
    calls: list[str] = []

    def hold_the_first_look(point: str) -> None:
        calls.append(point)
        if threading.current_thread().name == "kiosk-one" and not looked.is_set():
            looked.set()
            assert go_on.wait(30), "kiosk two never finished"

    monkeypatch.setattr(journal_module, "fault_point", hold_the_first_look)
    results: dict[str, ReplaySummary] = {}
    with fresh_database(postgres_url) as url:
        engine = create_kiosk_engine(url)
        upgrade(engine)
        central = SqlStore(engine, zone=ZONE)
        try:
            runner = threading.Thread(
                target=lambda: results.update(one=replay(central, one, FakeClock(MORNING))),
                name="kiosk-one",
            )
            runner.start()
            assert looked.wait(30), "kiosk one never looked"
            results["two"] = replay(central, two, FakeClock(MORNING))
            go_on.set()
            runner.join(30)
            assert not runner.is_alive()
            kept = {c.id: c for c in central.list_checkins(DAY, "A-1")}
        finally:
            central.dispose()
    assert results["two"].collided == ()  # it got there first: A-1 is its own
    assert results["one"].as_json() == {"replayed": 1, "already": 0, "failed": 0, "held": 0}
    assert results["one"].collided == ("A-1",)
    assert calls.count("looked") >= 3  # kiosk one looked twice, kiosk two once
    assert set(kept) == {first.id, second.id}
    assert kept[second.id].label == "A-1"
    assert (kept[first.id].series, kept[first.id].printed_label) == ("", "A-1")
    assert {c.flag for c in kept.values()} == {CheckInFlag.LABEL_COLLISION.value}
    one.dispose()
    two.dispose()


class KioskKilled(BaseException):
    """The kiosk process dies where it stands (a SIGKILL): nothing of it runs on."""


def test_a_kiosk_killed_after_central_committed_gives_the_rescan_the_same_checkin(
    tmp_path: Path, journal: SqlStore
) -> None:
    """Central commits the visit and the kiosk dies before it learns so (fault point
    ``committed``): no copy in the journal. It starts again offline and the patient scans
    again (a new attempt): the journal prints ``A-1`` under the first attempt's key, so the
    replay finds central's row and keeps ``A-1`` as its alias. One check-in in central, one
    check-in event to the HIS, and none from the journal before the replay."""

    def killed(point: str) -> None:
        if point == "committed":
            raise KioskKilled(point)

    base = journal_store(tmp_path, series="", name="central.db")
    central = SqlStore(base.engine, zone=ZONE, clock=FakeClock(MORNING), outbox=True)
    faulty = SqlStore(base.engine, zone=ZONE, clock=FakeClock(MORNING), outbox=True, fault=killed)
    with pytest.raises(KioskKilled):
        FailoverStore(faulty, journal).commit_checkin(draft("scan-1", n=1))
    [first] = central.list_checkins(DAY)
    assert first.label == "1"
    restarted = FailoverStore(central, journal, online=False)  # central did not answer its start
    assert restarted.existing_checkin(first.patient.bhxh_number or "", "NOI", DAY) is None
    slip = restarted.commit_checkin(draft("scan-2", n=1))
    assert (slip.label, slip.id) == ("A-1", first.id)
    with his_server() as (his, url):
        sender = webhook_sender(Endpoint(url, deadline_s=5, allow_http=True))
        deliver_pending([journal.outbox], sender, FakeClock(MORNING), POLICY)
        assert his.bodies() == []  # in doubt: central may hold the visit
        summary = replay(central, journal, FakeClock(MORNING))
        assert (summary.aliased, pending_count(journal)) == (("A-1",), 0)
        deliver_pending([central.outbox, journal.outbox], sender, FakeClock(MORNING), POLICY)
        got = his.bodies()
    [row] = central.list_checkins(DAY)
    assert (row.id, row.label, row.printed_label) == (first.id, "1", "A-1")
    assert [(b["event"], b["checkin_id"], b["printed_label"]) for b in got] == [
        ("checkin", first.id, "A-1")
    ]
    # the journal knows the first attempt's outcome now: a later visit (the first one
    # cancelled) is a new check-in again
    central.cancel_checkin(first.id, "Lễ tân", "về")
    again = restarted.commit_checkin(draft("scan-3", n=1))
    assert (again.label, again.id != first.id) == ("A-2", True)
    base.dispose()


def test_a_journal_event_in_doubt_cannot_go_out_before_it_is_marked(
    tmp_path: Path, journal: SqlStore
) -> None:
    """The journal's delivery runs the moment the journal has committed the offline check-in
    (fault point ``committed`` of the journal): its event is already ``in_doubt``, written so
    in the check-in's own transaction, and the HIS hears nothing from the journal."""
    base, faulty, faults = _central_losing_a_reply_then_down(tmp_path)
    with his_server() as (his, url):
        sender = webhook_sender(Endpoint(url, deadline_s=5, allow_http=True))
        delivered: list[int] = []

        def deliver_now(point: str) -> None:
            if point == "committed":
                delivered.append(
                    deliver_pending([journal.outbox], sender, FakeClock(MORNING), POLICY).delivered
                )

        racing = SqlStore(
            journal.engine,
            zone=ZONE,
            clock=FakeClock(MORNING),
            series="A",
            outbox=True,
            fault=deliver_now,
        )
        slip = FailoverStore(faulty, racing).commit_checkin(draft("scan-1", n=1))
        assert (slip.label, faults, delivered) == ("A-1", ["committed", "counter"], [0])
        assert his.bodies() == []
    assert [(k, s) for k, s, _ in _events(journal, slip.id)] == [("checkin", "in_doubt")]
    base.dispose()
