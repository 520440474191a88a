"""The clinic screen's priority question: a patient declares pregnancy or a severe disability with
one touch; it reaches central's queue with the check-in, and the next patient starts blank."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from kiosk.calling import Priority
from kiosk.synthetic import SyntheticPerson, bhyt_payload
from tests.ui.ui_rig import Make
from ui.window import KioskWindow


def _choose(
    qtbot: QtBot, window: KioskWindow, person: SyntheticPerson, declare: Priority | None
) -> None:
    window.on_scan(bhyt_payload(person))
    qtbot.waitUntil(lambda: window.current is window.clinics, timeout=5000)
    question = window.clinics.priority
    assert question.declared() is None  # nobody's answer is left from the last patient
    if declare is not None:
        question.choices[declare].click()
    with qtbot.waitSignal(window.outcome_shown, timeout=5000):
        button = window.clinics.buttons["NOI"]
        assert isinstance(button, QPushButton)
        button.click()


def test_a_declared_priority_goes_with_the_check_in_and_not_to_the_next_patient(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, rig = make_window(clinics=3, queue=True)
    assert rig.queue is not None
    question = window.clinics.priority
    _choose(qtbot, window, persons[0], Priority.PREGNANT)
    first = rig.store.checkins
    assert list(rig.queue.declared.values()) == [Priority.PREGNANT]
    assert set(rig.queue.declared) <= set(first)
    window.go_welcome()
    _choose(qtbot, window, persons[1], None)  # the next patient touches nothing
    assert list(rig.queue.declared.values()) == [Priority.PREGNANT]
    assert question.declared() is None


def test_one_answer_at_most_and_a_second_touch_takes_it_back(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, _rig = make_window(clinics=3, queue=True)
    window.on_scan(bhyt_payload(persons[0]))
    qtbot.waitUntil(lambda: window.current is window.clinics, timeout=5000)
    question = window.clinics.priority
    question.choices[Priority.PREGNANT].click()
    question.choices[Priority.DISABILITY].click()
    assert question.declared() is Priority.DISABILITY
    assert not question.choices[Priority.PREGNANT].isChecked()
    question.choices[Priority.DISABILITY].click()
    assert question.declared() is None
    assert question.title.text() == "Ông có thuộc diện ưu tiên không?"  # persons[0]: a man
    window.toggle_language()
    assert question.title.text() == "Do you have priority?"
