"""A bare code at the kiosk: the birth year on the keypad before anything of the card is shown."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from kiosk.outcome import Outcome, Reason, Status
from kiosk.synthetic import SyntheticPerson, bhyt_payload
from tests.ui.ui_rig import Make, Rig, scan_until
from ui.window import KioskWindow


def _shown_text(window: KioskWindow) -> str:
    page = window.current
    assert page is not None
    parts = [w.text() for w in page.findChildren(QLabel)]
    parts += [w.text() for w in page.findChildren(QLineEdit)]
    return "\n".join(parts)


def _type(window: KioskWindow, year: str) -> None:
    for digit in year:
        window.birth_year.keypad.press(digit)


def _asked_birth_year(qtbot: QtBot, make_window: Make, code: str) -> tuple[KioskWindow, Rig]:
    """A new window handed the bare ``code``, once it asks for the birth year."""
    window, rig = make_window()
    scan_until(qtbot, window, code, window.birth_year)
    return window, rig


def _answer(qtbot: QtBot, window: KioskWindow, year: str) -> Outcome:
    """The outcome shown once ``year`` is typed on the keypad and OK pressed."""
    _type(window, year)
    window.birth_year.ok.click()  # the year read back first
    assert window.birth_year.readback.text() == f"Năm sinh {year} – đúng không?"
    with qtbot.waitSignal(window.outcome_shown, timeout=5000) as blocker:
        window.birth_year.ok.click()
    outcome: Outcome = blocker.args[0]
    return outcome


def _retry(qtbot: QtBot, window: KioskWindow, year: str) -> None:
    """A wrong ``year`` typed, read back and sent: the question comes again."""
    _type(window, year)
    window.birth_year.ok.click()
    window.birth_year.ok.click()
    qtbot.waitUntil(
        lambda: window.current is window.birth_year and window.birth_year.year.text() == "",
        timeout=5000,
    )


def test_a_bare_code_asks_the_birth_year_and_reveals_nothing(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    person = persons[0]
    window, rig = _asked_birth_year(qtbot, make_window, person.bhxh_number)
    shown = _shown_text(window)
    assert "Ông/Bà sinh năm nào?" in shown
    for secret in (person.name.split()[-1], str(person.birth.year)):
        assert secret not in shown
    assert not window.birth_year.ok.isEnabled()
    _retry(qtbot, window, str(person.birth.year + 3))
    assert "Năm sinh chưa đúng. Xin nhập lại năm sinh." in _shown_text(window)
    outcome = _answer(qtbot, window, str(person.birth.year + 4))
    assert (outcome.status, outcome.reason) == (Status.NEEDS_RECEPTION, Reason.BIRTH_YEAR_WRONG)
    assert window.current is window.reception
    shown = _shown_text(window)
    assert person.name.split()[-1] not in shown
    assert str(person.birth.year) not in shown
    assert not rig.store.checkins


def test_the_right_birth_year_checks_the_patient_in(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    person = persons[1]
    window, rig = _asked_birth_year(qtbot, make_window, person.card_number)
    _type(window, "19")
    assert not window.birth_year.ok.isEnabled()  # four digits first
    window.birth_year.year.clear()
    outcome = _answer(qtbot, window, str(person.birth.year))
    assert outcome.status is Status.ACCEPTED, outcome
    assert outcome.checkin is not None
    assert window.current is window.accepted
    assert len(rig.store.checkins) == 1


def test_a_card_qr_does_not_ask(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, _ = make_window()
    with qtbot.waitSignal(window.outcome_shown, timeout=5000) as blocker:
        window.on_scan(bhyt_payload(persons[2]))
    assert blocker.args[0].status is Status.ACCEPTED


def test_a_wrong_digit_is_corrected_at_the_read_back(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    person = persons[1]
    window, rig = _asked_birth_year(qtbot, make_window, person.bhxh_number)
    _type(window, str(person.birth.year + 1))
    window.birth_year.ok.click()
    assert window.birth_year.cancel.text() == "Sửa"
    window.birth_year.cancel.click()  # "Sửa": nothing was sent, the year is typed again
    assert window.current is window.birth_year
    assert window.birth_year.year.text() == ""
    assert not window.runner.busy
    outcome = _answer(qtbot, window, str(person.birth.year))
    assert outcome.status is Status.ACCEPTED
    assert len(rig.store.checkins) == 1
