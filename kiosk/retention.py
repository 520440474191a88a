"""Retention: personal data is kept only as long as the hospital needs it.

Slip images (the file printer's and the archive's PNG and PDF, one per patient with the full
name) go after ``privacy.keep_slips_days``; check-ins go after ``privacy.keep_checkins_days``,
their audit rows folded into counts per local day and action so the totals stay answerable,
and with them their events for the hospital's HIS (delivered or not; the undelivered ones
counted in the audit) and, in an offline journal, their replay records.
The kiosk purges at start-up and then daily; ``kiosk-admin purge`` does the same by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Protocol

from kiosk.clock import Clock, local_day
from kiosk.ports import StoreError
from kiosk.settings import Config

log = logging.getLogger(__name__)

SLIP_SUFFIXES = frozenset({".png", ".pdf"})
PURGE_EVERY_S = 24 * 3600


@dataclass(frozen=True)
class CheckinPurge:
    """What one purge of the database removed."""

    checkins: int = 0
    audit_rows: int = 0  # folded into audit counts
    his_events: int = 0  # outbox events (the patient as JSON) deleted with their check-ins
    his_undelivered: int = 0  # of those, never delivered (dead letters...): counted in the audit

    def __add__(self, other: CheckinPurge) -> CheckinPurge:
        return CheckinPurge(
            self.checkins + other.checkins,
            self.audit_rows + other.audit_rows,
            self.his_events + other.his_events,
            self.his_undelivered + other.his_undelivered,
        )


class RetentionStore(Protocol):
    """The database side of retention (``db.store.SqlStore``)."""

    def purge_before(self, day: date) -> CheckinPurge:
        """Delete check-ins of local days before ``day`` and fold audit rows from before its
        start into counts per local day and action, in one transaction."""
        ...

    def purge_lobby_before(self, day: date) -> int:
        """Delete the lobby's rows (wrong birth years, the patients sent to reception) of local
        days before ``day``: they count for their own day only. How many went."""
        ...


@dataclass(frozen=True)
class PurgeReport:
    """One run of :meth:`Retention.run`."""

    slips: int
    checkins: int
    audit_rows: int
    failed: str = ""  # why the database part did not run, if it did not
    his_events: int = 0
    his_undelivered: int = 0
    lobby_rows: int = 0  # the lobby's rows of days before today

    def line(self) -> str:
        """A one-line summary for the log and ``kiosk-admin purge``."""
        text = (
            f"purged {self.slips} slip files, {self.checkins} check-ins, "
            f"{self.audit_rows} audit rows (kept as counts), {self.his_events} HIS events "
            f"({self.his_undelivered} never delivered, counted in the audit), "
            f"{self.lobby_rows} lobby rows"
        )
        return text + (f"; database not purged: {self.failed}" if self.failed else "")


def purge_slips(folder: Path, cutoff_epoch_s: float) -> int:
    """Delete slip files (PNG, PDF) in ``folder`` and below last changed before the cutoff."""
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.rglob("*"):
        if path.suffix.lower() not in SLIP_SUFFIXES or not path.is_file():
            continue
        try:
            if path.stat().st_mtime < cutoff_epoch_s:
                path.unlink()
                removed += 1
        except OSError as error:  # one unreadable file must not keep the rest
            log.warning("retention: cannot remove a slip file: %s", error.strerror)
    return removed


class Retention:
    """Purges slips and old check-ins by the configured retention periods."""

    def __init__(
        self,
        config: Config,
        clock: Clock,
        store: RetentionStore,
        also: Sequence[RetentionStore] = (),
    ) -> None:
        """``also``: further databases purged the same way (the kiosk's offline journal)."""
        self._config = config
        self._clock = clock
        self._stores = (store, *also)

    def run(self) -> PurgeReport:
        """Purge now; never raises (a database problem is reported in the result)."""
        privacy = self._config.privacy
        now = self._clock.now()
        cutoff = now - timedelta(days=privacy.keep_slips_days)
        slips = purge_slips(self._config.printer.output_dir, cutoff.timestamp())
        today = local_day(self._clock, self._config.kiosk.zone)
        keep_from = today - timedelta(days=privacy.keep_checkins_days)
        purged, lobby, failed = CheckinPurge(), 0, []
        for store in self._stores:
            try:
                purged += store.purge_before(keep_from)
                lobby += store.purge_lobby_before(today)
            except StoreError as error:
                failed.append(str(error))
        report = PurgeReport(
            slips,
            purged.checkins,
            purged.audit_rows,
            "; ".join(failed),
            purged.his_events,
            purged.his_undelivered,
            lobby,
        )
        log.info("retention: %s", report.line())
        return report
