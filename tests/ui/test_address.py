"""The patient is addressed as "Ông" or "Bà" from the card's gender, "Ông/Bà" only unknown.

Through the real window and check-in service: the confirm question, the clinic screen's
priority question, the time warning, the accepted and printer-failed screens and the outcome
messages of the reception screen.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from pytestqt.qtbot import QtBot

from kiosk.model import BhytPayload, Gender
from kiosk.names import strip_diacritics
from kiosk.outcome import Outcome, Reason, Status, address
from kiosk.payload import parse_payload
from kiosk.synthetic import SyntheticPerson, bhyt_payload, people
from tests.builders import checkin, patient
from tests.fakes import FakeClock, FakePrinter
from tests.ui.ui_rig import Make, scan_and_wait, scan_until, to_confirm
from ui.window import KioskWindow

GENDERS = [(Gender.MALE, "Ông"), (Gender.FEMALE, "Bà"), (None, "Ông/Bà")]


def _with_marks(p: SyntheticPerson) -> bool:
    given = p.name.split()[-1]
    return strip_diacritics(given) != given


@pytest.fixture
def persons() -> list[SyntheticPerson]:
    """A man and a woman whose given names carry marks (the confirm question needs them)."""
    crowd = list(people(60, seed=3))
    man = next(p for p in crowd if p.gender is Gender.MALE and _with_marks(p))
    woman = next(p for p in crowd if p.gender is Gender.FEMALE and _with_marks(p))
    return [man, woman]


def _of(persons: list[SyntheticPerson], gender: Gender) -> SyntheticPerson:
    return next(p for p in persons if p.gender is gender)


def test_address_words() -> None:
    assert [address(g) for g, _ in GENDERS] == [said for _, said in GENDERS]


@pytest.mark.parametrize("case", GENDERS[:2])
def test_the_questions_say_ong_or_ba(
    qtbot: QtBot,
    make_window: Make,
    persons: list[SyntheticPerson],
    clock: FakeClock,
    case: tuple[Gender, str],
) -> None:
    gender, said = case
    window, rig = make_window()
    to_confirm(qtbot, window, rig, _of(persons, gender))
    assert window.confirm.title.text() == f"Đây có phải là {said} không?"
    clock.advance(seconds=40)  # the question's warning, 20 s before its minute is up
    window.tick()
    assert window.current is window.warning
    assert window.warning.title.text() == f"{said} cần thêm thời gian?"
    window.toggle_language()
    assert window.warning.title.text() == "Do you need more time?"


@pytest.mark.parametrize(("gender", "said"), GENDERS[:2])
def test_the_clinic_screen_asks_the_priority_question_of_ong_or_ba(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson], gender: Gender, said: str
) -> None:
    window, _ = make_window(clinics=3)
    scan_until(qtbot, window, bhyt_payload(_of(persons, gender)), window.clinics)
    assert window.clinics.priority.title.text() == f"{said} có thuộc diện ưu tiên không?"
    window.go_welcome()  # the next patient is nobody yet
    assert window.clinics.addressee is None


@pytest.mark.parametrize(("gender", "said"), GENDERS)
def test_results_and_messages_say_ong_or_ba(
    qtbot: QtBot,
    make_window: Make,
    persons: list[SyntheticPerson],
    gender: Gender | None,
    said: str,
) -> None:
    window, _ = make_window()
    who = replace(patient(persons[0]), gender=gender)
    ticket = checkin(id="ci-1", queue_number=7, patient=who)
    _show(qtbot, window, Outcome(Status.ACCEPTED, Reason.ALREADY_CHECKED_IN, ticket, printed=True))
    assert window.accepted.heading.text() == (
        f"{said} đã đăng ký khám hôm nay. Đây là số thứ tự của {said}."
    )
    _show(qtbot, window, Outcome(Status.ACCEPTED, Reason.PRINTER_FAILED, ticket, printed=False))
    assert window.printer_failed.kept.text() == (
        f"Số của {said} đã được giữ. Quầy tiếp đón sẽ in lại phiếu."
    )
    # no check-in: the QR's own gender (a bare code's card is never asked)
    parsed = parse_payload(bhyt_payload(persons[0]))
    assert isinstance(parsed, BhytPayload)
    held = replace(parsed, gender=gender)
    _show(qtbot, window, Outcome(Status.NEEDS_RECEPTION, Reason.RECORD_REFUSED, payload=held))
    assert window.reception.heading.text() == (
        f"Chưa lưu được thông tin của {said}. Vui lòng đến quầy tiếp đón."
    )
    window.toggle_language()
    assert window.reception.heading.text() == (
        "Your details could not be saved. Please go to the reception desk."
    )


def test_a_checked_in_woman_is_told_ba_end_to_end(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    """The real service: her card's QR, her number, "Bà" on the printer-failed screen."""
    woman = _of(persons, Gender.FEMALE)
    window, _ = make_window(printer=FakePrinter(problem="paper_out"))
    scan_and_wait(qtbot, window, bhyt_payload(woman))
    assert window.current is window.printer_failed
    assert window.printer_failed.kept.text().startswith("Số của Bà đã được giữ")


def _show(qtbot: QtBot, window: KioskWindow, outcome: Outcome) -> None:
    window.go_welcome()
    with qtbot.waitSignal(window.outcome_shown, timeout=5000):
        window.show_outcome(outcome)
