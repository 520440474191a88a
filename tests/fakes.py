"""The test doubles: every fake, stub and watching wrapper the tests put behind a port.

Each names the port it stands in for as its base class, so mypy checks it against the port and
a missing method makes it abstract (tests/test_fakes.py checks the parameters too). Each keeps
its state in plain attributes so tests can assert on what happened. In order: the clock and the
core's ports (kiosk/ports.py); wrappers that note the thread a port was called on; the window's
own ports (ui/ports.py); the scanner's devices and readers (scanner/ports.py), and spies on
real scanner stages (a subclass that counts or records, its port the stage it extends); card
feeds; a port with no server behind it, and a card feed that misbehaves, for the sync's
self-limits; a thermal printer on the network (its port: ESC/POS over TCP); central's queues.
"""

from __future__ import annotations

import itertools
import json
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np
from PIL import Image

from db.cards.sync import CardFeed
from db.insurance.feed import FeedPage, parse_page
from db.store.card_columns import ValueForms
from kiosk.calling import Place, Priority
from kiosk.clock import Clock
from kiosk.health import HealthReport
from kiosk.model import (
    CardRecord,
    CheckIn,
    CheckInDraft,
    GatewayFailure,
    GatewayFailureKind,
    GatewayReply,
    PrintState,
)
from kiosk.outcome import Lang
from kiosk.ports import (
    CallQueue,
    CardCache,
    CardQuery,
    CheckInStore,
    LockRule,
    LoginClaim,
    OnlineCardCheck,
    PrintResult,
    SlipPrinter,
    StoreError,
)
from kiosk.retention import CheckinPurge, RetentionStore
from kiosk.staff_auth import MemoryStaffDirectory
from kiosk.voice import AudioOutput, Prompt, PromptKind, Speaker
from scanner.cameras.webcam import Capture
from scanner.decode.chain import DecoderChain
from scanner.decode.zxing import ZxingDecoder
from scanner.ports import (
    Box,
    Camera,
    CameraState,
    Decoded,
    Decoder,
    Frame,
    RegionReader,
    Scan,
    as_frame,
)
from scanner.stages.base import RegionStage
from scanner.stages.deblur import MotionDeblur
from ui.ports import AdminTools, CacheStatus, ScanSource

# -- the clock and the core's ports ---------------------------------------------------------------


