"""The database half of a kiosk's health: its state and what its two stores hold for it.

One function, :func:`stores_health`, for both readers: the running kiosk's ``status.json``
and register row (``ui/admin_tools.build_health``) and ``kiosk-admin status``, so the two say
the same ``state``, ``offline_pending``, ``held`` and outbox backlogs. A store that cannot be
read says so in ``problems`` instead of failing the whole look.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from db.store import SqlStore, StoreStatus
from db.store.journal import held_count, pending_count
from kiosk.health import DOWN, OFFLINE, kiosk_state
from kiosk.model import CheckIn
from kiosk.ports import StoreError

# How far back "this kiosk's last check-in" is looked for (keeps the query on a day index).
LAST_CHECKIN_DAYS = 31


@dataclass(frozen=True)
class StoresHealth:
    """What central and the journal say about this kiosk."""

    state: str
    database: str  # "central", "offline" (the journal numbers) or "unavailable"
    status: StoreStatus | None  # central's figures; None when central did not answer
    offline_pending: int | None
    held: int | None
    outbox_pending: int | None
    outbox_failed: int | None
    journal_outbox_pending: int | None
    journal_outbox_failed: int | None
    cache_age_h: float | None
    last_checkin: CheckIn | None  # this kiosk's own
    problems: tuple[str, ...]

    @property
    def printer(self) -> str:
        """How this kiosk's last slip went ("unknown" before its first check-in)."""
        return self.last_checkin.print_state.value if self.last_checkin else "unknown"


def stores_health(
    *,
    kiosk_id: str,
    central: SqlStore | None,
    journal: SqlStore | None,
    now: datetime,
    serving: bool | None = None,
    numbering_stopped: bool = False,
) -> StoresHealth:
    """One look at central (None: it could not be opened) and the journal (None: a kiosk
    without one). ``serving``: whether the kiosk's store sends check-ins to central now (the
    running kiosk's failover); None, as ``kiosk-admin status`` sees it: central answers and the
    journal has nothing left to replay. ``numbering_stopped``: the register gave this kiosk's
    offline prefix to another kiosk."""
    problems: list[str] = []
    status = None
    outbox: tuple[int, int] | None = None
    if central is not None:
        try:
            status = central.status(now)
            if central.outbox.enabled:
                counts = central.outbox.counts()
                outbox = (counts.pending, counts.stuck)
        except StoreError as error:
            status = None
            problems.append(f"central database: {error}")
    pending = held = None
    journal_outbox: tuple[int, int] | None = None
    journal_ok = False
    if journal is not None:
        try:
            pending, held = pending_count(journal), held_count(journal)
            if journal.outbox.enabled:
                counts = journal.outbox.counts()
                journal_outbox = (counts.pending, counts.stuck)
            journal_ok = True
        except StoreError as error:
            problems.append(f"offline journal: {error}")
    answers = status is not None
    takes = answers and (serving if serving is not None else not pending)
    state = kiosk_state(
        central=takes,
        journal=journal_ok,
        numbering_stopped=numbering_stopped,
        held=held or 0,
    )
    database = "offline" if state == OFFLINE else "unavailable" if state == DOWN else "central"
    return StoresHealth(
        state=state,
        database=database,
        status=status,
        offline_pending=pending,
        held=held,
        outbox_pending=outbox[0] if outbox else None,
        outbox_failed=outbox[1] if outbox else None,
        journal_outbox_pending=journal_outbox[0] if journal_outbox else None,
        journal_outbox_failed=journal_outbox[1] if journal_outbox else None,
        cache_age_h=_cache_age(status, journal, now),
        last_checkin=_own_last(kiosk_id, central if answers else None, journal, now, problems),
        problems=tuple(problems),
    )


def _cache_age(status: StoreStatus | None, journal: SqlStore | None, now: datetime) -> float | None:
    """Hours since the card cache the kiosk checks against was synced: central's, else the
    journal's replica."""
    last = status.last_sync if status is not None else None
    if status is None and journal is not None:
        try:
            last = journal.status(now).last_sync
        except StoreError:
            last = None
    return round((now - last).total_seconds() / 3600, 2) if last is not None else None


def _own_last(
    kiosk_id: str,
    central: SqlStore | None,
    journal: SqlStore | None,
    now: datetime,
    problems: list[str],
) -> CheckIn | None:
    """This kiosk's latest check-in: central's or the journal's (numbered offline), the newer."""
    found: list[CheckIn] = []
    for store in (central, journal):
        if store is None:
            continue
        since = store.today(now) - timedelta(days=LAST_CHECKIN_DAYS)
        try:
            latest = store.last_checkin_of(kiosk_id, since)
        except StoreError as error:
            problems.append(f"last check-in: {error}")
            continue
        if latest is not None:
            found.append(latest)
    return max(found, key=lambda c: c.created_at, default=None)
