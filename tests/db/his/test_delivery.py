"""Delivery of outbox events to a stand-in HIS on 127.0.0.1: order, retries, dead letters."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from db.his.delivery import OutboxSource, RetryPolicy, deliver_pending
from db.his.http import Endpoint, webhook_sender
from db.store import SqlStore
from db.store.engine import create_kiosk_engine
from tests.builders import ZONE, draft
from tests.db.his_server import his_server
from tests.db.storehelp import open_sqlite_store
from tests.fakes import FakeClock

POLICY = RetryPolicy(max_attempts=3, backoff_s=10, backoff_max_s=15, lease_s=60)


def test_webhook_gets_each_event_once_with_its_idempotency_key(
    outbox_store: SqlStore, clock: FakeClock
) -> None:
    made = outbox_store.commit_checkin(draft("k1", n=1))
    with his_server() as (his, url):
        report = deliver_pending(
            [outbox_store.outbox],
            webhook_sender(Endpoint(url, deadline_s=5, allow_http=True, token="s3cret")),
            clock,
            POLICY,
        )
        again = deliver_pending([outbox_store.outbox], webhook_sender(_local(url)), clock, POLICY)
    assert (report.delivered, report.counts.as_json()) == (
        1,
        {"pending": 0, "delivered": 1, "failed": 0, "needs_identity": 0},
    )
    assert again.delivered == 0
    [got] = his.received
    assert got.body["checkin_id"] == made.id
    assert got.body["queue_number"] == 1
    assert got.headers["Idempotency-Key"] == got.body["event_id"]
    assert got.headers["Authorization"] == "Bearer s3cret"
    assert got.headers["Content-Type"] == "application/json"


def test_retries_with_backoff_then_a_dead_letter_that_retry_revives(
    outbox_store: SqlStore, clock: FakeClock
) -> None:
    outbox_store.commit_checkin(draft("k1", n=1))
    with his_server(script=[503, 500, 502]) as (his, url):
        sender = webhook_sender(_local(url))
        first = deliver_pending([outbox_store.outbox], sender, clock, POLICY)
        assert (first.retried, first.counts.pending) == (1, 1)
        assert deliver_pending([outbox_store.outbox], sender, clock, POLICY).waiting == 1  # not due
        clock.advance(seconds=9)
        assert deliver_pending([outbox_store.outbox], sender, clock, POLICY).waiting == 1
        clock.advance(seconds=1)  # 10 s after the first try
        assert deliver_pending([outbox_store.outbox], sender, clock, POLICY).retried == 1
        clock.advance(seconds=15)  # backoff doubled to 20 s, capped at 15 s
        last = deliver_pending([outbox_store.outbox], sender, clock, POLICY)
        assert (last.dead, last.counts.as_json()) == (
            1,
            {"pending": 0, "delivered": 0, "failed": 1, "needs_identity": 0},
        )
        clock.advance(hours=1)
        assert deliver_pending([outbox_store.outbox], sender, clock, POLICY).counts.failed == 1
        assert len(his.received) == 3
        # the status and our words: never the HIS's body
        assert outbox_store.outbox.last_error() == "HTTP 502: the HIS could not take it now"
        [dead_id] = _all_ids(outbox_store)
        assert outbox_store.outbox.retry(dead_id, clock.now())
        done = deliver_pending([outbox_store.outbox], sender, clock, POLICY)
    assert done.counts.as_json() == {"pending": 0, "delivered": 1, "failed": 0, "needs_identity": 0}
    assert len({r.body["event_id"] for r in his.received}) == 1  # one event, four tries


def _local(url: str) -> Endpoint:
    return Endpoint(url, deadline_s=5, allow_http=True)


def _all_ids(outbox_store: SqlStore) -> list[int]:
    from sqlalchemy import select

    from db.models import outbox

    with outbox_store.engine.connect() as conn:
        return list(conn.execute(select(outbox.c.id)).scalars())


def test_a_refused_event_is_a_dead_letter_at_once(outbox_store: SqlStore, clock: FakeClock) -> None:
    outbox_store.commit_checkin(draft("k1", n=1))
    with his_server(script=[422]) as (his, url):
        report = deliver_pending([outbox_store.outbox], webhook_sender(_local(url)), clock, POLICY)
    assert (report.dead, len(his.received)) == (1, 1)


def test_a_patients_later_events_wait_behind_an_earlier_one(
    outbox_store: SqlStore, clock: FakeClock
) -> None:
    first = outbox_store.commit_checkin(draft("k1", n=1))
    outbox_store.cancel_checkin(first.id, "thu", "x")
    other = outbox_store.commit_checkin(draft("k2", n=2))
    with his_server(script=[500]) as (his, url):
        sender = webhook_sender(_local(url))
        report = deliver_pending([outbox_store.outbox], sender, clock, POLICY)
        # Patient 1's check-in failed: their cancel waits; patient 2 is not held up.
        assert (report.retried, report.waiting, report.delivered) == (1, 1, 1)
        assert [r.body["event"] for r in his.received] == ["checkin", "checkin"]
        assert his.received[1].body["checkin_id"] == other.id
        clock.advance(seconds=10)
        deliver_pending([outbox_store.outbox], sender, clock, POLICY)
    assert [(r.body["checkin_id"], r.body["event"]) for r in his.received[2:]] == [
        (first.id, "checkin"),
        (first.id, "cancel"),
    ]


def test_no_reply_is_retried(outbox_store: SqlStore, clock: FakeClock) -> None:
    outbox_store.commit_checkin(draft("k1", n=1))
    report = deliver_pending(
        [outbox_store.outbox],
        webhook_sender(Endpoint("http://127.0.0.1:9/none", deadline_s=0.5, allow_http=True)),
        clock,
        POLICY,
    )
    assert (report.retried, report.counts.pending) == (1, 1)
    assert "no reply" in (outbox_store.outbox.last_error() or "")


def test_several_outboxes_and_an_unreadable_one(
    outbox_store: SqlStore, clock: FakeClock, tmp_path: Path
) -> None:
    journal = open_sqlite_store(tmp_path, "journal.db", clock=clock, outbox=True)
    outbox_store.commit_checkin(draft("k1", n=1))
    journal.commit_checkin(draft("j1", n=2))
    broken = create_kiosk_engine(f"sqlite:///{tmp_path / 'missing' / 'x.db'}")
    gone = SqlStore(broken, zone=ZONE, clock=clock, outbox=True)
    sources: list[OutboxSource] = [gone.outbox, outbox_store.outbox, journal.outbox]
    with his_server() as (his, url):
        report = deliver_pending(sources, webhook_sender(_local(url)), clock, POLICY)
    assert report.delivered == 2
    assert len(his.received) == 2
    assert len(report.errors) == 1
    journal.dispose()
    gone.dispose()


def test_a_lease_keeps_a_second_worker_off(outbox_store: SqlStore, clock: FakeClock) -> None:
    outbox_store.commit_checkin(draft("k1", n=1))
    [item], _ = outbox_store.outbox.pending(10)
    assert outbox_store.outbox.claim(item, clock.now(), clock.now() + timedelta(seconds=60))
    with his_server() as (his, url):
        report = deliver_pending([outbox_store.outbox], webhook_sender(_local(url)), clock, POLICY)
        assert (report.waiting, len(his.received)) == (1, 0)
        clock.advance(seconds=61)  # the first worker died mid-send: the lease runs out
        report = deliver_pending([outbox_store.outbox], webhook_sender(_local(url)), clock, POLICY)
    assert report.delivered == 1
