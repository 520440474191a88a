"""The real check-in service for the window tests, on the port fakes of ``tests/fakes.py``.

The window talks to ``kiosk.checkin.CheckInService`` itself: every rule it shows (parsing,
validity, name checks, numbers, print states) is the real one, so a window that reads something
the real service does not give fails here. Only the ports are fakes: the card cache, the
check-in store, the gateway and the printer. Thin wrappers around them note which thread the
service called them on (the window must never run a step on the GUI thread), the codes it
looked up, and make the gateway or the printer slow when a test needs that.

Which clinics are open is the real opening-hours rule of ``config.toml``; a rig picks the local
time of the morning at which the wanted number of clinics is open.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from PIL import Image

from kiosk.checkin import CheckInService
from kiosk.config import Config
from kiosk.model import (
    CardRecord,
    CardStatus,
    CheckIn,
    CheckInDraft,
    GatewayFailure,
    GatewayReply,
    PrintState,
)
from kiosk.names import strip_diacritics
from kiosk.ports import CardQuery, PrintResult
from kiosk.synthetic import SyntheticPerson, people
from tests.fakes import FakeCardCache, FakeCheckInStore, FakeClock, FakeOnlineCheck, FakePrinter

# Local times (Asia/Ho_Chi_Minh, UTC+7) on the synthetic people's "today", 2026-11-25.
OPEN_AT = {
    3: datetime(2026, 11, 25, 2, 0, tzinfo=UTC),  # 09:00: NOI, NHI and TMH are open
    1: datetime(2026, 11, 25, 4, 45, tzinfo=UTC),  # 11:45: NHI and TMH closed at 11:30
}


class ThreadLog:
    """The names of the threads the service called a port from."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.names: set[str] = set()

    def note(self) -> None:
        with self._lock:
            self.names.add(threading.current_thread().name)


class WatchedCards:
    """The card cache port as the service sees it: notes the thread and each code looked up."""

    def __init__(self, inner: FakeCardCache, threads: ThreadLog) -> None:
        self._inner = inner
        self._threads = threads
        self.lookups: list[str] = []

    def find_card(self, code: str) -> CardRecord | None:
        self._threads.note()
        self.lookups.append(code)
        return self._inner.find_card(code)

    def save_card(self, card: CardRecord) -> None:
        self._threads.note()
        self._inner.save_card(card)


class WatchedStore:
    """The check-in store port as the service sees it: notes the thread of every call."""

    def __init__(self, inner: FakeCheckInStore, threads: ThreadLog) -> None:
        self._inner = inner
        self._threads = threads

    def existing_checkin(self, patient_key: str, clinic_code: str, day: date) -> CheckIn | None:
        self._threads.note()
        return self._inner.existing_checkin(patient_key, clinic_code, day)

    def commit_checkin(self, draft: CheckInDraft) -> CheckIn:
        self._threads.note()
        return self._inner.commit_checkin(draft)

    def get_checkin(self, checkin_id: str) -> CheckIn | None:
        self._threads.note()
        return self._inner.get_checkin(checkin_id)

    def set_print_state(self, checkin_id: str, state: PrintState) -> None:
        self._threads.note()
        self._inner.set_print_state(checkin_id, state)

    def list_checkins(self, day: date, search: str | None = None) -> Sequence[CheckIn]:
        self._threads.note()
        return self._inner.list_checkins(day, search)

    def cancel_checkin(self, checkin_id: str, staff_name: str, reason: str) -> CheckIn:
        self._threads.note()
        return self._inner.cancel_checkin(checkin_id, staff_name, reason)

    def record_audit(
        self, actor: str, action: str, target: str, before: str | None, after: str | None
    ) -> None:
        self._threads.note()
        self._inner.record_audit(actor, action, target, before, after)


class WatchedPrinter:
    """The printer port as the service sees it: notes the thread, optionally takes its time."""

    def __init__(self, inner: FakePrinter, threads: ThreadLog, delay_s: float = 0.0) -> None:
        self._inner = inner
        self._threads = threads
        self._delay_s = delay_s

    def print_image(self, image: Image.Image, name: str) -> PrintResult:
        self._threads.note()
        time.sleep(self._delay_s)  # a thermal printer feeding a long slip
        return self._inner.print_image(image, name)


class SlowOnlineCheck(FakeOnlineCheck):
    """A gateway that knows the given cards ("000": valid) but takes ``delay_s`` to answer."""

    def __init__(self, delay_s: float, cards: Iterable[CardRecord]) -> None:
        super().__init__({card.card_number: GatewayReply("000", None, card) for card in cards})
        self.delay_s = delay_s

    def check(self, query: CardQuery, budget_s: float) -> GatewayReply | GatewayFailure:
        time.sleep(self.delay_s)
        return super().check(query, budget_s)


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
    watched_cards: WatchedCards
    thread_log: ThreadLog = field(default_factory=ThreadLog)

    @property
    def threads(self) -> set[str]:
        """The threads the service ran its steps on."""
        return self.thread_log.names

    @property
    def lookups(self) -> list[str]:
        """The codes the service looked up in the card cache, in order."""
        return self.watched_cards.lookups


def build_rig(
    config: Config,
    clock: FakeClock,
    cards: Sequence[CardRecord] = (),
    *,
    clinics: int = 1,
    printer: FakePrinter | None = None,
    online_delay_s: float | None = None,
    print_delay_s: float = 0.0,
) -> Rig:
    """The real service over fakes, at a local time when ``clinics`` clinics are open.

    ``online_delay_s``: a gateway that knows ``cards`` and answers after that long (None: no
    gateway configured, the cache decides). ``print_delay_s``: a printer that slow.
    """
    if clinics not in OPEN_AT:
        raise ValueError(f"no time of day with {clinics} open clinics: use one of {set(OPEN_AT)}")
    clock.set(OPEN_AT[clinics])
    cache = FakeCardCache(cards)
    store = FakeCheckInStore()
    paper = printer or FakePrinter()
    online = None if online_delay_s is None else SlowOnlineCheck(online_delay_s, cards)
    threads = ThreadLog()
    watched_cards = WatchedCards(cache, threads)
    service = CheckInService(
        config=config,
        clock=clock,
        cards=watched_cards,
        checkins=WatchedStore(store, threads),
        online=online,
        printer=WatchedPrinter(paper, threads, print_delay_s),
        render_slip=blank_slip,
    )
    rig = Rig(config, clock, cache, store, paper, online, service, watched_cards, threads)
    assert len(service.open_clinics()) == clinics, "config.toml's opening hours changed"
    return rig


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
