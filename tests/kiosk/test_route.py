"""Route and benefit by the dated rule table (docs/domain.md, route and benefit).

One case per row of ``kiosk.benefit_rules.RULES``, named after the row; the 1 July 2026
boundary read from a clock in UTC through the hospital's local day; the card's share combined
with the row's; five continuous years; visits that no row describes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from kiosk.benefit_rules import (
    RULES,
    Care,
    FormerTuyen,
    ProfessionalLevel,
    VisitFact,
    rows_in_force,
)
from kiosk.clock import HOSPITAL_ZONE, local_day
from kiosk.config import HospitalSettings
from kiosk.model import BirthDate, CardRecord, Gender, Route
from kiosk.route import HospitalRules, benefit_for, benefit_percent
from tests.fakes import FakeClock

BAN_DAU, CO_BAN, CHUYEN_SAU = (
    ProfessionalLevel.BAN_DAU,
    ProfessionalLevel.CO_BAN,
    ProfessionalLevel.CHUYEN_SAU,
)
BEFORE = date(2026, 6, 30)  # the last day of 0 % for the self-referred rows
AFTER = date(2026, 11, 25)  # well inside the 50 % period
OWN = "79024"
ELSEWHERE = "79034"


def hospital(
    level: ProfessionalLevel,
    former: FormerTuyen = FormerTuyen.NONE,
    score: int | None = None,
    *,
    station: bool = False,
) -> HospitalRules:
    return HospitalRules(
        own_codes=(OWN,),
        accepted_codes=("79099",),
        level=level,
        score=score,
        former=former,
        primary_station=station,
        own_accounts=("79024_BV",),
    )


def card(level: int | None = 4, facility: str = ELSEWHERE, **changes: Any) -> CardRecord:
    base = CardRecord(
        card_number=f"DN{level or 4}797920123456",
        bhxh_number="7920123456",
        name="Trần Thị Mỹ Lệ",
        birth=BirthDate(1990, 8, 15),
        gender=Gender.FEMALE,
        facility_code=facility,
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
        benefit_level=level,
        five_years_from=date(2030, 1, 1),
    )
    return replace(base, **changes)


@dataclass(frozen=True)
class Case:
    """A visit that one row of the table must describe, and what the patient is told."""

    rules: HospitalRules
    day: date
    percent: int | None  # for a level-4 card (80 %); None: reception confirms
    registered: bool = False
    care: Care = Care.OUTPATIENT
    facts: frozenset[VisitFact] = frozenset()


def facts(*which: VisitFact) -> frozenset[VisitFact]:
    return frozenset(which)


# One case per row id of the table (the test id is the row id).
CASES: dict[str, Case] = {
    "1.1/2025-01-01": Case(hospital(CHUYEN_SAU, FormerTuyen.CENTRAL), AFTER, 80, registered=True),
    "1.2/2025-01-01": Case(hospital(BAN_DAU, station=True), AFTER, 100),
    "1.3/2025-01-01": Case(
        hospital(CHUYEN_SAU, FormerTuyen.CENTRAL), AFTER, None, facts=facts(VisitFact.REFERRAL)
    ),
    "1.4/2025-01-01": Case(
        hospital(CHUYEN_SAU, FormerTuyen.CENTRAL), AFTER, None, facts=facts(VisitFact.RESIDENCE)
    ),
    "1.5/2025-01-01": Case(
        hospital(CHUYEN_SAU, FormerTuyen.CENTRAL), AFTER, None, facts=facts(VisitFact.APPOINTMENT)
    ),
    "1.6/2025-01-01": Case(
        hospital(CHUYEN_SAU, FormerTuyen.CENTRAL), AFTER, None, facts=facts(VisitFact.ORGAN_DONOR)
    ),
    "1.7/2025-01-01": Case(
        hospital(CHUYEN_SAU, FormerTuyen.CENTRAL), AFTER, None, facts=facts(VisitFact.NEWBORN)
    ),
    "1.11/2025-01-01": Case(hospital(BAN_DAU), AFTER, 80),
    "1.12/2025-01-01": Case(hospital(CO_BAN, score=45), AFTER, 80),
    "1.13/2025-01-01": Case(hospital(CO_BAN, score=60), BEFORE, 0),
    "1.13/2026-07-01": Case(hospital(CO_BAN, score=60), AFTER, 40),
    "1.14/2025-01-01": Case(hospital(CO_BAN, FormerTuyen.PROVINCE), BEFORE, 0),
    "1.14/2026-07-01": Case(hospital(CO_BAN, FormerTuyen.CENTRAL), AFTER, 40),
    "1.15/2025-01-01": Case(hospital(CO_BAN, score=60), AFTER, 80, care=Care.INPATIENT),
    "1.16/2025-01-01": Case(
        hospital(CO_BAN, score=60), AFTER, None, facts=facts(VisitFact.DISEASE_APPENDIX_II)
    ),
    "1.17/2025-01-01": Case(
        hospital(CHUYEN_SAU, FormerTuyen.CENTRAL),
        AFTER,
        None,
        facts=facts(VisitFact.DISEASE_APPENDIX_I),
    ),
    "1.18/2025-01-01": Case(hospital(CHUYEN_SAU, FormerTuyen.PROVINCE), BEFORE, 0),
    "1.18/2026-07-01": Case(hospital(CHUYEN_SAU, FormerTuyen.PROVINCE), AFTER, 40),
    "2/2025-01-01": Case(
        hospital(CHUYEN_SAU, FormerTuyen.CENTRAL), AFTER, None, facts=facts(VisitFact.EMERGENCY)
    ),
    "3.1/2025-01-01/inpatient": Case(
        hospital(CHUYEN_SAU, FormerTuyen.CENTRAL), AFTER, 32, care=Care.INPATIENT
    ),
    "3.1/2025-01-01/outpatient": Case(hospital(CHUYEN_SAU, FormerTuyen.CENTRAL), AFTER, 0),
    "3.2/2025-01-01": Case(
        hospital(CHUYEN_SAU, FormerTuyen.PROVINCE), AFTER, 80, care=Care.INPATIENT
    ),
    "3.3/2025-01-01": Case(hospital(CHUYEN_SAU, FormerTuyen.DISTRICT), AFTER, 80),
    "3.6/2025-01-01": Case(
        hospital(CHUYEN_SAU, FormerTuyen.CENTRAL),
        AFTER,
        None,
        care=Care.INPATIENT,
        facts=facts(VisitFact.HARDSHIP_AREA),
    ),
}


def test_every_row_of_the_table_has_its_case_and_ids_are_unique() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(CASES)


@pytest.mark.parametrize("row_id", list(CASES))
def test_rule_row(row_id: str) -> None:
    row = next(rule for rule in RULES if rule.id == row_id)
    case = CASES[row_id]
    facility = OWN if case.registered else ELSEWHERE
    benefit = benefit_for(
        card(facility=facility), case.rules, case.day, care=case.care, facts=case.facts
    )
    assert benefit.rule == row_id
    assert benefit.route is row.code
    assert benefit.route_percent == row.share
    assert benefit.percent == case.percent
    assert benefit.source == row.source
    assert row.source  # every row names its article


def test_every_row_says_how_it_was_verified() -> None:
    for row in RULES:
        assert row.verified.startswith(("one source:", "two sources:")), row.id
        assert row.when


def test_rows_resting_on_a_fact_do_not_match_without_it() -> None:
    # the kiosk never knows of a slip, an emergency or a listed disease
    for row in RULES:
        if row.fact is not None:
            case = CASES[row.id]
            blind = benefit_for(card(), case.rules, case.day, care=case.care)
            assert blind.rule != row.id


@pytest.mark.parametrize(
    ("level", "percent"), [(1, 50), (2, 50), (3, 47), (4, 40), (5, 50), (None, None)]
)
def test_the_card_share_times_the_route_share(level: int | None, percent: int | None) -> None:
    benefit = benefit_for(card(level), hospital(CO_BAN, score=60), AFTER)
    assert benefit.route is Route.BASIC_50_70
    assert benefit.route_percent == 50
    assert benefit.card_percent == benefit_percent(level)
    assert benefit.percent == percent


def test_a_level_4_card_no_longer_shows_80_whatever_the_route() -> None:
    shares = {
        benefit_for(card(4), hospital(CHUYEN_SAU, FormerTuyen.CENTRAL), AFTER).percent,
        benefit_for(card(4), hospital(CO_BAN, score=60), AFTER).percent,
        benefit_for(card(4, facility=OWN), hospital(CO_BAN, score=60), AFTER).percent,
        benefit_for(card(4), hospital(BAN_DAU, station=True), AFTER).percent,
    }
    assert shares == {0, 40, 80, 100}


def test_a_primary_station_pays_everything_whatever_the_card() -> None:
    station = hospital(BAN_DAU, station=True)
    for level in (1, 3, 4, None):
        registered = benefit_for(card(level, facility=OWN), station, AFTER)
        assert (registered.route, registered.percent) == (Route.PRIMARY_STATION, 100)


@pytest.mark.parametrize(
    ("hour", "minute", "route_share", "percent"), [(23, 59, 0, 0), (0, 0, 50, 40)]
)
def test_the_1_july_2026_boundary_is_the_local_date(
    hour: int, minute: int, route_share: int, percent: int
) -> None:
    day = 30 if hour == 23 else 1
    month = 6 if hour == 23 else 7
    local = datetime(2026, month, day, hour, minute, tzinfo=HOSPITAL_ZONE)
    clock = FakeClock(local.astimezone(UTC))
    # 1 July 00:00 in Hồ Chí Minh City is still 30 June in UTC
    assert clock.now().date() == date(2026, 6, 30)
    today = local_day(clock)
    for rules in (
        hospital(CO_BAN, score=60),
        hospital(CO_BAN, FormerTuyen.PROVINCE),
        hospital(CHUYEN_SAU, FormerTuyen.PROVINCE),
    ):
        benefit = benefit_for(card(4), rules, today)
        assert (benefit.route_percent, benefit.percent) == (route_share, percent)


def test_the_old_table_is_gone_before_2025() -> None:
    assert rows_in_force(date(2024, 12, 31)) == ()
    nothing = benefit_for(card(), hospital(CO_BAN, score=60), date(2024, 12, 31))
    assert (nothing.route, nothing.percent, nothing.rule) == (None, None, "none")


def test_score_70_and_above_and_a_new_specialised_hospital_match_no_row() -> None:
    # Decree 188 Art. 19 cl. 2 reads "50 to under 70"; QĐ 3276 writes "50 - 70". No row
    # covers a self-referred outpatient at 70 points or more: reception decides.
    for rules in (hospital(CO_BAN, score=70), hospital(CHUYEN_SAU, FormerTuyen.NONE)):
        benefit = benefit_for(card(), rules, AFTER)
        assert (benefit.route, benefit.percent) == (None, None)
        assert "reception" in benefit.reason


def test_provisional_classification_counts_as_under_50() -> None:
    benefit = benefit_for(card(), hospital(CO_BAN, score=None), AFTER)
    assert (benefit.route, benefit.percent) == (Route.BASIC_UNDER_50, 80)


def test_a_former_district_hospital_pays_the_full_share_whatever_its_score() -> None:
    # 1.13 would halve it; the highest share wins (Decree 188 Art. 21 cl. 1)
    benefit = benefit_for(card(), hospital(CO_BAN, FormerTuyen.DISTRICT, score=60), AFTER)
    assert (benefit.route, benefit.percent) == (Route.FORMER_DISTRICT, 80)


def test_a_former_provincial_basic_hospital_scoring_under_50_still_halves() -> None:
    # 1.12 excludes former provincial and central hospitals
    benefit = benefit_for(card(), hospital(CO_BAN, FormerTuyen.PROVINCE, score=40), AFTER)
    assert (benefit.route, benefit.percent) == (Route.BASIC_FORMER_UPPER, 40)


def test_five_continuous_years_leave_the_full_share_rows_to_reception() -> None:
    five = card(4, facility=OWN, five_years_from=date(2026, 1, 1))
    registered = benefit_for(five, hospital(CO_BAN, score=60), AFTER)
    assert (registered.route, registered.percent) == (Route.REGISTERED, None)
    assert "five continuous years" in registered.reason
    not_yet = replace(five, five_years_from=date(2026, 11, 26))
    assert benefit_for(not_yet, hospital(CO_BAN, score=60), AFTER).percent == 80
    full_card = replace(five, benefit_level=1, card_number="TE1797920123456")
    assert benefit_for(full_card, hospital(CO_BAN, score=60), AFTER).percent == 100
    self_referred = replace(five, facility_code=ELSEWHERE)
    halved = benefit_for(self_referred, hospital(CO_BAN, score=60), AFTER)
    assert (halved.route, halved.percent) == (Route.BASIC_50_70, 40)


def test_accepted_codes_count_as_registered_here() -> None:
    benefit = benefit_for(card(facility="79099"), hospital(CO_BAN, score=60), AFTER)
    assert benefit.route is Route.REGISTERED


def test_a_card_of_a_province_merged_in_2025_is_named_in_the_reason() -> None:
    rules = hospital(CO_BAN, score=60)
    merged = benefit_for(card(facility="74001"), rules, AFTER)
    assert "merged into Hồ Chí Minh" in merged.reason
    assert "another province" in benefit_for(card(facility="01C54"), rules, AFTER).reason
    assert "province" not in benefit_for(card(facility=ELSEWHERE), rules, AFTER).reason


def test_from_config() -> None:
    settings = HospitalSettings(
        facility_codes=("79024", "79025"),
        accepted_codes=("79099",),
        professional_level="chuyen_sau",
        evaluation_score=None,
        former_tuyen="province",
    )
    rules = HospitalRules.from_config(settings, "79024_BV")
    assert rules.own_codes == ("79024", "79025")
    assert rules.accepted_codes == ("79099",)
    assert (rules.level, rules.former, rules.score) == (CHUYEN_SAU, FormerTuyen.PROVINCE, None)
    assert rules.own_accounts == ("79024_BV",)
    assert benefit_for(card(facility="79025"), rules, AFTER).route is Route.REGISTERED
    assert benefit_for(card(), rules, AFTER).route is Route.SPECIALISED_FORMER_PROVINCE
    assert HospitalRules.from_config(settings, "").own_accounts == ()


def test_own_accounts() -> None:
    rules = hospital(CO_BAN)
    assert rules.is_own_account("79024_BV")
    assert rules.is_own_account("79024_KHTH")  # another account of the same facility
    assert not rules.is_own_account("79034_BV")
    assert not rules.is_own_account("")


@pytest.mark.parametrize(
    ("level", "percent"), [(1, 100), (2, 100), (3, 95), (4, 80), (5, 100), (None, None), (7, None)]
)
def test_benefit_percent(level: int | None, percent: int | None) -> None:
    assert benefit_percent(level) == percent


# --- group overrides: CN and LH at 100 % from 1/1/2026 whatever the printed digit ------------


def _at_local(day: date, hour: int, minute: int, second: int = 0) -> date:
    """The hospital's local date at a local wall-clock time, read through a UTC clock."""
    local = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=HOSPITAL_ZONE)
    return local_day(FakeClock(local.astimezone(UTC)))


