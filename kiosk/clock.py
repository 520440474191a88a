"""Time as a parameter: every rule that depends on "now" receives a :class:`Clock`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

HOSPITAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock(Protocol):
    """A source of the current time."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin that never go backwards (for rate limits, timeouts)."""
        ...


class SystemClock:
    """The real clock of the machine."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        import time

        return time.monotonic()


def local_day(clock: Clock, zone: ZoneInfo = HOSPITAL_ZONE) -> date:
    """The hospital's calendar day now: queues reset and "today" is counted by this date."""
    return clock.now().astimezone(zone).date()


def local_time(moment: datetime, zone: ZoneInfo = HOSPITAL_ZONE) -> datetime:
    """A stored UTC moment shown in the hospital's time zone."""
    return moment.astimezone(zone)
