"""A voice on every patient screen, and "Nghe lại" says it again.

The real window on the real check-in service (``tests/ui/ui_rig.py``); the loudspeaker is the
FakeSpeaker, which notes each prompt and its language. Each screen is reached the way a patient
reaches it (a scan, an answer, time passing) where the rig can; the card refusals the rig's
cache cannot produce are shown through the window's one ``show_outcome``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from kiosk.model import Gender
from kiosk.outcome import Outcome, Reason, Status
from kiosk.synthetic import SyntheticPerson, bhyt_payload
from kiosk.voice import Prompt, PromptKind, clips
from tests.fakes import FakeClock, FakePrinter, FakeScanLoop, FakeSpeaker
from tests.ui.ui_rig import Make, scan_and_wait, scan_until, stranger, to_confirm
from ui.window import CHECKING_SAY_AFTER_S, KioskWindow

Drive = Callable[[QtBot, Make, list[SyntheticPerson], FakeClock, FakeSpeaker], KioskWindow]


def _first_words(qtbot: QtBot, make: Make, speaker: FakeSpeaker, scan: FakeScanLoop) -> KioskWindow:
    """A kiosk started on ``scan``, once it has said its first prompt."""
    window, _ = make(scan=scan, speaker=speaker)
    qtbot.waitUntil(lambda: bool(speaker.said), timeout=3000)
    return window


def _welcome(
    qtbot: QtBot, make: Make, persons: list[SyntheticPerson], clock: FakeClock, speaker: FakeSpeaker
) -> KioskWindow:
    scan = FakeScanLoop()
    scan.sighting = True  # a code in view: the greeting
    return _first_words(qtbot, make, speaker, scan)


def _camera_lost(
    qtbot: QtBot, make: Make, persons: list[SyntheticPerson], clock: FakeClock, speaker: FakeSpeaker
) -> KioskWindow:
    scan = FakeScanLoop()
    scan.camera = "lost"
    return _first_words(qtbot, make, speaker, scan)


def _checking(
    qtbot: QtBot, make: Make, persons: list[SyntheticPerson], clock: FakeClock, speaker: FakeSpeaker
) -> KioskWindow:
    window, _rig = make(speaker=speaker, online_gate=True)
    scan_until(qtbot, window, bhyt_payload(persons[0]), window.busy)
    clock.advance(seconds=CHECKING_SAY_AFTER_S - 0.5)
    window.tick()
    assert PromptKind.CHECKING not in speaker.kinds()  # a quick check's result comes first
    clock.advance(seconds=0.5)
    window.tick()
    window.tick()  # said once, not at every tick
    return window


def _confirm(
    qtbot: QtBot, make: Make, persons: list[SyntheticPerson], clock: FakeClock, speaker: FakeSpeaker
) -> KioskWindow:
    window, rig = make(speaker=speaker)
    to_confirm(qtbot, window, rig, persons[0])
    return window


def _birth_year(
    qtbot: QtBot, make: Make, persons: list[SyntheticPerson], clock: FakeClock, speaker: FakeSpeaker
) -> KioskWindow:
    window, _ = make(speaker=speaker)
    scan_until(qtbot, window, persons[0].bhxh_number, window.birth_year)
    return window


def _clinic(
    qtbot: QtBot, make: Make, persons: list[SyntheticPerson], clock: FakeClock, speaker: FakeSpeaker
) -> KioskWindow:
    window, _ = make(speaker=speaker, clinics=3)
    scan_until(qtbot, window, bhyt_payload(persons[0]), window.clinics)
    return window


def _time_warning(
    qtbot: QtBot, make: Make, persons: list[SyntheticPerson], clock: FakeClock, speaker: FakeSpeaker
) -> KioskWindow:
    window = _birth_year(qtbot, make, persons, clock, speaker)
    speaker.said.clear()
    clock.advance(seconds=40)
    window.tick()
    assert window.current is window.warning
    return window


def _accepted(
    qtbot: QtBot, make: Make, persons: list[SyntheticPerson], clock: FakeClock, speaker: FakeSpeaker
) -> KioskWindow:
    window, _ = make(speaker=speaker)
    scan_and_wait(qtbot, window, bhyt_payload(persons[0]))
    return window


def _not_found(
    qtbot: QtBot, make: Make, persons: list[SyntheticPerson], clock: FakeClock, speaker: FakeSpeaker
) -> KioskWindow:
    window, _ = make(speaker=speaker)
    scan_and_wait(qtbot, window, bhyt_payload(stranger(persons)))
    return window


def _not_a_card(
    qtbot: QtBot, make: Make, persons: list[SyntheticPerson], clock: FakeClock, speaker: FakeSpeaker
) -> KioskWindow:
    window, _ = make(speaker=speaker)
    scan_and_wait(qtbot, window, "https://example.com/menu")
    return window


def _shown(status: Status, reason: Reason) -> Drive:
    def drive(
        qtbot: QtBot,
        make: Make,
        persons: list[SyntheticPerson],
        clock: FakeClock,
        speaker: FakeSpeaker,
    ) -> KioskWindow:
        window, _ = make(speaker=speaker)
        window.show_outcome(Outcome(status, reason))
        return window

    return drive


def _printer_failed(
    qtbot: QtBot, make: Make, persons: list[SyntheticPerson], clock: FakeClock, speaker: FakeSpeaker
) -> KioskWindow:
    window, _ = make(speaker=speaker, printer=FakePrinter(problem="paper_out"))
    scan_and_wait(qtbot, window, bhyt_payload(persons[0]))
    return window


SCREENS: dict[str, tuple[Drive, str, PromptKind]] = {
    "welcome": (_welcome, "welcome", PromptKind.WELCOME),
    "camera-lost": (_camera_lost, "welcome", PromptKind.CAMERA_LOST),
    "checking": (_checking, "busy", PromptKind.CHECKING),
    "confirm": (_confirm, "confirm", PromptKind.CONFIRM),
    "birth-year": (_birth_year, "birth_year", PromptKind.BIRTH_YEAR),
    "clinic-and-priority": (_clinic, "clinics", PromptKind.CHOOSE_CLINIC),
    "time-warning": (_time_warning, "warning", PromptKind.TIME_WARNING),
    "accepted": (_accepted, "accepted", PromptKind.ACCEPTED),
    "not-found": (_not_found, "reception", PromptKind.CARD_NOT_FOUND),
    "not-a-card": (_not_a_card, "reception", PromptKind.RESCAN),
    "expired": (_shown(Status.REJECTED, Reason.CARD_EXPIRED), "reception", PromptKind.CARD_EXPIRED),
    "revoked": (_shown(Status.REJECTED, Reason.CARD_REVOKED), "reception", PromptKind.CARD_REFUSED),
    "reception": (
        _shown(Status.NEEDS_RECEPTION, Reason.DATABASE_UNAVAILABLE),
        "reception",
        PromptKind.RECEPTION,
    ),
    "printer-failed": (_printer_failed, "printer_failed", PromptKind.PRINTER_FAILED),
}


@pytest.mark.parametrize("name", list(SCREENS))
def test_every_patient_screen_speaks_and_repeats(
    name: str,
    qtbot: QtBot,
    make_window: Make,
    persons: list[SyntheticPerson],
    clock: FakeClock,
) -> None:
    drive, attribute, kind = SCREENS[name]
    speaker = FakeSpeaker()
    window = drive(qtbot, make_window, persons, clock, speaker)
    screen: QWidget = getattr(window, attribute)
    assert window.current is screen
    heard = [k for k in speaker.kinds() if k is not PromptKind.READ]  # the read's chime
    assert heard == [kind]  # said once, on arrival
    # "Nghe lại" is on the screen and says the same again
    assert window.toolbar.isVisibleTo(window)
    said, before = speaker.said[-1][0], len(speaker.said)
    window.toolbar.repeat_button.click()
    assert speaker.said[-1] == (said, "vi")
    assert len(speaker.said) == before + 1


def test_the_prompt_is_said_and_repeated_in_the_patients_language(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    speaker = FakeSpeaker()
    window, rig = make_window(speaker=speaker)
    window.lang_button.click()
    to_confirm(qtbot, window, rig, persons[0])
    assert speaker.said[-1] == (Prompt(PromptKind.CONFIRM), "en")
    window.lang_button.click()  # back to Vietnamese: "Nghe lại" says it in Vietnamese
    window.toolbar.repeat_button.click()
    assert speaker.said[-1] == (Prompt(PromptKind.CONFIRM), "vi")


def test_the_number_is_said_twice_then_where_the_slip_comes_out_for_ong_or_ba(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    speaker = FakeSpeaker()
    window, _ = make_window(speaker=speaker)
    person = persons[0]
    scan_and_wait(qtbot, window, bhyt_payload(person))
    prompt, lang = speaker.said[-1]
    names = clips(prompt, lang)
    number = window.accepted.number.text()
    assert prompt.number == int(number)
    assert prompt.gender is person.gender
    assert names.count("vi/number") == 2  # "Số 1 … Xin nhắc lại: số 1"
    assert "vi/again" in names
    honorific = {Gender.MALE: "take_slip_male", Gender.FEMALE: "take_slip_female"}
    assert names[-1] == f"vi/{honorific[person.gender]}"
    # without the card's gender: "Mời Ông/Bà nhận phiếu…"
    assert clips(Prompt(PromptKind.ACCEPTED, number=1, slip=True), "vi")[-1] == "vi/take_slip"


def test_the_clinic_prompt_asks_the_priority_question_too(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson], clock: FakeClock
) -> None:
    speaker = FakeSpeaker()
    _clinic(qtbot, make_window, persons, clock, speaker)
    prompt, lang = speaker.said[-1]
    assert clips(prompt, lang) == ["vi/choose_clinic", "vi/priority"]
