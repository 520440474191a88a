"""Offline numbering: keep checking patients in while the central database cannot be reached.

A kiosk whose ``database.url`` is a server keeps a local SQLite journal built from the same
models and migrations. :class:`FailoverStore` stands in front of both: it serves from central
while central answers and, from the first failure on, from the journal, which numbers in the
kiosk's own series (``A-1``, ``A-2``, … per clinic and local day) and checks cards against its
replica of the card cache (db/replica.py). Numbers of the two series can never collide: the
series is part of the unique key of a number.

Every check-in central numbers for this kiosk is also copied into the journal, so the duplicate
guard ("the same card twice a day gets the same number") holds online and off.

:func:`replay` hands the journal's own check-ins to central once central is back: each goes in
with its id, label and audit rows in one transaction, keyed by its idempotency key, so a replay
killed at any moment and run again never doubles nor loses one. :class:`ReplayLoop` probes
central in the background with backoff and replays.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from db.engine import READ_ONLY
from db.migrate import needs_upgrade, upgrade
from db.models import audit_log, checkins, replayed
from db.store import SqlStore, checkin_from_row, checkin_values, describe_error
from kiosk.clock import Clock
from kiosk.model import CardRecord, CheckIn, CheckInDraft, CheckInFlag, PrintState
from kiosk.ports import StoreError

log = logging.getLogger(__name__)

# Results kept in the journal's ``replayed`` table.
REPLAYED = "replayed"
ALREADY = "already"  # central had it already (an earlier replay that was cut short)
FLAGGED = "flagged"  # replayed, and flagged for reception
CENTRAL = "central"  # numbered by central: a copy for the duplicate guard, nothing to replay


# -- the journal's own bookkeeping --------------------------------------------------------------


def _pending_clause() -> Any:
    return and_(
        checkins.c.series != "",
        ~select(replayed.c.checkin_id).where(replayed.c.checkin_id == checkins.c.id).exists(),
    )


def _reading(journal: SqlStore) -> Connection:
    # A plain deferred BEGIN: a read must not queue behind (or block) the journal's writers.
    return journal.engine.connect().execution_options(**READ_ONLY)


def remember_central(journal: SqlStore, checkin: CheckIn, idempotency_key: str) -> None:
    """Copy a check-in central numbered into the journal (for the duplicate guard offline)."""
    values = checkin_values(checkin)
    values["idempotency_key"] = idempotency_key
    try:
        with journal.engine.begin() as conn:
            known = conn.execute(
                select(checkins.c.id).where(
                    (checkins.c.id == checkin.id) | (checkins.c.idempotency_key == idempotency_key)
                )
            ).first()
            if known is not None:
                return
            conn.execute(insert(checkins).values(**values))
            conn.execute(
                insert(replayed).values(
                    checkin_id=checkin.id, at=checkin.created_at, result=CENTRAL
                )
            )
    except SQLAlchemyError as error:
        raise StoreError(describe_error(error)) from error


def pending_count(journal: SqlStore) -> int:
    """How many of the journal's own check-ins central does not have yet."""
    try:
        with _reading(journal) as conn:
            return int(
                conn.execute(
                    select(func.count()).select_from(checkins).where(_pending_clause())
                ).scalar_one()
            )
    except SQLAlchemyError as error:
        raise StoreError(describe_error(error)) from error


@dataclass(frozen=True)
class PendingCheckIn:
    """One journal check-in waiting for central, with what goes in with it."""

    checkin: CheckIn
    idempotency_key: str
    audits: tuple[dict[str, Any], ...]


def pending_checkins(journal: SqlStore) -> list[PendingCheckIn]:
    """The journal's own check-ins central does not have yet, oldest first."""
    try:
        with _reading(journal) as conn:
            rows = conn.execute(
                select(checkins).where(_pending_clause()).order_by(checkins.c.created_at)
            ).all()
            found: list[PendingCheckIn] = []
            for row in rows:
                audits = conn.execute(
                    select(audit_log).where(audit_log.c.target == row.id).order_by(audit_log.c.id)
                ).all()
                found.append(
                    PendingCheckIn(
                        checkin=checkin_from_row(row),
                        idempotency_key=row.idempotency_key,
                        audits=tuple(
                            {k: v for k, v in a._mapping.items() if k != "id"} for a in audits
                        ),
                    )
                )
            return found
    except SQLAlchemyError as error:
        raise StoreError(describe_error(error)) from error


def _is_pending(journal: SqlStore, checkin_id: str) -> bool:
    try:
        with _reading(journal) as conn:
            row = conn.execute(
                select(checkins.c.id).where(checkins.c.id == checkin_id, _pending_clause())
            ).first()
    except SQLAlchemyError as error:
        raise StoreError(describe_error(error)) from error
    return row is not None


def _mark(journal: SqlStore, checkin: CheckIn, result: str, at: datetime) -> None:
    with journal.engine.begin() as conn:
        conn.execute(delete(replayed).where(replayed.c.checkin_id == checkin.id))
        conn.execute(insert(replayed).values(checkin_id=checkin.id, at=at, result=result))
        if result == FLAGGED:
            conn.execute(
                update(checkins)
                .where(checkins.c.id == checkin.id)
                .values(flag=CheckInFlag.DUPLICATE.value)
            )


