"""Test doubles for the core's ports (kiosk/ports.py) and the clock.

Each fake keeps its state in plain attributes so tests can assert on what happened.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from PIL.Image import Image

from kiosk.model import (
    CardRecord,
    CheckIn,
    CheckInDraft,
    GatewayFailure,
    GatewayFailureKind,
    GatewayReply,
    PrintState,
)
from kiosk.ports import CardQuery, PrintResult, StoreError


class FakeClock:
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


class FakeCardCache:
    """An in-memory card cache keyed by card, BHXH and ID numbers."""

    def __init__(self, cards: Sequence[CardRecord] = ()) -> None:
        self.cards: dict[str, CardRecord] = {}
        self.saved: list[CardRecord] = []
        for card in cards:
            self._index(card)

    def _index(self, card: CardRecord) -> None:
        for key in (card.card_number, card.bhxh_number, card.id_number):
            if key:
                self.cards[key] = card

    def find_card(self, code: str) -> CardRecord | None:
        return self.cards.get(code)

    def save_card(self, card: CardRecord) -> None:
        self.saved.append(card)
        self._index(card)


class FakeCheckInStore:
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


class FakeOnlineCheck:
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


class FakePrinter:
    """Keeps the printed images; can be told to fail with a given problem."""

    def __init__(self, problem: str = "") -> None:
        self.problem = problem
        self.printed: list[tuple[str, Image]] = []

    def print_image(self, image: Image, name: str) -> PrintResult:
        if self.problem:
            return PrintResult(ok=False, problem=self.problem, detail=f"fake {self.problem}")
        self.printed.append((name, image.copy()))
        return PrintResult(ok=True)


class FakeAudioOutput:
    """A loudspeaker that keeps the WAVs it was given."""

    def __init__(self) -> None:
        self.played: list[bytes] = []
        self.closed = False

    def play(self, wav: bytes) -> None:
        self.played.append(wav)

    def close(self) -> None:
        self.closed = True
