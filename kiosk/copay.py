"""The co-payment exemption of five continuous years (docs/domain.md, the co-payment look-up).

Decree 188/2025 Art. 18 cl. 2 (Law on Health Insurance Art. 22 cl. 1 d): a card with five
continuous years pays 100 % from the moment the year's co-payment is **greater than** six
months of the base salary, until 31 December. BHXH's co-payment look-up
(``TraCuuTienMCCT``) lists the year's visits with ``tBNCCTLuyKe``, the running total up to
each visit; the exemption starts on the discharge date (``ngayRa``) of the first visit that
took the total over the threshold, as the service's public documentation derives it.

The running total is a running total: the year's co-payment is the **maximum** of the list,
never its sum. When the base salary changes within the year (1 July 2026), Art. 18 cl. 2 c
counts what was paid before the change in months of the old base salary and the rest in months
of the new one; a patient who had already paid six months of the old one is exempt from the
change. Pure: the visits and the local date come in, a verdict goes out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from kiosk.benefit_rules import BASE_SALARIES, base_salary

THRESHOLD_MONTHS = 6
SOURCE = "Decree 188/2025/NĐ-CP Art. 18 cl. 2 b, c"


@dataclass(frozen=True)
class CopayVisit:
    """One visit of the co-payment look-up (a ``DataCCT`` row)."""

    discharged_on: date | None  # ngayRa; None when the service left it empty
    cumulative_vnd: Fraction  # tBNCCTLuyKe: the year's co-payment up to and with this visit


@dataclass(frozen=True)
class CopayExemption:
    """What the year's co-payment decides about the five-years exemption.

    ``decided`` is False when the list cannot be read into a verdict (no base salary for a
    date, or a total over the threshold with no dated visit reaching it): reception confirms.
    """

    total_vnd: int  # the year's co-payment: the largest running total, rounded
    months: Fraction  # the base salaries it is worth, by Art. 18 cl. 2 c
    exempt_from: date | None  # the first local date of 100 %; None: not over the threshold
    decided: bool = True


def money(value: object) -> Fraction | None:
    """A money amount of the service's reply (a JSON number or numeric text), exactly."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0:
        return None
    return Fraction(amount)


def exemption(visits: tuple[CopayVisit, ...], today: date) -> CopayExemption:
    """The exemption on local date ``today`` from the year's visits, in any order."""
    year = today.year
    total = max((v.cumulative_vnd for v in visits), default=Fraction(0))
    dated = sorted(
        (v for v in visits if v.discharged_on is not None and v.discharged_on.year == year),
        key=lambda v: v.discharged_on or today,
    )
    changes = [
        s.valid_from
        for s in BASE_SALARIES
        if s.valid_from.year == year and date(year, 1, 1) < s.valid_from <= today
    ]
    months, paid = Fraction(0), Fraction(0)
    exempt_from: date | None = None
    for visit in dated:
        day = visit.discharged_on
        assert day is not None
        if day > today:
            continue
        while changes and changes[0] <= day:
            # cl. 2 c: six months of the old base salary already paid: exempt from the change
            change = changes.pop(0)
            if exempt_from is None and months >= THRESHOLD_MONTHS:
                exempt_from = change
        salary = base_salary(day)
        if salary is None:
            return CopayExemption(round(total), months, None, decided=False)
        months += max(Fraction(0), visit.cumulative_vnd - paid) / salary.vnd
        paid = max(paid, visit.cumulative_vnd)
        if exempt_from is None and months > THRESHOLD_MONTHS:
            exempt_from = day
    for change in changes:
        if exempt_from is None and months >= THRESHOLD_MONTHS:
            exempt_from = change
    salary_now = base_salary(today)
    over_undated = (
        exempt_from is None
        and salary_now is not None
        and total > paid
        and months + (total - paid) / salary_now.vnd > THRESHOLD_MONTHS
    )
    # a total over the threshold that no dated visit reaches: the date cannot be derived
    return CopayExemption(round(total), months, exempt_from, decided=not over_undated)


@dataclass(frozen=True)
class CopayReply:
    """What the co-payment look-up answered (``MaKetQua`` 200 with the visits, 204 none)."""

    code: str  # MaKetQua: "200", "204", "400", "500"
    note: str | None  # GhiChu: on 200, the time the service's data runs to
    visits: tuple[CopayVisit, ...] = ()


def from_reply(reply: CopayReply, today: date) -> CopayExemption | None:
    """The exemption a look-up's reply decides, or None when it decides nothing (400, 500,
    an unknown code): then reception confirms, as without the look-up.

    204 ("no card, or no co-payment this year") counts as no co-payment: the gateway's check
    of the same card has just found it (*ours*, docs/domain.md)."""
    if reply.code == "200":
        return exemption(reply.visits, today)
    if reply.code == "204":
        return CopayExemption(0, Fraction(0), None)
    return None
