"""The calling store on SQLite and the CI PostgreSQL: the queue, each room's steps, rooms racing
for the same patient, the wait estimate, room tokens and retention."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from db.store import SqlStore
from db.store.calling import CallingStore, calling_store
from kiosk.calling import CallError, CallState, CallStep, Priority
from kiosk.model import BirthDate, CheckIn
from tests.builders import DAY, MORNING, card, draft, patient
from tests.db.storehelp import migrated_store
from tests.fakes import FakeClock


@pytest.fixture(params=["sqlite", "postgresql"])
def clocked(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    with migrated_store(request.param, tmp_path) as made:
        yield made


def check_in(store: SqlStore, n: int, *, minute: int = 0, **patient_changes: object) -> CheckIn:
    return store.commit_checkin(
        draft(
            key=f"k{n}",
            n=n,
            patient=patient(card(n), **patient_changes),
            created_at=MORNING + timedelta(minutes=minute or n),
        )
    )


def test_a_room_calls_in_arrival_order_and_steps_through(store: SqlStore) -> None:
    calls = calling_store(store)
    first, second = check_in(store, 1), check_in(store, 2)
    assert [w.label for w in calls.queue("NOI", DAY).waiting] == ["1", "2"]
    called = calls.call_next("101", "NOI", DAY, run_limit=2)
    assert called is not None
    assert called.as_json() == {"label": "1", "clinic": "NOI", "room": "101", "priority": None}
    assert called.state is CallState.CALLED
    assert calls.live_calls(["101"], DAY)["101"].checkin_id == first.id
    recalled = calls.step("101", CallStep.RECALL, DAY)
    assert recalled is not None
    assert recalled.state is CallState.RECALLED
    absent = calls.step("101", CallStep.ABSENT, DAY)
    assert absent is not None
    assert absent.state is CallState.ABSENT
    assert calls.step("101", CallStep.DONE, DAY) is None  # nothing live any more
    nxt = calls.call_next("101", "NOI", DAY, run_limit=2)
    assert nxt is not None
    assert nxt.checkin_id == second.id
    assert calls.call_next("101", "NOI", DAY, run_limit=2) is None  # nobody waits
    # "next" finished the room's live call (done); every step has its room and time, in order
    steps = calls.history(second.id)
    assert [(s, r) for s, r, _ in steps] == [("called", "101"), ("done", "101")]
    assert steps[0][2] <= steps[1][2]
    assert [s for s, _, _ in calls.history(first.id)] == ["called", "recalled", "absent"]


def test_priority_first_within_the_run_limit(store: SqlStore) -> None:
    calls = calling_store(store)
    check_in(store, 1)
    check_in(store, 2, birth=BirthDate(1940))
    check_in(store, 3, card_number="CC1797900000003")
    check_in(store, 4, birth=BirthDate(2024, 1, 1))
    labels = []
    while (called := calls.call_next("101", "NOI", DAY, run_limit=2)) is not None:
        labels.append((called.label, called.priority))
    assert labels == [
        ("2", Priority.AGE_75),
        ("3", Priority.MERIT),
        ("1", None),
        ("4", Priority.UNDER_6),
    ]


def test_a_declared_priority_counts_and_cancelled_check_ins_do_not_wait(store: SqlStore) -> None:
    calls = calling_store(store)
    check_in(store, 1)
    gone = check_in(store, 2)
    pregnant = check_in(store, 3)
    calls.declare_priority(pregnant.id, Priority.PREGNANT)
    store.cancel_checkin(gone.id, "lan", "left")
    view = calls.queue("NOI", DAY)
    assert [(w.label, w.priority) for w in view.order(2)] == [
        ("3", Priority.PREGNANT),
        ("1", None),
    ]
    called = calls.call_next("101", "NOI", DAY, run_limit=2)
    assert called is not None
    assert called.priority is Priority.PREGNANT


def test_a_step_that_does_not_follow_is_refused(store: SqlStore) -> None:
    with pytest.raises(CallError):
        calling_store(store).step("101", CallStep.CALL, DAY)


def test_two_rooms_never_call_the_same_patient(store: SqlStore) -> None:
    """Eight rooms press "next" at once, four times each, on a queue of 20: every patient is
    called once, none twice."""
    for n in range(1, 21):
        check_in(store, n)
    got: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def room(code: str) -> None:
        calls = CallingStore(store.engine, zone=store.zone)
        try:
            start.wait()
            for _ in range(4):
                called = calls.call_next(code, "NOI", DAY, run_limit=2)
                if called is not None:
                    with lock:
                        got.append(called.checkin_id)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=room, args=(f"R{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(got) == len(set(got)) == 20


def test_the_place_and_wait_of_a_waiting_check_in(store: SqlStore) -> None:
    clock = FakeClock(MORNING)
    calls = calling_store(store, clock)
    ids = [check_in(store, n).id for n in range(1, 8)]
    fresh = calls.place(ids[3], "NOI", DAY, run_limit=2, rooms=1, default=6)
    assert fresh is not None
    assert fresh.ahead == 3
    assert fresh.priority is None
    assert fresh.wait_minutes == (10, 25)  # 3 × 6 minutes ± a quarter, in steps of 5
    for _ in range(3):  # the room calls every 10 minutes
        calls.call_next("101", "NOI", DAY, run_limit=2)
        clock.advance(minutes=10)
    later = calls.place(ids[6], "NOI", DAY, run_limit=2, rooms=1, default=6)
    assert later is not None
    assert later.ahead == 3
    assert later.wait_minutes == (20, 40)
    assert calls.place(ids[0], "NOI", DAY, run_limit=2, rooms=1, default=6) is None


def test_room_tokens_are_kept_as_hashes(store: SqlStore) -> None:
    calls = calling_store(store)
    assert not calls.room_token_ok("101", "whatever")
    calls.set_room_token("101", "s3cret-token", actor="lan@cli")
    assert calls.room_token_ok("101", "s3cret-token")
    assert not calls.room_token_ok("101", "s3cret-tokem")
    assert not calls.room_token_ok("102", "s3cret-token")
    calls.set_room_token("101", "new-token", actor="lan@cli")
    assert not calls.room_token_ok("101", "s3cret-token")
    assert store.audit_entries("101")[-1]["action"] == "room_token"


def test_the_version_moves_with_calls_and_check_ins(store: SqlStore) -> None:
    calls = calling_store(store)
    before = calls.version(DAY)
    first = check_in(store, 1)
    after_checkin = calls.version(DAY)
    assert after_checkin != before
    calls.call_next("101", "NOI", DAY, run_limit=2)
    assert calls.version(DAY) != after_checkin
    moved = calls.version(DAY)
    store.cancel_checkin(first.id, "lan", "mistake")
    assert calls.version(DAY) != moved


def test_calls_are_purged_with_their_day(store: SqlStore) -> None:
    calls = calling_store(store)
    check_in(store, 1)
    calls.call_next("101", "NOI", DAY, run_limit=2)
    assert calls.purge_calls_before(DAY) == 0
    assert calls.purge_calls_before(DAY + timedelta(days=1)) == 1
    assert calls.live_calls(["101"], DAY) == {}
    assert calls.version(date(2026, 1, 1))[0] >= 0


def test_an_offline_number_joins_the_queue_when_replayed(store: SqlStore) -> None:
    """A kiosk's journal numbers "A-1" while central is away; once its check-in reaches
    central (the replay writes it with its series) it waits in the queue by arrival."""
    check_in(store, 1, minute=5)
    replayer = SqlStore(store.engine, zone=store.zone, series="A")
    offline = replayer.commit_checkin(
        draft(key="offline-1", n=2, patient=patient(card(2)), created_at=MORNING)
    )
    assert offline.label.startswith("A-")
    calls = calling_store(store)
    assert [w.label for w in calls.queue("NOI", DAY).waiting] == [offline.label, "1"]
    called = calls.call_next("101", "NOI", DAY, run_limit=2)
    assert called is not None
    assert called.label == offline.label
