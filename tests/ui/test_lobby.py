"""A lobby with a queue: every patient starts fresh, nobody is stranded on a screen, the
camera guides the hand and the kiosk speaks. The real window and the real check-in service
over port fakes; time moves only when the fake clock is told to."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from kiosk.outcome import Lang, Outcome, Reason, Status
from kiosk.synthetic import SyntheticPerson, bhyt_payload
from kiosk.voice import PromptKind
from tests.fakes import FakeClock, FakePrinter, FakeScanLoop, FakeSpeaker
from tests.ui.ui_rig import (
    Make,
    Rig,
    out_of_paper,
    rescan_goes_home,
    scan_and_wait,
    scan_until,
    stranger,
    to_confirm,
)
from ui.window import READ_HOLD_MS, KioskWindow
from ui.workers import coarse, to_qimage

Question = tuple[KioskWindow, Rig]
"""A window asking whether a name is the patient's, and its rig."""


def settled(qtbot: QtBot, window: KioskWindow) -> None:
    """Whatever a scan just started has had its turn: the read's hold (0 ms in these tests)
    has fired and the service's worker is idle again."""
    QApplication.processEvents()
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=5000)


def at(window: KioskWindow, clock: FakeClock, seconds: float) -> None:
    """``seconds`` later, after the window's next tick."""
    clock.advance(seconds=seconds)
    window.tick()


def warns(window: KioskWindow, clock: FakeClock, screen: QWidget, seconds: float) -> None:
    """A question: ``screen`` stays up for ``seconds`` less 20, then "more time?" takes over."""
    at(window, clock, seconds - 21)
    assert window.current is screen
    at(window, clock, 1)
    assert window.current is window.warning


def waits(window: KioskWindow, clock: FakeClock, screen: QWidget, seconds: float) -> None:
    """A question: ``screen`` stays up for ``seconds``, the last 20 of them as "more time?",
    then the welcome screen comes back."""
    warns(window, clock, screen, seconds)
    at(window, clock, 20)
    assert window.current is window.welcome


def stays(window: KioskWindow, clock: FakeClock, screen: QWidget, seconds: float) -> None:
    """A result: ``screen`` stays up, uncovered, its small countdown running, for ``seconds``;
    then the welcome screen comes back."""
    for _ in range(int(seconds) - 1):
        at(window, clock, 1)
        assert window.current is screen
    # every result screen has a countdown, under no common base class
    countdown = screen.countdown  # type: ignore[attr-defined]  # see above
    assert countdown.widget.text() == "Về màn hình chính sau 1 giây"
    at(window, clock, 1)
    assert window.current is window.welcome


# --- every patient starts fresh -----------------------------------------------------------------


def test_the_language_resets_for_the_next_patient(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson], clock: FakeClock
) -> None:
    window, _ = make_window()
    window.lang_button.click()
    assert window.welcome.title.text() == "Patient check-in"
    scan_and_wait(qtbot, window, bhyt_payload(persons[0]))
    assert window.accepted.heading.text() == "You are checked in"
    at(window, clock, 30)  # the result times out
    assert window.current is window.welcome
    assert window.lang == "vi"
    assert window.welcome.title.text() == "Đăng ký khám bệnh"
    assert window.lang_button.text() == "English"


def test_english_chosen_by_someone_who_walked_away_resets_on_the_welcome_screen(
    make_window: Make, clock: FakeClock
) -> None:
    window, _ = make_window()
    window.lang_button.click()
    at(window, clock, 29)
    kept = window.lang
    at(window, clock, 1)
    assert (kept, window.lang) == ("en", "vi")
    assert window.welcome.title.text() == "Đăng ký khám bệnh"


@pytest.fixture
def question(qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]) -> Question:
    """A window asking the first person whether the cached name (without marks) is theirs."""
    window, rig = make_window()
    to_confirm(qtbot, window, rig, persons[0])
    return window, rig


def test_a_question_waits_60_s_with_a_warning_20_s_before(
    question: Question, clock: FakeClock
) -> None:
    window, rig = question
    at(window, clock, 39)
    assert window.current is window.confirm
    assert window.confirm.countdown.widget.text() == "Về màn hình chính sau 21 giây"
    at(window, clock, 1)
    assert window.stack.currentWidget() is window.warning
    assert window.warning.title.text() == "Ông cần thêm thời gian?"  # persons[0]: a man
    assert window.warning.go_on.text() == "Tiếp tục"
    assert window.warning.countdown.widget.text() == "Về màn hình chính sau 20 giây"
    # "Continue": back to the same question, with the whole minute again
    window.warning.go_on.click()
    assert window.current is window.confirm
    assert window.confirm.name.text()  # nothing was cleared
    waits(window, clock, window.confirm, 60)  # no answer: back to the start, nothing personal left
    assert window.confirm.name.text() == ""
    assert not rig.store.checkins


