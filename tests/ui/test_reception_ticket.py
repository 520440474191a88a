"""The kiosk's way to the desk: an error screen's "Đến quầy" prints a reception ticket and shows
its number; a screen with no other way on prints it by itself; a camera lost for 15 s offers a
ticket instead of a scan, until it is back. The real window, the real central list on an
SQLite file, a fake printer."""

from __future__ import annotations

from collections.abc import Iterator
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
from tests.db.storehelp import open_sqlite_store
from tests.fakes import FakeClock, FakePrinter
from tests.ui.ui_rig import Make
from ui.window import KioskWindow


@pytest.fixture
def central(tmp_path: Path) -> Iterator[SqlStore]:
    store = open_sqlite_store(tmp_path, "central.db")
    try:
        yield store
    finally:
        store.dispose()


def _with_tickets(
    make_window: Make, central: SqlStore, config: Config, clock: FakeClock
) -> tuple[KioskWindow, FakePrinter]:
    window, _ = make_window()
    printer = FakePrinter()
    window.tickets = TicketDesk(
        central,
        printer=printer,
        render=TicketRenderer(config).render,
        clock=clock,
        zone=config.kiosk.zone,
        kiosk_id="K2",
    )
    return window, printer


def _on(window: KioskWindow, screen: QWidget) -> bool:
    """``screen`` is the one showing (a function: the screen changes under mypy's feet)."""
    return window.current is screen


def _today(clock: FakeClock, config: Config) -> date:
    return clock.now().astimezone(config.kiosk.zone).date()


def test_den_quay_on_an_expired_card_prints_the_ticket_and_shows_its_number(
    qtbot: QtBot, make_window: Make, central: SqlStore, config: Config, clock: FakeClock
) -> None:
    window, printer = _with_tickets(make_window, central, config, clock)
    window.show_outcome(Outcome(Status.REJECTED, Reason.CARD_EXPIRED))
    assert _on(window, window.reception)  # "Quét thẻ khác" or "Đến quầy": theirs to say
    assert not printer.printed
    assert window.reception.done_button.text() == "Đến quầy"
    window.reception.done_button.click()
    qtbot.waitUntil(lambda: window.current is window.ticket, timeout=5000)
    assert window.ticket.number.text() == "1"
    assert window.ticket.reason.text() == "Thẻ BHYT đã hết hạn"
    assert [name for name, _ in printer.printed] == [
        f"reception-RT-{_today(clock, config):%Y%m%d}-1"
    ]
    [entry] = central.waiting_at_reception(_today(clock, config))
    assert (entry.ticket, entry.kiosk_id, entry.reason) == (1, "K2", "expired")
    window.ticket.done_button.click()
    assert _on(window, window.welcome)
    assert window.ticket.number.text() == ""  # nothing of the last patient left


def test_a_screen_that_ends_at_the_desk_prints_its_ticket_by_itself(
    qtbot: QtBot, make_window: Make, central: SqlStore, config: Config, clock: FakeClock
) -> None:
    window, printer = _with_tickets(make_window, central, config, clock)
    window.show_outcome(Outcome(Status.NEEDS_RECEPTION, Reason.BIRTH_YEAR_WRONG))
    qtbot.waitUntil(lambda: window.current is window.ticket, timeout=5000)
    assert len(printer.printed) == 1
    [entry] = central.waiting_at_reception(_today(clock, config))
    assert entry.reason == "birth_year_limit"


def test_a_camera_lost_for_15_s_offers_a_ticket_until_it_is_back(
    qtbot: QtBot, make_window: Make, central: SqlStore, config: Config, clock: FakeClock
) -> None:
    window, printer = _with_tickets(make_window, central, config, clock)
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
    assert central.waiting_at_reception(_today(clock, config))[0].reason == "camera_lost"
    window.ticket.done_button.click()
    window.tick()
    assert _on(window, window.camera_gone)  # still lost: the next patient is told too
    window.camera_changed("ok")
    window.tick()
    assert _on(window, window.welcome)
