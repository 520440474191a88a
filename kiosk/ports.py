"""The ports: the small interfaces through which the core talks to the world.

Each has one real adapter (``db.store.SqlStore``, ``db.insurance_client.GatewayClient``,
``kiosk.printers.*``) and a fake in ``tests/fakes.py``. Only the composition roots
(``ui/app.py``, ``db/cli.py``) build adapters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from PIL.Image import Image

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
        """Allocate the next number and store the check-in in one transaction.

        Calling it again with the same ``draft.idempotency_key`` returns the first check-in and
        consumes no second number.
        """
        ...

    def get_checkin(self, checkin_id: str) -> CheckIn | None: ...

    def set_print_state(self, checkin_id: str, state: PrintState) -> None: ...

    def list_checkins(self, day: date, search: str | None = None) -> Sequence[CheckIn]:
        """The day's check-ins, newest first; ``search`` matches a queue number or a name."""
        ...

    def cancel_checkin(self, checkin_id: str, staff_name: str, reason: str) -> CheckIn: ...

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
    """A reception or admin account; the PIN is only ever stored as a salted hash."""

    name: str
    role: str  # "staff" or "admin"
    pin_hash: str  # "scrypt$n$r$p$salt_hex$hash_hex"
    active: bool = True


class StaffDirectory(Protocol):
    """Where staff accounts live (the database in production)."""

    def get_staff(self, name: str) -> StaffAccount | None: ...

    def list_staff(self) -> Sequence[StaffAccount]: ...

    def add_staff(self, account: StaffAccount) -> None:
        """Create an account; raises ValueError when the name is taken."""
        ...

    def set_staff_pin(self, name: str, pin_hash: str) -> None: ...

    def remove_staff(self, name: str) -> None: ...