# -- replay into central ----------------------------------------------------------------------


@dataclass(frozen=True)
class ReplaySummary:
    """What one replay did: ``kiosk-admin replay --json`` prints the first three counts."""

    replayed: int = 0
    already: int = 0
    failed: int = 0
    flagged: tuple[str, ...] = ()  # labels of check-ins flagged for reception
    problems: tuple[str, ...] = ()  # one line per failed check-in

    def as_json(self) -> dict[str, int]:
        return {"replayed": self.replayed, "already": self.already, "failed": self.failed}


def _live_duplicate(conn: Connection, checkin: CheckIn) -> bool:
    """Does central hold another live check-in of this patient for this clinic and day?"""
    keys = [k for k in (checkin.patient.bhxh_number, checkin.patient.id_number) if k]
    if not keys or checkin.cancelled:
        return False
    found = conn.execute(
        select(checkins.c.id)
        .where(
            checkins.c.local_day == checkin.local_day,
            checkins.c.clinic_code == checkin.clinic_code,
            checkins.c.cancelled.is_(False),
            checkins.c.id != checkin.id,
            checkins.c.bhxh_number.in_(keys) | checkins.c.id_number.in_(keys),
        )
        .limit(1)
    ).first()
    return found is not None


def _has_key(conn: Connection, key: str) -> bool:
    """Whether central has the check-in of this idempotency key already."""
    found = conn.execute(select(checkins.c.id).where(checkins.c.idempotency_key == key)).first()
    return found is not None


def _replay_one(central: SqlStore, item: PendingCheckIn) -> str:
    """Put one journal check-in into central in ONE transaction; returns how it went."""
    checkin = item.checkin
    key = item.idempotency_key
    try:
        with central.engine.begin() as conn:
            if _has_key(conn, key):
                return ALREADY
            duplicate = _live_duplicate(conn, checkin)
            flag = CheckInFlag.DUPLICATE.value if duplicate else checkin.flag
            values = checkin_values(replace(checkin, flag=flag))
            values["idempotency_key"] = key
            conn.execute(insert(checkins).values(**values))
            for audit in item.audits:
                conn.execute(insert(audit_log).values(**audit))
            if duplicate:
                conn.execute(
                    insert(audit_log).values(
                        at=checkin.created_at,
                        actor=checkin.kiosk_id,
                        action="replay_duplicate",
                        target=checkin.id,
                        before=None,
                        after=json.dumps({"label": checkin.label, "clinic": checkin.clinic_code}),
                    )
                )
    except IntegrityError:
        # Another replay of the same journal got there first: theirs stands. Anything else
        # (two kiosks with one prefix) is a real failure, reported and retried.
        with central.engine.connect() as conn:
            if _has_key(conn, key):
                return ALREADY
        raise
    return FLAGGED if duplicate else REPLAYED


def replay(central: SqlStore, journal: SqlStore, clock: Clock) -> ReplaySummary:
    """Hand every pending journal check-in to central, each exactly once.

    Central first, then the journal's note: a replay cut short between the two finds the
    check-in in central by its idempotency key next time and counts it as ``already``.
    Raises :class:`StoreError` when the journal cannot be read; a central failure on one
    check-in counts it as failed and stops (central is most likely gone again).
    """
    replayed_n = already = failed = 0
    flagged: list[str] = []
    problems: list[str] = []
    items = pending_checkins(journal)
    for index, item in enumerate(items):
        try:
            result = _replay_one(central, item)
        except IntegrityError as error:
            failed += 1
            problems.append(f"{item.checkin.label} ({item.checkin.id}): {describe_error(error)}")
            continue
        except (SQLAlchemyError, StoreError) as error:
            failed += len(items) - index
            problems.append(f"central database: {error}")
            break
        try:
            _mark(journal, item.checkin, result, clock.now())
        except SQLAlchemyError as error:
            raise StoreError(describe_error(error)) from error
        if result == ALREADY:
            already += 1
        else:
            replayed_n += 1
            if result == FLAGGED:
                flagged.append(item.checkin.label)
                log.warning(
                    "replayed %s %s: the card checked in at another kiosk meanwhile",
                    item.checkin.clinic_code,
                    item.checkin.label,
                )
    return ReplaySummary(replayed_n, already, failed, tuple(flagged), tuple(problems))


# -- the store the kiosk uses ------------------------------------------------------------------


