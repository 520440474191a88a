"""Delivery of outbox events to the hospital information system: one synchronous step.

:func:`deliver_pending` goes once through the pending events of every given outbox (the
central database's and, when there is one, the offline journal's) and hands each due event to
a :class:`HisSender`. The kiosk's worker thread calls it every few seconds; ``kiosk-admin
outbox deliver`` calls it once; tests call it directly.

Rules:

- **In order per patient.** A patient's events go out in the order they were written. While
  one of them waits for a retry, is taken by another worker, or is a dead letter, the later
  ones wait too: a cancel never overtakes its check-in. Across the outboxes of one pass (a
  kiosk's central and journal) the events are merged by when they happened, each outbox kept
  in its own order, and a patient held back in one is held back in all. (The replay hands a
  journal's undelivered events to central's outbox, so whoever delivers central's outbox
  sends a replayed check-in's events before a later cancel: ``db.store.journal``.)
- **Retries with backoff.** A failed try is tried again after ``backoff_s`` doubled per
  attempt, at most ``backoff_max_s``.
- **Dead letters.** After ``max_attempts`` tries (or at once when the HIS refuses the event as
  it is, e.g. HTTP 400), the event is ``failed`` until ``kiosk-admin outbox retry ID``.
- **One sender at a time per event.** An event is claimed (its due time pushed out by a
  lease) before it is sent, so two kiosks sharing a database, or the worker and the CLI,
  never send it at once. The lease always outlasts the sender's total deadline
  (:func:`lease_for`), so a slow HIS cannot make a second worker send it again. A kiosk that
  dies mid-send leaves the event to be tried again when the lease runs out; receivers
  recognise the repeat by the event id.
- **Patients the HIS cannot match wait.** An event whose patient has no stable number (no
  CCCD, no BHXH number) is set aside as ``needs_identity`` rather than creating a new patient
  record in the HIS each time; reception completes it, and ``kiosk-admin outbox retry ID``
  puts it back in line.
"""

from __future__ import annotations

import heapq
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


LEASE_MARGIN_S = 30.0  # how much longer than a send's deadline an event stays claimed


class NeedsIdentityError(Exception):
    """The event's patient has no number the HIS can match on: it waits for reception."""


@dataclass(frozen=True)
class SendResult:
    """What became of one try: taken, or not (``permanent``: retrying cannot help;
    ``needs_identity``: the patient must be identified first). ``detail`` is in our own
    words (never the HIS's body); ``receipt`` is what the HIS answered that is worth keeping
    (a FHIR server's ids and versions, as JSON)."""

    ok: bool
    permanent: bool = False
    detail: str = ""
    receipt: str | None = None
    needs_identity: bool = False


class HisSender(Protocol):
    """Puts one event into the HIS. Never raises, and returns within ``deadline_s``."""

    @property
    def deadline_s(self) -> float: ...

    def send(self, item: OutboxItem) -> SendResult: ...


class OutboxSource(Protocol):
    """One database's outbox table (``db.store.outbox.SqlOutbox``)."""

    name: str

    def counts(self) -> OutboxCounts: ...

    def pending(self, limit: int) -> tuple[list[OutboxItem], set[str]]: ...

    def claim(self, item: OutboxItem, now: datetime, lease_until: datetime) -> bool: ...

    def delivered(self, item_id: int, now: datetime, receipt: str | None = None) -> None: ...

    def set_aside(self, item_id: int, reason: str) -> None: ...

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
        # The lease outlasts a try that runs into its deadline, with room to spare.
        return cls(
            his.max_attempts, his.backoff_s, his.backoff_max_s, his.timeout_s + LEASE_MARGIN_S
        )

    def lease_for(self, sender: HisSender) -> float:
        """Seconds an event stays claimed: the policy's lease, or longer when ``sender``'s
        deadline needs it (a second worker must never send an event still being sent)."""
        return max(self.lease_s, sender.deadline_s + LEASE_MARGIN_S)

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
    lists, held, cut = _read(sources, limit, errors)
    readable = {index for index, _ in lists}
    broken: set[int] = set()
    # heapq.merge takes from the head of each list: every outbox keeps its own order
    merged = heapq.merge(*(items for _, items in lists), key=lambda pair: _moment(pair[1]))
    for index, item in merged:
        if index in broken or (cut is not None and _moment(item) > cut):
            waiting += 1
            continue
        try:
            outcome = _deliver_one(
                sources[index], item, held, sender=sender, clock=clock, policy=policy
            )
        except StoreError as error:
            _unavailable(sources[index], error, errors)
            broken.add(index)
            continue
        if outcome == "delivered":
            delivered += 1
        elif outcome == "retry":
            retried += 1
        elif outcome == "dead":
            dead += 1
        else:
            waiting += 1
    total = OutboxCounts()
    for index, source in enumerate(sources):
        if index in broken or index not in readable:
            continue
        try:
            total += source.counts()
        except StoreError as error:
            _unavailable(source, error, errors)
    return DeliveryReport(delivered, retried, dead, waiting, total, tuple(errors))


_Lists = list[tuple[int, list[tuple[int, OutboxItem]]]]


def _read(
    sources: Sequence[OutboxSource], limit: int, errors: list[str]
) -> tuple[_Lists, set[str], datetime | None]:
    """Each readable outbox's pending events (by the outbox's index, each in its order), the
    patients held back in any of them, and the moment past which an outbox read only in part
    (``limit`` events) may hide earlier events than the others': those wait for a next pass."""
    lists: _Lists = []
    held: set[str] = set()
    cut: datetime | None = None
    for index, source in enumerate(sources):
        try:
            items, stuck = source.pending(limit)
        except StoreError as error:
            _unavailable(source, error, errors)
            continue
        held |= stuck
        lists.append((index, [(index, item) for item in items]))
        if items and len(items) >= limit:
            last = _moment(items[-1])
            cut = last if cut is None else min(cut, last)
    return lists, held, cut


def _moment(item: OutboxItem) -> datetime:
    """When the event happened (its first due time for an item read without it)."""
    return item.created_at or item.next_attempt_at


def _unavailable(source: OutboxSource, error: StoreError, errors: list[str]) -> None:
    log.warning("outbox of %s unavailable: %s", source.name, error)
    errors.append(f"{source.name}: {error}")


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
        item, now, now + timedelta(seconds=policy.lease_for(sender))
    ):
        held.add(item.patient_key)
        return "waiting"
    result = sender.send(item)
    attempts = item.attempts + 1
    if result.ok:
        source.delivered(item.id, clock.now(), result.receipt)
        return "delivered"
    held.add(item.patient_key)
    if result.needs_identity:
        log.warning("outbox event %s waits for reception: %s", item.id, result.detail)
        source.set_aside(item.id, result.detail)
        return "dead"
    if result.permanent or attempts >= policy.max_attempts:
        log.error("outbox event %s gave up after %d tries: %s", item.id, attempts, result.detail)
        source.failed_try(item.id, result.detail, None)
        return "dead"
    log.warning("outbox event %s try %d failed: %s", item.id, attempts, result.detail)
    source.failed_try(item.id, result.detail, clock.now() + policy.delay_after(attempts))
    return "retry"