def test_choosing_a_clinic_waits_60_s(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson], clock: FakeClock
) -> None:
    window, _ = make_window(clinics=3)
    scan_until(qtbot, window, bhyt_payload(persons[0]), window.clinics)
    waits(window, clock, window.clinics, 60)
    assert window.clinics.buttons == {}


def test_a_result_waits_30_s_uncovered_and_a_touch_gives_more_time(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson], clock: FakeClock
) -> None:
    window, _ = make_window()
    scan_and_wait(qtbot, window, bhyt_payload(persons[0]))
    at(window, clock, 25)
    assert window.current is window.accepted  # no "more time?" over the number
    window.touch()
    stays(window, clock, window.accepted, 30)  # the whole 30 s again


def test_the_birth_year_question_waits_60_s_like_every_question(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson], clock: FakeClock
) -> None:
    window, _ = make_window()
    scan_until(qtbot, window, persons[0].bhxh_number, window.birth_year)
    window.birth_year.keypad.press("1")
    waits(window, clock, window.birth_year, 60)
    assert window.birth_year.year.text() == ""


def test_the_reception_screen_waits_30_s(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson], clock: FakeClock
) -> None:
    window, _ = make_window()
    scan_and_wait(qtbot, window, bhyt_payload(stranger(persons)))
    assert window.current is window.reception
    stays(window, clock, window.reception, 30)


def test_the_warning_speaks_english_to_an_english_patient(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson], clock: FakeClock
) -> None:
    window, _ = make_window()
    window.lang_button.click()
    scan_until(qtbot, window, persons[0].bhxh_number, window.birth_year)
    at(window, clock, 40)
    assert window.warning.title.text() == "Do you need more time?"
    assert window.warning.go_on.text() == "Continue"


def test_the_next_patients_scan_neither_takes_over_nor_extends_a_screen(
    qtbot: QtBot, question: Question, persons: list[SyntheticPerson], clock: FakeClock
) -> None:
    window, rig = question
    shown = window.confirm.name.text()
    at(window, clock, 35)
    window.on_scan(bhyt_payload(persons[1]))  # the next in the queue raises a phone
    settled(qtbot, window)  # nothing started
    assert window.current is window.confirm
    assert window.confirm.name.text() == shown
    assert rig.lookups.count(persons[1].card_number) == 0
    at(window, clock, 5)  # 40 s after the question came up: the warning, not 60 s again
    assert window.stack.currentWidget() is window.warning
    window.on_scan(bhyt_payload(persons[1]))
    at(window, clock, 20)
    assert window.stack.currentWidget() is window.welcome
    # on the first patient's number, too
    window.confirm.answered.emit(True)  # a stray answer after the reset does nothing
    scan_and_wait(qtbot, window, bhyt_payload(persons[2]))
    number = window.accepted.number.text()
    at(window, clock, 15)
    window.on_scan(bhyt_payload(persons[3]))
    settled(qtbot, window)
    assert window.stack.currentWidget() is window.accepted
    assert window.accepted.number.text() == number
    at(window, clock, 15)
    assert window.stack.currentWidget() is window.welcome
    assert len(rig.store.checkins) == 1


# --- printer failure ----------------------------------------------------------------------------


def test_printer_failure_keeps_the_number_up_then_warns_the_queue(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson], clock: FakeClock
) -> None:
    window, rig = make_window(printer=FakePrinter(problem="paper_out"))
    assert not window.welcome.alert.isVisibleTo(window)
    scan_and_wait(qtbot, window, bhyt_payload(persons[0]))
    assert window.current is window.printer_failed
    assert window.printer_failed.number.text() == "1"
    assert "giữ" in window.printer_failed.kept.text()
    assert "in lại" in window.printer_failed.kept.text()
    # scans are ignored while the number is up; it stays for 120 s
    window.on_scan(bhyt_payload(persons[1]))
    settled(qtbot, window)
    at(window, clock, 119)
    assert window.current is window.printer_failed  # never covered by "more time?"
    assert window.printer_failed.number.text() == "1"
    window.printer_failed.done_button.click()  # "Done"
    assert window.stack.currentWidget() is window.welcome
    # the welcome screen says so, big, and check-in still works
    banner = window.welcome.alert
    assert banner.isVisibleTo(window)
    assert banner.font().pixelSize() >= 48
    assert "trên màn hình" in banner.text()
    assert "quầy tiếp đón" in banner.text()
    scan_and_wait(qtbot, window, bhyt_payload(persons[1]))
    assert window.current is window.printer_failed
    assert window.printer_failed.number.text() == "2"
    assert len(rig.store.checkins) == 2
    window.printer_failed.done_button.click()
    # the printer is fixed: the next slip prints and the banner goes
    rig.printer.problem = ""
    scan_and_wait(qtbot, window, bhyt_payload(persons[2]))
    assert window.stack.currentWidget() is window.accepted
    window.accepted.done_button.click()
    assert not window.welcome.alert.isVisibleTo(window)


