"""The accepted screen says the share in plain words ("BHYT chi trả 80%"), or that reception
confirms it, and the visit code only in small print.

The hospital of these tests is a cấp cơ bản hospital scoring 60 points (set through the
environment over the shipped config.toml): a self-referred level-4 card gets half of 80 %
from 1 July 2026 (docs/domain.md, route and benefit).
"""

from __future__ import annotations

from datetime import date

import pytest
from pytestqt.qtbot import QtBot

from kiosk.benefit_rules import RULES, RouteRule
from kiosk.calling import Place, Priority
from kiosk.model import CheckIn, Gender, Verification
from kiosk.outcome import Outcome, Status
from kiosk.synthetic import SyntheticPerson, bhyt_payload, people
from tests.builders import checkin, patient
from tests.ui.ui_rig import Make, checked_in, scan_and_wait

TODAY = date(2026, 11, 25)


@pytest.fixture
def config_env() -> dict[str, str]:
    return {
        "KIOSK_HOSPITAL_PROFESSIONAL_LEVEL": "co_ban",
        "KIOSK_HOSPITAL_EVALUATION_SCORE": "60",
        "KIOSK_HOSPITAL_FORMER_TUYEN": "none",
    }


def _level_4(registered_here: bool) -> SyntheticPerson:
    return next(
        p
        for p in people(200, seed=5)
        if p.benefit_level == 4
        and (p.facility_code == "79024") == registered_here
        and p.valid_from <= TODAY <= p.valid_to
    )


@pytest.fixture
def persons() -> list[SyntheticPerson]:
    return [_level_4(registered_here=True), _level_4(registered_here=False)]


def test_a_self_referred_level_4_card_is_told_40_and_a_registered_one_80(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, _ = checked_in(qtbot, make_window, persons[1], clinics=1)
    accepted = window.accepted
    assert accepted.benefit.text() == "BHYT chi trả 40%"
    assert accepted.visit_code.text() == "Tự đến khám (mã 1.13)"
    window.toggle_language()
    assert accepted.benefit.text() == "Insurance pays 40%"
    assert accepted.visit_code.text() == "Self-referred (code 1.13)"
    window.toggle_language()
    window.go_welcome()
    scan_and_wait(qtbot, window, bhyt_payload(persons[0]))
    assert accepted.benefit.text() == "BHYT chi trả 80%"
    assert accepted.visit_code.text() == "Đúng nơi đăng ký KCB ban đầu (mã 1.1)"
    # the share is read first and large; the code is small print, for staff
    assert accepted.visit_code.font().pixelSize() < accepted.benefit.font().pixelSize()
    assert "mã" not in accepted.benefit.text()
    # the card's last four digits are never written as if they were a year ("Thẻ …2019")
    assert "4 số cuối của thẻ: " in accepted.patient.text()
    assert "Thẻ …" not in accepted.patient.text()


def _checkin(row: RouteRule, share: int | None, person: SyntheticPerson) -> CheckIn:
    return checkin(
        id="ci-1",
        queue_number=7,
        patient=patient(person),
        route=row.code,
        benefit_percent=share,
        verification=Verification.ONLINE,
    )


@pytest.mark.parametrize("row", RULES, ids=[rule.id for rule in RULES])
def test_every_rule_row_shows_its_share_or_the_reception_text(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson], row: RouteRule
) -> None:
    window, _ = make_window(clinics=1)
    # a level-4 card (80 %); a row resting on a fact leaves the figure to reception
    if row.fact is not None:
        share = None
    else:
        share = row.share if row.whatever_card else 80 * row.share // 100
    outcome = Outcome(
        status=Status.ACCEPTED, reason=None, checkin=_checkin(row, share, persons[0]), printed=True
    )
    with qtbot.waitSignal(window.outcome_shown, timeout=5000):
        window.show_outcome(outcome)
    assert window.current is window.accepted
    vi = window.accepted.benefit.text(), window.accepted.visit_code.text()
    window.toggle_language()
    en = window.accepted.benefit.text(), window.accepted.visit_code.text()
    assert vi[1].endswith(f"(mã {row.code.value})"), vi
    assert en[1].endswith(f"(code {row.code.value})"), en
    if share is None:
        assert vi[0] == "Quầy tiếp đón xác nhận phần BHYT chi trả"
        assert en[0] == "Reception confirms what insurance pays"
    else:
        assert vi[0] == f"BHYT chi trả {share}%"
        assert en[0] == f"Insurance pays {share}%"


def test_the_people_ahead_and_the_wait_show_when_central_says(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, _ = make_window(clinics=1)
    place = Place(ahead=4, priority=Priority.AGE_75, wait_minutes=(15, 35))
    ticket = _checkin(RULES[0], 80, persons[0])
    outcome = Outcome(
        status=Status.ACCEPTED, reason=None, checkin=ticket, printed=True, place=place
    )
    with qtbot.waitSignal(window.outcome_shown, timeout=5000):
        window.show_outcome(outcome)
    assert window.accepted.number.text() == "7 Ư"
    you = "Ông" if persons[0].gender is Gender.MALE else "Bà"
    assert window.accepted.wait.text() == f"Trước {you} còn 4 người · chờ khoảng 15–35 phút"
    window.toggle_language()
    assert window.accepted.wait.text() == "4 ahead of you · about 15–35 minutes"
    window.toggle_language()
    window.go_welcome()
    plain = Outcome(status=Status.ACCEPTED, reason=None, checkin=ticket, printed=True)
    with qtbot.waitSignal(window.outcome_shown, timeout=5000):
        window.show_outcome(plain)
    assert window.accepted.number.text() == "7"
    assert window.accepted.wait.isHidden()
