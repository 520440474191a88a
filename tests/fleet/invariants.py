"""The fleet's invariants, checked over what the run left behind.

Each check takes plain data (the slip logs, central's check-ins, what the HIS received, the
kiosks' logs) and returns a :class:`Verdict`: held or not, how many were looked at, and the
first few violations in our own words (check-in ids, labels and the harness's patient tags,
never a name or an ID number).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

SHOWN = 5  # violations kept per invariant


@dataclass(frozen=True)
class Slip:
    """One line of a kiosk's slip log: what a patient holds."""

    kiosk: str
    patient: str  # the harness's tag of the patient
    clinic: str
    day: str
    label: str
    checkin_id: str


@dataclass(frozen=True)
class CentralCheckIn:
    """One check-in as central holds it."""

    id: str
    clinic: str
    day: str
    label: str
    printed_label: str | None  # the alias a replay kept (None: no such column, or none)
    patient_keys: frozenset[str]  # its BHXH and ID numbers
    cancelled: bool


@dataclass(frozen=True)
class HisEvent:
    """One POST the HIS received, in arrival order."""

    event: str
    event_id: str
    checkin_id: str
    clinic: str
    day: str
    patient_keys: frozenset[str]


@dataclass
class Verdict:
    """The result of one invariant."""

    ok: bool = True
    checked: int = 0
    violations: list[str] = field(default_factory=list)
    count: int = 0

    def fail(self, why: str) -> None:
        self.ok = False
        self.count += 1
        if len(self.violations) < SHOWN:
            self.violations.append(why)

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "violations": self.count,
            "first": self.violations,
        }


def one_checkin_per_slip(
    slips: Sequence[Slip],
    central: Sequence[CentralCheckIn],
    keys_of: Mapping[str, frozenset[str]],
    held: Iterable[str],
) -> tuple[Verdict, int]:
    """Every patient who got a slip has exactly one check-in in central for that clinic and
    day, under the printed label or its alias. A slip whose check-in a kiosk holds for
    reception (central refused its data) is left to reception: counted, not checked.
    Returns the verdict and how many slips were held."""
    verdict = Verdict()
    held_ids = set(held)
    by_id = {c.id: c for c in central}
    by_visit: dict[tuple[str, str, str], list[CentralCheckIn]] = defaultdict(list)
    for c in central:
        for key in c.patient_keys:
            by_visit[(key, c.clinic, c.day)].append(c)
    visits: dict[tuple[str, str, str], list[Slip]] = defaultdict(list)
    for slip in slips:
        visits[(slip.patient, slip.clinic, slip.day)].append(slip)
    held_n = 0
    for (patient, clinic, day), held_slips in visits.items():
        ids = {s.checkin_id for s in held_slips}
        if ids & held_ids:
            held_n += 1
            continue
        verdict.checked += 1
        found = {by_id[i].id: by_id[i] for i in ids if i in by_id}
        for key in keys_of.get(patient, frozenset()):
            found.update({c.id: c for c in by_visit.get((key, clinic, day), [])})
        labels = sorted({s.label for s in held_slips})
        if len(found) != 1:
            verdict.fail(
                f"patient {patient} {clinic} slip {'/'.join(labels)}: {len(found)} check-ins "
                f"in central ({', '.join(sorted(found)) or 'none'})"
            )
            continue
        row = next(iter(found.values()))
        names = {row.label, row.printed_label}
        wrong = [label for label in labels if label not in names]
        if wrong:
            verdict.fail(
                f"patient {patient} {clinic}: slip {'/'.join(wrong)} but central has "
                f"{row.label}{' alias ' + row.printed_label if row.printed_label else ''} "
                f"(check-in {row.id})"
            )
    return verdict, held_n


def labels_unique(slips: Sequence[Slip]) -> Verdict:
    """No two slips share a label for one clinic and day (the same patient's reprint may)."""
    verdict = Verdict()
    holders: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    kiosks: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for slip in slips:
        holders[(slip.clinic, slip.day, slip.label)].add(slip.patient)
        kiosks[(slip.clinic, slip.day, slip.label)].add(slip.kiosk)
    for (clinic, _day, label), patients in sorted(holders.items()):
        verdict.checked += 1
        if len(patients) > 1:
            where = ", ".join(sorted(kiosks[(clinic, _day, label)]))
            verdict.fail(f"{clinic} {label}: {len(patients)} patients hold it (kiosks {where})")
    return verdict


def online_after_faults(settled: Mapping[str, float | None], settle_s: float) -> Verdict:
    """No kiosk is offline (or down) while central is up, ``settle_s`` after the last fault:
    ``settled`` is each kiosk's seconds from the end of the last fault until it was online,
    None when it never was."""
    verdict = Verdict()
    for kiosk, seconds in sorted(settled.items()):
        verdict.checked += 1
        if seconds is None or seconds > settle_s:
            took = "never" if seconds is None else f"after {seconds:.1f} s"
            verdict.fail(f"{kiosk} online {took} (allowed {settle_s:.1f} s)")
    return verdict


def his_one_event_per_visit(
    events: Sequence[HisEvent],
    central: Sequence[CentralCheckIn],
    cancelled: Iterable[str],
) -> Verdict:
    """The HIS received exactly one check-in event per visit (repeats of one event id are one
    event: receivers recognise them), and each cancel after its check-in's event."""
    verdict = Verdict()
    checkin_events: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    first_checkin: dict[str, int] = {}
    first_cancel: dict[str, int] = {}
    for index, event in enumerate(events):
        if event.event == "checkin":
            key = min(event.patient_keys) if event.patient_keys else event.checkin_id
            checkin_events[(key, event.clinic, event.day)].add(event.event_id)
            first_checkin.setdefault(event.checkin_id, index)
        elif event.event == "cancel":
            first_cancel.setdefault(event.checkin_id, index)
    for c in central:
        verdict.checked += 1
        key = min(c.patient_keys) if c.patient_keys else c.id
        got = len(checkin_events.get((key, c.clinic, c.day), ()))
        if got != 1:
            verdict.fail(f"check-in {c.id} ({c.clinic} {c.label}): {got} check-in events")
    for checkin_id in cancelled:
        verdict.checked += 1
        at = first_cancel.get(checkin_id)
        before = first_checkin.get(checkin_id)
        if at is None:
            verdict.fail(f"cancel of {checkin_id} never reached the HIS")
        elif before is None or before > at:
            verdict.fail(f"cancel of {checkin_id} reached the HIS before its check-in")
    return verdict


_ID_NUMBER = re.compile(r"(?<!\d)\d{12}(?!\d)")


def no_personal_data(
    lines: Iterable[tuple[str, str]], names: Iterable[str], id_numbers: Iterable[str]
) -> Verdict:
    """No log line holds a name or an ID number of the synthetic population; ``lines`` are
    (where, line) pairs."""
    verdict = Verdict()
    numbers = set(id_numbers)
    spelled = sorted({n for n in names if n}, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(n) for n in spelled)) if spelled else None
    for where, line in lines:
        verdict.checked += 1
        hit = pattern.search(line) if pattern is not None else None
        if hit is not None:
            verdict.fail(f"{where}: a patient's name in the log")
            continue
        if any(m.group(0) in numbers for m in _ID_NUMBER.finditer(line)):
            verdict.fail(f"{where}: a patient's ID number in the log")
    return verdict
