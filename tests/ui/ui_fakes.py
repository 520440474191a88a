"""Fakes for the window's collaborators: a check-in service, a scan loop, admin tools.

``FakeService`` has the API of ``kiosk.checkin.CheckInService`` and simple honest rules over
the port fakes of ``tests/fakes.py``; the window cannot tell the difference.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np
from PIL import Image

from kiosk.clock import Clock, local_day
from kiosk.config import Config
from kiosk.model import (
    BhytPayload,
    CardRecord,
    CheckIn,
    CheckInDraft,
    Clinic,
    PatientSnapshot,
    Payload,
    PrintState,
    Verification,
)
from kiosk.outcome import Outcome, Reason, Status
from tests.fakes import FakeCardCache, FakeCheckInStore, FakePrinter
from ui.ports import CacheStatus


@dataclass(frozen=True)
class FakeAssessment:
    status: Status
    reason: Reason | None
    payload: Payload | None
    card: CardRecord | None
    decision: None = None
    verification: Verification = Verification.CACHE
    alerts: tuple[Reason, ...] = ()

    def outcome(self) -> Outcome:
        return Outcome(self.status, self.reason, payload=self.payload)


def parse(text: str) -> BhytPayload | None:
    """Just enough of a BHYT payload for the fake: number, hex name, birth year."""
    fields = text.strip().split("|")
    if len(fields) < 3 or fields[-1] != "$":
        return None
    from kiosk.model import BirthDate

    return BhytPayload(
        raw=text,
        card_number=fields[0],
        bhxh_number=fields[0][-10:],
        name=bytes.fromhex(fields[1]).decode("utf-8"),
        birth=BirthDate(int(fields[2][-4:])),
        gender=None,
        facility_code=None,
        valid_from=None,
        valid_to=None,
    )


class FakeService:
    """The CheckInService API over fakes; ``online_delay_s`` and the printer's delay are slow."""

    def __init__(
        self,
        config: Config,
        clock: Clock,
        cards: Sequence[CardRecord] = (),
        *,
        printer: FakePrinter | None = None,
        online_delay_s: float = 0.0,
        print_delay_s: float = 0.0,
        clinics: tuple[Clinic, ...] | None = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self.cards = FakeCardCache(cards)
        self.store = FakeCheckInStore()
        self.printer = printer or FakePrinter()
        self.online_delay_s = online_delay_s
        self.print_delay_s = print_delay_s
        self.clinics = clinics if clinics is not None else config.clinics
        self.assessed: list[str] = []
        self.threads: set[str] = set()

    def _note_thread(self) -> None:
        self.threads.add(threading.current_thread().name)

    def open_clinics(self) -> tuple[Clinic, ...]:
        return self.clinics

    def assess(self, text: str) -> FakeAssessment:
        self._note_thread()
        self.assessed.append(text)
        time.sleep(self.online_delay_s)
        payload = parse(text)
        code = payload.card_number if payload else text.strip()
        if payload is None and not code.isalnum():
            return FakeAssessment(Status.REJECTED, Reason.NOT_A_CARD, None, None)
        card = self.cards.find_card(code)
        if card is None:
            return FakeAssessment(Status.NEEDS_RECEPTION, Reason.CARD_NOT_FOUND, payload, None)
        if card.valid_to is not None and card.valid_to < local_day(self.clock):
            return FakeAssessment(Status.REJECTED, Reason.CARD_EXPIRED, payload, card)
        if payload is not None and payload.name != card.name:
            return FakeAssessment(
                Status.NEEDS_CONFIRMATION, Reason.NAME_NEEDS_CONFIRMATION, payload, card
            )
        return FakeAssessment(Status.ACCEPTED, None, payload, card)

    def confirm(self, assessment: FakeAssessment, yes: bool) -> FakeAssessment:
        if yes:
            return replace(assessment, status=Status.ACCEPTED, reason=None)
        return replace(
            assessment, status=Status.NEEDS_RECEPTION, reason=Reason.PATIENT_DENIED_IDENTITY
        )

    def check_in(
        self,
        assessment: FakeAssessment,
        clinic_code: str,
        *,
        staff: str | None = None,
        override_reason: str | None = None,
        idempotency_key: str | None = None,
        patient: PatientSnapshot | None = None,
    ) -> Outcome:
        self._note_thread()
        if assessment.status is not Status.ACCEPTED and not (staff and override_reason):
            return assessment.outcome()
        card, payload = assessment.card, assessment.payload
        name = card.name if card else (payload.name if isinstance(payload, BhytPayload) else "")
        number = card.card_number if card else getattr(payload, "lookup_key", None)
        bhxh = card.bhxh_number if card else (number[-10:] if number else None)
        day = local_day(self.clock)
        existing = self.store.existing_checkin(bhxh or "", clinic_code, day)
        if existing is not None:
            return Outcome(Status.ACCEPTED, Reason.ALREADY_CHECKED_IN, checkin=existing)
        snapshot = patient or PatientSnapshot(
            name=name,
            birth=card.birth if card else None,
            gender=None,
            card_number=number,
            bhxh_number=bhxh,
            id_number=None,
            facility_code=None,
            valid_from=None,
            valid_to=None,
            benefit_level=None,
        )
        checkin = self.store.commit_checkin(
            CheckInDraft(
                idempotency_key=idempotency_key or f"k{next(_keys)}",
                local_day=day,
                clinic_code=clinic_code,
                patient=snapshot,
                status="override" if override_reason else "accepted",
                reason=assessment.reason.value if assessment.reason else None,
                route=None,
                benefit_percent=None,
                verification=assessment.verification,
                kiosk_id=self.config.kiosk.id,
                created_at=self.clock.now(),
                staff_name=staff,
                override_reason=override_reason,
            )
        )
        if override_reason:
            self.store.record_audit(
                staff or "", "override", checkin.id, assessment.status.value, override_reason
            )
        reason = Reason.STAFF_OVERRIDE if override_reason else None
        return Outcome(Status.ACCEPTED, reason, checkin=checkin)

    def print_slip(self, checkin: CheckIn, *, reprint: bool = False) -> Outcome:
        self._note_thread()
        time.sleep(self.print_delay_s)
        result = self.printer.print_image(Image.new("1", (576, 200), 1), checkin.id)
        state = PrintState.PRINTED if result.ok else PrintState.FAILED
        self.store.set_print_state(checkin.id, state)
        stored = self.store.checkins[checkin.id]
        if not result.ok:
            return Outcome(Status.ACCEPTED, Reason.PRINTER_FAILED, checkin=stored, printed=False)
        return Outcome(Status.ACCEPTED, None, checkin=stored, printed=True)

    def reprint(self, checkin_id: str, staff: str) -> Outcome:
        checkin = self.store.checkins[checkin_id]
        self.store.record_audit(staff, "reprint", checkin_id, None, None)
        return self.print_slip(checkin, reprint=True)

    def cancel(self, checkin_id: str, staff: str, reason: str) -> Outcome:
        checkin = self.store.cancel_checkin(checkin_id, staff, reason)
        return Outcome(Status.ACCEPTED, None, checkin=checkin)

    def todays_checkins(self, search: str | None = None) -> Sequence[CheckIn]:
        return self.store.list_checkins(local_day(self.clock), search)


_keys = itertools.count(1)


@dataclass(frozen=True)
class FakeStep:
    frame: np.ndarray | None
    payload: str | None
    corners: tuple[tuple[float, float], ...] | None
    camera: str = "ok"


class FakeScanLoop:
    """Shows the given frames; a frame with text behind it yields that payload once."""

    def __init__(self, frames: Sequence[tuple[np.ndarray, str | None]] = ()) -> None:
        self._lock = threading.Lock()
        self.queue: list[tuple[np.ndarray, str | None]] = list(frames)
        self.blank = np.full((360, 640, 3), 40, np.uint8)
        self.camera = "ok"
        self.forgotten = 0

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
                corners = (
                    (w * 0.3, h * 0.3),
                    (w * 0.7, h * 0.3),
                    (w * 0.7, h * 0.7),
                    (w * 0.3, h * 0.7),
                )
                return FakeStep(frame, payload, corners if payload else None)
        return FakeStep(self.blank, None, None)

    def forget(self) -> None:
        self.forgotten += 1


@dataclass
class FakeAdmin:
    """Admin tools: a cache status, a sync that reports progress and can be cancelled."""

    cards: int = 1234
    last_sync: datetime | None = None
    steps: int = 5
    step_s: float = 0.05
    progress_seen: list[tuple[int, int]] = field(default_factory=list)
    cancelled: bool = False

    def cache_status(self) -> CacheStatus:
        return CacheStatus(self.cards, self.last_sync)

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
