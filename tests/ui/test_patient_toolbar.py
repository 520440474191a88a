"""The patient toolbar on every patient screen: "Gọi nhân viên" raises a call in the central
database (a real SQLite store; a PostgreSQL address nobody answers for central down), "Chữ lớn"
makes every patient text half as big again until the next patient.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from db.store import SqlStore
from db.store.engine import create_kiosk_engine
from kiosk.clock import local_day
from kiosk.synthetic import SyntheticPerson, bhyt_payload
from kiosk.voice import PromptKind
from tests.builders import ZONE
from tests.db.storehelp import open_sqlite_store
from tests.fakes import FakeClock, FakeSpeaker, unused_port
from tests.ui.ui_rig import Make, scan_and_wait, to_confirm
from ui.screens.text_size import LARGE
from ui.screens.toolbar import HelpState
from ui.window import KioskWindow


@pytest.fixture
def central(tmp_path: Path) -> Iterator[SqlStore]:
    store = open_sqlite_store(tmp_path)
    yield store
    store.dispose()


@pytest.fixture
def central_down() -> Iterator[SqlStore]:
    """Central as a kiosk holds it while its server is down: nothing listens there."""
    url = f"postgresql+psycopg://kiosk@127.0.0.1:{unused_port()}/kiosk"
    store = SqlStore(create_kiosk_engine(url, connect_timeout_s=2), zone=ZONE)
    yield store
    store.dispose()


def test_a_call_for_staff_reaches_central_with_the_kiosk_and_the_screen(
    qtbot: QtBot,
    make_window: Make,
    persons: list[SyntheticPerson],
    clock: FakeClock,
    central: SqlStore,
) -> None:
    speaker = FakeSpeaker()
    window, rig = make_window(speaker=speaker, help_calls=central)
    to_confirm(qtbot, window, rig, persons[0])
    window.toolbar.help_button.click()
    # off the GUI thread: the answer comes back through the event loop, not in the click
    assert window.toolbar.help is HelpState.CALLING
    assert window.toolbar.notice.text() == "Đang gọi nhân viên…"
    qtbot.waitUntil(lambda: window.toolbar.help is HelpState.CALLED, timeout=5000)
    day = local_day(clock, window.config.kiosk.zone)
    calls = central.open_help_calls(day)
    assert [(kiosk, screen) for _, kiosk, screen in calls] == [(window.config.kiosk.id, "confirm")]
    assert window.toolbar.notice.text() == "Nhân viên đang đến"
    assert window.toolbar.notice.isVisibleTo(window)
    assert speaker.kinds()[-1] is PromptKind.HELP_CALLED
    assert not window.toolbar.help_button.isEnabled()  # one call: staff are coming
    # the patient can go on: the question is still there and answers
    assert window.stack.currentWidget() is window.confirm
    with qtbot.waitSignal(window.outcome_shown, timeout=5000):
        window.confirm.yes.click()
    assert window.stack.currentWidget() is window.accepted
    assert window.toolbar.notice.isVisibleTo(window)  # still for this patient
    # the next patient starts without it
    window.accepted.done_button.click()
    assert _help(window) is HelpState.NONE
    assert not window.toolbar.notice.isVisibleTo(window)
    assert window.toolbar.help_button.isEnabled()


def test_central_down_says_so_and_sends_the_patient_to_the_desk(
    qtbot: QtBot,
    make_window: Make,
    persons: list[SyntheticPerson],
    central_down: SqlStore,
) -> None:
    speaker = FakeSpeaker()
    window, _ = make_window(speaker=speaker, help_calls=central_down)
    scan_and_wait(qtbot, window, bhyt_payload(persons[0]))
    window.toolbar.help_button.click()
    qtbot.waitUntil(lambda: window.toolbar.help is HelpState.FAILED, timeout=10_000)
    assert window.toolbar.notice.text() == "Chưa gọi được nhân viên: mời đến quầy tiếp đón"
    assert speaker.kinds()[-1] is PromptKind.HELP_FAILED
    assert window.toolbar.help_button.isEnabled()  # it may be tried again
    assert window.current is window.accepted  # nothing else changed


def test_the_toolbar_is_on_patient_screens_only(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, _ = make_window()
    assert window.toolbar.isVisibleTo(window)
    window.open_staff()
    assert window.current is window.pin
    assert not window.toolbar.isVisibleTo(window)
    window.pin.cancelled.emit()
    assert window.toolbar.isVisibleTo(window)


def _px(widget: object) -> int:
    return QFontInfo(widget.font()).pixelSize()  # type: ignore[attr-defined]


def test_large_text_is_half_as_big_again_until_the_next_patient(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, _ = make_window(clinics=3)
    title, hint = _px(window.welcome.title), _px(window.welcome.hint)
    tool = _px(window.toolbar.help_button)
    window.toolbar.large_button.click()
    QApplication.processEvents()
    assert _px(window.welcome.title) == round(title * LARGE)
    assert _px(window.welcome.hint) == round(hint * LARGE)
    assert _px(window.toolbar.help_button) == round(tool * LARGE)
    # it stays for this patient, on the screens they see next, new buttons included
    window.on_scan(bhyt_payload(persons[0]))
    qtbot.waitUntil(lambda: window.current is window.clinics, timeout=5000)
    QApplication.processEvents()
    button = next(iter(window.clinics.buttons.values()))
    assert isinstance(button, QPushButton)
    assert _px(button) == round(46 * LARGE)
    assert _px(window.clinics.title) == round(60 * LARGE)
    with qtbot.waitSignal(window.outcome_shown, timeout=5000):
        button.click()
    assert _px(window.accepted.room) == round(60 * LARGE)
    number = _px(window.accepted.number)
    assert number in (380, 460)  # the number already takes the screen's height: as it was
    # the next patient: back to normal
    window.accepted.done_button.click()
    assert not window.toolbar.large
    assert _px(window.welcome.title) == title
    assert _px(window.toolbar.help_button) == tool
    assert _px(window.accepted.room) == 60


def _large(window: KioskWindow) -> bool:
    return bool(window.toolbar.large)


def _help(window: KioskWindow) -> HelpState:
    """The toolbar's call state, read afresh (mypy keeps an attribute's first answer)."""
    return window.toolbar.help


def test_large_text_chosen_by_someone_who_walked_away_resets_on_the_welcome_screen(
    make_window: Make, clock: FakeClock
) -> None:
    window, _ = make_window()
    window.toolbar.large_button.click()
    assert window.toolbar.large
    clock.advance(seconds=window.config.kiosk.idle_timeout_s - 1)
    window.tick()
    assert window.toolbar.large  # still within the time one person takes
    clock.advance(seconds=1)
    window.tick()
    assert not _large(window)  # (a call: mypy keeps the first answer of the attribute)
    assert _px(window.welcome.title) == 60
