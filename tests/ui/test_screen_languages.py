"""Every text on every screen follows the language toggle, at once and completely.

A screen shown in Vietnamese and then switched to English must read exactly like the same
screen shown in English from the start (and the other way round): no sentence may stay behind
in the old language (e.g. the staff screen's look-up result, the PIN message, a countdown).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QListWidget, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from kiosk.config import Config, load_config
from kiosk.outcome import Lang, Outcome, Reason, Status
from kiosk.staff_auth import LoginAttempt, LoginResult
from ui.i18n import other, staff_message
from ui.screenshots import SIZES, build_window, scenes, show_scene

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def lang_config(tmp_path: Path) -> Config:
    return load_config(ROOT / "config.toml", env={"KIOSK_KIOSK_DATA_DIR": str(tmp_path)})


@pytest.fixture
def lang_window(qtbot: QtBot, lang_config: Config) -> Iterator[Any]:
    window = build_window(lang_config)
    qtbot.addWidget(window)
    yield window
    window.allow_close()
    window.shutdown()


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
def test_toggling_reads_like_a_fresh_screen(
    first: Lang, lang_window: Any, lang_config: Config
) -> None:
    second = other(first)
    for name, scene in scenes(lang_window, lang_config):
        show_scene(lang_window, SIZES["landscape"], second, scene)
        fresh = shown_texts(lang_window)
        show_scene(lang_window, SIZES["landscape"], first, scene)
        before = shown_texts(lang_window)
        lang_window.toggle_language()
        assert shown_texts(lang_window) == fresh, name
        assert before != fresh, name  # the screen did change language


def test_staff_messages_follow_the_toggle(lang_window: Any, lang_config: Config) -> None:
    """The staff screen's answers are kept as messages, not as text in the old language."""
    named = dict(scenes(lang_window, lang_config))
    show_scene(lang_window, SIZES["landscape"], "en", named["staff-home"])
    not_found = Outcome(Status.NEEDS_RECEPTION, Reason.CARD_NOT_FOUND)
    # staff-facing wording: what happened, not "please go to reception"
    assert lang_window.staff.result.text() == staff_message(not_found, "en")
    assert lang_window.staff.result.text() == "The insurance card is not in the card data."
    lang_window.toggle_language()
    assert lang_window.staff.result.text() == staff_message(not_found, "vi")
    assert "quầy tiếp đón" not in lang_window.staff.result.text()
    lang_window.staff.reason.clear()
    lang_window.staff.override_button.click()  # no reason given
    assert lang_window.staff.result.text() == "Vui lòng nhập lý do."
    lang_window.toggle_language()
    assert lang_window.staff.result.text() == "Please enter a reason."
    lang_window.desk.failed.emit("database is locked")
    assert lang_window.staff.result.text() == "Something went wrong: database is locked"
    lang_window.toggle_language()
    assert lang_window.staff.result.text() == "Có lỗi: database is locked"
    assert lang_window.staff.clinic.itemText(0) == lang_config.clinics[0].name_vi


def test_pin_message_follows_the_toggle(lang_window: Any, lang_config: Config) -> None:
    named = dict(scenes(lang_window, lang_config))
    show_scene(lang_window, SIZES["portrait"], "vi", named["staff-pin"])
    lang_window.desk.signed_in.emit(LoginAttempt(LoginResult.WRONG_PIN, failures_left=3, wait_s=4))
    assert lang_window.pin.message.text() == (
        "Mã nhân viên hoặc PIN sai. Vui lòng thử lại sau 4 giây."
    )
    lang_window.toggle_language()
    assert lang_window.pin.message.text() == "Wrong staff code or PIN. Try again in 4 s."