class FakeClock(Clock):
    """A clock that only moves when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 09:00 in HCMC
        self._mono = 1000.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, **delta: float) -> None:
        step = timedelta(**delta)
        self._now += step
        self._mono += step.total_seconds()

    def set(self, moment: datetime) -> None:
        self._mono += max(0.0, (moment - self._now).total_seconds())
        self._now = moment


class FakeCardCache(CardCache):
    """An in-memory card cache keyed by card, BHXH and ID numbers; notes the codes looked up."""

    def __init__(self, cards: Sequence[CardRecord] = ()) -> None:
        self.cards: dict[str, CardRecord] = {}
        self.saved: list[CardRecord] = []
        self.lookups: list[str] = []  # every code asked for, in order
        for card in cards:
            self._index(card)

    def _index(self, card: CardRecord) -> None:
        for key in (card.card_number, card.bhxh_number, card.id_number):
            if key:
                self.cards[key] = card

    def find_card(self, code: str) -> CardRecord | None:
        self.lookups.append(code)
        return self.cards.get(code)

    def save_card(self, card: CardRecord) -> None:
        self.saved.append(card)
        self._index(card)


class FakeCheckInStore(CheckInStore):
    """Check-ins in a dict; numbers from a per-(clinic, day) counter, as the real store does."""

    def __init__(self) -> None:
        self.checkins: dict[str, CheckIn] = {}
        self.by_key: dict[str, str] = {}
        self.counters: dict[tuple[str, date], int] = {}
        self.audit: list[tuple[str, str, str, str | None, str | None]] = []
        self.unavailable = False
        self.series = ""  # "A": numbers as an offline journal does ("A-1", "A-2", ...)
        self._ids = itertools.count(1)

    def _check(self) -> None:
        if self.unavailable:
            raise StoreError("database is locked")

    def existing_checkin(self, patient_key: str, clinic_code: str, day: date) -> CheckIn | None:
        self._check()
        for checkin in self.checkins.values():
            keys = (checkin.patient.bhxh_number, checkin.patient.id_number)
            if (
                patient_key in keys
                and checkin.clinic_code == clinic_code
                and checkin.local_day == day
                and not checkin.cancelled
            ):
                return checkin
        return None

    def commit_checkin(self, draft: CheckInDraft) -> CheckIn:
        self._check()
        if draft.idempotency_key in self.by_key:
            return self.checkins[self.by_key[draft.idempotency_key]]
        key = (draft.clinic_code, draft.local_day)
        self.counters[key] = self.counters.get(key, 0) + 1
        checkin = CheckIn(
            id=f"ci-{next(self._ids):04d}",
            local_day=draft.local_day,
            clinic_code=draft.clinic_code,
            queue_number=self.counters[key],
            patient=draft.patient,
            status=draft.status,
            reason=draft.reason,
            route=draft.route,
            benefit_percent=draft.benefit_percent,
            verification=draft.verification,
            kiosk_id=draft.kiosk_id,
            created_at=draft.created_at,
            staff_name=draft.staff_name,
            override_reason=draft.override_reason,
            series=self.series,
            copay_exempt_from=draft.copay_exempt_from,
        )
        self.checkins[checkin.id] = checkin
        self.by_key[draft.idempotency_key] = checkin.id
        if draft.override_reason is not None:  # audited with the check-in, as the real store
            self.audit.append(
                (
                    draft.staff_name or "",
                    "override",
                    checkin.id,
                    f"refused:{draft.reason}",
                    draft.override_reason,
                )
            )
        return checkin

    def get_checkin(self, checkin_id: str) -> CheckIn | None:
        self._check()
        return self.checkins.get(checkin_id)

    def set_print_state(self, checkin_id: str, state: PrintState) -> None:
        self._check()
        self.checkins[checkin_id] = replace(self.checkins[checkin_id], print_state=state)

    def list_checkins(self, day: date, search: str | None = None) -> Sequence[CheckIn]:
        self._check()
        rows = [c for c in self.checkins.values() if c.local_day == day]
        if search:
            rows = [
                c
                for c in rows
                if search == str(c.queue_number) or search.lower() in c.patient.name.lower()
            ]
        return sorted(rows, key=lambda c: c.created_at, reverse=True)

    def cancel_checkin(self, checkin_id: str, staff_name: str, reason: str) -> CheckIn:
        self._check()
        cancelled = replace(self.checkins[checkin_id], cancelled=True)
        self.checkins[checkin_id] = cancelled
        self.record_audit(staff_name, "cancel", checkin_id, None, reason)
        return cancelled

    def record_audit(
        self, actor: str, action: str, target: str, before: str | None, after: str | None
    ) -> None:
        self.audit.append((actor, action, target, before, after))


class FakeOnlineCheck(OnlineCardCheck):
    """A gateway that answers from a dict, or fails the way it is told to."""

    def __init__(
        self,
        replies: dict[str, GatewayReply] | None = None,
        failure: GatewayFailure | None = None,
    ) -> None:
        self.replies = replies or {}
        self.failure = failure
        self.queries: list[CardQuery] = []

    def check(self, query: CardQuery, budget_s: float) -> GatewayReply | GatewayFailure:
        self.queries.append(query)
        if self.failure is not None:
            return self.failure
        reply = self.replies.get(query.code)
        if reply is None:
            return GatewayReply(code="050", note="Không tìm thấy thẻ", card=None)
        return reply


UNREACHABLE = GatewayFailure(GatewayFailureKind.UNREACHABLE, "connection refused")


class FakePrinter(SlipPrinter):
    """Keeps the printed images; can be told to fail with a given problem."""

    def __init__(self, problem: str = "") -> None:
        self.problem = problem
        self.printed: list[tuple[str, Image.Image]] = []

    def print_image(self, image: Image.Image, name: str) -> PrintResult:
        if self.problem:
            return PrintResult(ok=False, problem=self.problem, detail=f"fake {self.problem}")
        self.printed.append((name, image.copy()))
        return PrintResult(ok=True)


class RaisingPrinter(SlipPrinter):
    """A printer whose driver fails: raises (``raises``) or answers "paper_out"."""

    def __init__(self, raises: bool) -> None:
        self.raises = raises

    def print_image(self, image: Image.Image, name: str) -> PrintResult:
        if self.raises:
            raise RuntimeError("driver bug")
        return PrintResult(False, "paper_out", "no paper")


class FakeRetentionStore(RetentionStore):
    """The database side of retention: notes each day it was asked to purge before (or
    raises StoreError when ``fail``) and reports 3 check-ins and 7 audit rows purged, and 2
    lobby rows of the days before the one it was given."""

    def __init__(self, fail: bool = False) -> None:
        self.days: list[date] = []
        self.lobby_days: list[date] = []
        self.fail = fail

    def purge_before(self, day: date) -> CheckinPurge:
        if self.fail:
            raise StoreError("database is locked")
        self.days.append(day)
        return CheckinPurge(checkins=3, audit_rows=7)

    def purge_lobby_before(self, day: date) -> int:
        self.lobby_days.append(day)
        return 2


class DownStaffDirectory(MemoryStaffDirectory):
    """The staff directory with its database gone: every sign-in claim raises StoreError."""

    def claim_login(self, code: str, rule: LockRule) -> LoginClaim | None:
        raise StoreError("database unreachable")


class FakeAudioOutput(AudioOutput):
    """A loudspeaker that keeps the WAVs it was given."""

    def __init__(self) -> None:
        self.played: list[bytes] = []
        self.closed = False

    def play(self, wav: bytes) -> None:
        self.played.append(wav)

    def close(self) -> None:
        self.closed = True


# -- wrappers that note the thread a port was called on -------------------------------------------


class ThreadLog:
    """The names of the threads the service called a port from."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.names: set[str] = set()

    def note(self) -> None:
        with self._lock:
            self.names.add(threading.current_thread().name)