def group_card(group: str, level: int) -> CardRecord:
    return card(level, facility=OWN, card_number=f"{group}{level}797920123456")


@pytest.mark.parametrize(
    ("group", "level", "before", "after"),
    [("CN", 3, 95, 100), ("LH", 4, 80, 100)],
)
def test_group_override_from_1_january_2026_at_local_midnight(
    group: str, level: int, before: int, after: int
) -> None:
    last_old = _at_local(date(2025, 12, 31), 23, 59, 59)
    first_new = _at_local(date(2026, 1, 1), 0, 0)
    assert (last_old, first_new) == (date(2025, 12, 31), date(2026, 1, 1))
    rules = hospital(CO_BAN)
    old = benefit_for(group_card(group, level), rules, last_old)
    new = benefit_for(group_card(group, level), rules, first_new)
    assert (old.route, old.percent, old.card_percent) == (Route.REGISTERED, before, before)
    assert (new.route, new.percent, new.card_percent) == (Route.REGISTERED, after, after)
    assert f"group {group}: level 2" in new.reason
    assert "261/2025" in new.reason
    assert "group" not in old.reason


@pytest.mark.parametrize(("hour", "minute", "percent"), [(23, 59, 0), (0, 0, 50)])
def test_a_near_poor_card_at_the_1_july_2026_step_is_half_of_100(
    hour: int, minute: int, percent: int
) -> None:
    # a CN3 card self-referred to a 50-70 point hospital: half of 100 % (not of 95 %) from 1/7
    today = _at_local(date(2026, 6, 30) if hour == 23 else date(2026, 7, 1), hour, minute)
    benefit = benefit_for(card(3, card_number="CN3797920123456"), hospital(CO_BAN, score=60), today)
    assert (benefit.route, benefit.percent, benefit.card_percent) == (
        Route.BASIC_50_70,
        percent,
        100,
    )