# --- checking -----------------------------------------------------------------------------------


def test_checking_shows_the_seconds_and_turns(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson], clock: FakeClock
) -> None:
    window, rig = make_window(online_gate=True)
    scan_until(qtbot, window, bhyt_payload(persons[0]), window.busy, timeout_ms=3000)
    assert window.busy.spinner.running
    phase = window.busy.spinner.phase
    qtbot.waitUntil(lambda: window.busy.spinner.phase != phase, timeout=1000)
    at(window, clock, 3)
    assert window.busy.elapsed.text() == "Đã chờ 3 giây"
    with qtbot.waitSignal(window.outcome_shown, timeout=5000):
        rig.gate.gate.set()  # the gateway answers
    assert not window.busy.spinner.running  # no animation behind other screens


def test_a_hung_check_sends_the_patient_to_reception_and_logs_why(
    qtbot: QtBot,
    make_window: Make,
    persons: list[SyntheticPerson],
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    window, rig = make_window(online_gate=True)
    limit = window.config.insurance.online_budget_s + 5
    scan_until(qtbot, window, bhyt_payload(persons[0]), window.busy, timeout_ms=3000)
    at(window, clock, limit - 0.5)
    assert window.current is window.busy
    with caplog.at_level(logging.WARNING, logger="ui.window"):
        at(window, clock, 0.5)
    assert window.stack.currentWidget() is window.reception
    assert window.reception.heading.text() == "Hệ thống đang bận. Vui lòng đến quầy tiếp đón."
    assert any("still running" in r.getMessage() for r in caplog.records)
    rig.gate.gate.set()  # the hung step ends at last: its result is dropped
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=5000)
    QApplication.processEvents()
    assert window.stack.currentWidget() is window.reception
    assert not rig.store.checkins


# --- camera guidance ----------------------------------------------------------------------------


def seen_again(qtbot: QtBot, window: KioskWindow, clock: FakeClock) -> None:
    """Wait until the camera has reported the code in view at the clock's present time."""
    qtbot.waitUntil(lambda: window.lobby.seen_at >= clock.monotonic(), timeout=3000)


def _grab(window: KioskWindow) -> QImage:
    return window.welcome.preview.grab().toImage()


def test_the_preview_is_a_mirror_and_blurred_outside_the_guide(
    qtbot: QtBot, make_window: Make
) -> None:
    window, _ = make_window()
    preview = window.welcome.preview
    frame = np.zeros((360, 640, 3), np.uint8)
    frame[:, :320] = 255  # the camera sees white on its left
    frame[::2, 320:, :] = 255  # and fine stripes, like printed text, on its right
    preview.set_frame(to_qimage(frame), None, to_qimage(coarse(frame)))
    image = _grab(window)
    w, h = image.width(), image.height()
    scale = min(w / 640, h / 360)
    left = (w - 640 * scale) / 2
    y = int(h / 2)
    near_left = QColor(image.pixel(int(left + 0.06 * 640 * scale), y))
    near_right = QColor(image.pixel(int(left + 0.94 * 640 * scale), y))
    assert near_right.lightness() > 200  # the white half shows on the right: a mirror
    # the stripes, outside the guide frame, are blurred to an even grey
    rows = [QColor(image.pixel(int(left + 0.06 * 640 * scale), y + dy)).lightness()
            for dy in range(0, 12)]  # fmt: skip
    assert max(rows) - min(rows) < 60
    assert 60 < near_left.lightness() < 200
    # inside the guide frame the picture is sharp: the stripes are there
    guide = preview.guide_rect()
    x = int(guide.left() + guide.width() * 0.2)  # the camera's right, shown on the left
    inside = [QColor(image.pixel(x, int(guide.center().y()) + dy)).lightness()
              for dy in range(0, 12)]  # fmt: skip
    assert max(inside) - min(inside) > 150


