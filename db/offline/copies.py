"""The journal's copies of the check-ins central numbers for this kiosk, and what happens when
the journal cannot take one (a full disk).

Every check-in central numbers is copied into the journal, so that the duplicate guard ("the
same card twice a day gets the same number") still sees it once central is gone. A copy the
journal refuses (``database or disk is full``, any write error) is not skipped: the check-in
itself stands (central has it, the patient has the slip; the journal is a cache), and the copy
waits here, in memory, where the guard reads it too (:meth:`JournalCopies.existing`). It is
reported with one log line when the journal starts refusing and one when it takes copies again,
and :attr:`JournalCopies.problem` carries it for the kiosk's health; each later copy, and each
step of the replay loop, tries the waiting ones again, oldest first. A kiosk restarted while
copies wait loses them (the journal is a cache): its guard is as it was before this feature,
blind to them until central answers.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from datetime import date

from db.store import SqlStore
from db.store.journal import remember_central
from kiosk.model import CheckIn
from kiosk.ports import StoreError

log = logging.getLogger(__name__)


class JournalCopies:
    """Copies of central's check-ins into ``journal``; those it refused wait in memory."""

    def __init__(self, journal: SqlStore) -> None:
        self._journal = journal
        self._lock = threading.Lock()
        self._waiting: dict[str, tuple[CheckIn, str]] = {}  # by check-in id, oldest first
        self._problem: str | None = None

    @property
    def problem(self) -> str | None:
        """Why the journal refuses copies (in our words), or None while it takes them."""
        with self._lock:
            return self._problem

    @property
    def waiting(self) -> int:
        """How many copies wait for the journal."""
        with self._lock:
            return len(self._waiting)

    def remember(self, checkin: CheckIn, idempotency_key: str) -> None:
        """Copy ``checkin`` into the journal, after the copies still waiting."""
        with self._lock:
            self._waiting[checkin.id] = (checkin, idempotency_key)
        self.flush()

    def flush(self) -> None:
        """Try the waiting copies again, oldest first; stop at the first refusal."""
        with self._lock:
            for checkin_id, (checkin, key) in list(self._waiting.items()):
                try:
                    remember_central(self._journal, checkin, key)
                except StoreError as error:
                    if self._problem is None:  # one line when it starts, not one a patient
                        log.error(
                            "offline journal refused the copy of check-in %s (%s): copies"
                            " wait in memory, where the duplicate guard still sees them",
                            checkin_id,
                            error,
                        )
                    self._problem = f"offline journal refuses copies: {error}"
                    return
                del self._waiting[checkin_id]
            if self._problem is not None:
                self._problem = None
                log.warning("offline journal takes copies again; none waits")

    def existing(self, patient_key: str, clinic_code: str, day: date) -> CheckIn | None:
        """A waiting copy of this patient's live check-in at this clinic on ``day``."""
        with self._lock:
            for checkin, _ in self._waiting.values():
                patient = checkin.patient
                if (
                    checkin.local_day == day
                    and checkin.clinic_code == clinic_code
                    and not checkin.cancelled
                    and patient_key in (patient.bhxh_number, patient.id_number)
                ):
                    return checkin
        return None

    def cancelled(self, checkin_id: str) -> None:
        """A waiting copy's check-in was cancelled: the guard forgets it too."""
        with self._lock:
            if checkin_id in self._waiting:
                checkin, key = self._waiting[checkin_id]
                self._waiting[checkin_id] = (replace(checkin, cancelled=True), key)
