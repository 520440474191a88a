"""Delivery that cannot be hijacked or stalled, against real HTTP servers on 127.0.0.1: no
redirect followed, a total deadline, a reply size cap, https unless allowed, no HIS body kept."""

from __future__ import annotations

import logging
import time

import pytest

from db.his.delivery import RetryPolicy, deliver_pending
from db.his.http import Endpoint, InsecureUrlError, webhook_sender
from db.store import SqlStore
from db.store.outbox import OutboxItem
from tests.builders import draft
from tests.db.his_server import Answer, dribbling_server, flooding_server, his_server
from tests.fakes import FakeClock

POLICY = RetryPolicy(max_attempts=2, backoff_s=10, backoff_max_s=15, lease_s=60)


def _item() -> OutboxItem:
    return OutboxItem(
        id=1,
        event_id="e" * 32,
        kind="checkin",
        patient_key="7912345678",
        payload={"event": "checkin", "patient": {"name": "Trần Thị Mẫu Thử"}},
        attempts=0,
        next_attempt_at=FakeClock().now(),
    )


def _local(url: str, *, deadline_s: float = 5.0, max_reply_bytes: int = 1024 * 1024) -> Endpoint:
    return Endpoint(url, allow_http=True, deadline_s=deadline_s, max_reply_bytes=max_reply_bytes)


def test_a_307_to_another_host_is_not_followed_and_becomes_a_dead_letter(
    outbox_store: SqlStore, clock: FakeClock
) -> None:
    outbox_store.commit_checkin(draft("k1", n=1))
    with his_server() as (thief, thief_url):
        elsewhere = thief_url.replace("127.0.0.1", "localhost")
        redirect = Answer(307, (("Location", elsewhere),))
        with his_server(script=[redirect, redirect]) as (his, url):
            sender = webhook_sender(_local(url))
            first = deliver_pending([outbox_store.outbox], sender, clock, POLICY)
            assert first.retried == 1  # an error, tried again later
            assert outbox_store.outbox.last_error() == (
                "HTTP 307: redirect to localhost not followed"
            )
            clock.advance(seconds=10)
            last = deliver_pending([outbox_store.outbox], sender, clock, POLICY)
    assert (last.dead, last.counts.failed, last.counts.delivered) == (1, 1, 0)
    assert len(his.received) == 2
    assert thief.received == []  # the patient's data never went to the other host


def test_a_302_is_not_taken_for_delivered() -> None:
    redirect = Answer(302, (("Location", "https://his.example.org/login"),))
    with his_server(script=[redirect]) as (his, url):
        result = webhook_sender(_local(url)).send(_item())
    assert (result.ok, result.permanent) == (False, False)
    assert result.detail == "HTTP 302: redirect to his.example.org not followed"
    assert len(his.received) == 1


@pytest.mark.slow
def test_a_server_dribbling_one_byte_every_2_s_is_cut_at_the_deadline() -> None:
    with dribbling_server(every_s=2.0) as (seen, url):
        sender = webhook_sender(_local(url, deadline_s=3.0))
        started = time.monotonic()
        result = sender.send(_item())
        took = time.monotonic() - started
    assert not result.ok
    assert result.detail == "no complete reply within the deadline of 3 s"
    # cut at the deadline (a per-read timeout would let it run for ever); the margin is for a
    # busy machine
    assert 2.9 <= took < 8
    assert 1 <= seen.written <= 4  # it was still in the status line


def test_the_lease_outlasts_the_senders_deadline() -> None:
    with dribbling_server(every_s=2.0) as (_, url):
        slow = webhook_sender(_local(url, deadline_s=300.0))
        assert POLICY.lease_for(slow) == 330.0  # not the policy's 60 s
    assert POLICY.lease_for(webhook_sender(_local("http://127.0.0.1:9/x"))) == 60.0


@pytest.mark.parametrize("declare_length", [False, True])
def test_a_50_mb_reply_is_cut_at_the_1_mb_cap(declare_length: bool) -> None:
    with flooding_server(50 * 1024 * 1024, declare_length=declare_length) as (seen, url):
        result = webhook_sender(_local(url, max_reply_bytes=1024 * 1024)).send(_item())
        seen.stop.set()
    # A 2xx was taken by the HIS: it is delivered, its reply not read past the cap.
    assert result.ok
    assert result.detail == (
        "HTTP 200; reply over the size cap of 1,048,576 bytes: not read further"
    )
    assert seen.written < 25 * 1024 * 1024  # the client hung up long before 50 MB


def test_an_oversized_error_reply_is_tried_again() -> None:
    huge = Answer(503, body=b"x" * (2 * 1024 * 1024))
    with his_server(script=[huge]) as (_, url):
        result = webhook_sender(_local(url, max_reply_bytes=1024 * 1024)).send(_item())
    assert (result.ok, result.permanent) == (False, False)
    assert result.detail.startswith("HTTP 503; reply over the size cap")


def test_plain_http_is_refused_without_allow_http() -> None:
    with pytest.raises(InsecureUrlError, match="expected an https:// URL"):
        Endpoint("http://his.local/in")
    assert Endpoint("https://his.local/in").url == "https://his.local/in"


def test_no_his_body_in_last_error_or_the_log(
    outbox_store: SqlStore, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    outbox_store.commit_checkin(draft("k1", n=1))
    echo = b'{"error": "bad patient Nguyen Van Mau Thu 079175000001"}'
    with his_server(script=[Answer(500, body=echo), Answer(400, body=echo)]) as (_, url):
        sender = webhook_sender(_local(url))
        with caplog.at_level(logging.DEBUG):
            deliver_pending([outbox_store.outbox], sender, clock, POLICY)
            clock.advance(seconds=10)
            report = deliver_pending([outbox_store.outbox], sender, clock, POLICY)
    assert report.dead == 1
    [dead] = outbox_store.outbox.dead_letters()
    assert dead.last_error == "HTTP 400: the HIS refused the event"
    assert "079175000001" not in caplog.text
    assert "Nguyen" not in caplog.text


def test_an_unreachable_his_is_tried_again() -> None:
    result = webhook_sender(_local("http://127.0.0.1:9/none", deadline_s=5.0)).send(_item())
    assert (result.ok, result.permanent) == (False, False)
    assert result.detail.startswith("no reply: ConnectionRefusedError")
