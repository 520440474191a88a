"""Every text on every screen follows the language toggle, at once and completely.

A screen shown in Vietnamese and then switched to English must read exactly like the same
screen shown in English from the start (and the other way round): no sentence may stay behind
in the old language (e.g. the staff screen's look-up result, the PIN message, a countdown).
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QListWidget, QPushButton, QWidget

from kiosk.config import Config
from kiosk.outcome import Lang, Outcome, Reason, Status
from kiosk.staff_auth import LoginAttempt, LoginResult
from ui.i18n import other, staff_message
from ui.screenshots import SIZES, scenes, show_scene


def shown_texts(window: QWidget) -> list[str]:
    """Every text a person can read on the window now, in layout order."""
    texts: list[str] = []
    for w in window.findChildren(QWidget):
        if not w.isVisibleTo(window):
            continue
        if isinstance(w, QLabel | QPushButton):
            texts.append(w.text())
        elif isinstance(w, QLineEdit):
            texts.append(w.placeholderText())
        elif isinstance(w, QComboBox):
            texts += [w.itemText(i) for i in range(w.count())]
        elif isinstance(w, QListWidget):
            texts += [w.item(i).text() for i in range(w.count())]
    return texts


@pytest.mark.parametrize("first", ["vi", "en"])
def test_toggling_reads_like_a_fresh_screen(first: Lang, still_window: Any, config: Config) -> None:
    second = other(first)
    for name, scene in scenes(still_window, config):
        show_scene(still_window, SIZES["landscape"], second, scene)
        fresh = shown_texts(still_window)
        show_scene(still_window, SIZES["landscape"], first, scene)
        before = shown_texts(still_window)
        still_window.toggle_language()
        assert shown_texts(still_window) == fresh, name
        assert before != fresh, name  # the screen did change language


def test_staff_messages_follow_the_toggle(still_window: Any, config: Config) -> None:
    """The staff screen's answers are kept as messages, not as text in the old language."""
    named = dict(scenes(still_window, config))
    show_scene(still_window, SIZES["landscape"], "en", named["staff-home"])
    not_found = Outcome(Status.NEEDS_RECEPTION, Reason.CARD_NOT_FOUND)
    # staff-facing wording: what happened, not "please go to reception"
    assert still_window.staff.result.text() == staff_message(not_found, "en")
    assert still_window.staff.result.text() == "The insurance card is not in the card data."
    still_window.toggle_language()
    assert still_window.staff.result.text() == staff_message(not_found, "vi")
    assert "quầy tiếp đón" not in still_window.staff.result.text()
    still_window.staff.reason.clear()
    still_window.staff.override_button.click()  # no reason given
    assert still_window.staff.result.text() == "Vui lòng nhập lý do."
    still_window.toggle_language()
    assert still_window.staff.result.text() == "Please enter a reason."
    still_window.desk.failed.emit("database is locked")
    assert still_window.staff.result.text() == "Something went wrong: database is locked"
    still_window.toggle_language()
    assert still_window.staff.result.text() == "Có lỗi: database is locked"
    assert still_window.staff.clinic.itemText(0) == config.clinics[0].name_vi


def test_pin_message_follows_the_toggle(still_window: Any, config: Config) -> None:
    named = dict(scenes(still_window, config))
    show_scene(still_window, SIZES["portrait"], "vi", named["staff-pin"])
    still_window.desk.signed_in.emit(LoginAttempt(LoginResult.WRONG_PIN, failures_left=3, wait_s=4))
    assert still_window.pin.message.text() == (
        "Mã nhân viên hoặc PIN sai. Vui lòng thử lại sau 4 giây."
    )
    still_window.toggle_language()
    assert still_window.pin.message.text() == "Wrong staff code or PIN. Try again in 4 s."
