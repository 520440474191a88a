"""The card cache: look-ups, bulk writes (import, sync pages), the first load of an empty
cache, and where each sync source stands.

Bulk card writes bypass per-row ORM work: rows become plain tuples
(:class:`db.store.card_columns.CardRow`) and go to the driver's ``executemany`` as one
upsert statement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import Connection, delete, func, select
from sqlalchemy.exc import IntegrityError

from db.errors import store_errors
from db.models import card_changes, cards, sync_state
from db.store.card_columns import SERVER_ROW, CardValues, ValueForms
from db.store.database import Database
from db.store.dialect import CODE_COLUMNS, IN_CHUNK, card_select
from db.tally import Counts
from kiosk.model import CardRecord
from kiosk.ports import StoreError

#: The kill tests' named point (None in the product): called with ``"page_written"`` once a
#: sync page and its cursor are written, before their one transaction commits.
fault_point: Callable[[str], None] | None = None

T = TypeVar("T")


class CardConflictError(StoreError):
    """A batch of cards broke a uniqueness rule (e.g. one card number on two BHXH numbers).

    The batch was rolled back; the database is fine and later batches can go ahead.
    """


@dataclass(frozen=True)
class PageCounts(Counts):
    """What one page (or batch) of cards did to the cache."""

    added: int = 0
    updated: int = 0
    removed: int = 0


@dataclass(frozen=True)
class SyncState:
    """Where the sync from one source stands: resume ``cursor`` and totals since the reset."""

    source: str
    cursor: str | None
    last_success: datetime | None  # UTC
    added: int
    updated: int
    removed: int


_bhxh_of = itemgetter(0)  # a card row's BHXH number (the key), without a Python call per row
# Built after the first load of an empty cache rather than during it (begin_bulk_load).
_BULK_INDEXES = tuple(
    index for index in cards.indexes if index.name in ("uq_cards_card_number", "ix_cards_id_number")
)


def _chunks(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class CardStore(Database):
    """The card cache and the sync state (the ``CardCache`` port and what the sync needs)."""

    def find_card(self, code: str) -> CardRecord | None:
        """The card for a 15-char card number, 10-digit BHXH number or 12-digit CCCD number."""
        code = code.strip().upper()
        if len(code) not in CODE_COLUMNS:
            return None
        return self._once_more(lambda: self._dialect.find_card(self._engine, code))

    def save_card(self, card: CardRecord) -> None:
        """Insert or update one card (after an online check), keyed by its BHXH number."""
        self.upsert_cards([card])

    @property
    def card_forms(self) -> ValueForms:
        """The value forms this store's driver takes: validate rows into these
        (``db.cards.rows.card_values``) and hand them to :meth:`upsert_card_rows` or
        :meth:`apply_card_rows`."""
        return self._dialect.card_row.forms

    def _upsert(
        self, conn: Connection, rows: Sequence[CardValues], *, split: bool = False
    ) -> PageCounts:
        if not rows:
            return PageCounts()
        keys = len({row[0] for row in rows})
        added = self._dialect.upsert(conn, rows, split=split)
        return PageCounts(added=added, updated=keys - added)

    def _upsert_in_key_order(self, conn: Connection, rows: Sequence[CardValues]) -> PageCounts:
        """:meth:`_upsert` with the rows sorted by BHXH number: the primary key's B-tree is then
        written page after page instead of at random (about 15 % faster at a million cards).

        The sort is stable, so repeats of one card keep their order (the last still wins). On
        SQLite updated cards get their card number and CCCD in a second statement, and only when
        they change (their indexes are then left alone). Either change can meet a card-number
        conflict that the plain upsert in the given order avoids (a number passed from one card
        to another inside the batch), so on a conflict the batch runs again that way, which is
        the one that decides; success the fast way implies success that way, with the same
        result (every state it passes through holds a subset of the same numbers).
        """
        ordered = sorted(rows, key=_bhxh_of)
        try:
            with conn.begin_nested():
                return self._upsert(conn, ordered, split=True)
        except IntegrityError:
            return self._upsert(conn, rows)

    def _take_over_numbers(
        self, conn: Connection, rows: Sequence[CardValues]
    ) -> tuple[list[CardValues], int]:
        """Make way for the feed: a card number it gives to a BHXH number leaves any other.

        Returns the rows without those whose number a later row of the same batch claims, and
        how many stale cards were deleted. Without this one odd record would make the page
        fail, and the sync would stop at the same cursor forever.
        """
        owner = {row[1]: row[0] for row in rows}  # card number -> BHXH number, the last wins
        kept = [row for row in rows if owner[row[1]] == row[0]]
        stale: list[str] = []
        for chunk in _chunks(list(owner)):
            found = conn.execute(
                select(cards.c.bhxh_number, cards.c.card_number).where(
                    cards.c.card_number.in_(chunk)
                )
            )
            stale.extend(bhxh for bhxh, number in found if owner[number] != bhxh)
        return kept, self._remove(conn, stale) if stale else 0

    def _remove(self, conn: Connection, codes: Sequence[str]) -> int:
        removed = 0
        for chunk in _chunks(list(codes)):
            numbers = [c for c in chunk if len(c) == 15]
            keys = [c for c in chunk if len(c) != 15]
            if keys:
                removed += conn.execute(delete(cards).where(cards.c.bhxh_number.in_(keys))).rowcount
            if numbers:
                removed += conn.execute(
                    delete(cards).where(cards.c.card_number.in_(numbers))
                ).rowcount
        return removed

    def upsert_cards(self, batch: Sequence[CardRecord]) -> PageCounts:
        """Insert or update a batch of cards in ONE transaction (all or nothing)."""
        encode = self._dialect.card_row.encode
        return self.upsert_card_rows([encode(card) for card in batch])

    def upsert_card_rows(self, rows: Sequence[CardValues]) -> PageCounts:
        """:meth:`upsert_cards` for rows already validated into :attr:`card_forms`."""
        with self._writing(conflict=CardConflictError) as conn:
            return self._upsert_in_key_order(conn, rows)

    def import_cards(self, records: Iterable[CardRecord], batch_size: int = 5000) -> PageCounts:
        """Upsert a stream of cards, one transaction per ``batch_size`` cards."""
        total = PageCounts()
        batch: list[CardValues] = []
        encode = self._dialect.card_row.encode
        for card in records:
            batch.append(encode(card))
            if len(batch) >= batch_size:
                total += self.upsert_card_rows(batch)
                batch = []
        if batch:
            total += self.upsert_card_rows(batch)
        return total

    def apply_card_page(
        self, source: str, cards_page: Sequence[CardRecord], removals: Sequence[str], cursor: str
    ) -> PageCounts:
        """Apply one sync page and advance the source's cursor in ONE transaction.

        A sync killed at any moment resumes from the cursor of the last page that committed:
        no page is applied twice, none is skipped. ``removals`` are BHXH numbers (10 digits)
        or 15-character card numbers.
        """
        encode = self._dialect.card_row.encode
        return self.apply_card_rows(source, [encode(card) for card in cards_page], removals, cursor)

    def apply_card_rows(
        self, source: str, rows: Sequence[CardValues], removals: Sequence[str], cursor: str
    ) -> PageCounts:
        """:meth:`apply_card_page` for rows already validated into :attr:`card_forms`, in
        change order (the last claim of a card number wins)."""
        with self._writing() as conn:
            displaced = 0
            try:
                with conn.begin_nested():  # a savepoint: the common case pays nothing
                    counts = self._upsert_in_key_order(conn, rows)
            except IntegrityError:
                kept, displaced = self._take_over_numbers(conn, rows)
                counts = self._upsert_in_key_order(conn, kept)
            counts = PageCounts(
                counts.added, counts.updated, displaced + self._remove(conn, removals)
            )
            stmt = self._dialect.insert(sync_state).values(
                source=source,
                cursor=cursor,
                added=counts.added,
                updated=counts.updated,
                removed=counts.removed,
            )
            stmt = stmt.on_conflict_do_update(
                index_elements=["source"],
                set_={
                    "cursor": cursor,
                    "added": sync_state.c.added + counts.added,
                    "updated": sync_state.c.updated + counts.updated,
                    "removed": sync_state.c.removed + counts.removed,
                },
            )
            conn.execute(stmt)
            if fault_point is not None:
                fault_point("page_written")
            return counts

    # -- the first load of an empty cache (SQLite) -----------------------------------------

    def begin_bulk_load(self) -> bool:
        """Get an EMPTY card cache ready for a fast first load; True when the load should go on
        in bulk mode (then call :meth:`end_bulk_load` when it stops).

        The card-number and CCCD indexes are dropped, to be built once, sorted, at the end
        instead of updated row by row at random keys (a full sync of a million cards is then
        about 1.5 times faster). Nothing else changes: every page still commits with its cursor.
        SQLite only. A cache that holds any card (or a server database) answers False and is
        left alone. Indexes already missing mean an earlier load was killed: it goes on.
        """
        if not self._dialect.bulk_load:
            return False
        with self._writing() as conn:
            present = self._bulk_index_names(conn)
            if not present:
                return True
            if conn.exec_driver_sql("SELECT 1 FROM cards LIMIT 1").first() is not None:
                return False
            for index in _BULK_INDEXES:
                if index.name in present:
                    index.drop(conn)
        return True

    def end_bulk_load(self) -> bool:
        """Build the indexes :meth:`begin_bulk_load` dropped (one transaction); True when done.

        False, with the indexes still missing, when the loaded cards give one card number to
        two BHXH numbers: only the feed's change order can say which keeps it (see
        :meth:`apply_card_rows`), so the caller throws the load away
        (:meth:`abandon_bulk_load`) and syncs again the ordinary way.
        """
        try:
            with self._writing(conflict=CardConflictError) as conn:
                self._rebuild_bulk_indexes(conn)
        except CardConflictError:
            return False
        return True

    def abandon_bulk_load(self, source: str) -> None:
        """Empty the cache again, forget ``source``'s cursor and rebuild the indexes (one
        transaction): the state before :meth:`begin_bulk_load`."""
        with self._writing() as conn:
            conn.execute(delete(cards))
            conn.execute(delete(sync_state).where(sync_state.c.source == source))
            self._rebuild_bulk_indexes(conn)

    def finish_killed_bulk_load(self, source: str = "feed") -> str | None:
        """Build the indexes a first load killed part-way left dropped; None when none was.

        Without them a lookup by card or CCCD number scans the whole table and nothing stops
        two cards sharing a card number, so every start but a sync's (which resumes the fast
        load) calls this. When the cards loaded so far give one card number to two BHXH
        numbers, the load is thrown away (:meth:`abandon_bulk_load`): only the feed's change
        order can settle that, and the next sync loads again from the start. Returns what
        was done, for the log.
        """
        if not self._dialect.bulk_load:
            return None
        with self._reading() as conn:
            if len(self._bulk_index_names(conn)) == len(_BULK_INDEXES):
                return None
        if self.end_bulk_load():
            return "rebuilt the card indexes an interrupted first load had dropped"
        self.abandon_bulk_load(source)
        return (
            "an interrupted first load gave one card number to two cards: the cache was "
            "emptied and the next sync loads it again"
        )

    def _bulk_index_names(self, conn: Connection) -> set[str]:
        rows = conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cards'"
        )
        names = {name for (name,) in rows}
        return {str(index.name) for index in _BULK_INDEXES if index.name in names}

    def _rebuild_bulk_indexes(self, conn: Connection) -> None:
        present = self._bulk_index_names(conn)
        for index in _BULK_INDEXES:
            if index.name not in present:
                index.create(conn)

    # -- sync state -------------------------------------------------------------------------

    def get_sync_state(self, source: str) -> SyncState | None:
        """The sync state of ``source``, or None when it never synced (or was reset)."""
        with self._reading() as conn:
            row = conn.execute(select(sync_state).where(sync_state.c.source == source)).first()
        return SyncState(**row._mapping) if row is not None else None

    def mark_sync_success(self, source: str, at: datetime) -> None:
        """Record that a full pass over ``source`` finished at ``at`` (UTC)."""
        stmt = self._dialect.insert(sync_state).values(source=source, cursor=None, last_success=at)
        with self._writing() as conn:
            conn.execute(
                stmt.on_conflict_do_update(index_elements=["source"], set_={"last_success": at})
            )

    def reset_sync(self, source: str) -> None:
        """Forget the cursor and totals of ``source`` (the next sync starts from the top)."""
        with self._writing() as conn:
            conn.execute(delete(sync_state).where(sync_state.c.source == source))

    def count_cards(self) -> int:
        return int(self._scalar(select(func.count()).select_from(cards)))

    # -- the card replica's reads (db.offline.replica) --------------------------------------

    @property
    def keeps_card_changes(self) -> bool:
        """Whether writes to cards are logged in ``card_changes`` (PostgreSQL), so a replica
        can be refreshed incrementally."""
        return self._dialect.card_changes_log

    def oldest_running_transaction(self) -> int | None:
        """The oldest transaction still running on the server (every older one has ended), or
        None when this database keeps no ``card_changes`` log (SQLite)."""
        with store_errors():
            return self._dialect.oldest_running_transaction(self._engine)

    def card_page(self, after: str, limit: int) -> list[CardRecord]:
        """Up to ``limit`` cards whose key follows ``after``, in key order."""
        with self._reading() as conn:
            rows = conn.execute(
                card_select()
                .where(cards.c.bhxh_number > after)
                .order_by(cards.c.bhxh_number)
                .limit(limit)
            ).all()
        return [SERVER_ROW.decode(row) for row in rows]

    def card_keys(self, after: str, upto: str | None) -> list[str]:
        """The keys of the cards after ``after`` up to ``upto`` (to the end when None)."""
        stmt = select(cards.c.bhxh_number).where(cards.c.bhxh_number > after)
        if upto is not None:
            stmt = stmt.where(cards.c.bhxh_number <= upto)
        with self._reading() as conn:
            return [key for (key,) in conn.execute(stmt)]

    def changed_cards(
        self, since: int, after: str, limit: int
    ) -> tuple[list[str], list[CardRecord]]:
        """The keys (up to ``limit``, after ``after``) of the cards written or removed by
        transactions from ``since`` on, and the cards among them that still exist."""
        with self._reading() as conn:
            keys = [
                key
                for (key,) in conn.execute(
                    select(card_changes.c.bhxh_number)
                    .where(card_changes.c.xid >= since, card_changes.c.bhxh_number > after)
                    .order_by(card_changes.c.bhxh_number)
                    .limit(limit)
                )
            ]
            rows = (
                conn.execute(card_select().where(cards.c.bhxh_number.in_(keys))).all()
                if keys
                else []
            )
        return keys, [SERVER_ROW.decode(row) for row in rows]

    def _last_sync(self) -> Any:
        return self._scalar(select(func.max(sync_state.c.last_success)))
