"""The ports: the small interfaces through which the core talks to the world.

Each has one real adapter (``db.store.SqlStore``, ``db.insurance.gateway.GatewayClient``,
``kiosk.printers.*``) and a fake in ``tests/fakes.py``. Only the composition roots
(``ui/app.py``, ``db/cli.py``) build adapters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, runtime_checkable

from PIL.Image import Image

from kiosk.calling import Place, Priority
from kiosk.copay import CopayReply
from kiosk.model import (
    BirthDate,
    CardRecord,
    CheckIn,
    CheckInDraft,
    GatewayFailure,
    GatewayReply,
    PrintState,
)


class StoreError(Exception):
    """The database cannot be used right now (locked, unreachable, full).

    The check-in use case turns it into a "please go to reception" outcome; nothing that was
    committed before is affected.
    """


class RecordRefusedError(StoreError):
    """The database answered, and refused this one record: a value too long or malformed, a
    constraint. An error for that patient (reception), never an outage: a kiosk with a
    journal stays on central."""


class CardCache(Protocol):
    """The local card cache."""

    def find_card(self, code: str) -> CardRecord | None:
        """The card for a 15-char card number, 10-digit BHXH number or 12-digit CCCD number."""
        ...

    def save_card(self, card: CardRecord) -> None:
        """Insert or update a card (after an online check); keyed by its BHXH number."""
        ...


class CheckInStore(Protocol):
    """Check-ins and queue numbers. Every method raises :class:`StoreError` when unusable."""

    def existing_checkin(self, patient_key: str, clinic_code: str, day: date) -> CheckIn | None:
        """Today's live (not cancelled) check-in of this patient at this clinic, if any.

        ``patient_key`` is the BHXH number when known, else the CCCD number.
        """
        ...

    def commit_checkin(self, draft: CheckInDraft) -> CheckIn:
        """Allocate the next number and store the check-in and its audit row in one transaction.

        The audit row names the staff member and the refusal when ``draft.override_reason`` is
        set (a staff override), so an override is never stored without its trace.

        Calling it again with the same ``draft.idempotency_key`` returns the first check-in and
        consumes no second number.
        """
        ...

    def get_checkin(self, checkin_id: str) -> CheckIn | None: ...

    def set_print_state(self, checkin_id: str, state: PrintState) -> None: ...

    def list_checkins(self, day: date, search: str | None = None) -> Sequence[CheckIn]:
        """The day's check-ins, newest first; ``search`` matches a queue number or a name."""
        ...

    def cancel_checkin(self, checkin_id: str, staff_name: str, reason: str) -> CheckIn:
        """Cancel a check-in; the check-in as cancelled. A kiosk cut off from central hands
        back one of central's check-ins not cancelled: its cancel waits (shown "chờ")."""
        ...

    def record_audit(
        self, actor: str, action: str, target: str, before: str | None, after: str | None
    ) -> None:
        """Append a row to the audit log (who did what to which record, before and after)."""
        ...


class OutcomeTally(Protocol):
    """Counts scans that ended without a check-in, per local hour (for the daily report)."""

    def tally_outcome(self, status: str, kiosk_id: str, at: datetime) -> None:
        """Count one; raises :class:`StoreError` when the database is unusable."""
        ...


@dataclass(frozen=True)
class CardQuery:
    """What the gateway needs to check one card."""

    code: str  # 15-char card number, 10-digit BHXH number or 12-digit CCCD number
    name: str
    birth: BirthDate | None


class OnlineCardCheck(Protocol):
    """The BHXH gateway, asked about one card within a time budget."""

    def check(self, query: CardQuery, budget_s: float) -> GatewayReply | GatewayFailure:
        """Never raises; returns a failure value when no reply came within ``budget_s``."""
        ...


@runtime_checkable
class CopayLookup(Protocol):
    """BHXH's co-payment look-up (``TraCuuTienMCCT``), asked about one card within a budget."""

    def copay(self, query: CardQuery, budget_s: float) -> CopayReply | GatewayFailure:
        """Never raises; returns a failure value when no reply came within ``budget_s``."""
        ...


