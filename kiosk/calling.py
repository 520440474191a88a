"""Calling patients from a clinic's queue: the steps of a call, who is called first, and how
long the wait is likely to be (docs/domain.md §13, priority in examination).

Pure rules on values, no IO: the store (``db/store/calling.py``) reads the day's queue and
writes each step, the web pages and ``kiosk-admin call`` show them.

- **Steps.** A check-in waits, is called to a room, may be called again (recalled), and ends
  done or absent: :func:`advance`.
- **Priority.** Art. 3 cl. 2 of Luật Khám bệnh, chữa bệnh 15/2023/QH15 puts first children
  under 6, people aged 75 and over, pregnant women, people with severe disabilities and people
  with merit to the revolution. Age comes from the birth date on the hospital's local day,
  merit from the card's object code where the code says so, pregnancy and disability are
  declared by the patient and checked in the room: :func:`priority_of`.
- **Order.** "Next" takes a priority patient first, but never more than ``run_limit`` of them
  in a row while others wait, so that nobody waits forever: :func:`choose_next`.
- **Wait.** People ahead × the median time between calls today, as a range:
  :func:`wait_range`.
"""

from __future__ import annotations

import itertools
import math
import statistics
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from kiosk.model import BirthDate
from kiosk.object_codes import OBJECT_CODES


class CallState(StrEnum):
    """Where a check-in stands in its clinic's queue."""

    WAITING = "waiting"
    CALLED = "called"
    RECALLED = "recalled"
    DONE = "done"
    ABSENT = "absent"


class CallStep(StrEnum):
    """What a room does to a check-in (the ``kiosk-admin call`` actions but ``next``)."""

    CALL = "called"
    RECALL = "recalled"
    DONE = "done"
    ABSENT = "absent"


class Priority(StrEnum):
    """Why a patient goes first (the ``"priority"`` of ``kiosk-admin call next --json``)."""

    AGE_75 = "age_75"
    UNDER_6 = "under_6"
    MERIT = "merit"
    PREGNANT = "pregnant"
    DISABILITY = "disability"


#: what a patient may declare at the kiosk (checked by staff in the room)
DECLARED = (Priority.PREGNANT, Priority.DISABILITY)

#: the object codes of people with merit to the revolution: those the code table names so
#: (CC, CK; their relatives' code TC is not the person with merit)
MERIT_CODES = frozenset(
    code for code, row in OBJECT_CODES.items() if row.name.startswith("Người có công với cách mạng")
)

# Each step and the states it may start from.
_FROM: dict[CallStep, frozenset[CallState]] = {
    CallStep.CALL: frozenset({CallState.WAITING}),
    CallStep.RECALL: frozenset({CallState.CALLED, CallState.RECALLED}),
    CallStep.DONE: frozenset({CallState.CALLED, CallState.RECALLED}),
    CallStep.ABSENT: frozenset({CallState.CALLED, CallState.RECALLED}),
}


class CallError(ValueError):
    """A step that does not follow from where the check-in stands."""


def advance(state: CallState, step: CallStep) -> CallState:
    """The state after ``step``; raises :class:`CallError` when the step cannot follow."""
    if state not in _FROM[step]:
        raise CallError(f"cannot mark a {state.value} check-in {step.value}")
    return CallState(step.value)


def _years_between(birth: BirthDate, day: date) -> tuple[int, int]:
    """The fewest and the most whole years a person born on ``birth`` can have on ``day``."""
    if birth.month is None:
        return day.year - birth.year - 1, day.year - birth.year
    if birth.day is None:
        years = day.year - birth.year
        if day.month < birth.month:
            return years - 1, years - 1
        if day.month > birth.month:
            return years, years
        return years - 1, years  # the birthday month: before or after the day
    years = day.year - birth.year - (1 if (day.month, day.day) < (birth.month, birth.day) else 0)
    return years, years


def age_priority(birth: BirthDate | None, day: date) -> Priority | None:
    """``age_75`` from the day one turns 75, ``under_6`` until one turns 6, on the local day.

    A card may give only the birth year (or month): then the patient is given the benefit of
    the doubt — 75 in the year one turns 75, under 6 until the end of the year one turns 6
    (*ours*: staff check in the room, and a wrong "no" costs an old person an hour).
    """
    if birth is None:
        return None
    fewest, most = _years_between(birth, day)
    if most >= 75:
        return Priority.AGE_75
    if 0 <= fewest < 6:
        return Priority.UNDER_6
    return None