class WatchedCards(CardCache):
    """The card cache port as the service sees it: notes the thread of every call."""

    def __init__(self, inner: FakeCardCache, threads: ThreadLog) -> None:
        self._inner = inner
        self._threads = threads

    def find_card(self, code: str) -> CardRecord | None:
        self._threads.note()
        return self._inner.find_card(code)

    def save_card(self, card: CardRecord) -> None:
        self._threads.note()
        self._inner.save_card(card)


class WatchedStore(CheckInStore):
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


class WatchedPrinter(SlipPrinter):
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


class GatedOnlineCheck(FakeOnlineCheck):
    """A gateway that knows the given cards ("000": valid) and answers only once the test
    opens its ``gate``; ``asked`` is set when a check has started (the step is under way).

    The test decides when the answer lands, instead of a sleep that hopes to outlast it. A gate
    never opened answers after ``wait_s`` anyway, so no thread hangs past the test."""

    def __init__(self, cards: Iterable[CardRecord], wait_s: float = 10.0) -> None:
        super().__init__({card.card_number: GatewayReply("000", None, card) for card in cards})
        self.asked = threading.Event()
        self.gate = threading.Event()
        self._wait_s = wait_s

    def check(self, query: CardQuery, budget_s: float) -> GatewayReply | GatewayFailure:
        self.asked.set()
        self.gate.wait(self._wait_s)
        return super().check(query, budget_s)


class NoonClock(Clock):
    """Wall-clock seconds for the camera's pace, but always 12:00 on 25/11/2026 in Hồ Chí Minh
    City: only the all-day clinic is open then, so the flow never asks for a clinic, whatever
    the hour the test runs at."""

    def now(self) -> datetime:
        return datetime(2026, 11, 25, 5, 0, tzinfo=UTC)

    def monotonic(self) -> float:
        return time.monotonic()


class FakeTime:
    """A millisecond clock (the keyboard wedge's ``clock``) that moves only when told: ``ms``."""

    def __init__(self) -> None:
        self.ms = 1_000_000.0

    def __call__(self) -> float:
        return self.ms


# -- the window's own ports -----------------------------------------------------------------------