def test_a_group_override_never_lowers_a_card_and_other_groups_keep_their_digit() -> None:
    day = date(2026, 3, 1)
    assert benefit_for(group_card("CN", 1), hospital(CO_BAN), day).card_percent == 100
    assert benefit_for(group_card("DN", 4), hospital(CO_BAN), day).percent == 80
    # a card whose level is unknown but whose group is overridden gets the group's level
    unknown = card(None, facility=OWN, card_number="LH4797920123456")
    assert benefit_for(unknown, hospital(CO_BAN), day).percent == 100


def test_a_group_override_lifts_a_five_year_card_out_of_reception() -> None:
    five = replace(group_card("CN", 3), five_years_from=date(2024, 1, 1))
    day = date(2026, 3, 1)
    assert benefit_for(five, hospital(CO_BAN), day).percent == 100
    assert benefit_for(five, hospital(CO_BAN), date(2025, 12, 31)).percent is None


# --- a hospital graded equivalent to a provincial or central one: QĐ 3276 row 1.14 -----------


@pytest.mark.parametrize("grade", ["tuong_duong_tinh", "tuong_duong_tw"])
def test_an_equivalent_grade_comes_from_the_config_when_there_is_no_former_tuyen(
    grade: str,
) -> None:
    settings = HospitalSettings(facility_codes=(OWN,), former_tuyen="none", equivalent=grade)
    rules = HospitalRules.from_config(settings, "")
    assert rules.former is FormerTuyen(grade)
    former = replace(settings, former_tuyen="district")
    assert HospitalRules.from_config(former, "").former is FormerTuyen.DISTRICT