def merit_priority(card_number: str | None) -> Priority | None:
    """``merit`` when the card's object code (its first two letters) is one of
    :data:`MERIT_CODES`; a 10-digit BHXH number carries no code."""
    if card_number and len(card_number) == 15 and card_number[:2].upper() in MERIT_CODES:
        return Priority.MERIT
    return None


def priority_of(
    birth: BirthDate | None, card_number: str | None, declared: str | None, day: date
) -> Priority | None:
    """The one priority shown for a patient: age, then merit, then what was declared."""
    found = age_priority(birth, day) or merit_priority(card_number)
    if found is not None:
        return found
    if declared in {p.value for p in DECLARED}:
        return Priority(declared)
    return None


def initials(name: str) -> str:
    """``"Nguyễn Văn An"`` → ``"N.V.A."``: what a room page shows (and a board, when set)."""
    words = unicodedata.normalize("NFC", name).split()
    return "".join(f"{w[0].upper()}." for w in words)


@dataclass(frozen=True)
class Waiting:
    """One check-in waiting in its clinic's queue (in arrival order)."""

    checkin_id: str
    label: str  # "12", or "A-3" for an offline number
    clinic: str
    priority: Priority | None
    arrived_at: datetime  # UTC
    initials: str = ""


@dataclass(frozen=True)
class Place:
    """Where one waiting check-in stands: people ahead of it, its priority, the likely wait
    (``kiosk-admin checkin --json``'s ``ahead``, ``priority`` and ``wait_minutes``)."""

    ahead: int
    priority: Priority | None
    wait_minutes: tuple[int, int]


def priority_run(recent: Iterable[Priority | None]) -> int:
    """How many of the clinic's latest calls (newest first) were priority calls in a row."""
    run = 0
    for priority in recent:
        if priority is None:
            break
        run += 1
    return run


def choose_next(
    waiting: Sequence[Waiting], recent: Sequence[Priority | None], run_limit: int
) -> Waiting | None:
    """Who a room calls next from ``waiting`` (arrival order).

    Priority patients go first, but after ``run_limit`` priority calls in a row (``recent``,
    the clinic's latest calls newest first) the longest-waiting other patient is called, so a
    steady stream of priority patients cannot hold anyone back for ever.
    """
    first_priority = next((w for w in waiting if w.priority is not None), None)
    first_other = next((w for w in waiting if w.priority is None), None)
    if first_priority is None or first_other is None:
        return first_priority or first_other
    if priority_run(recent) >= max(run_limit, 1):
        return first_other
    return first_priority


def call_order(
    waiting: Sequence[Waiting], recent: Sequence[Priority | None], run_limit: int
) -> list[Waiting]:
    """The order ``waiting`` would be called in if nobody else arrived (the board's "next"
    and each patient's place)."""
    left = list(waiting)
    history = list(recent)
    order: list[Waiting] = []
    while left:
        chosen = choose_next(left, history, run_limit)
        assert chosen is not None
        order.append(chosen)
        left.remove(chosen)
        history.insert(0, chosen.priority)
    return order


def gaps_minutes(call_times: Iterable[datetime]) -> list[float]:
    """Minutes between consecutive calls of one room."""
    times = sorted(call_times)
    return [(b - a).total_seconds() / 60 for a, b in itertools.pairwise(times)]


def minutes_per_patient(
    calls_by_room: Mapping[str, Sequence[datetime]], rooms: int, default_minutes: float
) -> float:
    """Minutes between two calls of the clinic: each room calls every median gap of its own
    today, the clinic's rooms together call that much faster. Before a room has two calls,
    ``default_minutes`` per room (``queue.default_minutes``)."""
    rate = 0.0
    measured = 0
    for times in calls_by_room.values():
        gaps = [g for g in gaps_minutes(times) if g > 0]
        if gaps:
            rate += 1 / statistics.median(gaps)
            measured += 1
    if not measured:
        return default_minutes / max(rooms, 1)
    return 1 / rate


STEP_MINUTES = 5  # ranges are said in steps of 5 minutes ("khoảng 20–30 phút")
SPREAD = 0.25  # ± a quarter around the estimate: calls come irregularly


def wait_range(ahead: int, per_patient: float) -> tuple[int, int]:
    """The wait as a range in minutes: ``ahead`` × ``per_patient`` ± :data:`SPREAD`, widened to
    whole :data:`STEP_MINUTES` (at least one step wide)."""
    centre = ahead * per_patient
    lo = math.floor(centre * (1 - SPREAD) / STEP_MINUTES) * STEP_MINUTES
    hi = math.ceil(centre * (1 + SPREAD) / STEP_MINUTES) * STEP_MINUTES
    return lo, max(hi, lo + STEP_MINUTES)
