"""Staff at a kiosk while central is down: sign-in against a short-lived copy of the staff
directory, and staff actions that wait in the journal.

- **The copy.** :func:`refresh_staff_copy` copies central's staff accounts (names, roles, staff
  codes, PIN hashes; never a PIN) into the kiosk's journal, dated. :class:`StaffCopyLoop`
  refreshes it every minute while central answers, alongside the card replica. A copy older
  than ``staff.offline_copy_hours`` is not used, and is wiped: hashes do not linger on a kiosk
  cut off for days.
- **Sign-in.** :class:`OfflineStaff` is the kiosk's staff directory: central while it answers,
  else the copy. During an outage failures are counted in the copy, on the kiosk's own clock
  (the lock-out rule is the same :func:`kiosk.staff_auth.claim_attempt`): a kiosk locks an
  account on its own, and central, the truth, overwrites the copy once it is back (the
  outage's failures reach central's audit log, not its counts). Accounts are not changed
  during an outage (add, PIN, unlock, remove: central only).
- **Actions.** An override or a reprint of a journal check-in goes into the journal with it
  and replays with it (:mod:`db.offline.replay`). An audit row of anything else (a sign-in, a
  reprint of a check-in central numbered) and the cancel of a check-in central numbered wait
  in ``staff_actions`` (:mod:`db.store.staff_copy`); the cancel is shown as waiting ("chờ").
  :func:`replay_staff_actions` hands them to central once it answers, each once.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError

from db.offline.failover import FailoverStore
from db.offline.loop_thread import start_loop_thread
from db.store import SqlStore
from db.store.journal import cancel_copy
from db.store.staff_copy import (
    AUDIT,
    CANCEL,
    DONE,
    HELD,
    copy_staff,
    flag_cancel_waiting,
    mark_action,
    queue_action,
    replay_audit,
    staff_copy_at,
    waiting_actions,
    wipe_staff_copy,
)
from kiosk.clock import Clock
from kiosk.ports import LockRule, LoginClaim, RecordRefusedError, StaffAccount, StoreError

log = logging.getLogger(__name__)

REFRESH_EVERY_S = 60.0  # the copy's refresh while central answers (a few rows)

_T = TypeVar("_T")


def refresh_staff_copy(central: SqlStore, journal: SqlStore, clock: Clock) -> int:
    """Copy central's staff directory into the journal; how many accounts. Raises
    StoreError when central or the journal fails (the old copy stays, with its old date)."""
    accounts = central.list_staff()
    copy_staff(journal, accounts, clock.now())
    return len(accounts)


@dataclass(frozen=True)
class StaffReplay:
    """What one replay of the waiting staff actions did."""

    audits: int = 0
    cancels: int = 0
    held: int = 0  # central refused (a cancel of a check-in it does not have)


def replay_staff_actions(central: SqlStore, journal: SqlStore, clock: Clock) -> StaffReplay:
    """Hand the journal's waiting staff actions to central, oldest first, each once.

    An audit row keeps its own time; a cancel goes through central's own cancel (its audit row
    and HIS event), unless central has the check-in cancelled already (a replay cut short).
    Raises StoreError on an outage of central (the rest wait for the next try).
    """
    audits = cancels = held = 0
    for action in waiting_actions(journal):
        if action.kind == AUDIT:
            replay_audit(central, action)
            audits += 1
        elif action.kind == CANCEL:
            try:
                current = central.get_checkin(action.target)
                if current is None:
                    raise LookupError(action.target)
                if not current.cancelled:
                    reason = _reason_of(action.after)
                    central.cancel_checkin(action.target, action.actor, reason)
                try:  # the journal's copy in step: the duplicate guard forgets it too
                    cancel_copy(journal, action.target)
                    flag_cancel_waiting(journal, action.target, waiting=False)
                except (SQLAlchemyError, StoreError) as error:
                    log.warning("journal copy of %s not cancelled: %s", action.target, error)
            except (LookupError, RecordRefusedError) as error:
                mark = f"central refused the cancel: {type(error).__name__}"
                mark_action(journal, action.id, HELD, clock.now(), mark)
                held += 1
                continue
            cancels += 1
        mark_action(journal, action.id, DONE, clock.now())
    return StaffReplay(audits, cancels, held)


def _reason_of(after: str | None) -> str:
    try:
        return str(json.loads(after or "{}").get("reason", ""))
    except ValueError:
        return ""


class OfflineStaff:
    """The staff directory of a kiosk with a central database and a journal (the
    ``StaffDirectory`` port): central while it answers, else the journal's copy while it is
    younger than ``copy_hours``."""

    def __init__(self, failover: FailoverStore, clock: Clock, *, copy_hours: float) -> None:
        self._failover = failover
        self._clock = clock
        self._copy_age = timedelta(hours=copy_hours)

    @property
    def _journal(self) -> SqlStore:
        return self._failover.journal

    def _central(self, call: Callable[[SqlStore], _T]) -> tuple[bool, _T | None]:
        """(True, answer) from central, or (False, None) once it is down."""
        if self._failover.online:
            try:
                return True, call(self._failover.central)
            except RecordRefusedError:
                raise
            except StoreError as error:
                log.error("central database failed (staff): %s", error)
                self._failover.set_online(False)
        return False, None

    def _copy(self) -> SqlStore:
        """The journal, when its copy of the directory may be used; else StoreError."""
        made = staff_copy_at(self._journal)
        if made is None:
            raise StoreError("central database unreachable and no copy of the staff directory")
        if self._clock.now() - made > self._copy_age:
            wipe_staff_copy(self._journal)
            log.warning("the copy of the staff directory expired and was wiped")
            raise StoreError("central database unreachable and the staff copy has expired")
        return self._journal

    def get_staff(self, name: str) -> StaffAccount | None:
        answered, found = self._central(lambda c: c.get_staff(name))
        return found if answered else self._copy().get_staff(name)

    def list_staff(self) -> Sequence[StaffAccount]:
        answered, found = self._central(lambda c: c.list_staff())
        if answered and found is not None:
            return found
        return self._copy().list_staff()

    def claim_login(self, code: str, rule: LockRule) -> LoginClaim | None:
        answered, claim = self._central(lambda c: c.claim_login(code, rule))
        if answered:
            return claim
        return self._copy().claim_login(code, rule)  # counted in the copy, on this kiosk

    def login_succeeded(self, name: str, audit_after: str | None) -> None:
        answered, _ = self._central(lambda c: c.login_succeeded(name, audit_after))
        if answered:
            return
        self._copy().unlock_staff(name, actor=name)  # the copy's count starts again
        self._wait(name, "login", name, None, audit_after)

    def record_audit(
        self, actor: str, action: str, target: str, before: str | None, after: str | None
    ) -> None:
        answered, _ = self._central(lambda c: c.record_audit(actor, action, target, before, after))
        if not answered:
            self._wait(actor, action, target, before, after)

    def _wait(
        self, actor: str, action: str, target: str, before: str | None, after: str | None
    ) -> None:
        queue_action(
            self._journal,
            AUDIT,
            actor=actor,
            action=action,
            target=target,
            before=before,
            after=after,
            at=self._clock.now(),
        )

    # accounts change only on central
    def add_staff(self, account: StaffAccount) -> None:
        self._only_central(lambda c: c.add_staff(account))

    def set_staff_pin(self, name: str, pin_hash: str) -> None:
        self._only_central(lambda c: c.set_staff_pin(name, pin_hash))

    def remove_staff(self, name: str) -> None:
        self._only_central(lambda c: c.remove_staff(name))

    def unlock_staff(self, name: str, actor: str) -> None:
        self._only_central(lambda c: c.unlock_staff(name, actor))

    def _only_central(self, call: Callable[[SqlStore], None]) -> None:
        answered, _ = self._central(call)
        if not answered:
            raise StoreError("central database unreachable: accounts change only on it")


class StaffCopyLoop:
    """Keeps the staff copy fresh and hands the waiting staff actions to central: one
    :meth:`step` a minute on a thread (tests call :meth:`step`). While central does not
    answer, a copy older than ``copy_hours`` is wiped, signed in against or not."""

    def __init__(self, failover: FailoverStore, clock: Clock, *, copy_hours: float) -> None:
        self._failover = failover
        self._clock = clock
        self._copy_age = timedelta(hours=copy_hours)
        self.last: StaffReplay | None = None

    def step(self) -> bool:
        """One refresh and replay; False when central did not answer."""
        central, journal = self._failover.central, self._failover.journal
        try:
            refresh_staff_copy(central, journal, self._clock)
            self.last = replay_staff_actions(central, journal, self._clock)
        except StoreError as error:
            log.info("staff copy not refreshed now: %s", error)
            self._expire()
            return False
        return True

    def _expire(self) -> None:
        journal = self._failover.journal
        try:
            made = staff_copy_at(journal)
            if made is not None and self._clock.now() - made > self._copy_age:
                wipe_staff_copy(journal)
                log.warning("the copy of the staff directory expired and was wiped")
        except StoreError as error:
            log.error("the staff copy's age is unknown: %s", error)

    def run(self, stop: threading.Event) -> None:
        while True:
            try:
                self.step()
            except Exception:  # the loop must outlive any one bad step
                log.exception("staff copy step failed")
            if stop.wait(REFRESH_EVERY_S):
                return


def start_staff_copy_thread(
    failover: FailoverStore, clock: Clock, *, copy_hours: float
) -> Callable[[], None]:
    """Run a :class:`StaffCopyLoop` on a daemon thread; returns the function that stops it."""
    loop = StaffCopyLoop(failover, clock, copy_hours=copy_hours)
    return start_loop_thread(loop.run, "staff-copy")