class FailoverStore:
    """The card cache and check-in store of a kiosk with a central database and a journal.

    Implements the core's ``CardCache`` and ``CheckInStore`` ports. While ``online`` every
    call goes to central; the first :class:`StoreError` from central turns the store offline,
    and from then on the journal answers until :meth:`set_online` (called by
    :class:`ReplayLoop` once central is back and the journal replayed).
    """

    def __init__(self, central: SqlStore, journal: SqlStore, *, online: bool = True) -> None:
        self.central = central
        self.journal = journal
        self._lock = threading.Lock()
        self._online = online

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

    def _lost(self, error: StoreError) -> None:
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
        known = self.journal.existing_checkin(patient_key, clinic_code, day)
        if known is not None and (known.offline or not self.online):
            return known
        if self.online:
            try:
                return self.central.existing_checkin(patient_key, clinic_code, day) or known
            except StoreError as error:
                self._lost(error)
        return known

    def commit_checkin(self, draft: CheckInDraft) -> CheckIn:
        if self.online:
            try:
                checkin = self.central.commit_checkin(draft)
            except StoreError as error:
                self._lost(error)
            else:
                try:
                    remember_central(self.journal, checkin, draft.idempotency_key)
                except StoreError as error:
                    log.warning("journal copy of %s failed: %s", checkin.id, error)
                return checkin
        return self.journal.commit_checkin(draft)

    def _journal_owns(self, checkin_id: str) -> bool:
        """True when the check-in lives only in the journal (numbered offline, not replayed)."""
        return _is_pending(self.journal, checkin_id)

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
        cancelled = self.central.cancel_checkin(checkin_id, staff_name, reason)
        try:  # keep the journal's copy in step, so the duplicate guard forgets it too
            with self.journal.engine.begin() as conn:
                conn.execute(
                    update(checkins).where(checkins.c.id == checkin_id).values(cancelled=True)
                )
        except SQLAlchemyError as error:
            log.warning("journal copy of %s not cancelled: %s", checkin_id, error)
        return cancelled

    def record_audit(
        self, actor: str, action: str, target: str, before: str | None, after: str | None
    ) -> None:
        if self.online and not self._journal_owns(target):
            try:
                self.central.record_audit(actor, action, target, before, after)
                return
            except StoreError as error:
                self._lost(error)
        self.journal.record_audit(actor, action, target, before, after)

    def pending(self) -> int:
        """How many journal check-ins wait for central."""
        return pending_count(self.journal)

    def dispose(self) -> None:
        self.central.dispose()
        self.journal.dispose()


def reach_central(central: SqlStore) -> None:
    """Raise :class:`StoreError` unless central answers; bring its schema up to date (a kiosk
    started while central was down has not migrated it)."""
    try:
        if needs_upgrade(central.engine):
            upgrade(central.engine)
    except SQLAlchemyError as error:
        raise StoreError(describe_error(error)) from error


# -- back online in the background -------------------------------------------------------------


class ReplayLoop:
    """Brings a kiosk back to central: probe with backoff, replay the journal, go online.

    :meth:`step` is synchronous and returns the seconds to wait before the next one; a thread
    shell (:meth:`run`) calls it until told to stop. The first step also refreshes the card
    replica, so a kiosk started while central answers has today's cards when it stops.
    """

    def __init__(
        self,
        store: FailoverStore,
        clock: Clock,
        *,
        refresh: Callable[[], object] | None = None,
        first_wait_s: float = 5.0,
        max_wait_s: float = 300.0,
        idle_wait_s: float = 30.0,
    ) -> None:
        self._store = store
        self._clock = clock
        self._refresh = refresh
        self._first = first_wait_s
        self._max = max_wait_s
        self._idle = idle_wait_s
        self._wait = first_wait_s
        self.last: ReplaySummary | None = None

    def step(self) -> float:
        """One attempt; returns how long to wait before the next."""
        if self._refresh is not None:
            try:
                self._refresh()
                self._refresh = None
            except StoreError as error:
                log.warning("card replica not refreshed: %s", error)
        try:
            if self._store.online and self._store.pending() == 0:
                self._wait = self._first
                return self._idle
            reach_central(self._store.central)
            summary = replay(self._store.central, self._store.journal, self._clock)
        except StoreError as error:
            log.warning("journal replay not possible now: %s", error)
            return self._backoff()
        self.last = summary
        if summary.replayed or summary.already:
            log.warning(
                "journal replayed: %d in, %d already there, %d failed",
                summary.replayed,
                summary.already,
                summary.failed,
            )
        if summary.failed:
            for problem in summary.problems:
                log.error("replay: %s", problem)
            return self._backoff()
        self._store.set_online(True)
        self._wait = self._first
        return self._idle

    def _backoff(self) -> float:
        wait = self._wait
        self._wait = min(self._wait * 2, self._max)
        return wait

    def run(self, stop: threading.Event) -> None:
        """Step until ``stop`` is set (the body of a background thread)."""
        delay = 0.0
        while not stop.wait(delay):
            try:
                delay = self.step()
            except Exception:  # the loop must outlive any one bad step
                log.exception("replay loop step failed")
                delay = self._backoff()


def start_replay_thread(
    store: FailoverStore, clock: Clock, *, refresh: Callable[[], object] | None = None
) -> Callable[[], None]:
    """Run a :class:`ReplayLoop` on a daemon thread; returns the function that stops it (and
    closes the journal)."""
    stop = threading.Event()
    loop = ReplayLoop(store, clock, refresh=refresh)
    thread = threading.Thread(target=loop.run, args=(stop,), name="journal-replay", daemon=True)
    thread.start()

    def close() -> None:
        stop.set()
        thread.join(timeout=10)
        store.journal.dispose()

    return close
