"""The store of a kiosk with a central database and an offline journal.

A kiosk whose ``database.url`` is a server keeps a local SQLite journal built from the same
models and migrations. :class:`FailoverStore` stands in front of both: it serves from central
while central answers and, from the first failure on, from the journal, which numbers in the
kiosk's own series (``A-1``, ``A-2``, … per clinic and local day) and checks cards against its
replica of the card cache (:mod:`db.offline.replica`). Numbers of the two series can never
collide: the series is part of the unique key of a number.

Every check-in central numbers for this kiosk is also copied into the journal, so the duplicate
guard ("the same card twice a day gets the same number") holds online and off; a copy the
journal refuses (a full disk) waits in memory and is reported (:mod:`db.offline.copies`).

With a :class:`~db.offline.register.KioskRegister`, the kiosk checks in to the central register
each time it comes back online, and the journal numbers only while no other kiosk owns its
prefix (else the check-in raises :class:`~db.offline.register.NumberingStoppedError`: reception).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import replace
from datetime import date

from sqlalchemy.exc import SQLAlchemyError

from db.offline.copies import JournalCopies
from db.offline.register import KioskRegister
from db.store import SqlStore
from db.store.journal import (
    cancel_copy,
    is_pending,
    note_attempt,
    pending_count,
    unsettled_attempt,
)
from db.store.staff_copy import AUDIT, queue_action, wait_to_cancel
from kiosk.model import CardRecord, CheckIn, CheckInDraft, PrintState
from kiosk.ports import RecordRefusedError, StoreError

log = logging.getLogger(__name__)


class FailoverStore:
    """The card cache and check-in store of a kiosk with a central database and a journal.

    Implements the core's ``CardCache`` and ``CheckInStore`` ports. While ``online`` every
    call goes to central; the first outage of central (a :class:`StoreError` that is not a
    :class:`RecordRefusedError`, which is one patient's error) turns the store offline,
    and from then on the journal answers until :meth:`set_online` (called by
    :class:`ReplayLoop` once central is back and the journal replayed).
    """

    def __init__(
        self,
        central: SqlStore,
        journal: SqlStore,
        *,
        online: bool = True,
        register: KioskRegister | None = None,
    ) -> None:
        self.central = central
        self.journal = journal
        self.register = register
        self._lock = threading.Lock()
        self._online = online
        self.copies = JournalCopies(journal)

    @property
    def online(self) -> bool:
        with self._lock:
            return self._online

    def set_online(self, online: bool = True) -> None:
        with self._lock:
            changed = self._online != online
            self._online = online
        if changed:
            log.warning("central database %s", "is back" if online else "unreachable: offline")
        if changed and online and self.register is not None:
            self.register.register()  # back online: check in to the kiosk register

    def _lost(self, error: StoreError) -> None:
        """Central failed: an outage turns the store offline; a refusal of one record's data
        (:class:`RecordRefusedError`) is raised on, for that one patient, and central stays."""
        if isinstance(error, RecordRefusedError):
            log.error("central database refused a record: %s", error)
            raise error
        log.error("central database failed: %s", error)
        self.set_online(False)

    # -- card cache ---------------------------------------------------------------------------

    def find_card(self, code: str) -> CardRecord | None:
        if self.online:
            try:
                return self.central.find_card(code)
            except StoreError as error:
                self._lost(error)
        return self.journal.find_card(code)

    def save_card(self, card: CardRecord) -> None:
        if self.online:
            try:
                self.central.save_card(card)
                return
            except StoreError as error:
                self._lost(error)
        self.journal.save_card(card)

    # -- check-ins ----------------------------------------------------------------------------

    def existing_checkin(self, patient_key: str, clinic_code: str, day: date) -> CheckIn | None:
        # The journal first: it knows this kiosk's check-ins of today, replayed or not.
        known = self.journal.existing_checkin(
            patient_key, clinic_code, day
        ) or self.copies.existing(patient_key, clinic_code, day)
        if known is not None and (known.offline or not self.online):
            return known
        if self.online:
            try:
                return self.central.existing_checkin(patient_key, clinic_code, day) or known
            except StoreError as error:
                self._lost(error)
        return known

    def _commit_central(self, draft: CheckInDraft) -> CheckIn:
        """Commit on central; after a failure, once more: a lost reply means central may hold
        the check-in already, and the retry (same idempotency key) finds it and gives back
        that row's label, instead of a second number from the journal."""
        try:
            return self.central.commit_checkin(draft)
        except RecordRefusedError:
            raise
        except StoreError as error:
            log.warning("central commit of a check-in failed, retrying once: %s", error)
            return self.central.commit_checkin(draft)

    def commit_checkin(self, draft: CheckInDraft) -> CheckIn:
        tried = self.online
        if tried:
            self._note_attempt(draft)
            try:
                checkin = self._commit_central(draft)
            except StoreError as error:
                self._lost(error)
            else:
                self.copies.remember(checkin, draft.idempotency_key)
                return checkin
        self._may_number()
        earlier = self._unsettled_attempt(draft)
        if earlier is not None and earlier != draft.idempotency_key:
            # This visit's commit to central went out from a kiosk that died (or lost its
            # copy) before it learnt the outcome: the same key, so central's row, if any, is
            # this check-in and the replay keeps the printed label as its alias.
            draft = replace(draft, idempotency_key=earlier)
            tried = True
        # Central may hold it (a lost reply): its HIS event waits for the replay, written so
        # in the journal's own transaction (no delivery can send it before it is marked).
        return self.journal.commit_checkin(draft, in_doubt=tried)

    def _note_attempt(self, draft: CheckInDraft) -> None:
        # a cache: the copies report a journal that refuses writes (a full disk)
        with suppress(StoreError):
            note_attempt(self.journal, draft)

    def _unsettled_attempt(self, draft: CheckInDraft) -> str | None:
        try:
            return unsettled_attempt(self.journal, draft)
        except StoreError:
            return None  # the journal's own commit says what is wrong with it

    def _may_number(self) -> None:
        """The journal numbers only while the register gives this kiosk its prefix."""
        if self.register is not None:
            self.register.check_numbering()

    def _journal_owns(self, checkin_id: str) -> bool:
        """True when the check-in lives only in the journal (numbered offline, not replayed)."""
        return is_pending(self.journal, checkin_id)

    def get_checkin(self, checkin_id: str) -> CheckIn | None:
        if self._journal_owns(checkin_id) or not self.online:
            return self.journal.get_checkin(checkin_id)
        try:
            return self.central.get_checkin(checkin_id)
        except StoreError as error:
            self._lost(error)
        return self.journal.get_checkin(checkin_id)

    def set_print_state(self, checkin_id: str, state: PrintState) -> None:
        in_journal = self.journal.get_checkin(checkin_id) is not None
        if in_journal:
            self.journal.set_print_state(checkin_id, state)
        if (in_journal and self._journal_owns(checkin_id)) or not self.online:
            if not in_journal:
                raise StoreError("central database unreachable: print state not recorded")
            return
        try:
            self.central.set_print_state(checkin_id, state)
        except StoreError as error:
            self._lost(error)
            if not in_journal:
                raise

    def list_checkins(self, day: date, search: str | None = None) -> Sequence[CheckIn]:
        mine = list(self.journal.list_checkins(day, search))
        if not self.online:
            return mine
        try:
            central = list(self.central.list_checkins(day, search))
        except StoreError as error:
            self._lost(error)
            return mine
        seen = {c.id for c in central}
        merged = central + [c for c in mine if c.id not in seen]
        merged.sort(key=lambda c: (c.created_at, c.queue_number), reverse=True)
        return merged

    def cancel_checkin(self, checkin_id: str, staff_name: str, reason: str) -> CheckIn:
        if self._journal_owns(checkin_id):
            return self.journal.cancel_checkin(checkin_id, staff_name, reason)
        if self.online:
            try:
                cancelled = self.central.cancel_checkin(checkin_id, staff_name, reason)
            except StoreError as error:
                self._lost(error)
            else:
                self._cancel_copy(checkin_id)
                return cancelled
        return wait_to_cancel(self.journal, checkin_id, staff_name, reason)

    def _cancel_copy(self, checkin_id: str) -> None:
        self.copies.cancelled(checkin_id)
        try:  # keep the journal's copy in step, so the duplicate guard forgets it too
            cancel_copy(self.journal, checkin_id)
        except SQLAlchemyError as error:
            log.warning("journal copy of %s not cancelled: %s", checkin_id, error)

    def record_audit(
        self, actor: str, action: str, target: str, before: str | None, after: str | None
    ) -> None:
        if self.online and not self._journal_owns(target):
            try:
                self.central.record_audit(actor, action, target, before, after)
                return
            except StoreError as error:
                self._lost(error)
        if self._journal_owns(target):  # goes to central with its check-in
            self.journal.record_audit(actor, action, target, before, after)
        else:  # waits in the journal on its own (a login, a reprint of central's check-in)
            queue_action(
                self.journal,
                AUDIT,
                actor=actor,
                action=action,
                target=target,
                before=before,
                after=after,
            )

    def pending(self) -> int:
        """How many journal check-ins wait for central."""
        return pending_count(self.journal)

    def dispose(self) -> None:
        self.central.dispose()
        self.journal.dispose()
