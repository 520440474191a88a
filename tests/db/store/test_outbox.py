"""Outbox rows are written in the transaction of the change they report, on both databases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Table, func, select

import db.store.checkins
from db.models import checkins, outbox, queue_counters
from db.store import SqlStore
from db.store.outbox import OutboxEvent, outbox_event
from kiosk.model import CheckIn
from kiosk.ports import StoreError
from tests.builders import draft
from tests.db.storehelp import migrated_store
from tests.fakes import FakeClock


@pytest.fixture(params=["sqlite", "postgresql"])
def events_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    """A migrated store with the outbox on, on SQLite and on PostgreSQL."""
    clock = FakeClock(datetime(2026, 11, 25, 3, 0, tzinfo=UTC))
    with migrated_store(request.param, tmp_path, clock=clock, outbox=True) as made:
        yield made


def _rows(store: SqlStore) -> list[dict[str, object]]:
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(outbox).order_by(outbox.c.id))]


def _count(store: SqlStore, table: Table) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_checkin_writes_one_pending_event_with_its_number(events_store: SqlStore) -> None:
    first = events_store.commit_checkin(draft("k1", n=1))
    second = events_store.commit_checkin(draft("k2", n=2))
    rows = _rows(events_store)
    assert [r["kind"] for r in rows] == ["checkin", "checkin"]
    assert [r["checkin_id"] for r in rows] == [first.id, second.id]
    assert all(r["state"] == "pending" and r["attempts"] == 0 for r in rows)
    payload = json.loads(str(rows[1]["payload"]))
    assert payload["queue_number"] == second.queue_number == 2
    assert payload["event_id"] == rows[1]["event_id"]
    assert payload["patient"]["card_number"] == second.patient.card_number
    assert rows[1]["patient_key"] == second.patient.bhxh_number
    assert rows[0]["event_id"] != rows[1]["event_id"]
    assert events_store.outbox.counts().as_json() == {
        "pending": 2,
        "delivered": 0,
        "failed": 0,
        "needs_identity": 0,
    }


def test_a_repeated_checkin_rolls_back_and_writes_no_second_event(
    events_store: SqlStore,
) -> None:
    events_store.commit_checkin(draft("same", n=1))
    again = events_store.commit_checkin(draft("same", n=1))
    assert again.queue_number == 1
    assert len(_rows(events_store)) == 1


def test_an_event_that_cannot_be_written_takes_the_checkin_with_it(
    events_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    events_store.commit_checkin(draft("k1", n=1))
    taken = str(_rows(events_store)[0]["event_id"])

    def clashing(kind: str, checkin: CheckIn, at: datetime | None = None) -> OutboxEvent:
        event = outbox_event(kind, checkin, at)
        return replace(event, event_id=taken)  # breaks the unique event id

    monkeypatch.setattr(db.store.checkins, "outbox_event", clashing)
    with pytest.raises(StoreError):
        events_store.commit_checkin(draft("k2", n=2))
    assert _count(events_store, checkins) == 1
    assert len(_rows(events_store)) == 1
    with events_store.engine.connect() as conn:
        assert conn.execute(select(queue_counters.c.last)).scalar_one() == 1  # number given back


def test_cancel_and_reprint_write_their_events(events_store: SqlStore) -> None:
    made = events_store.commit_checkin(draft("k1", n=1))
    events_store.record_audit("thu", "reprint", made.id, None, None)
    events_store.cancel_checkin(made.id, "thu", "nhầm phòng")
    events_store.record_audit("thu", "override", made.id, None, None)  # not an HIS event
    rows = _rows(events_store)
    assert [r["kind"] for r in rows] == ["checkin", "reprint", "cancel"]
    assert {r["patient_key"] for r in rows} == {made.patient.bhxh_number}
    cancel = json.loads(str(rows[2]["payload"]))
    assert cancel["cancelled"] is True
    assert cancel["event"] == "cancel"
    assert cancel["queue_number"] == made.queue_number


def test_a_failed_cancel_writes_no_event(events_store: SqlStore) -> None:
    with pytest.raises(LookupError):
        events_store.cancel_checkin("missing", "thu", "x")
    assert _rows(events_store) == []


def test_outbox_off_writes_nothing(sqlite_store: SqlStore) -> None:
    made = sqlite_store.commit_checkin(draft("k1"))
    sqlite_store.cancel_checkin(made.id, "thu", "x")
    assert _rows(sqlite_store) == []


def test_claim_settle_and_retry(events_store: SqlStore) -> None:
    events_store.commit_checkin(draft("k1", n=1))
    box = events_store.outbox
    now = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    [item], held = box.pending(10)
    assert held == set()
    assert box.claim(item, now, now + timedelta(seconds=60))
    assert not box.claim(item, now, now + timedelta(seconds=60))  # leased to the first taker
    box.failed_try(item.id, "HTTP 500", None)
    assert box.counts().as_json() == {
        "pending": 0,
        "delivered": 0,
        "failed": 1,
        "needs_identity": 0,
    }
    assert box.pending(10) == ([], {item.patient_key})
    assert box.last_error() == "HTTP 500"
    assert box.retry(item.id, now)
    assert not box.retry(item.id, now)  # no longer a dead letter
    [again], _ = box.pending(10)
    assert again.attempts == 0
    box.delivered(again.id, now)
    assert box.counts().as_json() == {
        "pending": 0,
        "delivered": 1,
        "failed": 0,
        "needs_identity": 0,
    }


def test_an_offline_numbers_label_is_in_its_event() -> None:
    from db.store.outbox import event_payload
    from tests import builders

    offline = event_payload("checkin", builders.checkin(queue_number=1, series="H"), "e1")
    central = event_payload("checkin", builders.checkin(queue_number=1), "e2")
    assert (offline["queue_label"], offline["offline"]) == ("H-1", True)
    assert (central["queue_label"], central["offline"]) == (None, False)
