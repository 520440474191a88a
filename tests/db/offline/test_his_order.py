"""One order to the HIS: a patient's events go out in the order they happened, across the
journal's outbox and central's. An offline check-in that is replayed and then cancelled reaches
the HIS as arrived, then cancelled, never cancelled first, whoever delivers central's outbox
(this kiosk with its journal, or another kiosk that only knows central).

The replay hands the journal's undelivered events of a check-in to central's outbox in the
replay's own transaction, so a cancel made after it is written behind them. The HIS is a
capture server on 127.0.0.1; central is an SQLite file, then a new PostgreSQL database.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from db.his.delivery import OutboxSource, RetryPolicy, deliver_pending
from db.his.http import Endpoint, webhook_sender
from db.offline.failover import FailoverStore
from db.offline.replay import replay
from db.store import SqlStore
from tests.builders import draft
from tests.db.his_server import his_server
from tests.db.offline.test_offline import MORNING
from tests.fakes import FakeClock

JOURNAL_OUTBOX = True  # a kiosk with a HIS: the journal keeps its events for it
POLICY = RetryPolicy(max_attempts=3, backoff_s=10, backoff_max_s=15, lease_s=60)


@pytest.mark.parametrize("deliverer", ["this kiosk", "another kiosk"])
def test_a_replayed_then_cancelled_checkin_reaches_the_his_arrived_then_cancelled(
    central: SqlStore, journal: SqlStore, deliverer: str
) -> None:
    # Offline, the HIS out of reach too: the check-in's event waits in the journal's outbox.
    offline = journal.commit_checkin(draft("offline-1", n=1))
    assert offline.label == "A-1"
    later = FailoverStore(central, journal)
    assert replay(central, journal, FakeClock(MORNING)).replayed == 1
    # Back online, reception cancels it: the cancel is central's (the check-in is there now).
    later.cancel_checkin(offline.id, "Lan", "left")
    sources: list[OutboxSource] = (
        [central.outbox, journal.outbox] if deliverer == "this kiosk" else [central.outbox]
    )
    with his_server() as (his, url):
        report = deliver_pending(
            sources,
            webhook_sender(Endpoint(url, deadline_s=5, allow_http=True)),
            FakeClock(MORNING),
            POLICY,
        )
        got = his.bodies()
    assert [(b["event"], b["checkin_id"]) for b in got] == [
        ("checkin", offline.id),
        ("cancel", offline.id),
    ]
    assert got[0]["queue_label"] == "A-1"  # the event as it happened, offline label and all
    assert report.delivered == 2
    # nothing is left to go out twice: the journal handed its event over
    assert journal.outbox.counts().pending == 0
    assert central.outbox.counts().as_json() == {
        "pending": 0,
        "delivered": 2,
        "failed": 0,
        "needs_identity": 0,
    }


def test_an_event_the_journal_delivered_itself_is_not_handed_over(
    central: SqlStore, journal: SqlStore
) -> None:
    """The HIS answered while central did not: the journal's event went out from the journal,
    and the replay does not send it a second time."""
    offline = journal.commit_checkin(draft("offline-2", n=2))
    with his_server() as (his, url):
        sender = webhook_sender(Endpoint(url, deadline_s=5, allow_http=True))
        deliver_pending([journal.outbox], sender, FakeClock(MORNING), POLICY)
        replay(central, journal, FakeClock(MORNING))
        FailoverStore(central, journal).cancel_checkin(offline.id, "Lan", "left")
        deliver_pending([central.outbox, journal.outbox], sender, FakeClock(MORNING), POLICY)
        got = his.bodies()
    assert [b["event"] for b in got] == ["checkin", "cancel"]


def test_one_kiosks_two_outboxes_go_out_merged_by_when_it_happened(
    central: SqlStore, journal: SqlStore
) -> None:
    """Card 1 checked in offline at 09:00 (its event in the journal, not replayed yet: say
    it was held for reception), then at another clinic on central at 09:10. One pass over
    [central, journal] sends 09:00 first; and while the journal's event is retried after an
    HIS error, central's event of the same patient waits behind it."""
    journal.commit_checkin(draft("offline-09", n=1))
    central.commit_checkin(
        draft("central-0910", clinic="NGOAI", n=1, created_at=MORNING + timedelta(minutes=10))
    )
    sources: list[OutboxSource] = [central.outbox, journal.outbox]
    with his_server(script=[503]) as (his, url):
        sender = webhook_sender(Endpoint(url, deadline_s=5, allow_http=True))
        clock = FakeClock(MORNING + timedelta(minutes=11))
        first = deliver_pending(sources, sender, clock, POLICY)
        assert [b["clinic_code"] for b in his.bodies()] == ["NOI"]  # the 09:00 one, refused
        assert (first.retried, first.waiting, first.delivered) == (1, 1, 0)
        clock.advance(seconds=60)
        second = deliver_pending(sources, sender, clock, POLICY)
        got = his.bodies()
    assert second.delivered == 2
    assert [b["clinic_code"] for b in got] == ["NOI", "NOI", "NGOAI"]