def _code_held_up(
    qtbot: QtBot, make_window: Make, *, far: bool, overlay: str
) -> tuple[KioskWindow, FakeScanLoop, FakeSpeaker]:
    """A window whose camera sees a code it cannot read (``far``: too far away to read)."""
    scan = FakeScanLoop()
    speaker = FakeSpeaker()
    window, _ = make_window(scan=scan, speaker=speaker)
    qtbot.waitUntil(lambda: window.welcome.overlay_text == "", timeout=3000)  # camera is on
    scan.far, scan.sighting = far, True
    qtbot.waitUntil(lambda: window.welcome.overlay_text == overlay, timeout=3000)
    window.tick()
    assert speaker.kinds() == [PromptKind.WELCOME]  # the first code in view: a greeting
    return window, scan, speaker


def _still_in_view(qtbot: QtBot, window: KioskWindow, clock: FakeClock, seconds: float) -> None:
    for _ in range(round(seconds / 0.5)):
        clock.advance(seconds=0.5)
        seen_again(qtbot, window, clock)
        window.tick()


def test_a_code_in_view_but_not_read_says_hold_still(
    qtbot: QtBot, make_window: Make, clock: FakeClock
) -> None:
    window, scan, speaker = _code_held_up(qtbot, make_window, far=False, overlay="Giữ yên…")
    _still_in_view(qtbot, window, clock, 4)  # still not read: "hold still", said once
    assert speaker.kinds() == [PromptKind.WELCOME, PromptKind.HOLD_STILL]
    scan.sighting = False
    clock.advance(seconds=1)
    window.tick()
    assert window.welcome.overlay_text == ""


def test_a_code_too_far_away_to_read_asks_for_it_closer_instead(
    qtbot: QtBot, make_window: Make, clock: FakeClock
) -> None:
    window, scan, speaker = _code_held_up(
        qtbot, make_window, far=True, overlay="Đưa mã lại gần hơn"
    )
    _still_in_view(qtbot, window, clock, 4)  # "bring it closer", said once; never "hold still"
    assert speaker.kinds() == [PromptKind.WELCOME, PromptKind.CLOSER]
    scan.far = False  # nearer now: readable distance, but not read yet
    _still_in_view(qtbot, window, clock, 0.5)
    qtbot.waitUntil(lambda: window.welcome.overlay_text == "Giữ yên…", timeout=3000)


def test_a_read_shows_a_tick_and_holds_it_before_checking(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    speaker = FakeSpeaker()
    window, _ = make_window(speaker=speaker, read_hold_ms=READ_HOLD_MS)
    window.on_scan(bhyt_payload(persons[0]))
    assert window.current is window.welcome
    assert window.welcome.preview.tick
    assert window.welcome.overlay_text == "Đã đọc được mã"
    assert speaker.kinds() == [PromptKind.READ]
    qtbot.waitSignal(window.outcome_shown, timeout=5000).wait()
    window.accepted.done_button.click()
    assert not window.welcome.preview.tick


@pytest.mark.parametrize("position", ["above", "below", "left"])
def test_the_welcome_screen_points_at_the_lens(
    qtbot: QtBot, make_window: Make, position: str
) -> None:
    window, _ = make_window()
    welcome = window.welcome
    welcome.set_lens(position)
    qtbot.wait(50)
    lens = welcome.lens.geometry()
    title = welcome.title.geometry()
    arrow = welcome.lens.text()[0]
    assert arrow == {"above": "▲", "below": "▼", "left": "◀"}[position]
    assert "Camera" in welcome.lens.text()
    if position == "below":
        assert lens.top() > welcome.preview.geometry().bottom()
    else:
        assert lens.bottom() <= title.top()


# --- voice --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_prompt_is_asked_for_in_the_patients_language(
    qtbot: QtBot,
    make_window: Make,
    persons: list[SyntheticPerson],
    clock: FakeClock,
    lang: Lang,
) -> None:
    scan = FakeScanLoop()
    speaker = FakeSpeaker()
    window, rig = make_window(scan=scan, speaker=speaker)

    def patient_arrives() -> None:
        if lang == "en":
            window.lang_button.click()

    patient_arrives()
    qtbot.waitUntil(lambda: window.welcome.overlay_text == "", timeout=3000)  # camera is on
    scan.sighting = True
    qtbot.waitUntil(lambda: window.welcome.overlay_text != "", timeout=3000)
    window.tick()
    for _ in range(8):
        clock.advance(seconds=0.5)
        seen_again(qtbot, window, clock)
        window.tick()
    scan.sighting = False
    scan_and_wait(qtbot, window, bhyt_payload(persons[0]))
    accepted = speaker.said[-1][0]
    assert (accepted.kind, accepted.number, accepted.room, accepted.floor) == (
        PromptKind.ACCEPTED, 1, 101, 1 if lang == "vi" else None,
    )  # fmt: skip
    window.accepted.done_button.click()
    patient_arrives()
    scan_and_wait(qtbot, window, bhyt_payload(stranger(persons)))
    window.reception.done_button.click()
    patient_arrives()
    rig.printer.problem = "paper_out"
    scan_and_wait(qtbot, window, bhyt_payload(persons[1]))
    assert speaker.kinds() == [
        PromptKind.WELCOME,
        PromptKind.HOLD_STILL,
        PromptKind.READ,
        PromptKind.ACCEPTED,
        PromptKind.READ,
        PromptKind.CARD_NOT_FOUND,  # the reception screen says the next step it offers
        PromptKind.READ,
        PromptKind.PRINTER_FAILED,
    ]
    assert {spoken for _, spoken in speaker.said} == {lang}


