"""The figures of the daily report: check-ins per local hour per clinic, and how scans ended.

Arithmetic over two queries (:mod:`db.store.figures`), no plotting (:mod:`db.report.render`
draws them). A scan ends one of five ways, and the shares are of all scans of the day:

- ``accepted``: checked in by the kiosk on its own;
- ``overridden``: checked in by staff over the rules;
- ``offline``: checked in while the central database was unreachable;
- ``reception``: sent to reception (no check-in);
- ``rejected``: not a card the kiosk could use (no check-in).

Cancelled check-ins are left out: they were corrections.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine

from db.store.figures import day_rows

OUTCOMES = ("accepted", "overridden", "offline", "reception", "rejected")
_TALLIED = {"needs_reception": "reception", "rejected": "rejected"}


@dataclass(frozen=True)
class DayReport:
    """One local day's figures."""

    day: date
    clinics: tuple[str, ...]  # clinic codes seen that day, in order
    by_hour: dict[int, Counter[str]] = field(default_factory=dict)  # hour -> clinic -> count
    outcomes_by_hour: dict[int, Counter[str]] = field(default_factory=dict)  # hour -> outcome

    @property
    def checkins(self) -> int:
        return sum(sum(c.values()) for c in self.by_hour.values())

    def outcome_totals(self) -> dict[str, int]:
        """Scans per way they ended, over the day (every outcome present, zeros included)."""
        totals: Counter[str] = Counter()
        for counts in self.outcomes_by_hour.values():
            totals.update(counts)
        return {name: totals[name] for name in OUTCOMES}

    def shares(self) -> dict[str, float]:
        """Each outcome's share of the day's scans, 0..1 (all zero on an empty day)."""
        totals = self.outcome_totals()
        scans = sum(totals.values())
        return {name: (n / scans if scans else 0.0) for name, n in totals.items()}


def _outcome(status: str, offline: bool) -> str:
    if offline:
        return "offline"
    return "overridden" if status == "override" else "accepted"


def day_report(engine: Engine, day: date, zone: Any) -> DayReport:
    """Read the figures of ``day`` (a hospital-local date) from the database.

    Raises :class:`StoreError` when the database cannot be read.
    """
    rows, tallies, has_offline = day_rows(engine, day)
    by_hour: dict[int, Counter[str]] = {}
    outcomes: dict[int, Counter[str]] = {}
    seen: dict[str, None] = {}
    for row in rows:
        hour = row.created_at.astimezone(zone).hour
        by_hour.setdefault(hour, Counter())[row.clinic_code] += 1
        offline = bool(row[3]) if has_offline else False
        outcomes.setdefault(hour, Counter())[_outcome(row.status, offline)] += 1
        seen[row.clinic_code] = None
    for hour, status, count in tallies:
        name = _TALLIED.get(str(status))
        if name is not None:
            outcomes.setdefault(int(hour), Counter())[name] += int(count)
    return DayReport(day, tuple(sorted(seen)), by_hour, outcomes)