class FakeSpeaker(Speaker):
    """Notes every prompt the window asks to be said, and in which language."""

    def __init__(self) -> None:
        self.said: list[tuple[Prompt, Lang]] = []

    def say(self, prompt: Prompt, lang: Lang) -> None:
        self.said.append((prompt, lang))

    def kinds(self, lang: Lang | None = None) -> list[PromptKind]:
        return [p.kind for p, spoken in self.said if lang is None or spoken == lang]


@dataclass(frozen=True)
class FakeStep:
    frame: np.ndarray | None
    payload: str | None
    corners: tuple[tuple[float, float], ...] | None
    camera: str = "ok"
    far: bool = False


class FakeScanLoop(ScanSource):
    """Shows the given frames; a frame with text behind it yields that payload once.

    ``sighting``: while the queue is empty, every step sees a code it cannot read; ``far``:
    one too far away to read.
    """

    def __init__(self, frames: Sequence[tuple[np.ndarray, str | None]] = ()) -> None:
        self._lock = threading.Lock()
        self.queue: list[tuple[np.ndarray, str | None]] = list(frames)
        self.blank = np.full((360, 640, 3), 40, np.uint8)
        self.camera = "ok"
        self.forgotten = 0
        self.sighting = False
        self.far = False

    def show(self, frame: np.ndarray, payload: str | None) -> None:
        with self._lock:
            self.queue.append((frame, payload))

    def step(self) -> FakeStep:
        with self._lock:
            if self.camera != "ok":
                return FakeStep(None, None, None, self.camera)
            if self.queue:
                frame, payload = self.queue.pop(0)
                h, w = frame.shape[:2]
                corners: tuple[tuple[float, float], ...] = (
                    (w * 0.3, h * 0.3),
                    (w * 0.7, h * 0.3),
                    (w * 0.7, h * 0.7),
                    (w * 0.3, h * 0.7),
                )
                return FakeStep(frame, payload, corners if payload else None)
            if self.sighting:
                corners = ((200.0, 100.0), (400.0, 100.0), (400.0, 260.0))
                return FakeStep(self.blank, None, corners, far=self.far)
        return FakeStep(self.blank, None, None)

    def forget(self) -> None:
        self.forgotten += 1


@dataclass
class FakeAdmin(AdminTools):
    """Admin tools: a cache status, a sync that reports progress and can be cancelled."""

    cards: int = 1234
    last_sync: datetime | None = None
    steps: int = 5
    step_s: float = 0.05
    progress_seen: list[tuple[int, int]] = field(default_factory=list)
    cancelled: bool = False
    outbox: tuple[int, int, int] | None = None
    outbox_error: str | None = None
    chart: str | None = None
    health: HealthReport | None = None  # what the admin screen's tiles show
    prefix_taken: tuple[str, str] | None = None  # (this kiosk's prefix, the kiosk owning it)

    def cache_status(self) -> CacheStatus:
        return CacheStatus(
            self.cards,
            self.last_sync,
            self.outbox,
            self.outbox_error,
            self.chart,
            self.health,
            prefix_taken=self.prefix_taken,
        )

    def sync(self, progress: Callable[[int, int], None], cancel: Callable[[], bool]) -> str:
        for i in range(1, self.steps + 1):
            if cancel():
                self.cancelled = True
                return f"cancelled after {i - 1} pages"
            time.sleep(self.step_s)
            progress(i, self.steps)
            self.progress_seen.append((i, self.steps))
        self.cards += 10
        return f"synced {self.steps} pages"

    def printer_test(self) -> str:
        return "test page printed"

    def camera_test(self) -> str:
        return "camera ok: 1280x720"


class StubCamera(Camera):
    """The camera as the health report reads it: only its state (it gives no frames)."""

    state: CameraState = CameraState.OK

    def read(self) -> Frame | None:
        return None

    def close(self) -> None:
        pass


# -- the scanner's devices ------------------------------------------------------------------------


class FakeCamera(Camera):
    """Hands out the given frames one per read(), then None; ``state`` can be set by the test."""

    # a plain attribute the test sets, over the port's read-only property
    state: CameraState = CameraState.OK

    def __init__(self, frames: Iterable[Frame | None]) -> None:
        self._frames = iter(frames)
        self.state = CameraState.OK
        self.closed = False

    def read(self) -> Frame | None:
        return next(self._frames, None)

    def close(self) -> None:
        self.closed = True


