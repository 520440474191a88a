"""The card replica: a copy of central's card cache in a kiosk's offline journal.

An outage must not blind the kiosk: offline check-ins are decided against this copy. The copy
is brought up to date page by page, each page committed with its cursor (the same
:meth:`SqlStore.apply_card_page` the feed sync uses), so a refresh killed at any moment goes on
where it stopped.

Incremental on PostgreSQL: a trigger notes in ``card_changes`` the transaction that last wrote
or removed each card; a refresh copies the cards written by transactions from the oldest one
still running at the previous refresh on (a writer that commits late is never missed; a card
seen twice is simply written twice). On an SQLite central (tests, one-kiosk set-ups) every
refresh is a full pass.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

from sqlalchemy.exc import SQLAlchemyError

from db.store import PageCounts, SqlStore, describe_error
from db.store.open import open_journal
from kiosk.clock import Clock
from kiosk.config import Config
from kiosk.ports import StoreError

log = logging.getLogger(__name__)

SOURCE = "central-replica"  # the journal's sync_state row for the replica
_PAGE = 5000


@dataclass(frozen=True)
class ReplicaSummary:
    """What one refresh did; ``kiosk-admin replica refresh --json`` prints it."""

    mode: str  # "full" or "incremental"
    added: int
    updated: int
    removed: int
    cards: int  # cards in the replica afterwards

    def as_json(self) -> dict[str, object]:
        return asdict(self)


def refresh_replica(central: SqlStore, journal: SqlStore, clock: Clock) -> ReplicaSummary:
    """Bring the journal's card replica up to date from central; raises StoreError."""
    try:
        state = journal.get_sync_state(SOURCE)
        cursor = state.cursor if state is not None else None
        server = central.keeps_card_changes
        if server and cursor is not None and cursor.startswith("xid:"):
            counts, mode = _incremental(central, journal, int(cursor[4:])), "incremental"
        else:
            counts, mode = _full(central, journal, cursor if cursor else None, server), "full"
        journal.mark_sync_success(SOURCE, clock.now())
        total = journal.count_cards()
    except SQLAlchemyError as error:
        raise StoreError(describe_error(error)) from error
    return ReplicaSummary(mode, counts.added, counts.updated, counts.removed, total)


def _full(central: SqlStore, journal: SqlStore, cursor: str | None, server: bool) -> PageCounts:
    """Copy every card in key order; a pass cut short resumes after its last page."""
    if cursor is not None and cursor.startswith("full:"):
        _, start, after = cursor.split(":", 2)
    else:
        after = ""
        oldest = central.oldest_running_transaction() if server else None
        start = str(oldest) if oldest is not None else "-"
    total = PageCounts()
    while True:
        page = central.card_page(after, _PAGE)
        last = page[-1].bhxh_number if len(page) == _PAGE else None
        present = {card.bhxh_number for card in page}
        gone = [key for key in journal.card_keys(after, last) if key not in present]
        if last is None:  # the last page: the pass is done
            done = f"xid:{start}" if server else "done"
            total += journal.apply_card_page(SOURCE, page, gone, done)
            return total
        total += journal.apply_card_page(SOURCE, page, gone, f"full:{start}:{last}")
        after = last


def _incremental(central: SqlStore, journal: SqlStore, since: int) -> PageCounts:
    """Copy the cards written since transaction ``since``, in pages of keys."""
    upto = central.oldest_running_transaction()
    total = PageCounts()
    after = ""
    while True:
        keys, page = central.changed_cards(since, after, _PAGE)
        present = {card.bhxh_number for card in page}
        gone = [key for key in keys if key not in present]
        if len(keys) < _PAGE:
            total += journal.apply_card_page(SOURCE, page, gone, f"xid:{upto}")
            return total
        # Mid-pass pages keep the old cursor: a pass cut short starts again (writes are
        # idempotent), and only a finished one moves on.
        total += journal.apply_card_page(SOURCE, page, gone, f"xid:{since}")
        after = keys[-1]


def refresh_configured_replica(
    config: Config, central: SqlStore, clock: Clock
) -> ReplicaSummary | None:
    """Refresh this kiosk's replica from ``central`` when it keeps a journal (else None).

    Called after ``kiosk-admin sync`` and ``import`` wrote to a central database.
    """
    journal = open_journal(config, clock)
    if journal is None:
        return None
    try:
        return refresh_replica(central, journal, clock)
    finally:
        journal.dispose()


def refresh_after_cards_changed(config: Config, central: SqlStore, clock: Clock) -> None:
    """The replica refresh after a sync or an import: a failure is only a warning (the cards
    went in; the replica catches up at the next refresh)."""
    try:
        refresh_configured_replica(config, central, clock)
    except StoreError as error:
        log.warning("card replica not refreshed: %s", error)
