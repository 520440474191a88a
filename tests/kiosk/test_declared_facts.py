"""Referral and emergency declared at the desk reach the benefit rule (kiosk.visit_facts,
CheckInRequest.facts, benefit_for's ``confirmed``), through the real dated rule table.

The hospital is a cấp cơ bản one scoring 60, so a self-referred outpatient is on code 1.13:
0 % until 30/6/2026, half of the card's share from 1/7/2026. A level-4 card (80 %) gets
40 % on 25/11/2026, and 80 % with a referral paper (code 1.3) or as an emergency (code 2).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from kiosk.checkin import CheckInRequest
from kiosk.model import CheckIn, Route
from kiosk.synthetic import SyntheticPerson, bhyt_payload, card_record, people
from kiosk.visit_facts import DeclaredFacts, ReferralPaper
from tests.kiosk.test_checkin import Rig

AUTUMN = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 09:00 local, in the 50 % period
JUNE = datetime(2026, 6, 30, 2, 0, tzinfo=UTC)  # the last day of 0 % for the self-referred


def _rig(at: datetime) -> Rig:
    rig = Rig()
    hospital = replace(rig.config.hospital, evaluation_score=60, former_tuyen="none")
    rig.config = replace(rig.config, hospital=hospital)
    rig.clock.set(at)
    rig.service = rig.service_with()  # on the changed hospital
    return rig


def _level_4_elsewhere() -> SyntheticPerson:
    for p in people(200, seed=11):
        card = card_record(p)
        if (
            card.benefit_level == 4
            and p.facility_code != "79024"
            and p.valid_from <= date(2026, 6, 1)
            and p.valid_to >= date(2026, 12, 31)
            and card.five_years_from is None
        ):
            return p
    raise AssertionError("no level-4 card registered elsewhere")


def _check_in(at: datetime, facts: DeclaredFacts | None, reason: str | None = None) -> CheckIn:
    rig = _rig(at)
    person = _level_4_elsewhere()
    rig.cards.save_card(card_record(person))
    assessment = rig.service.assess(bhyt_payload(person))
    request = CheckInRequest("NOI", override_reason=reason, facts=facts)
    outcome = rig.service.staff_check_in(assessment, request, "Lan")
    assert outcome.checkin is not None, outcome
    return outcome.checkin


def test_self_referred_without_a_declared_fact() -> None:
    checkin = _check_in(AUTUMN, None)
    assert checkin.route is Route.BASIC_50_70
    assert checkin.benefit_percent == 40


@pytest.mark.parametrize(
    ("facts", "reason", "code", "override_reason"),
    [
        pytest.param(
            # signed last Friday: 3 working days ago
            DeclaredFacts(referral=ReferralPaper(date(2026, 11, 20))),
            "Chuyển tuyến",
            "1.3",
            "Chuyển tuyến [Chuyển tuyến: giấy ký 20/11/2026]",
            id="a referral paper gives code 1.3",
        ),
        pytest.param(
            DeclaredFacts(emergency=True),
            "Cấp cứu",
            "2",
            "Cấp cứu [Cấp cứu]",
            id="an emergency gives code 2",
        ),
    ],
)
def test_a_declared_fact_gives_its_route_code_and_the_full_card_share(
    facts: DeclaredFacts, reason: str, code: str, override_reason: str
) -> None:
    checkin = _check_in(AUTUMN, facts, reason)
    assert checkin.route is not None
    assert checkin.route.value == code
    assert checkin.benefit_percent == 80
    assert checkin.override_reason == override_reason


def test_the_referral_counts_before_the_50_percent_date_too() -> None:
    assert _check_in(JUNE, None).benefit_percent == 0  # self-referred: nothing yet
    referred = _check_in(JUNE, DeclaredFacts(referral=ReferralPaper(date(2026, 6, 29))))
    assert referred.benefit_percent == 80


def test_an_expired_referral_paper_leaves_the_self_referred_share_and_says_so() -> None:
    old = ReferralPaper(date(2026, 11, 5))  # 15 working days before the visit
    checkin = _check_in(AUTUMN, DeclaredFacts(referral=old), "Chuyển tuyến")
    assert checkin.route is Route.BASIC_50_70
    assert checkin.benefit_percent == 40
    assert checkin.override_reason is not None
    assert "HẾT HẠN" in checkin.override_reason


def test_the_papers_validity() -> None:
    friday = ReferralPaper(date(2026, 11, 20))
    assert friday.last_day() == date(2026, 12, 3)  # ten working days, the signing day counted
    assert friday.valid_on(date(2026, 12, 3))
    assert not friday.valid_on(date(2026, 12, 4))
    assert not friday.valid_on(date(2026, 11, 19))  # not before it was signed
    year = ReferralPaper(date(2026, 2, 1), one_year=True)
    assert year.valid_on(date(2026, 12, 31))
    assert not year.valid_on(date(2027, 1, 1))


def test_a_refused_card_gets_no_share_from_a_declared_fact() -> None:
    rig = _rig(AUTUMN)
    person = _level_4_elsewhere()
    expired = replace(card_record(person), valid_to=date(2026, 11, 1))
    rig.cards.save_card(expired)
    assessment = rig.service.assess(bhyt_payload(replace(person, valid_to=date(2026, 11, 1))))
    assert assessment.decision is not None
    assert assessment.decision.benefit is None  # refused before any route
    request = CheckInRequest("NOI", "Thẻ hết hạn – tự chi trả", facts=DeclaredFacts(emergency=True))
    outcome = rig.service.staff_check_in(assessment, request, "Lan")
    assert outcome.checkin is not None
    assert outcome.checkin.route is None
    assert outcome.checkin.benefit_percent is None