class FakeCapture(Capture):
    """Stands in for cv2.VideoCapture: delivers frames while ``plugged`` is set, fails otherwise.

    One device shared by every "open", like a real /dev/video0 that is unplugged and back.
    """

    def __init__(self, device: FakeDevice) -> None:
        self._device = device
        self.settings: dict[int, float] = {}
        self.released = False
        self._opened = device.plugged.is_set()
        device.opens += 1

    def isOpened(self) -> bool:
        return self._opened

    def read(self) -> tuple[bool, Any]:
        if not self._opened or not self._device.plugged.is_set():
            return False, None
        self._device.frame_number += 1
        self._device.plugged.wait(0.005)  # about a camera's pace, without blocking tests long
        return True, np.full((8, 8, 3), self._device.frame_number % 256, np.uint8)

    def set(self, prop: int, value: float) -> bool:
        if prop in self._device.refuses:
            return False
        clamp = self._device.clamp.get(prop)
        self.settings[prop] = clamp(value) if clamp is not None else value
        return True

    def get(self, prop: int) -> float:
        """What the device holds: the value set, else the device's own default."""
        return self.settings.get(prop, self._device.defaults.get(prop, 0.0))

    def release(self) -> None:
        self.released = True


class FakeDevice:
    """A pluggable camera device; ``factory`` is the capture factory to give OpenCVCamera."""

    def __init__(
        self,
        plugged: bool = True,
        *,
        refuses: Iterable[int] = (),
        defaults: dict[int, float] | None = None,
        clamp: dict[int, Callable[[float], float]] | None = None,
    ) -> None:
        """``refuses``: properties the driver ignores (they keep ``defaults``); ``clamp``:
        properties it rounds to what it supports (e.g. 1920×1080 → 1280×720)."""
        self.refuses = frozenset(refuses)
        self.defaults = defaults or {}
        self.clamp = clamp or {}
        self.plugged = threading.Event()
        if plugged:
            self.plugged.set()
        self.opens = 0
        self.frame_number = 0
        self.captures: list[FakeCapture] = []

    def factory(self, device: int | str) -> FakeCapture:
        capture = FakeCapture(self)
        self.captures.append(capture)
        return capture


class ReadsNothing(Decoder):
    """A decoder that reads nothing, ever."""

    name = "nothing"

    def decode(self, frame: Frame) -> Decoded | None:
        return None


class CountingDecoder(Decoder):
    """A stage that counts the frames it is given (to see which stages a frame reached) and
    reads them with ``inner``."""

    name = "counting"

    def __init__(self, inner: Decoder) -> None:
        self.inner, self.calls = inner, 0

    def decode(self, frame: Frame) -> Decoded | None:
        self.calls += 1
        return self.inner.decode(frame)


class RecordingRegions(CountingDecoder, RegionReader):
    """A region reader that records the boxes the chain hands it."""

    def __init__(self, inner: Decoder) -> None:
        super().__init__(inner)
        self.boxes: list[Box] = []

    def decode_in(self, frame: Frame, boxes: Sequence[Box]) -> Decoded | None:
        self.boxes.extend(boxes)
        for x, y, w, h in boxes:
            found = self.decode(frame[y : y + h, x : x + w])
            if found is not None:
                return found
        return None


class RecordingDecoder(Decoder):
    """An inner decoder that reads nothing and keeps the shape of each picture it was given."""

    name = "recording"

    def __init__(self) -> None:
        self.shapes: list[tuple[int, ...]] = []

    def decode(self, frame: Frame) -> Decoded | None:
        self.shapes.append(frame.shape)
        return None


# -- spies on real scanner stages (what a stage did is inside it: they extend the real one) ----


class CountingZxing(ZxingDecoder):
    """The real zxing stage, counting the zxing passes it runs (``passes``): one for a quick
    look that saw nothing, two for a look at every binarizer."""

    def __init__(self) -> None:
        super().__init__()
        self.passes = 0

    def scan(self, frame: Frame, *, every_pass: bool = True, downscale: bool | None = None) -> Scan:
        found = super().scan(frame, every_pass=every_pass, downscale=downscale)
        self.passes += 1 if not every_pass and not found.sighted else 2
        return found