@pytest.mark.parametrize("grade", [FormerTuyen.EQUIVALENT_PROVINCE, FormerTuyen.EQUIVALENT_CENTRAL])
@pytest.mark.parametrize(("hour", "minute", "percent"), [(23, 59, 0), (0, 0, 40)])
def test_row_1_14_takes_an_equivalent_hospital_on_both_sides_of_1_july_2026(
    grade: FormerTuyen, hour: int, minute: int, percent: int
) -> None:
    today = _at_local(date(2026, 6, 30) if hour == 23 else date(2026, 7, 1), hour, minute)
    benefit = benefit_for(card(4), hospital(CO_BAN, grade), today)
    assert (benefit.route, benefit.percent) == (Route.BASIC_FORMER_UPPER, percent)


@pytest.mark.parametrize("score", [None, 45])
def test_row_1_12_no_longer_takes_an_equivalent_hospital(score: int | None) -> None:
    # provisional or under 50 points: a hospital of no tuyến gets 1.12 (the card's share), one
    # graded equivalent to a provincial hospital 1.14 (half of it from 1 July 2026)
    plain = benefit_for(card(4), hospital(CO_BAN, FormerTuyen.NONE, score), AFTER)
    graded = benefit_for(card(4), hospital(CO_BAN, FormerTuyen.EQUIVALENT_PROVINCE, score), AFTER)
    assert (plain.route, plain.percent) == (Route.BASIC_UNDER_50, 80)
    assert (graded.route, graded.percent) == (Route.BASIC_FORMER_UPPER, 40)


def test_row_1_13_and_1_14_pay_alike_for_an_equivalent_hospital_of_50_to_70_points() -> None:
    benefit = benefit_for(card(4), hospital(CO_BAN, FormerTuyen.EQUIVALENT_CENTRAL, 60), AFTER)
    # both rows pay half; the table's order (QĐ 3276: top to bottom) picks 1.13
    assert (benefit.route, benefit.percent) == (Route.BASIC_50_70, 40)


def test_an_equivalent_grade_matches_no_row_of_a_former_hospital_at_specialised_level() -> None:
    rules = hospital(CHUYEN_SAU, FormerTuyen.EQUIVALENT_PROVINCE)
    assert benefit_for(card(4), rules, AFTER).route is None
