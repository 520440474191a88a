"""Staff read their own words for the reasons of December 2026's rules: a card number the
kiosk cannot place, a card code the gateway says is stale (052/053), and the gateway's
080/090 (an alert that did not stop the patient)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from kiosk.gateway_codes import interpret
from kiosk.outcome import Lang, Outcome, Reason, Status, message_for
from tests import builders
from ui.i18n import STAFF_REASONS, staff_message
from ui.screens.staff import StaffScreen

LANGS: tuple[Lang, ...] = ("vi", "en")
# what a patient is told and staff need not be: staff are reception
TO_RECEPTION = ("quầy tiếp đón", "reception desk", "go to reception", "staff alerted")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("reason", "words"),
    [
        (Reason.CARD_NUMBER_UNPLACED, {"vi": "mã số BHXH", "en": "BHXH"}),
        (Reason.CARD_CODE_UNCONFIRMED, {"vi": "mã tỉnh", "en": "province"}),
        (Reason.GATEWAY_DATA_MISMATCH, {"vi": "giới tính", "en": "gender"}),
    ],
)
def test_staff_read_what_to_do_not_where_to_go(
    reason: Reason, words: dict[str, str], lang: Lang
) -> None:
    said = staff_message(Outcome(status=Status.NEEDS_RECEPTION, reason=reason), lang)
    assert said != message_for(reason, lang)
    assert words[lang] in said
    assert not any(phrase in said.lower() for phrase in TO_RECEPTION)


@pytest.mark.parametrize("code", ["052", "053"])
def test_a_stale_card_code_reads_as_one(code: str) -> None:
    verdict = interpret(code)
    outcome = Outcome(status=Status.NEEDS_RECEPTION, reason=verdict.reason)
    assert "mã quyền lợi" in staff_message(outcome, "vi")
    assert "benefit code" in staff_message(outcome, "en")


@pytest.mark.parametrize("code", ["080", "090"])
def test_an_accepted_checkin_with_a_mismatch_alert_shows_it_to_staff(code: str) -> None:
    alert = interpret(code).staff_alert
    assert alert is not None
    outcome = Outcome(status=Status.ACCEPTED, reason=None, alerts=(alert,))
    for lang in LANGS:
        first, *rest = staff_message(outcome, lang).split("\n")
        assert first == message_for(Status.ACCEPTED, lang)
        assert len(rest) == 1
        assert "BHXH" in rest[0] if lang == "vi" else "insurance gateway" in rest[0]


def test_an_alert_without_staff_words_adds_no_line() -> None:
    outcome = Outcome(status=Status.ACCEPTED, reason=None, alerts=(Reason.GATEWAY_UNAVAILABLE,))
    assert staff_message(outcome, "en") == message_for(Status.ACCEPTED, "en")


def test_the_staff_screen_shows_an_accepted_checkins_alert_under_its_number(
    qtbot: QtBot,
) -> None:
    """The gateway's 080 did not stop the patient: staff still read it under the number."""
    alert = interpret("080").staff_alert
    assert alert is not None
    screen = StaffScreen()
    qtbot.addWidget(screen)
    checkin = builders.checkin(queue_number=7)
    screen.show_checked_in(
        Outcome(status=Status.ACCEPTED, reason=None, checkin=checkin, alerts=(alert,)), None
    )
    said = screen.result.text().split("\n")
    assert len(said) == 2
    assert checkin.label in said[0]
    assert said[1] == STAFF_REASONS["vi"][alert]