@dataclass(frozen=True)
class PrintResult:
    """What became of one print job."""

    ok: bool
    problem: str = ""  # "offline", "paper_out", "timeout", "error"
    detail: str = ""
    path: str | None = None  # for file printers: where the slip was written


class SlipPrinter(Protocol):
    """Anything that can put a rendered slip on paper (or in a file)."""

    def print_image(self, image: Image, name: str) -> PrintResult:
        """Print one 1-bit slip image; ``name`` is a file-safe job name. Never raises."""
        ...


@dataclass(frozen=True)
class StaffAccount:
    """A reception or admin account; the PIN is only ever stored as a salted hash.

    ``code`` is the short staff code typed before the PIN. The sign-in state (failures in a
    row, the earliest next try, a lockout) lives with the account, in the database, so that a
    restart does not clear it and every kiosk on the same database sees the same count.
    """

    name: str
    role: str  # "staff" or "admin"
    pin_hash: str  # "scrypt$n$r$p$salt_hex$hash_hex"
    active: bool = True
    code: str = ""
    failed_logins: int = 0
    next_try_at: datetime | None = None  # UTC; no longer set (waits are per pad, not per account)
    locked_until: datetime | None = None  # UTC; lifted by time or by an admin
    # the failure window: counts start again once it is older than ``staff.failure_window_minutes``
    failures_since: datetime | None = None  # UTC, by the database server's clock
    lobby_failures: int = 0  # failures at kiosks' PIN pads in the window (``failed_logins``: desks)


#: the lock-out rule: one attempt on an account at the database server's time -> the claim
LockRule = Callable[["StaffAccount", datetime], "LoginClaim"]


@dataclass(frozen=True)
class LoginClaim:
    """The answer of :meth:`StaffDirectory.claim_login`.

    ``claimed`` is True when this attempt was counted (the failure count went up by one,
    before the PIN is even checked), False when the account is locked; the account is as
    stored after the claim. ``now`` is the database server's time the rule was applied at
    (every time in the lock-out rule is the server's, never a kiosk's own clock).
    """

    account: StaffAccount
    claimed: bool
    now: datetime


class StaffDirectory(Protocol):
    """Where staff accounts live (the database in production)."""

    def get_staff(self, name: str) -> StaffAccount | None: ...

    def list_staff(self) -> Sequence[StaffAccount]: ...

    def add_staff(self, account: StaffAccount) -> None:
        """Create an account; raises ValueError when the name is taken."""
        ...

    def set_staff_pin(self, name: str, pin_hash: str) -> None: ...

    def remove_staff(self, name: str) -> None: ...

    def claim_login(self, code: str, rule: LockRule) -> LoginClaim | None:
        """Count one sign-in attempt for the active account with staff code ``code``.

        Atomic across processes and kiosks: ``rule(account, server_now)`` decides the account's
        new failure counts and lockout, in one transaction, with the database server's time.
        None when no active account has that code.
        """
        ...

    def login_succeeded(self, name: str, audit_after: str | None) -> None:
        """Clear this account's failures (and no other's) and audit the login, in one
        transaction."""
        ...

    def unlock_staff(self, name: str, actor: str) -> None:
        """Clear an account's failures and lockout (an admin's decision); audited."""
        ...

    def record_audit(
        self, actor: str, action: str, target: str, before: str | None, after: str | None
    ) -> None:
        """Append a row to the audit log."""
        ...


class CallQueue(Protocol):
    """The clinics' queues as rooms call from them (``db.store.calling.CallingStore``; the
    rules are :mod:`kiosk.calling`). Every method raises :class:`StoreError` when unusable."""

    def place(
        self, checkin_id: str, clinic: str, day: date, *, run_limit: int, rooms: int, default: float
    ) -> Place | None:
        """Where a waiting check-in stands (people ahead, priority, the wait as a range in
        minutes); None when it no longer waits."""
        ...

    def declare_priority(self, checkin_id: str, priority: Priority) -> None:
        """Note a priority the patient declared at the kiosk (pregnant, disability)."""
        ...
