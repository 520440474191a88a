"""The co-payment exemption of five continuous years (Decree 188/2025 Art. 18 cl. 2).

The worked examples of the co-payment service's public documentation (a running total of
16.5 M crossing on 05/04/2026; 11.2 M staying below), the threshold itself (equal is not
over), the maximum never the sum, the 1 July 2026 base-salary change (cl. 2 c), and the route
deciding 100 % from it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest

from kiosk.benefit_rules import BASE_SALARIES, ProfessionalLevel, base_salary
from kiosk.copay import CopayVisit, exemption, money
from kiosk.model import Route
from kiosk.route import HospitalRules, benefit_for
from tests.builders import card


def visits(*rows: tuple[str, int]) -> tuple[CopayVisit, ...]:
    """(ngayRa dd/MM/yyyy, tBNCCTLuyKe) rows, newest first as the service sorts them."""
    return tuple(
        CopayVisit(date(int(d[6:]), int(d[3:5]), int(d[:2])) if d else None, Fraction(v))
        for d, v in rows
    )


CROSSING = visits(
    ("05/08/2026", 16_500_000),
    ("20/06/2026", 15_200_000),
    ("05/04/2026", 14_500_000),
    ("15/02/2026", 9_800_000),
)
BELOW = visits(("05/08/2026", 11_200_000), ("15/02/2026", 6_400_000))
TODAY = date(2026, 8, 10)


def test_the_worked_example_crosses_on_the_discharge_of_the_first_visit_over() -> None:
    result = exemption(CROSSING, TODAY)
    assert result.total_vnd == 16_500_000  # the maximum, never the 56 M sum
    assert result.exempt_from == date(2026, 4, 5)
    assert result.decided


def test_the_worked_example_below_the_threshold() -> None:
    result = exemption(BELOW, TODAY)
    assert result.total_vnd == 11_200_000
    assert result.exempt_from is None
    assert result.decided


def test_exactly_six_months_of_base_salary_is_not_over() -> None:
    at = exemption(visits(("10/03/2026", 6 * 2_340_000)), date(2026, 3, 20))
    assert at.months == 6
    assert at.exempt_from is None
    over = exemption(visits(("10/03/2026", 6 * 2_340_000 + 1)), date(2026, 3, 20))
    assert over.exempt_from == date(2026, 3, 10)


def test_the_order_of_the_list_does_not_matter_and_totals_are_never_added() -> None:
    assert exemption(tuple(reversed(CROSSING)), TODAY) == exemption(CROSSING, TODAY)
    # each running total alone is under the threshold; their sum is far over it
    many = visits(*((f"{d:02d}/03/2026", 1_000_000 * d) for d in range(1, 14)))
    assert exemption(many, date(2026, 3, 31)).exempt_from is None


def test_after_1_july_2026_what_was_paid_before_counts_in_old_base_salaries() -> None:
    # 11.7 M by June is 5 months of 2,340,000; 1 more month is 2,530,000 after the change
    before = ("20/06/2026", 11_700_000)
    not_over = exemption(visits(("15/08/2026", 11_700_000 + 2_530_000), before), date(2026, 8, 20))
    assert not_over.months == 6
    assert not_over.exempt_from is None
    over = exemption(visits(("15/08/2026", 11_700_000 + 2_530_001), before), date(2026, 8, 20))
    assert over.exempt_from == date(2026, 8, 15)
    # six times the new base salary would have said "not yet" for 14.2 M: the rule says over
    crossed = exemption(visits(("15/08/2026", 14_240_000), before), date(2026, 8, 20))
    assert 14_240_000 < 6 * 2_530_000
    assert crossed.exempt_from == date(2026, 8, 15)


def test_six_old_base_salaries_paid_before_the_change_exempt_from_the_change() -> None:
    # exactly six months by June is not over then; the change itself exempts (cl. 2 c)
    result = exemption(visits(("20/06/2026", 6 * 2_340_000)), date(2026, 7, 3))
    assert result.exempt_from == date(2026, 7, 1)
    assert exemption(visits(("20/06/2026", 6 * 2_340_000)), date(2026, 6, 30)).exempt_from is None


def test_a_total_over_the_threshold_without_a_dated_visit_is_undecided() -> None:
    result = exemption(visits(("", 16_000_000)), TODAY)
    assert not result.decided
    assert result.exempt_from is None


@pytest.mark.parametrize(
    ("day", "vnd"),
    [
        (date(2019, 1, 1), 1_390_000),
        (date(2019, 7, 1), 1_490_000),
        (date(2023, 7, 1), 1_800_000),
        (date(2026, 6, 30), 2_340_000),
        (date(2026, 7, 1), 2_530_000),
    ],
)
def test_the_base_salary_is_dated(day: date, vnd: int) -> None:
    salary = base_salary(day)
    assert salary is not None
    assert salary.vnd == vnd
    assert salary.verified.startswith(("two sources", "one source", "unverified"))
    assert BASE_SALARIES[0].valid_from <= date(2019, 1, 1)


@pytest.mark.parametrize(("value", "amount"), [(16500000.0, 16_500_000), ("1250000.5", None)])
def test_money_is_read_exactly(value: object, amount: int | None) -> None:
    read = money(value)
    assert read is not None
    if amount is not None:
        assert read == amount
    assert money(True) is None
    assert money("abc") is None
    assert money(-1) is None


# --- the route decides 100 % from it ---------------------------------------------------------

RULES = HospitalRules(own_codes=("79024",), level=ProfessionalLevel.CO_BAN)
# an ordinary level-4 card registered here, valid all of 2026, five years insured since 2024
CARD = card(
    card_number="DN4797920123456", bhxh_number="7920123456", five_years_from=date(2024, 1, 1)
)


def test_the_route_gives_100_from_the_crossing_with_five_years() -> None:
    benefit = benefit_for(CARD, RULES, TODAY, copay=exemption(CROSSING, TODAY))
    assert (benefit.route, benefit.percent) == (Route.REGISTERED, 100)
    assert benefit.copay_exempt_from == date(2026, 4, 5)


def test_below_the_threshold_the_rules_decide_the_card_share() -> None:
    benefit = benefit_for(CARD, RULES, TODAY, copay=exemption(BELOW, TODAY))
    assert (benefit.percent, benefit.copay_exempt_from) == (80, None)


def test_without_the_look_up_reception_confirms_as_before() -> None:
    assert benefit_for(CARD, RULES, TODAY).percent is None
    undecided = exemption(visits(("", 16_000_000)), TODAY)
    assert benefit_for(CARD, RULES, TODAY, copay=undecided).percent is None


def test_five_years_reached_after_the_crossing_start_the_exemption() -> None:
    later = replace(CARD, five_years_from=date(2026, 5, 1))
    benefit = benefit_for(later, RULES, TODAY, copay=exemption(CROSSING, TODAY))
    assert benefit.copay_exempt_from == date(2026, 5, 1)
