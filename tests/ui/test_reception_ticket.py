"""The kiosk's way to the desk: an error screen's "Đến quầy" prints a reception ticket and shows
its number; a screen with no other way on prints it by itself; a camera lost for 15 s offers a
ticket instead of a scan, until it is back. The real window, the real central list on an
SQLite file, a fake printer."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from db.store import SqlStore
from kiosk.config import Config
from kiosk.outcome import Outcome, Reason, Status
from kiosk.reception import TicketDesk
from kiosk.reception_ticket import TicketRenderer
from kiosk.synthetic import SyntheticPerson, bhyt_payload
from kiosk.voice import PromptKind
from tests.db.storehelp import open_sqlite_store
from tests.fakes import FakeClock, FakePrinter, FakeSpeaker
from tests.ui.ui_rig import Make, scan_and_wait
from ui.window import KioskWindow


@pytest.fixture
def central(tmp_path: Path) -> Iterator[SqlStore]:
    store = open_sqlite_store(tmp_path, "central.db")
    try:
        yield store
    finally:
        store.dispose()


@dataclass
class Kiosk:
    """A window whose "Đến quầy" prints on ``printer`` into the ``central`` list."""

    window: KioskWindow
    printer: FakePrinter
    central: SqlStore
    day: date  # the local day by the fake clock
    speaker: FakeSpeaker


@pytest.fixture
def kiosk(make_window: Make, central: SqlStore, config: Config, clock: FakeClock) -> Kiosk:
    speaker = FakeSpeaker()
    window, _ = make_window(speaker=speaker)
    printer = FakePrinter()
    window.tickets = TicketDesk(
        central,
        printer=printer,
        render=TicketRenderer(config).render,
        clock=clock,
        zone=config.kiosk.zone,
        kiosk_id="K2",
    )
    day = clock.now().astimezone(config.kiosk.zone).date()
    return Kiosk(window, printer, central, day, speaker)


def _on(window: KioskWindow, screen: QWidget) -> bool:
    """``screen`` is the one showing (a function: the screen changes under mypy's feet)."""
    return window.current is screen


ERROR_SCREENS = [
    (Outcome(Status.REJECTED, Reason.CARD_EXPIRED), "expired", "Thẻ BHYT đã hết hạn"),
    (Outcome(Status.REJECTED, Reason.CARD_REVOKED), "rejected", "Thẻ chưa dùng được hôm nay"),
    (Outcome(Status.NEEDS_RECEPTION, Reason.CARD_NOT_FOUND), "not_found", None),
    (
        Outcome(Status.NEEDS_RECEPTION, Reason.CARD_CODE_UNCONFIRMED, detail="gateway 052: x"),
        "gateway",
        "Cổng BHXH chưa xác nhận thẻ (mã 052)",
    ),
    (Outcome(Status.NEEDS_RECEPTION, Reason.BIRTH_YEAR_WRONG), "birth_year_limit", None),
    (Outcome(Status.NEEDS_RECEPTION, Reason.RECORD_REFUSED), "held", None),
]


@pytest.mark.parametrize("case", ERROR_SCREENS)
def test_every_error_screen_offers_another_card_or_a_ticket_to_the_desk(
    qtbot: QtBot, kiosk: Kiosk, case: tuple[Outcome, str, str | None]
) -> None:
    outcome, reason, words = case
    window, printer, central, day = kiosk.window, kiosk.printer, kiosk.central, kiosk.day
    window.show_outcome(outcome)
    assert _on(window, window.reception)  # "Quét thẻ khác" or "Đến quầy": theirs to say
    assert window.reception.rescan_button.isVisibleTo(window)
    assert window.reception.rescan_button.text() == "Quét thẻ khác"
    assert window.reception.done_button.text() == "Đến quầy"
    assert not printer.printed
    window.reception.done_button.click()
    qtbot.waitUntil(lambda: _on(window, window.ticket), timeout=5000)
    assert window.ticket.number.text() == "1"
    if words is not None:
        assert window.ticket.reason.text() == words
    assert [name for name, _ in printer.printed] == [f"reception-RT-{day:%Y%m%d}-1"]
    [entry] = central.waiting_at_reception(day)
    assert (entry.ticket, entry.kiosk_id, entry.reason) == (1, "K2", reason)
    window.ticket.done_button.click()
    assert _on(window, window.welcome)
    assert window.ticket.number.text() == ""  # nothing of the last patient left


def test_a_screen_with_no_other_way_on_prints_its_ticket_by_itself(
    qtbot: QtBot, kiosk: Kiosk
) -> None:
    window, printer = kiosk.window, kiosk.printer
    # the watchdog's outcome: the check never came back
    window.show_outcome(Outcome(Status.NEEDS_RECEPTION, Reason.DATABASE_UNAVAILABLE))
    qtbot.waitUntil(lambda: _on(window, window.ticket), timeout=5000)
    assert len(printer.printed) == 1
    [entry] = kiosk.central.waiting_at_reception(kiosk.day)
    assert entry.reason == "unavailable"


def test_a_camera_lost_for_15_s_offers_a_ticket_until_it_is_back(
    qtbot: QtBot, kiosk: Kiosk, clock: FakeClock
) -> None:
    window, printer = kiosk.window, kiosk.printer
    window.camera_changed("lost")
    clock.advance(seconds=14)
    window.tick()
    assert _on(window, window.welcome)  # reconnecting: the scan is still invited
    clock.advance(seconds=1)
    window.tick()
    assert _on(window, window.camera_gone)
    assert window.camera_gone.ticket_button.text() == "In phiếu đến quầy"
    window.camera_gone.ticket_button.click()
    qtbot.waitUntil(lambda: window.current is window.ticket, timeout=5000)
    assert len(printer.printed) == 1
    assert kiosk.central.waiting_at_reception(kiosk.day)[0].reason == "camera_lost"
    assert kiosk.speaker.kinds()[-1] is PromptKind.RECEPTION  # told where to go, aloud
    window.ticket.done_button.click()
    window.tick()
    assert _on(window, window.camera_gone)  # still lost: the next patient is told too
    window.camera_changed("ok")
    window.tick()
    assert _on(window, window.welcome)


def test_a_handheld_scanner_still_checks_in_while_the_camera_is_gone(
    qtbot: QtBot, kiosk: Kiosk, clock: FakeClock, persons: list[SyntheticPerson]
) -> None:
    window = kiosk.window
    window.camera_changed("lost")
    clock.advance(seconds=15)
    window.tick()
    assert _on(window, window.camera_gone)
    scan_and_wait(qtbot, window, bhyt_payload(persons[0]))  # a USB scanner's keystrokes
    assert _on(window, window.accepted)
    assert not kiosk.printer.printed  # a queue number, not a reception ticket
