"""A circuit breaker in front of the online card check, so a dead gateway is not hammered.

Every check that the gateway could not answer (no reply in time, unreachable, an unreadable
reply) counts as a failure; any reply, whatever its code, is a success and closes the breaker.
After ``failures`` failures in a row the breaker opens: checks are skipped at once (a
``GatewayFailure`` of kind ``SKIPPED``, so the cached record decides, as it does for any other
failure) until ``cooldown_s`` seconds have passed. Then one check is let through: its success
closes the breaker, its failure opens it for another cool-down. Time comes from the injected
clock's monotonic seconds. docs/insurance-api.md §3 describes the behaviour for operators.
"""

from __future__ import annotations

import logging
import threading
from enum import StrEnum

from kiosk.clock import Clock
from kiosk.model import GatewayFailure, GatewayFailureKind, GatewayReply
from kiosk.ports import CardQuery, OnlineCardCheck

log = logging.getLogger(__name__)

# Failures that say the service (or the way to it) is down; the others (no birth date, not
# configured, skipped by this breaker) say nothing about the service's health.
_DOWN = frozenset(
    {GatewayFailureKind.TIMEOUT, GatewayFailureKind.UNREACHABLE, GatewayFailureKind.BAD_REPLY}
)


class BreakerState(StrEnum):
    """Where the breaker stands."""

    CLOSED = "closed"  # checks go through
    OPEN = "open"  # checks are skipped until the cool-down ends
    TRIAL = "trial"  # the cool-down ended: one check is under way


class CircuitBreaker:
    """Counts consecutive failures and says whether the next call may go through."""

    def __init__(self, clock: Clock, *, failures: int = 3, cooldown_s: float = 60.0) -> None:
        if failures < 1 or cooldown_s <= 0:
            raise ValueError("a breaker needs at least one failure and a positive cool-down")
        self._clock = clock
        self._threshold = failures
        self._cooldown_s = cooldown_s
        self._failures = 0
        self._opened_at: float | None = None
        self._trial = False
        self._lock = threading.Lock()

    @property
    def state(self) -> BreakerState:
        with self._lock:
            return self._state()

    def _state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._trial:
            return BreakerState.TRIAL
        return BreakerState.OPEN

    def allow(self) -> bool:
        """Whether a call may go through now; when the cool-down has ended, the first caller
        gets the one trial call and the others are still refused until it reports."""
        with self._lock:
            if self._opened_at is None:
                return True
            if self._trial:
                return False
            if self._clock.monotonic() - self._opened_at < self._cooldown_s:
                return False
            self._trial = True
            return True

    def record(self, *, success: bool) -> None:
        """Report how an allowed call went."""
        with self._lock:
            if success:
                if self._opened_at is not None:
                    log.info("gateway answered again: online checks resume")
                self._failures = 0
                self._opened_at = None
                self._trial = False
                return
            self._failures += 1
            if self._trial or self._failures >= self._threshold:
                if not self._trial:
                    log.warning(
                        "gateway failed %d times in a row: online checks paused for %.0f s",
                        self._failures,
                        self._cooldown_s,
                    )
                self._opened_at = self._clock.monotonic()
                self._trial = False

    def release(self) -> None:
        """Report an allowed call that says nothing about the service's health (e.g. refused
        credentials): the state stays as it was, and a trial may be made again."""
        with self._lock:
            self._trial = False


class BreakerCheck:
    """An :class:`~kiosk.ports.OnlineCardCheck` guarded by a :class:`CircuitBreaker`."""

    def __init__(self, inner: OnlineCardCheck, breaker: CircuitBreaker) -> None:
        self._inner = inner
        self.breaker = breaker

    def check(self, query: CardQuery, budget_s: float) -> GatewayReply | GatewayFailure:
        """The inner check, or at once a ``SKIPPED`` failure while the breaker is open."""
        if not self.breaker.allow():
            return GatewayFailure(GatewayFailureKind.SKIPPED, "gateway paused after failures")
        result = self._inner.check(query, budget_s)
        if isinstance(result, GatewayReply):
            self.breaker.record(success=True)
        elif result.kind in _DOWN:
            self.breaker.record(success=False)
        else:
            self.breaker.release()
        return result
