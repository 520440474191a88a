"""The real check-in service for the window tests, on the port fakes of ``tests/fakes.py``.

The window talks to ``kiosk.checkin.CheckInService`` itself: every rule it shows (parsing,
validity, name checks, numbers, print states) is the real one, so a window that reads something
the real service does not give fails here. Only the ports are fakes: the card cache, the
check-in store, the gateway and the printer. Thin wrappers around them (also in
``tests/fakes.py``) note which thread the service called them on (the window must never run a
step on the GUI thread), and make the gateway or the printer slow when a test needs that.

Which clinics are open is the real opening-hours rule of ``config.toml``; a rig picks the local
time of the morning at which the wanted number of clinics is open.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

import numpy as np
from numpy.typing import NDArray
from PIL import Image
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from kiosk.checkin import CheckInService
from kiosk.config import Config
from kiosk.model import (
    CardRecord,
    CardStatus,
    CheckIn,
)
from kiosk.names import strip_diacritics
from kiosk.synthetic import SyntheticPerson, bhyt_payload, card_record, people
from tests.fakes import (
    FakeCallQueue,
    FakeCardCache,
    FakeCheckInStore,
    FakeClock,
    FakeOnlineCheck,
    FakePrinter,
    GatedOnlineCheck,
    SlowOnlineCheck,
    ThreadLog,
    WatchedCards,
    WatchedPrinter,
    WatchedStore,
)
from ui.window import KioskWindow

# Local times (Asia/Ho_Chi_Minh, UTC+7) on the synthetic people's "today", 2026-11-25.
OPEN_AT = {
    3: datetime(2026, 11, 25, 2, 0, tzinfo=UTC),  # 09:00: NOI, NHI and TMH are open
    1: datetime(2026, 11, 25, 4, 45, tzinfo=UTC),  # 11:45: NHI and TMH closed at 11:30
}


def blank_slip(checkin: CheckIn, reprint: bool) -> Image.Image:
    """A small 1-bit slip: the window never looks at the picture, only at the print result."""
    return Image.new("1", (576, 200), 1)


@dataclass
class Rig:
    """The real service and the port fakes behind it (assert on the fakes' plain attributes)."""

    config: Config
    clock: FakeClock
    cards: FakeCardCache
    store: FakeCheckInStore
    printer: FakePrinter
    online: FakeOnlineCheck | None
    service: CheckInService
    thread_log: ThreadLog = field(default_factory=ThreadLog)
    queue: FakeCallQueue | None = None  # central's queues (the place, declared priorities)

    @property
    def threads(self) -> set[str]:
        """The threads the service ran its steps on."""
        return self.thread_log.names

    @property
    def gate(self) -> GatedOnlineCheck:
        """The gated gateway of a rig built with ``online_gate``."""
        assert isinstance(self.online, GatedOnlineCheck), "build the rig with online_gate=True"
        return self.online

    @property
    def lookups(self) -> list[str]:
        """The codes the service looked up in the card cache, in order."""
        return self.cards.lookups


def build_rig(
    config: Config,
    clock: FakeClock,
    cards: Sequence[CardRecord] = (),
    *,
    clinics: int = 1,
    printer: FakePrinter | None = None,
    online_delay_s: float | None = None,
    online_gate: bool = False,
    print_delay_s: float = 0.0,
    queue: bool = False,
) -> Rig:
    """The real service over fakes, at a local time when ``clinics`` clinics are open.

    ``online_delay_s``: a gateway that knows ``cards`` and answers after that long (None: no
    gateway configured, the cache decides). ``online_gate``: a gateway that knows ``cards`` and
    answers when the test opens ``rig.online.gate``. ``print_delay_s``: a printer that slow.
    """
    if clinics not in OPEN_AT:
        raise ValueError(f"no time of day with {clinics} open clinics: use one of {set(OPEN_AT)}")
    clock.set(OPEN_AT[clinics])
    cache = FakeCardCache(cards)
    store = FakeCheckInStore()
    paper = printer or FakePrinter()
    online: FakeOnlineCheck | None = None
    if online_gate:
        online = GatedOnlineCheck(cards)
    elif online_delay_s is not None:
        online = SlowOnlineCheck(online_delay_s, cards)
    threads = ThreadLog()
    calls = FakeCallQueue() if queue else None
    service = CheckInService(
        config=config,
        clock=clock,
        cards=WatchedCards(cache, threads),
        checkins=WatchedStore(store, threads),
        online=online,
        printer=WatchedPrinter(paper, threads, print_delay_s),
        render_slip=blank_slip,
        queue=calls,
    )
    rig = Rig(config, clock, cache, store, paper, online, service, threads, calls)
    assert len(service.open_clinics()) == clinics, "config.toml's opening hours changed"
    return rig


Make = Callable[..., tuple[KioskWindow, Rig]]
"""The ``make_window`` fixture: a window on a new rig (``clinics``, ``scan``, ``admin``...)."""


def scan_and_wait(qtbot: QtBot, window: KioskWindow, text: str) -> None:
    """Hand the window a scanned code and wait until it shows the outcome."""
    with qtbot.waitSignal(window.outcome_shown, timeout=5000):
        window.on_scan(text)


def scan_until(
    qtbot: QtBot, window: KioskWindow, text: str, screen: QWidget, timeout_ms: int = 5000
) -> None:
    """Hand the window a scanned code and wait until it shows ``screen``."""
    window.on_scan(text)
    qtbot.waitUntil(lambda: window.current is screen, timeout=timeout_ms)


def checked_in(
    qtbot: QtBot, make_window: Make, person: SyntheticPerson, **options: object
) -> tuple[KioskWindow, Rig]:
    """A new window (``make_window(**options)``) on which ``person`` scanned the QR of their
    card and was checked in: the accepted screen is up."""
    window, rig = make_window(**options)
    scan_and_wait(qtbot, window, bhyt_payload(person))
    assert window.current is window.accepted
    return window, rig


def out_of_paper(
    qtbot: QtBot, make_window: Make, person: SyntheticPerson
) -> tuple[KioskWindow, Rig]:
    """A new window whose printer is out of paper, on which ``person`` scanned their card:
    checked in, but the printer-failed screen is up."""
    window, rig = make_window(printer=FakePrinter(problem="paper_out"))
    scan_and_wait(qtbot, window, bhyt_payload(person))
    assert window.current is window.printer_failed
    return window, rig


def to_confirm(qtbot: QtBot, window: KioskWindow, rig: Rig, person: SyntheticPerson) -> None:
    """Scan ``person``'s card, cached with the given name without marks, and wait until the
    window asks whether this is them."""
    rig.cards.save_card(diacritics_differ(card_record(person)))
    scan_until(qtbot, window, bhyt_payload(person), window.confirm)


def rescan_goes_home(window: KioskWindow, caption: str) -> None:
    """The reception screen up offers to scan again, as ``caption`` beside "Đến quầy" (the
    desk); pressed, it leads back to the welcome screen and its camera."""
    assert window.reception.rescan_button.isVisibleTo(window)
    assert window.reception.rescan_button.text() == caption
    assert window.reception.done_button.text() == "Đến quầy"
    window.reception.rescan_button.click()
    assert window.stack.currentWidget() is window.welcome


# -- the scenarios' cards ------------------------------------------------------------------------


def diacritics_differ(card: CardRecord) -> CardRecord:
    """The same card with the given name typed without marks ("Khải" → "Khai") in the cache."""
    *rest, given = card.name.split()
    assert strip_diacritics(given) != given, "pick a person whose given name has marks"
    return replace(card, name=" ".join([*rest, strip_diacritics(given)]))


def stranger(known: Iterable[SyntheticPerson]) -> SyntheticPerson:
    """A synthetic person whose card is not among ``known``."""
    numbers = {p.bhxh_number for p in known}
    return next(p for p in people(20, seed=99) if p.bhxh_number not in numbers)


def expired(person: SyntheticPerson) -> SyntheticPerson:
    """The person with a card (and QR) whose validity ended last year."""
    return replace(person, valid_from=date(2025, 1, 1), valid_to=date(2025, 12, 31))


def revoked(card: CardRecord) -> CardRecord:
    """The card as the cache knows it after the insurance service revoked it."""
    return replace(card, status=CardStatus.REVOKED)


def widget_pixels(widget: QWidget) -> NDArray[np.uint8]:
    """What ``widget`` shows, as an RGB array (height × width × 3)."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    w, h = image.width(), image.height()
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(h, image.bytesPerLine())
    return rows[:, : w * 3].reshape(h, w, 3).copy()
