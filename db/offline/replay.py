"""Replay: hand the journal's own check-ins to central once central is back.

Each goes in with its id, label and audit rows in one transaction, keyed by its idempotency
key (:func:`db.store.journal.replay_checkin`), so a replay killed at any moment and run again
never doubles nor loses one. :class:`ReplayLoop` probes central in the background with backoff
and replays.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from db.offline.failover import FailoverStore
from db.offline.loop_thread import start_loop_thread
from db.store import SqlStore, describe_error
from db.store.journal import (
    ALIASED,
    ALREADY,
    COLLIDED,
    FLAGGED,
    PendingCheckIn,
    mark_held,
    mark_replayed,
    pending_checkins,
    replay_checkin,
)
from db.store.migrate import needs_upgrade, upgrade
from kiosk.clock import Clock
from kiosk.ports import RecordRefusedError, StoreError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReplaySummary:
    """What one replay did: ``kiosk-admin replay --json`` prints the four counts."""

    replayed: int = 0
    already: int = 0
    failed: int = 0
    held: int = 0  # refused by central for their data this time: set aside, the line goes on
    flagged: tuple[str, ...] = ()  # labels of check-ins flagged for reception
    problems: tuple[str, ...] = ()  # one line per failure of central, in our words
    # labels another kiosk had put in central for the same clinic and day: both flagged
    collided: tuple[str, ...] = ()
    # "A-1 = 12": offline labels central already held under its own number (a lost reply),
    # kept as that number's alias
    aliased: tuple[str, ...] = ()

    def as_json(self) -> dict[str, int]:
        return {
            "replayed": self.replayed,
            "already": self.already,
            "failed": self.failed,
            "held": self.held,
        }


#: A named fault point for the crash tests (None in the product): called with the point's
#: name and the check-in. ``"between"`` is between the two steps of one check-in (central's
#: commit and the journal's note), whichever order they are in.
fault_point: Callable[[str, PendingCheckIn], None] | None = None


def _fault(point: str, item: PendingCheckIn) -> None:
    if fault_point is not None:
        fault_point(point, item)


def replay(central: SqlStore, journal: SqlStore, clock: Clock) -> ReplaySummary:
    """Hand every pending journal check-in to central, each exactly once.

    Central first, then the journal's note: a replay cut short between the two finds the
    check-in in central by its idempotency key next time and counts it as ``already``.
    A check-in central refuses for its data is set aside as ``held`` (with the reason in our
    words) and the replay goes on with the next. Raises :class:`StoreError` when the journal
    cannot be read; an outage of central counts the rest as failed and stops.
    """
    replayed_n = already = failed = held = 0
    flagged: list[str] = []
    collided: list[str] = []
    aliased: list[str] = []
    problems: list[str] = []
    items = pending_checkins(journal)
    for index, item in enumerate(items):
        named = f"{item.checkin.label} (check-in {item.checkin.id})"
        try:
            result = replay_checkin(central, item)
        except RecordRefusedError as error:
            held += 1
            mark_held(journal, item.checkin, str(error), clock.now())
            log.error("replay: held %s for reception: %s", named, error)
            continue
        except StoreError as error:
            failed += len(items) - index
            problems.append(f"central database: {error}")
            break
        _fault("between", item)
        try:
            handed = [str(e["event_id"]) for e in item.events]
            mark_replayed(journal, item.checkin, result, clock.now(), handed)
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error
        if result in (ALREADY, ALIASED):
            already += 1
        else:
            replayed_n += 1
        if result == ALIASED:
            aliased.append(item.checkin.label)
            log.warning(
                "replay: %s was in central already as another number; its slip's label is kept"
                " as that number's alias (check-in %s)",
                item.checkin.label,
                item.checkin.id,
            )
        elif result == COLLIDED:
            collided.append(item.checkin.label)
            log.error(
                "replay: %s %s was printed by another kiosk too (same offline prefix): both"
                " kept and flagged for reception (check-in %s)",
                item.checkin.clinic_code,
                item.checkin.label,
                item.checkin.id,
            )
        elif result == FLAGGED:
            flagged.append(item.checkin.label)
            log.warning(
                "replayed %s %s: the card checked in at another kiosk meanwhile",
                item.checkin.clinic_code,
                item.checkin.label,
            )
    return ReplaySummary(
        replayed_n,
        already,
        failed,
        held,
        tuple(flagged),
        tuple(problems),
        tuple(collided),
        tuple(aliased),
    )


def reach_central(central: SqlStore) -> None:
    """Raise :class:`StoreError` unless central answers; bring its schema up to date (a kiosk
    started while central was down has not migrated it)."""
    try:
        if needs_upgrade(central.engine):
            upgrade(central.engine)
    except SQLAlchemyError as error:
        raise StoreError(describe_error(error)) from error


# -- back online in the background -------------------------------------------------------------

#: The replay loop's waits, in seconds: the first back-off, the longest one, and the pause
#: while online with nothing to replay. The longest back-off bounds how long a kiosk stays
#: offline once central is back (a try just missed waits one whole back-off): with 30 s, a
#: kiosk is online within a minute of the end of any outage; it once was 300 s, and after a
#: run of outages a kiosk stayed offline for minutes with central up.
FIRST_WAIT_S = 5.0
MAX_WAIT_S = 30.0
IDLE_WAIT_S = 30.0


class ReplayLoop:
    """Brings a kiosk back to central: probe with backoff, replay the journal, go online.

    :meth:`step` is synchronous and returns the seconds to wait before the next one; a thread
    shell (:meth:`run`) calls it until told to stop. The first step also refreshes the card
    replica, so a kiosk started while central answers has today's cards when it stops.
    """

    def __init__(
        self,
        store: FailoverStore,
        clock: Clock,
        *,
        refresh: Callable[[], object] | None = None,
        first_wait_s: float = FIRST_WAIT_S,
        max_wait_s: float = MAX_WAIT_S,
        idle_wait_s: float = IDLE_WAIT_S,
    ) -> None:
        self._store = store
        self._clock = clock
        self._refresh = refresh
        self._first = first_wait_s
        self._max = max_wait_s
        self._idle = idle_wait_s
        self._wait = first_wait_s
        self.last: ReplaySummary | None = None

    def step(self) -> float:
        """One attempt; returns how long to wait before the next."""
        if self._refresh is not None:
            try:
                self._refresh()
                self._refresh = None
            except StoreError as error:
                log.warning("card replica not refreshed: %s", error)
        self._store.copies.flush()  # copies the journal refused (a full disk), again
        try:
            if self._store.online and self._store.pending() == 0:
                self._wait = self._first
                return self._idle
            reach_central(self._store.central)
            summary = replay(self._store.central, self._store.journal, self._clock)
        except StoreError as error:
            log.warning("journal replay not possible now: %s", error)
            return self._backoff()
        self.last = summary
        if summary.replayed or summary.already:
            log.warning(
                "journal replayed: %d in, %d already there, %d failed",
                summary.replayed,
                summary.already,
                summary.failed,
            )
        if summary.failed:  # an outage (held ones are logged by replay() and do not stop it)
            for problem in summary.problems:
                log.error("replay: %s", problem)
            return self._backoff()
        self._store.set_online(True)
        self._wait = self._first
        return self._idle

    def _backoff(self) -> float:
        wait = self._wait
        self._wait = min(self._wait * 2, self._max)
        return wait

    def run(self, stop: threading.Event) -> None:
        """Step until ``stop`` is set (the body of a background thread)."""
        delay = 0.0
        while not stop.wait(delay):
            try:
                delay = self.step()
            except Exception:  # the loop must outlive any one bad step
                log.exception("replay loop step failed")
                delay = self._backoff()


def start_replay_thread(
    store: FailoverStore, clock: Clock, *, refresh: Callable[[], object] | None = None
) -> Callable[[], None]:
    """Run a :class:`ReplayLoop` on a daemon thread; returns the function that stops it (and
    closes the journal)."""
    stop_loop = start_loop_thread(ReplayLoop(store, clock, refresh=refresh).run, "journal-replay")

    def close() -> None:
        stop_loop()
        store.journal.dispose()

    return close
