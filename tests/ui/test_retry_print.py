""" "Thử in lại": while the slip prints again the screen says so (not "checking your card"),
and the screenshots have the scene (``retry-print``)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.synthetic import SyntheticPerson, bhyt_payload
from tests.fakes import FakePrinter
from tests.ui.ui_rig import Make, scan_and_wait
from ui.screenshots import SIZES, scenes, show_scene
from ui.window import KioskWindow


def _showing(window: KioskWindow) -> QWidget | None:
    """The screen up now (a call: mypy keeps no narrowing of ``window.current`` across it)."""
    return window.current


def test_printing_again_says_printing_then_the_next_patient_is_checked(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, rig = make_window(printer=FakePrinter(problem="paper_out"))
    scan_and_wait(qtbot, window, bhyt_payload(persons[0]))
    assert window.current is window.printer_failed
    rig.printer.problem = ""  # the paper is back
    with qtbot.waitSignal(window.outcome_shown, timeout=5000):
        window.printer_failed.retry_button.click()
        # the print runs on its thread; its answer lands only when the event loop turns
        assert _showing(window) is window.busy
        assert window.busy.text.text() == "Đang in lại phiếu, vui lòng chờ…"
        window.toggle_language()
        assert window.busy.text.text() == "Printing your slip again, please wait…"
        window.toggle_language()
    assert _showing(window) is window.accepted
    window.go_welcome()  # the next patient's card is checked, not printed
    assert window.busy.text.text() == "Đang kiểm tra thẻ, vui lòng chờ…"


def test_the_screenshots_have_a_retry_print_scene(still_window: Any, config: Config) -> None:
    named = dict(scenes(still_window, config))
    show_scene(still_window, SIZES["landscape"], "vi", named["retry-print"])
    assert still_window.current is still_window.busy
    assert still_window.busy.text.text() == "Đang in lại phiếu, vui lòng chờ…"
    show_scene(still_window, SIZES["landscape"], "vi", named["checking"])
    assert still_window.busy.text.text() == "Đang kiểm tra thẻ, vui lòng chờ…"
