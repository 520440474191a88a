"""The calling rules: the steps of a call, priority by law, the run limit, the wait estimate."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, date, datetime, timedelta

import pytest

from kiosk.calling import (
    CallError,
    CallState,
    CallStep,
    Priority,
    Waiting,
    advance,
    age_priority,
    call_order,
    choose_next,
    initials,
    merit_priority,
    minutes_per_patient,
    priority_of,
    wait_range,
)
from kiosk.model import BirthDate, Clinic

DAY = date(2026, 11, 25)
T0 = datetime(2026, 11, 25, 0, 30, tzinfo=UTC)  # 07:30 in Hồ Chí Minh City


def waiting(n: int, priority: Priority | None = None) -> Waiting:
    return Waiting(f"c{n}", str(n), "NOI", priority, T0 + timedelta(minutes=n))


# -- steps -------------------------------------------------------------------------------------


def test_a_call_goes_waiting_called_recalled_done() -> None:
    state = advance(CallState.WAITING, CallStep.CALL)
    state = advance(state, CallStep.RECALL)
    state = advance(state, CallStep.RECALL)
    assert advance(state, CallStep.DONE) is CallState.DONE
    assert advance(CallState.CALLED, CallStep.ABSENT) is CallState.ABSENT


@pytest.mark.parametrize(
    ("state", "step"),
    [
        (CallState.WAITING, CallStep.RECALL),
        (CallState.WAITING, CallStep.DONE),
        (CallState.CALLED, CallStep.CALL),
        (CallState.DONE, CallStep.RECALL),
        (CallState.ABSENT, CallStep.DONE),
        (CallState.DONE, CallStep.CALL),
    ],
)
def test_a_step_that_does_not_follow_is_refused(state: CallState, step: CallStep) -> None:
    with pytest.raises(CallError):
        advance(state, step)


# -- priority ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "expected"),
    [
        (BirthDate(1951, 11, 25), Priority.AGE_75),  # 75 today
        (BirthDate(1951, 11, 26), None),  # 75 tomorrow
        (BirthDate(1951), Priority.AGE_75),  # turns 75 this year: benefit of the doubt
        (BirthDate(1952), None),
        (BirthDate(1951, 12), None),  # December: surely 74 in November
        (BirthDate(1951, 11), Priority.AGE_75),  # this month: may be 74, the doubt counts
        (BirthDate(1951, 10), Priority.AGE_75),
        (BirthDate(2020, 11, 26), Priority.UNDER_6),  # 6 tomorrow
        (BirthDate(2020, 11, 25), None),  # 6 today
        (BirthDate(2020), Priority.UNDER_6),  # may still be 5
        (BirthDate(2019), None),
        (BirthDate(1990, 5, 1), None),
    ],
)
def test_age_priority_on_the_local_day(birth: BirthDate, expected: Priority | None) -> None:
    assert age_priority(birth, DAY) == expected


def test_merit_comes_from_the_object_code_only_where_it_says_so() -> None:
    assert merit_priority("CC1797912345678") is Priority.MERIT
    assert merit_priority("CK2797912345678") is Priority.MERIT
    assert merit_priority("TC3797912345678") is None  # a relative of a person with merit
    assert merit_priority("GD4797912345678") is None
    assert merit_priority("7912345678") is None  # a BHXH number has no object code
    assert merit_priority(None) is None


def test_age_then_merit_then_what_was_declared() -> None:
    old = BirthDate(1940)
    assert priority_of(old, "CC1797912345678", "pregnant", DAY) is Priority.AGE_75
    assert priority_of(BirthDate(1980), "CC1797912345678", None, DAY) is Priority.MERIT
    assert priority_of(BirthDate(1990), None, "pregnant", DAY) is Priority.PREGNANT
    assert priority_of(BirthDate(1990), None, "disability", DAY) is Priority.DISABILITY
    assert priority_of(BirthDate(1990), None, "age_75", DAY) is None  # not declarable
    assert priority_of(None, None, None, DAY) is None


def test_initials_never_carry_the_name() -> None:
    assert initials("Nguyễn Văn An") == "N.V.A."
    assert initials("  lê   thị  ") == "L.T."


def test_a_clinic_calls_from_its_rooms_or_the_digits_of_its_room() -> None:
    clinic = Clinic("NOI", "Nội", "Internal", "Phòng 101", "", "")
    assert clinic.call_rooms() == ("101",)
    assert Clinic("X", "X", "X", "Quầy", "", "").call_rooms() == ()
    assert Clinic("X", "X", "X", "P 1", "", "", rooms=("101", "102")).call_rooms() == (
        "101",
        "102",
    )


# -- order -------------------------------------------------------------------------------------


def test_priority_first_but_never_more_than_the_run_limit_in_a_row() -> None:
    queue = [waiting(1), waiting(2), *(waiting(n, Priority.AGE_75) for n in range(3, 9))]
    order = [w.label for w in call_order(queue, [], run_limit=2)]
    assert order == ["3", "4", "1", "5", "6", "2", "7", "8"]


def test_priority_patients_wait_less_when_they_are_few() -> None:
    waits = simulate_day(run_limit=2, seed=4, share=0.3)
    assert statistics.mean(waits["priority"]) < statistics.mean(waits["other"]) / 2


def test_the_run_counts_calls_made_before() -> None:
    queue = [waiting(1), waiting(2, Priority.MERIT)]
    assert choose_next(queue, [Priority.AGE_75, Priority.UNDER_6], 2) == queue[0]
    assert choose_next(queue, [Priority.AGE_75, None, Priority.AGE_75], 2) == queue[1]
    assert choose_next(queue, [Priority.AGE_75], 1) == queue[0]


def test_priority_patients_alone_are_all_called() -> None:
    queue = [waiting(n, Priority.AGE_75) for n in range(1, 4)]
    assert [w.label for w in call_order(queue, [Priority.AGE_75] * 5, 2)] == ["1", "2", "3"]
    assert choose_next([], [], 2) is None


def simulate_day(run_limit: int, seed: int, share: float = 0.7) -> dict[str, list[float]]:
    """A day at one room: a patient every 3 minutes for 6 hours (``share`` of them priority),
    a call every 4 minutes for 10 hours. Returns the minutes each kind waited, the longest run
    of priority calls made while another patient waited, and how many were never called."""
    rng = random.Random(seed)
    pending = [
        Waiting(
            f"c{n}",
            str(n),
            "NOI",
            Priority.AGE_75 if rng.random() < share else None,
            T0 + timedelta(minutes=3 * n + rng.random()),
        )
        for n in range(120)
    ]
    waits: dict[str, list[float]] = {"priority": [], "other": []}
    recent: list[Priority | None] = []
    queue: list[Waiting] = []
    run = longest_run = 0
    now = T0
    while now < T0 + timedelta(hours=10):
        queue += [w for w in pending if w.arrived_at <= now]
        pending = [w for w in pending if w.arrived_at > now]
        others_wait = any(w.priority is None for w in queue)
        chosen = choose_next(queue, recent, run_limit)
        if chosen is not None:
            queue.remove(chosen)
            recent.insert(0, chosen.priority)
            run = run + 1 if chosen.priority and others_wait else 0
            longest_run = max(longest_run, run)
            kind = "priority" if chosen.priority else "other"
            waits[kind].append((now - chosen.arrived_at).total_seconds() / 60)
        now += timedelta(minutes=4)
    return waits | {"run": [float(longest_run)], "left": [float(len(queue) + len(pending))]}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_nobody_starves_over_a_simulated_day(seed: int) -> None:
    """Arrivals outrun the room and most are priority: without a limit the others wait for
    hours; with it they are called at least every third call and wait far less."""
    waits = simulate_day(run_limit=2, seed=seed)
    unlimited = simulate_day(run_limit=10_000, seed=seed)
    assert waits["run"] == [2.0]  # never more than two in a row while others wait
    assert unlimited["run"][0] > 10
    assert statistics.mean(waits["other"]) < statistics.mean(unlimited["other"]) / 2
    assert waits["left"] == [0.0]  # everyone who came was called by the end of the day


# -- the wait ----------------------------------------------------------------------------------


def test_before_any_call_the_default_minutes_per_room() -> None:
    assert minutes_per_patient({}, rooms=2, default_minutes=6) == 3
    assert minutes_per_patient({"101": [T0]}, rooms=1, default_minutes=6) == 6


def test_rooms_together_call_faster() -> None:
    every5 = [T0 + timedelta(minutes=5 * i) for i in range(6)]
    every10 = [T0 + timedelta(minutes=10 * i) for i in range(4)]
    assert minutes_per_patient({"101": every5}, 1, 99) == pytest.approx(5)
    assert minutes_per_patient({"101": every5, "102": every10}, 2, 99) == pytest.approx(10 / 3)


def test_the_range_is_whole_steps_around_the_estimate() -> None:
    assert wait_range(0, 5) == (0, 5)
    lo, hi = wait_range(5, 5)  # 25 minutes
    assert lo <= 25 <= hi
    assert lo % 5 == 0
    assert hi % 5 == 0
    assert wait_range(5, 5) == (15, 35)


def test_the_estimate_beats_the_default_on_a_simulated_day() -> None:
    """A room that takes 9 minutes a patient (give or take) while the default says 6: after a
    few calls the estimate from today's calls is nearer the waits that really came than the
    default is, and most real waits fall in the range said."""
    rng = random.Random(7)
    calls = [T0]
    for _ in range(40):
        calls.append(calls[-1] + timedelta(minutes=rng.uniform(6, 12)))
    hits = 0
    errors_estimate: list[float] = []
    errors_default: list[float] = []
    for i in range(5, 30):  # a patient who checks in just after the i-th call
        for ahead in (2, 4, 6):
            actual = (calls[i + ahead] - calls[i]).total_seconds() / 60
            per = minutes_per_patient({"101": calls[: i + 1]}, 1, 6)
            lo, hi = wait_range(ahead, per)
            hits += lo <= actual <= hi
            errors_estimate.append(abs(ahead * per - actual))
            errors_default.append(abs(ahead * 6 - actual))
    assert statistics.mean(errors_estimate) < statistics.mean(errors_default) / 2
    assert hits / len(errors_estimate) > 0.7