def test_a_code_that_is_not_a_card_is_spoken_as_scan_again(qtbot: QtBot, make_window: Make) -> None:
    speaker = FakeSpeaker()
    window, _ = make_window(speaker=speaker)
    with qtbot.waitSignal(window.outcome_shown, timeout=5000) as blocker:
        window.on_scan("hello world!")
    assert blocker.args[0].status is Status.REJECTED
    assert blocker.args[0].reason is Reason.NOT_A_CARD
    assert speaker.kinds()[-1] is PromptKind.RESCAN  # what the screen offers: "Quét lại"


def test_a_code_in_view_is_the_scan_loops_word_when_it_gives_one() -> None:
    """An outline without a payload counts as "in view"; a scan loop that says itself whether
    a code is sighted (a ``sighted`` attribute on its step) is believed instead."""
    from dataclasses import dataclass

    from tests.fakes import FakeStep
    from ui.workers import code_in_view

    outline = ((1.0, 1.0), (9.0, 1.0), (9.0, 9.0))
    assert code_in_view(FakeStep(None, None, outline))
    assert not code_in_view(FakeStep(None, "payload", outline))  # read: not "hold still"
    assert not code_in_view(FakeStep(None, None, None))

    @dataclass(frozen=True)
    class SaysSighted(FakeStep):
        sighted: bool = False

    assert code_in_view(SaysSighted(None, None, None, "ok", sighted=True))
    assert not code_in_view(SaysSighted(None, None, outline, "ok", sighted=False))


@pytest.mark.parametrize(
    ("name", "seconds"),
    [("confirm", 60), ("clinics", 60), ("birth_year", 60), ("accepted", 30),
     ("reception", 30), ("printer_failed", 120), ("pin", 30)],
)  # fmt: skip
def test_every_timed_screen_goes_back_to_welcome(
    make_window: Make, clock: FakeClock, name: str, seconds: int
) -> None:
    window, _ = make_window()
    screen = getattr(window, name)
    window.go(screen)
    at(window, clock, seconds - 21)
    assert window.current is screen  # never before its time, and never covered early
    at(window, clock, 19)
    assert window.current in (screen, window.warning)
    at(window, clock, 2)
    assert window.current is window.welcome


# --- every error screen ends with a next step ---------------------------------------------------


def test_a_failed_slip_can_be_printed_again_from_the_screen(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, rig = out_of_paper(qtbot, make_window, persons[0])
    assert window.printer_failed.retry_button.text() == "Thử in lại"
    with qtbot.waitSignal(window.outcome_shown, timeout=5000):
        window.printer_failed.retry_button.click()  # still no paper: the same number, again
    assert window.current is window.printer_failed
    assert window.printer_failed.number.text() == "1"
    assert window.printer_failed.retry_button.isEnabled()
    rig.printer.problem = ""  # the paper is back
    with qtbot.waitSignal(window.outcome_shown, timeout=5000) as blocker:
        window.printer_failed.retry_button.click()
    assert blocker.args[0].printed
    assert window.stack.currentWidget() is window.accepted
    assert window.accepted.number.text() == "1"
    assert len(rig.store.checkins) == 1  # no second number
    assert len(rig.printer.printed) == 1
    assert not window.welcome.alert.isVisibleTo(window)


@pytest.mark.parametrize(
    "outcome",
    [
        Outcome(Status.REJECTED, Reason.CARD_EXPIRED),
        Outcome(Status.REJECTED, Reason.GATEWAY_REJECTED),
        Outcome(Status.NEEDS_RECEPTION, Reason.CARD_NOT_FOUND),
    ],
)
def test_a_card_that_will_not_do_offers_another_card_or_the_desk(
    make_window: Make, outcome: Outcome
) -> None:
    window, _ = make_window()
    window.show_outcome(outcome)
    assert window.current is window.reception
    rescan_goes_home(window, "Quét thẻ khác")
