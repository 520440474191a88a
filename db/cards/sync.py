"""Sync the card cache from the insurance feed, page by page, resumable at any moment.

Each page is applied together with the cursor after it in ONE transaction
(:meth:`db.store.SqlStore.apply_card_rows`), so a sync killed at any instant restarts from the
last committed page: no page is applied twice and none is skipped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from db.insurance.feed import FeedError, FeedPage, Rejected
from db.store import PageCounts, SyncState
from db.store.card_columns import CardValues, ValueForms

log = logging.getLogger(__name__)

SOURCE = "feed"


class SyncLimitError(FeedError):
    """A sync run stopped itself: the feed did not move on, or the run hit ``sync.max_pages``
    or ``sync.deadline_s``. Every page applied before stays applied, with its cursor."""


class CardFeed(Protocol):
    """Where pages come from (``db.insurance.feed.FeedClient`` in production)."""

    def pages(self, since: str, forms: ValueForms) -> Iterator[FeedPage]: ...


class SyncTarget(Protocol):
    """The parts of the store the sync uses (``db.store.SqlStore``)."""

    @property
    def card_forms(self) -> ValueForms: ...

    def apply_card_rows(
        self,
        source: str,
        rows: Sequence[CardValues],
        removals: Sequence[str],
        cursor: str,
    ) -> PageCounts: ...

    def get_sync_state(self, source: str) -> SyncState | None: ...

    def begin_bulk_load(self) -> bool: ...

    def end_bulk_load(self) -> bool: ...

    def abandon_bulk_load(self, source: str) -> None: ...

    def reset_sync(self, source: str) -> None: ...

    def mark_sync_success(self, source: str, at: datetime) -> None: ...


@dataclass(frozen=True)
class SyncProgress:
    """Where a running sync stands, for a progress bar or the admin screen."""

    records: int  # records read from the feed in this run (tombstones and rejects included)
    added: int
    updated: int
    removed: int
    rejected: int
    seconds: float
    has_more: bool
    last_rejects: tuple[Rejected, ...] = ()

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class SyncSummary:
    """What one sync run did."""

    added: int
    updated: int
    removed: int
    rejected: int
    seconds: float
    cancelled: bool = False

    def as_json(self) -> dict[str, int | float]:
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "rejected": self.rejected,
            "seconds": round(self.seconds, 3),
        }


def sync(
    store: SyncTarget,
    feed: CardFeed,
    *,
    full: bool = False,
    progress: Callable[[SyncProgress], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    source: str = SOURCE,
    clock: Callable[[], float] = time.monotonic,
    now: Callable[[], datetime] | None = None,
    bulk_load: bool = True,
    max_pages: int | None = None,
    deadline_s: float | None = None,
) -> SyncSummary:
    """Bring the cache up to date with the feed; ``full`` starts again from the beginning.

    Into an empty cache (and on resuming such a load after a kill) the store builds its
    secondary indexes once at the end instead of row by row (``bulk_load``; see
    :meth:`db.store.SqlStore.begin_bulk_load`); pages and cursors commit exactly as always.
    The indexes are built when the run stops for any reason but a kill.

    A run stops itself (:class:`SyncLimitError`) when a page says more follow but gives back the
    cursor it was asked with (the same page would come forever), after ``max_pages`` pages, or
    when ``deadline_s`` seconds (by ``clock``) have passed since it started: a feed that never
    ends must not keep the daily sync, and the database, busy forever.

    Raises :class:`db.insurance.http.InsuranceError` or :class:`kiosk.ports.StoreError`;
    every page applied before the failure stays applied, with its cursor.
    """
    started = clock()
    if full:
        store.reset_sync(source)
    bulk = bulk_load and store.begin_bulk_load()
    state = store.get_sync_state(source)
    since = (state.cursor or "") if state is not None else ""
    total = PageCounts()
    rejected = 0
    records = 0
    cancelled = False
    redo = False
    # The feed validates each record straight into the store's own tuples (no CardRecord).
    pages = feed.pages(since, store.card_forms)
    applied = 0
    try:
        for page in pages:
            _check_moves_on(page)
            counts = store.apply_card_rows(source, page.cards, page.removals, page.next_cursor)
            total += counts
            rejected += len(page.rejected)
            records += page.records
            applied += 1
            for reject in page.rejected[:5]:
                log.warning(
                    "feed record %s (number %d of the page after cursor %s) skipped: %s",
                    reject.key,
                    reject.position + 1,
                    _show(reject.cursor),
                    reject.reason,
                )
            if len(page.rejected) > 5:
                log.warning("... and %d more bad records in this page", len(page.rejected) - 5)
            if progress is not None:
                progress(
                    SyncProgress(
                        records,
                        total.added,
                        total.updated,
                        total.removed,
                        rejected,
                        clock() - started,
                        page.has_more,
                        tuple(page.rejected[:5]),
                    )
                )
            if cancel is not None and page.has_more and cancel():
                cancelled = True
                break
            if page.has_more:
                _check_limits(applied, max_pages, clock() - started, deadline_s)
    finally:
        close = getattr(pages, "close", None)
        if close is not None:
            close()
        if bulk and not store.end_bulk_load():
            # One card number on two BHXH numbers: only the change order (which the unique
            # index enforces page by page) can settle it, so load again the ordinary way.
            log.warning("the feed moves card numbers between cards: loading again with indexes")
            store.abandon_bulk_load(source)
            redo = not cancelled
    if redo:
        return sync(
            store,
            feed,
            progress=progress,
            cancel=cancel,
            source=source,
            clock=clock,
            now=now,
            bulk_load=False,
            max_pages=max_pages,
            deadline_s=None if deadline_s is None else max(0.0, deadline_s - (clock() - started)),
        )
    if not cancelled and now is not None:
        store.mark_sync_success(source, now())
    return SyncSummary(
        total.added, total.updated, total.removed, rejected, clock() - started, cancelled
    )


def _check_moves_on(page: FeedPage) -> None:
    if page.has_more and page.next_cursor == page.since:
        raise SyncLimitError(
            f"the feed gave back cursor {_show(page.since)} as the next one, with more to "
            "come: it is not moving on (sync stopped; ask the feed's operator)"
        )


def _check_limits(
    pages: int, max_pages: int | None, seconds: float, deadline_s: float | None
) -> None:
    if max_pages is not None and pages >= max_pages:
        raise SyncLimitError(
            f"sync stopped after {pages} pages (sync.max_pages); the pages applied are kept, "
            "and the next run goes on from there"
        )
    if deadline_s is not None and seconds >= deadline_s:
        raise SyncLimitError(
            f"sync stopped after {seconds:.0f} s (sync.deadline_s) and {pages} pages; the "
            "pages applied are kept, and the next run goes on from there"
        )


def _show(cursor: str) -> str:
    """A cursor for a one-line message: quoted, and cut when long."""
    return repr(cursor if len(cursor) <= 40 else cursor[:40] + "…") if cursor else "(start)"
