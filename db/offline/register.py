"""This kiosk in the central kiosk register: its offline prefix's claim, its health record, and
whether its journal may number.

:class:`KioskRegister` checks the kiosk in to the register (:mod:`db.store.register`) when it
comes online and with each health record (every ``kiosk.health_interval_s``). When another
kiosk's standing claim owns this kiosk's ``offline_prefix``, offline numbering stops: while
central is down, patients are sent to reception instead of getting a number that may be on
another kiosk's slip too; online check-ins go on. The verdict is said in one line (Vietnamese
and English) in the log, ``status.json``, ``kiosk-admin status`` and the admin screen, and is
copied into the journal so that a kiosk started while central is down still knows it.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from db.store.register import Health, KioskEntry, RegisterStore
from kiosk.health import HealthReport
from kiosk.ports import StoreError

log = logging.getLogger(__name__)


class NumberingStoppedError(StoreError):
    """The journal may not number: this kiosk's offline prefix is another kiosk's."""


def collision_line(prefix: str, owner: str) -> str:
    """The one line staff see when this kiosk's prefix is another kiosk's."""
    return (
        f"Đã dừng lấy số ngoại tuyến: tiền tố {prefix!r} đang thuộc kiosk {owner}; khi mất kết "
        f"nối máy chủ, bệnh nhân được mời đến quầy tiếp đón. / Offline numbering stopped: "
        f"prefix {prefix!r} belongs to kiosk {owner}; while central is down, patients are sent "
        f"to reception."
    )


class KioskRegister:
    """One kiosk's dealings with the register (thread-safe: the health duty, the replay loop
    and check-ins all ask it)."""

    def __init__(
        self,
        central: RegisterStore,
        journal: RegisterStore | None,
        *,
        kiosk_id: str,
        prefix: str,
        version: str,
        hold_days: int,
    ) -> None:
        self.central = central
        self.journal = journal
        self.kiosk_id = kiosk_id
        self.prefix = prefix
        self.version = version
        self.hold = timedelta(days=hold_days)
        self._lock = threading.Lock()
        self._held_by: str | None = None

    @property
    def held_by(self) -> str | None:
        """The kiosk whose claim owns this kiosk's prefix (None: this kiosk may number)."""
        with self._lock:
            return self._held_by

    @property
    def notice(self) -> str:
        """The collision's line for staff, or "" when there is none."""
        owner = self.held_by
        return collision_line(self.prefix, owner) if owner else ""

    def check_numbering(self) -> None:
        """Raise :class:`NumberingStoppedError` when the journal may not number."""
        owner = self.held_by
        if owner:
            raise NumberingStoppedError(collision_line(self.prefix, owner))

    def register(self, health: Health | None = None) -> KioskEntry | None:
        """Check in to central's register (with ``health`` when given); None when central
        did not answer (the last verdict stands)."""
        try:
            entry = self.central.claim(
                self.kiosk_id, self.prefix, self.version, hold=self.hold, health=health
            )
        except StoreError as error:
            log.warning("kiosk register not reached: %s", error)
            return None
        self._note(entry.held_by)
        if self.journal is not None:
            try:
                self.journal.keep_copy(entry)
            except StoreError as error:
                log.warning("journal copy of the register row not kept: %s", error)
        return entry

    def load_saved(self) -> None:
        """At start-up without central: take the verdict the journal kept from the last check-in
        to the register (none kept: the kiosk numbers, as before it ever registered)."""
        if self.journal is None:
            return
        try:
            entry = self.journal.entry(self.kiosk_id)
        except StoreError as error:
            log.warning("journal copy of the register row not read: %s", error)
            return
        if entry is not None and entry.offline_prefix == self.prefix:
            self._note(entry.held_by)

    def _note(self, held_by: str | None) -> None:
        with self._lock:
            changed = held_by != self._held_by
            self._held_by = held_by
        if not changed:
            return
        if held_by:
            log.error("%s", collision_line(self.prefix, held_by))
        else:
            log.warning(
                "Tiền tố %r thuộc kiosk này: lấy số ngoại tuyến được bật lại. / Prefix %r is "
                "this kiosk's: offline numbering is on again.",
                self.prefix,
                self.prefix,
            )


def health_of(report: HealthReport) -> Health:
    """The register's columns of a health report."""
    return Health(
        state=report.state,
        camera=report.camera,
        printer=report.printer,
        outbox_pending=report.outbox_pending,
        outbox_failed=report.outbox_failed,
        journal_outbox_pending=report.journal_outbox_pending,
        journal_outbox_failed=report.journal_outbox_failed,
        offline_pending=report.offline_pending,
        held=report.held,
        cache_age_h=report.cache_age_h,
        last_checkin=(datetime.fromisoformat(report.last_checkin) if report.last_checkin else None),
        detail=report.detail,
    )
