"""LobbyStore: what the lobby's screens keep in the central database (migration 0009_lobby).

- the wrong birth years typed for a bare code, per code and local day, shared by every kiosk
  (the port :class:`kiosk.guesses.WrongYears`): the count and the new row in one transaction;
- the patients' calls for staff ("Gọi nhân viên"), with the kiosk and the screen.

A code is stored only as its SHA-256. Both tables hold a day's rows; ``purge_lobby_before``
removes older days (the retention).
"""

from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import delete, func, insert, select

from db.models import help_calls, wrong_years
from db.store.database import Database


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
        """A patient asked for staff at ``kiosk_id`` on ``screen``: the call's id."""
        with self._writing() as conn:
            row = conn.execute(
                insert(help_calls)
                .values(kiosk_id=kiosk_id, screen=screen, local_day=day, raised_at=self._at())
                .returning(help_calls.c.id)
            ).scalar_one()
        return int(row)

    def open_help_calls(self, day: date) -> list[tuple[int, str, str]]:
        """The day's calls not answered yet: (id, kiosk, screen), oldest first."""
        stmt = (
            select(help_calls.c.id, help_calls.c.kiosk_id, help_calls.c.screen)
            .where(help_calls.c.local_day == day, help_calls.c.answered_at.is_(None))
            .order_by(help_calls.c.id)
        )
        with self._reading() as conn:
            return [(int(r[0]), str(r[1]), str(r[2])) for r in conn.execute(stmt)]

    def purge_lobby_before(self, day: date) -> int:
        """Delete the lobby's rows of days before ``day`` (retention); how many went."""
        with self._writing() as conn:
            gone = conn.execute(delete(wrong_years).where(wrong_years.c.local_day < day))
            calls = conn.execute(delete(help_calls).where(help_calls.c.local_day < day))
        return int(gone.rowcount or 0) + int(calls.rowcount or 0)
