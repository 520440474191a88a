"""Delivery of outbox events to the hospital information system: one synchronous step.

:func:`deliver_pending` goes once through the pending events of every given outbox (the
central database's and, when there is one, the offline journal's) and hands each due event to
a :class:`HisSender`. The kiosk's worker thread calls it every few seconds; ``kiosk-admin
outbox deliver`` calls it once; tests call it directly.

Rules:

- **In order per patient.** A patient's events go out in the order they were written. While
  one of them waits for a retry, is taken by another worker, or is a dead letter, the later
  ones wait too: a cancel never overtakes its check-in.
- **Retries with backoff.** A failed try is tried again after ``backoff_s`` doubled per
  attempt, at most ``backoff_max_s``.
- **Dead letters.** After ``max_attempts`` tries (or at once when the HIS refuses the event as
  it is, e.g. HTTP 400), the event is ``failed`` until ``kiosk-admin outbox retry ID``.
- **One sender at a time per event.** An event is claimed (its due time pushed out by a
  lease) before it is sent, so two kiosks sharing a database, or the worker and the CLI,
  never send it at once. A kiosk that dies mid-send leaves the event to be tried again when
  the lease runs out; receivers recognise the repeat by the event id.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from db.store.outbox import DeadLetter, OutboxCounts, OutboxItem
from kiosk.clock import Clock
from kiosk.config import HisSettings
from kiosk.ports import StoreError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SendResult:
    """What became of one try: taken, or not (``permanent``: retrying cannot help)."""

    ok: bool
    permanent: bool = False
    detail: str = ""


class HisSender(Protocol):
    """Puts one event into the HIS. Never raises."""

    def send(self, item: OutboxItem) -> SendResult: ...


class OutboxSource(Protocol):
    """One database's outbox table (``db.store.outbox.SqlOutbox``)."""

    name: str

    def counts(self) -> OutboxCounts: ...

    def pending(self, limit: int) -> tuple[list[OutboxItem], set[str]]: ...

    def claim(self, item: OutboxItem, now: datetime, lease_until: datetime) -> bool: ...

    def delivered(self, item_id: int, now: datetime) -> None: ...

    def failed_try(self, item_id: int, error: str, retry_at: datetime | None) -> None: ...

    def retry(self, item_id: int, now: datetime) -> bool: ...

    def dead_letters(self, limit: int = 20) -> list[DeadLetter]: ...


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently events are tried."""

    max_attempts: int = 10
    backoff_s: float = 5.0
    backoff_max_s: float = 600.0
    lease_s: float = 60.0

    @classmethod
    def from_settings(cls, his: HisSettings) -> RetryPolicy:
        # The lease outlasts a try that runs into its timeout, with room to spare.
        return cls(his.max_attempts, his.backoff_s, his.backoff_max_s, his.timeout_s * 2 + 30)

    def delay_after(self, attempts: int) -> timedelta:
        """The wait before the next try, after ``attempts`` failed ones."""
        seconds = self.backoff_s * 2 ** max(0, attempts - 1)
        return timedelta(seconds=min(seconds, self.backoff_max_s))


@dataclass(frozen=True)
class DeliveryReport:
    """What one pass did, and where the outboxes stand after it."""

    delivered: int = 0
    retried: int = 0  # failed tries that will be tried again
    dead: int = 0  # events that became dead letters in this pass
    waiting: int = 0  # pending events not tried in this pass (not due, or held behind)
    counts: OutboxCounts = field(default_factory=OutboxCounts)
    errors: tuple[str, ...] = ()  # outboxes that could not be read (e.g. central is down)


def deliver_pending(
    sources: Sequence[OutboxSource],
    sender: HisSender,
    clock: Clock,
    policy: RetryPolicy,
    *,
    limit: int = 200,
) -> DeliveryReport:
    """Try every due event of ``sources`` once, in order per patient; never raises.

    ``limit`` bounds the events read per outbox in one pass (the next pass takes the rest).
    """
    delivered = retried = dead = waiting = 0
    errors: list[str] = []
    total = OutboxCounts()
    for source in sources:
        try:
            items, held = source.pending(limit)
            for item in items:
                outcome = _deliver_one(
                    source, item, held, sender=sender, clock=clock, policy=policy
                )
                if outcome == "delivered":
                    delivered += 1
                elif outcome == "retry":
                    retried += 1
                elif outcome == "dead":
                    dead += 1
                else:
                    waiting += 1
            total += source.counts()
        except StoreError as error:
            log.warning("outbox of %s unavailable: %s", source.name, error)
            errors.append(f"{source.name}: {error}")
    return DeliveryReport(delivered, retried, dead, waiting, total, tuple(errors))


def _deliver_one(
    source: OutboxSource,
    item: OutboxItem,
    held: set[str],
    *,
    sender: HisSender,
    clock: Clock,
    policy: RetryPolicy,
) -> str:
    """One event: ``delivered``, ``retry``, ``dead`` or ``waiting``; ``held`` grows with the
    patients whose later events must wait."""
    if item.patient_key in held:
        return "waiting"
    now = clock.now()
    if item.next_attempt_at > now or not source.claim(
        item, now, now + timedelta(seconds=policy.lease_s)
    ):
        held.add(item.patient_key)
        return "waiting"
    result = sender.send(item)
    attempts = item.attempts + 1
    if result.ok:
        source.delivered(item.id, clock.now())
        return "delivered"
    held.add(item.patient_key)
    if result.permanent or attempts >= policy.max_attempts:
        log.error("outbox event %s gave up after %d tries: %s", item.id, attempts, result.detail)
        source.failed_try(item.id, result.detail, None)
        return "dead"
    log.warning("outbox event %s try %d failed: %s", item.id, attempts, result.detail)
    source.failed_try(item.id, result.detail, clock.now() + policy.delay_after(attempts))
    return "retry"
