"""SqlStore: the card cache, check-ins and staff of one database, as one object.

It implements the core's ports ``CardCache``, ``CheckInStore`` and ``StaffDirectory``
(kiosk/ports.py) plus what the admin CLI and the sync need, by being the three aggregates
(:mod:`db.store.cards`, :mod:`db.store.checkins`, :mod:`db.store.staff`, and the lobby's
:mod:`db.store.lobby`) over one
:class:`~db.store.database.Database`; it adds only the figures of ``kiosk-admin status``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from db.errors import store_errors
from db.store.cards import CardStore
from db.store.checkins import CheckinStore
from db.store.lobby import LobbyStore
from db.store.staff import StaffStore
from kiosk.model import CheckInFlag


@dataclass(frozen=True)
class StoreStatus:
    """The figures ``kiosk-admin status`` shows."""

    cards: int
    checkins_today: int
    last_sync: datetime | None
    database: str  # the URL without its password
    size_bytes: int | None
    # today's check-ins whose printed label another kiosk printed too (flagged for reception)
    collided_today: int = 0

    def as_json(self) -> dict[str, object]:
        return {
            "cards": self.cards,
            "checkins_today": self.checkins_today,
            "collided": self.collided_today,
            "last_sync": self.last_sync.isoformat() if self.last_sync else None,
            "database": self.database,
            "size_bytes": self.size_bytes,
        }


class SqlStore(CardStore, CheckinStore, StaffStore, LobbyStore):
    """The kiosk's database adapter (SQLite or PostgreSQL), built on an engine you pass in
    (see :class:`~db.store.database.Database` for the arguments)."""

    def today(self, now: datetime) -> date:
        """The hospital's local date at the UTC moment ``now``."""
        return now.astimezone(self.zone).date()

    def status(self, now: datetime) -> StoreStatus:
        """Counts and size for ``kiosk-admin status`` (``now`` decides which day is today)."""
        last = self._last_sync()
        if isinstance(last, str):  # an aggregate loses the column type on SQLite
            last = datetime.fromisoformat(last)
        if isinstance(last, datetime):
            last = last.replace(tzinfo=UTC) if last.tzinfo is None else last.astimezone(UTC)
        return StoreStatus(
            cards=self.count_cards(),
            checkins_today=self.count_checkins(self.today(now)),
            collided_today=self.count_flagged(self.today(now), CheckInFlag.LABEL_COLLISION),
            last_sync=last,
            database=self._engine.url.render_as_string(hide_password=True),
            size_bytes=self.size_bytes(),
        )

    def size_bytes(self) -> int | None:
        """The database's size on disk (SQLite file + WAL, or PostgreSQL's database size)."""
        with store_errors():
            return self._dialect.size_bytes(self._engine)
