"""The handle every part of the store shares: one engine, its dialect, the clock and the zone.

Every database failure leaves as :class:`kiosk.ports.StoreError` with a one-line message
(:func:`db.errors.store_errors`, entered by :meth:`Database.reading` and
:meth:`Database.writing`); a transaction either commits whole or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, func, insert
from sqlalchemy.exc import DBAPIError

from db.errors import store_errors
from db.models import audit_log
from db.store.dialect import Fault, dialect_for
from db.store.outbox import SqlOutbox
from kiosk.clock import HOSPITAL_ZONE, Clock
from kiosk.ports import StoreError

T = TypeVar("T")


class Database:
    """One database (SQLite or PostgreSQL) on an engine you pass in; the base of each aggregate.

    ``zone`` is the hospital's time zone: it decides which check-ins count as "today".
    ``clock`` stamps audit rows; without one, the database server's clock does.
    ``fault`` is for crash tests only (None in the product): it is called with the name of a
    point inside a transaction (``"counter"``: a queue number taken, its check-in not yet
    written), so a test can kill the process exactly there instead of hoping to.
    ``series`` is the number series of the check-ins it commits: "" on a central database, the
    kiosk's offline prefix on its offline journal (numbers then print as "A-3").
    ``outbox``: every check-in, cancel and reprint also writes an event for the hospital
    information system in its own transaction (off when no HIS is configured).
    """

    def __init__(
        self,
        engine: Engine,
        zone: ZoneInfo = HOSPITAL_ZONE,
        clock: Clock | None = None,
        *,
        fault: Fault = None,
        series: str = "",
        outbox: bool = False,
    ) -> None:
        self._engine = engine
        self._fault = fault
        self.series = series
        self.outbox = SqlOutbox(engine, enabled=outbox)
        self.outbox_enabled = outbox
        self.zone = zone
        self._clock = clock
        self._dialect = dialect_for(engine, outbox=outbox)

    @property
    def engine(self) -> Engine:
        return self._engine

    def dispose(self) -> None:
        """Close every pooled connection (end of a command or a test)."""
        self._engine.dispose()

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        """A connection for reads; database errors leave as StoreError."""
        with store_errors(), self._dialect.read(self._engine) as conn:
            yield conn

    @contextmanager
    def _writing(self, conflict: type[StoreError] = StoreError) -> Iterator[Connection]:
        """One transaction; database errors leave as StoreError (a uniqueness conflict as
        ``conflict``)."""
        with store_errors(conflict), self._engine.begin() as conn:
            yield conn

    def _once_more(self, work: Callable[[], T]) -> T:
        """Run ``work``; if the connection turned out dead (server restarted), run it again.

        Safe for reads, and for ``commit_checkin`` thanks to its idempotency key.
        """
        with store_errors():
            try:
                return work()
            except DBAPIError as error:
                if not error.connection_invalidated:
                    raise
                return work()

    def _now(self) -> Any:
        if self._clock is not None:
            return self._clock.now()
        return func.now()

    def _at(self) -> datetime:
        """Now by the injected clock, else by this machine's (outbox events need a value)."""
        return self._clock.now() if self._clock is not None else datetime.now(UTC)

    def _scalar(self, stmt: Any) -> Any:
        with self._reading() as conn:
            return conn.execute(stmt).scalar_one()

    def _audit_in(
        self,
        conn: Connection,
        *,
        actor: str,
        action: str,
        target: str,
        before: str | None = None,
        after: str | None = None,
    ) -> None:
        """Append an audit row inside the caller's transaction ``conn``."""
        conn.execute(
            insert(audit_log).values(
                at=self._now(),
                actor=actor,
                action=action,
                target=target,
                before=before,
                after=after,
            )
        )
