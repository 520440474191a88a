"""LobbyStore: what the lobby's screens keep in the central database (migration 0009_lobby).

- the wrong birth years typed for a bare code, per code and local day, shared by every kiosk
  (the port :class:`kiosk.guesses.WrongYears`): the count and the new row in one transaction;
- the patients kiosks send to reception (migration 0014_reception): a "Gọi nhân viên" press
  or an error screen that ends at the desk, with the kiosk, the screen, the reason, a masked
  hint of the patient and the day's reception ticket number; the desk's "Chờ tiếp đón" list
  reads them and "Đã tiếp" answers them.

A reception ticket's number is taken from ``queue_counters`` under the key :data:`TICKETS`
in the transaction that inserts its row, as a queue number is: the counter row's lock (or
SQLite's write lock) serialises kiosks, and ``uq_help_calls_ticket`` stands guard behind it.

A code is stored only as its SHA-256. Both tables hold a day's rows; ``purge_lobby_before``
removes older days (the retention).
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from sqlalchemy import delete, func, insert, select, text, update

from db.models import help_calls, wrong_years
from db.store.database import Database
from kiosk.reception import ASKED_FOR_HELP, Referral, SentEntry

#: the ``queue_counters`` key of the reception tickets (no clinic code has a "~")
TICKETS = "~reception"
# The same text on SQLite and PostgreSQL: an upsert that hands back the new last number.
_NEXT_TICKET = text(
    "INSERT INTO queue_counters (clinic, day, last) VALUES (:key, :day, 1) "
    "ON CONFLICT (clinic, day) DO UPDATE SET last = queue_counters.last + 1 RETURNING last"
)
_ENTRY_COLUMNS = (
    help_calls.c.id,
    help_calls.c.ticket,
    help_calls.c.kiosk_id,
    help_calls.c.screen,
    help_calls.c.reason,
    help_calls.c.detail,
    help_calls.c.hint,
    help_calls.c.raised_at,
    help_calls.c.answered_at,
    help_calls.c.answered_by,
)


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


class LobbyStore(Database):
    """The lobby's two tables over one :class:`~db.store.database.Database`."""

    def wrong_years(self, code: str, day: date) -> int:
        """How many wrong birth years were typed for ``code`` on ``day``, on any kiosk."""
        stmt = select(func.count()).where(
            wrong_years.c.code_hash == _code_hash(code), wrong_years.c.local_day == day
        )
        return int(self._once_more(lambda: self._scalar(stmt)))

    def note_wrong_year(self, code: str, day: date, kiosk_id: str) -> int:
        """One more wrong year for ``code`` on ``day``; the day's count, this one included."""
        key = _code_hash(code)
        with self._writing() as conn:
            conn.execute(
                insert(wrong_years).values(
                    code_hash=key, local_day=day, kiosk_id=kiosk_id, at=self._at()
                )
            )
            counted = conn.execute(
                select(func.count()).where(
                    wrong_years.c.code_hash == key, wrong_years.c.local_day == day
                )
            ).scalar_one()
        return int(counted)

    def raise_help_call(self, kiosk_id: str, screen: str, day: date) -> int:
        """A patient pressed "Gọi nhân viên" at ``kiosk_id`` on ``screen``: the call's id.
        See :meth:`send_to_reception`."""
        return self.send_to_reception(kiosk_id, screen, day).id

    def send_to_reception(
        self, kiosk_id: str, screen: str, day: date, referral: Referral = ASKED_FOR_HELP
    ) -> SentEntry:
        """A row of the desk's list with the day's next reception ticket number (one
        transaction: the number is given back if the row is not written)."""
        at = self._at()
        reason, detail, hint = str(referral.reason)[:24], referral.detail[:32], referral.hint[:24]
        with self._writing() as conn:
            number = int(conn.execute(_NEXT_TICKET, {"key": TICKETS, "day": day}).scalar_one())
            row_id = conn.execute(
                insert(help_calls)
                .values(
                    kiosk_id=kiosk_id[:64],
                    screen=screen[:32],
                    local_day=day,
                    raised_at=at,
                    reason=reason,
                    detail=detail,
                    hint=hint,
                    ticket=number,
                )
                .returning(help_calls.c.id)
            ).scalar_one()
        return SentEntry(int(row_id), number, kiosk_id[:64], screen[:32], reason, detail, hint, at)

    def open_help_calls(self, day: date) -> list[tuple[int, str, str]]:
        """The day's calls not answered yet: (id, kiosk, screen), oldest first."""
        stmt = (
            select(help_calls.c.id, help_calls.c.kiosk_id, help_calls.c.screen)
            .where(help_calls.c.local_day == day, help_calls.c.answered_at.is_(None))
            .order_by(help_calls.c.id)
        )
        with self._reading() as conn:
            return [(int(r[0]), str(r[1]), str(r[2])) for r in conn.execute(stmt)]

    def waiting_at_reception(self, day: date) -> list[SentEntry]:
        """The desk's "Chờ tiếp đón": the day's entries not answered yet, oldest first."""
        stmt = (
            select(*_ENTRY_COLUMNS)
            .where(help_calls.c.local_day == day, help_calls.c.answered_at.is_(None))
            .order_by(help_calls.c.raised_at, help_calls.c.id)
        )
        with self._reading() as conn:
            return [_entry(r) for r in conn.execute(stmt)]

    def reception_entry(self, day: date, ticket: int) -> SentEntry | None:
        """The day's entry of reception ticket ``ticket`` (answered or not), if any."""
        stmt = select(*_ENTRY_COLUMNS).where(
            help_calls.c.local_day == day, help_calls.c.ticket == ticket
        )
        with self._reading() as conn:
            row = conn.execute(stmt).first()
        return _entry(row) if row is not None else None

    def answer_at_reception(self, entry_id: int, staff: str) -> bool:
        """ "Đã tiếp": ``staff`` answered entry ``entry_id`` now (the database server's time
        when the store has no clock: desks and kiosks agree on it). False when it was
        already answered or is not there; the first answer stands."""
        stmt = (
            update(help_calls)
            .where(help_calls.c.id == entry_id, help_calls.c.answered_at.is_(None))
            .values(answered_at=self._now(), answered_by=staff[:64])
        )
        with self._writing() as conn:
            done = conn.execute(stmt)
        return int(done.rowcount or 0) == 1

    def purge_lobby_before(self, day: date) -> int:
        """Delete the lobby's rows of days before ``day`` (retention); how many went."""
        with self._writing() as conn:
            gone = conn.execute(delete(wrong_years).where(wrong_years.c.local_day < day))
            calls = conn.execute(delete(help_calls).where(help_calls.c.local_day < day))
        return int(gone.rowcount or 0) + int(calls.rowcount or 0)


def _entry(row: Any) -> SentEntry:
    """A row of :data:`_ENTRY_COLUMNS` as an entry."""
    return SentEntry(
        id=int(str(row.id)),
        ticket=int(str(row.ticket)) if row.ticket is not None else None,
        kiosk_id=str(row.kiosk_id),
        screen=str(row.screen),
        reason=str(row.reason),
        detail=str(row.detail),
        hint=str(row.hint),
        raised_at=row.raised_at,
        answered_at=row.answered_at,
        answered_by=str(row.answered_by) if row.answered_by is not None else None,
    )