class CountingDeblur(MotionDeblur):
    """The real motion-deblur stage over zxing, counting the restorations it tries."""

    def __init__(self) -> None:
        super().__init__(ZxingDecoder())
        self.restores = 0

    def _restore(
        self, grey: Frame, length: float, angle: float, tries: Sequence[tuple[float, float]]
    ) -> Decoded | None:
        self.restores += 1
        return super()._restore(grey, length, angle, tries)


class CountingChain(DecoderChain):
    """A real chain of zxing alone, counting its scans (the stream's looks at a frame)."""

    def __init__(self) -> None:
        super().__init__([ZxingDecoder()])
        self.scans = 0

    def scan(self, frame: Frame) -> Scan:
        self.scans += 1
        return super().scan(frame)


class RecordingStage(RegionStage):
    """A region stage (the base class's whole-frame-then-regions walk, as every real stage
    has it) that records the boxes it is handed and reads each crop but the first (the whole
    frame: so a read shows the corners moved back) with zxing."""

    name = "recording"

    def __init__(self) -> None:
        self.boxes_seen: list[Box] = []

    def decode_in(self, frame: Frame, boxes: Sequence[Box]) -> Decoded | None:
        self.boxes_seen.extend(boxes)
        for x, y, w, h in boxes[1:]:
            found = ZxingDecoder().decode(as_frame(frame[y : y + h, x : x + w]))
            if found is not None:
                return self.moved(found, x, y)
        return None


# -- card feeds -----------------------------------------------------------------------------------


class ListFeed(CardFeed):
    """A feed of fixed replies, one per page (cursor = page number)."""

    def __init__(self, pages: Sequence[Sequence[Mapping[str, object]]]) -> None:
        self._pages = pages

    def pages(self, since: str, forms: ValueForms) -> Iterator[FeedPage]:
        for number in range(int(since or 0), len(self._pages)):
            more = number + 1 < len(self._pages)
            reply = {"cards": self._pages[number], "next_cursor": str(number + 1), "has_more": more}
            yield parse_page(since, reply, forms)


class CursorFeed(CardFeed):
    """Fixed replies, each with its own next cursor: ``(cards, next_cursor, has_more)``."""

    def __init__(self, replies: Sequence[tuple[Sequence[Mapping[str, object]], str, bool]]) -> None:
        self._replies = replies

    def pages(self, since: str, forms: ValueForms) -> Iterator[FeedPage]:
        for cards, following, more in self._replies:
            yield parse_page(
                since, {"cards": cards, "next_cursor": following, "has_more": more}, forms
            )
            since = following


# -- servers that are not there, and a card feed that misbehaves --------------------------------


