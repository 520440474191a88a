"""What the window needs from the rest of the kiosk, as Protocols.

The real objects are built in :mod:`ui.app` (``kiosk.checkin.CheckInService``,
``scanner.loop.ScanLoop``, the admin tools over the store and the sync); tests pass fakes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, Unpack

from kiosk.calling import Priority
from kiosk.checkin import Assessment, CheckInOptions, CheckInRequest
from kiosk.health import HealthReport
from kiosk.model import CheckIn, Clinic
from kiosk.outcome import Outcome


class ScanStepView(Protocol):
    """One step of the scan loop: a preview frame and, now and then, a confirmed payload."""

    @property
    def frame(self) -> Any: ...  # a numpy image (BGR or grey) or None

    @property
    def payload(self) -> str | None: ...

    @property
    def corners(self) -> Sequence[tuple[float, float]] | None: ...

    @property
    def camera(self) -> str: ...  # "ok" or "lost"


class ScanSource(Protocol):
    """``scanner.loop.ScanLoop``: frames to debounced payload texts."""

    def step(self) -> ScanStepView: ...

    def forget(self) -> None:
        """Forget the last card read, so the same card can be read again at once."""
        ...


class PatientService(Protocol):
    """``kiosk.checkin.CheckInService``: every decision of a check-in, as the window uses it."""

    def open_clinics(self) -> tuple[Clinic, ...]: ...

    def assess(self, text: str) -> Assessment: ...

    def confirm(self, assessment: Assessment, yes: bool) -> Assessment: ...

    def confirm_birth_year(self, assessment: Assessment, year: str) -> Assessment: ...

    def check_in_and_print(
        self,
        assessment: Assessment,
        clinic_code: str,
        *,
        declared: Priority | None = None,
        **options: Unpack[CheckInOptions],
    ) -> Outcome: ...

    def staff_check_in(
        self, assessment: Assessment, request: CheckInRequest, staff: str
    ) -> Outcome: ...

    def reprint(self, checkin_id: str, staff: str) -> Outcome: ...

    def print_slip(self, checkin: CheckIn, *, reprint: bool = False) -> Outcome: ...

    def cancel(self, checkin_id: str, staff: str, reason: str) -> Outcome: ...

    def todays_checkins(
        self, search: str | None = None, limit: int | None = None
    ) -> Sequence[CheckIn]: ...


class HelpCalls(Protocol):
    """``db.store.lobby.LobbyStore`` (the central database): a patient's call for staff, with
    the kiosk and the screen it came from, for the reception desk to answer.

    Raises:
        StoreError: the central database did not take the call (the kiosk says so and sends
            the patient to the desk).
    """

    def raise_help_call(self, kiosk_id: str, screen: str, day: date) -> int: ...


@dataclass(frozen=True)
class CacheStatus:
    """How fresh the local card cache is (admin screen)."""

    cards: int
    last_sync: datetime | None  # UTC
    # The HIS outbox: (pending, delivered, failed) events, None when no HIS is configured.
    outbox: tuple[int, int, int] | None = None
    outbox_error: str | None = None  # why the latest failed event failed
    chart: str | None = None  # a PNG of today's check-ins per hour (the daily report's chart)
    # the kiosk's parts as status.json says them (the admin screen's tiles); None: not known
    health: HealthReport | None = None
    # (prefix, kiosk) when the kiosk register gave this kiosk's offline prefix to another kiosk
    prefix_taken: tuple[str, str] | None = None


class AdminTools(Protocol):
    """The admin screen's maintenance actions (each may be slow: called off the GUI thread)."""

    def cache_status(self) -> CacheStatus: ...

    def sync(self, progress: Callable[[int, int], None], cancel: Callable[[], bool]) -> str:
        """Run a card sync; ``progress(done, total)``; stop soon after ``cancel()`` is true.

        Returns a one-line summary for the screen.
        """
        ...

    def printer_test(self) -> str: ...

    def camera_test(self) -> str: ...