def unused_port() -> int:
    """A port on 127.0.0.1 that nobody listens on: a printer or a gateway that is not there."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


ENDLESS_PAGES = 200


class HostileFeed(ThreadingHTTPServer):
    """A card feed on 127.0.0.1 that misbehaves in one way, for the sync's self-limits.

    ``mode``: ``stuck`` (always more to come, always the same cursor), ``endless`` (more, each
    cursor one further, for :data:`ENDLESS_PAGES` pages: far more than a test's limits),
    ``error`` (every page HTTP 503), ``not_json`` (every page a 200 whose body is not JSON).
    Tokens are always given. ``pages`` counts page requests.
    """

    daemon_threads = True

    def __init__(self, mode: str) -> None:
        super().__init__(("127.0.0.1", 0), _HostileHandler)
        self.mode = mode
        self.pages = 0
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _HostileHandler(BaseHTTPRequestHandler):
    server: HostileFeed

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        expires = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        key = {"access_token": "t", "id_token": "i", "expires_in": expires}
        self._reply(200, json.dumps({"maKetQua": "200", "APIKey": key}).encode())

    def do_GET(self) -> None:
        feed = self.server
        with feed.lock:
            feed.pages += 1
        since = parse_qs(urlsplit(self.path).query).get("since", ["0"])[0] or "0"
        if feed.mode == "error":
            self._reply(503, b'{"error": "unavailable"}')
            return
        if feed.mode == "not_json":
            self._reply(200, b"<html>proxy error</html>")
            return
        following = "7" if feed.mode == "stuck" else str(int(since) + 1)
        number = f"{int(following) % 10**10:010d}"
        card = {"maThe": f"HS479{number}", "maSoBHXH": number, "hoTen": "Lê Thị Thử"}
        # "endless" ends after 200 pages all the same, so a sync without limits ends too
        more = feed.mode == "stuck" or int(following) < ENDLESS_PAGES
        page = {"cards": [card], "next_cursor": following, "has_more": more}
        self._reply(200, json.dumps(page).encode())


@contextmanager
def hostile_feed(mode: str) -> Iterator[HostileFeed]:
    """A :class:`HostileFeed` serving on a thread for the duration of the block."""
    server = HostileFeed(mode)
    # a short poll: shutdown() waits for the serving loop's next look (0.5 s by default)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


# -- a thermal printer on the network -------------------------------------------------------------

PRINTER_OK = b"\x12"  # a DLE EOT answer with the fixed bits 1 and 4 only: online, paper present
STATUS_ONLINE = b"\x10\x04\x01"  # DLE EOT 1: printer status
STATUS_PAPER = b"\x10\x04\x04"  # DLE EOT 4: roll paper sensor status


class FakeNetworkPrinter(socketserver.TCPServer):
    """A thermal printer on 127.0.0.1 as ``printer.host`` reaches one: ESC/POS over TCP. It
    serves one connection, keeps every byte it receives (``received``) and answers the DLE EOT
    status queries with ``online`` and ``paper``; ``port`` is where it listens."""

    def __init__(self, online: bytes = PRINTER_OK, paper: bytes = PRINTER_OK) -> None:
        super().__init__(("127.0.0.1", 0), _PrinterConnection)
        self.online = online
        self.paper = paper
        self.received = bytearray()
        self.port: int = self.server_address[1]
        self.timeout = 10  # no connection in 10 s: the thread gives up
        self._thread = threading.Thread(target=self.handle_request, daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop listening; wait (5 s at most) until the connection has been read to its end."""
        self.server_close()
        self._thread.join(5)


class _PrinterConnection(socketserver.BaseRequestHandler):
    server: FakeNetworkPrinter
    request: socket.socket

    def handle(self) -> None:
        self.request.settimeout(10)
        while True:
            try:
                chunk = self.request.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            self.server.received += chunk
            if chunk.endswith(STATUS_ONLINE):
                self.request.sendall(self.server.online)
            elif chunk.endswith(STATUS_PAPER):
                self.request.sendall(self.server.paper)


def failing_escpos_device(error: Exception) -> Callable[[], Any]:
    """An ESC/POS connection (python-escpos's Dummy device, what a connection gives the
    printer adapter) whose every write raises ``error``."""
    from escpos.printer import Dummy

    class Failing(Dummy):  # type: ignore[misc]  # escpos ships no types: Dummy is Any
        def _raw(self, msg: bytes) -> None:
            raise error

    return Failing


# -- central's queues -----------------------------------------------------------------------------


class FakeCallQueue(CallQueue):
    """Central's queues as a :class:`kiosk.ports.CallQueue`: answers ``place`` with one fixed
    place (or raises StoreError when ``down``) and notes what was asked."""

    def __init__(self, place: Place | None = None, *, down: bool = False) -> None:
        self.answer = place or Place(ahead=2, priority=None, wait_minutes=(5, 20))
        self.down = down
        self.asked: list[tuple[str, str, int]] = []
        self.declared: dict[str, Priority] = {}

    def place(
        self, checkin_id: str, clinic: str, day: date, *, run_limit: int, rooms: int, default: float
    ) -> Place | None:
        if self.down:
            raise StoreError("central is unreachable")
        self.asked.append((checkin_id, clinic, rooms))
        return self.answer

    def declare_priority(self, checkin_id: str, priority: Priority) -> None:
        if self.down:
            raise StoreError("central is unreachable")
        self.declared[checkin_id] = priority
