"""Staff accounts and their sign-in attempts, each change audited in its own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update

from db.models import staff
from db.store.database import Database
from kiosk.ports import LockRule, LoginClaim, StaffAccount, StoreError


class _StaffTakenError(StoreError):
    """A uniqueness conflict on the staff table (its name or code)."""


class StaffStore(Database):
    """Staff accounts (the ``StaffDirectory`` port and ``kiosk-admin staff``)."""

    def get_staff(self, name: str) -> StaffAccount | None:
        with self._reading() as conn:
            row = conn.execute(select(staff).where(staff.c.name == name)).first()
        return _staff_from_row(row) if row is not None else None

    def list_staff(self) -> Sequence[StaffAccount]:
        with self._reading() as conn:
            rows = conn.execute(select(staff).order_by(staff.c.name)).all()
        return [_staff_from_row(row) for row in rows]

    def add_staff(self, account: StaffAccount, actor: str = "kiosk-admin") -> None:
        """Create an account; raises ValueError when the name or the staff code is taken.

        An account without a code gets the next free one from 101.
        """
        try:
            with self._writing(conflict=_StaffTakenError) as conn:
                taken = conn.execute(select(staff.c.name).where(staff.c.name == account.name))
                if taken.first() is not None:
                    raise ValueError("this staff name is taken")
                code = account.code or _free_code(conn)
                if conn.execute(select(staff.c.name).where(staff.c.code == code)).first():
                    raise ValueError("this staff code is taken")
                # a new account: no sign-in state yet, whatever ``account`` carries
                fresh = StaffAccount(
                    account.name, account.role, account.pin_hash, account.active, code
                )
                conn.execute(insert(staff).values(staff_row(fresh)))
                self._audit_in(
                    conn, actor=actor, action="staff_add", target=account.name, after=account.role
                )
        except _StaffTakenError as error:
            raise ValueError("this staff name or code is taken") from error.__cause__

    def set_staff_pin(self, name: str, pin_hash: str, actor: str = "kiosk-admin") -> None:
        """Replace an account's PIN hash; raises LookupError for an unknown name."""
        self._staff_change(name, {"pin_hash": pin_hash}, "staff_pin", actor)

    def unlock_staff(self, name: str, actor: str = "kiosk-admin") -> None:
        """Clear an account's failures, wait and lockout (an admin's decision); audited."""
        self._staff_change(name, dict(_CLEARED), "staff_unlock", actor)

    def remove_staff(self, name: str, actor: str = "kiosk-admin") -> None:
        """Delete an account; raises LookupError for an unknown name."""
        with self._writing() as conn:
            if not conn.execute(delete(staff).where(staff.c.name == name)).rowcount:
                raise LookupError("no such staff account")
            self._audit_in(conn, actor=actor, action="staff_remove", target=name)

    def _staff_change(self, name: str, values: dict[str, object], action: str, actor: str) -> None:
        with self._writing() as conn:
            if not conn.execute(
                update(staff).where(staff.c.name == name).values(**values)
            ).rowcount:
                raise LookupError("no such staff account")
            self._audit_in(conn, actor=actor, action=action, target=name)

    def claim_login(self, code: str, rule: LockRule) -> LoginClaim | None:
        """Count one sign-in attempt for the account with staff ``code`` (see the port).

        The row is locked for the transaction (``BEGIN IMMEDIATE`` on SQLite, ``FOR UPDATE`` on
        PostgreSQL), so attempts from several kiosks at once are each counted; ``rule`` gets the
        database server's time (or the store's injected clock in tests), never the kiosk's.
        """
        with self._writing() as conn:
            row = conn.execute(
                select(staff)
                .where(staff.c.code == code, staff.c.active.is_(True))
                .with_for_update()
            ).first()
            if row is None:
                return None
            now = self._clock.now() if self._clock is not None else self._dialect.server_now(conn)
            claim = rule(_staff_from_row(row), now)
            if claim.claimed:
                account = claim.account
                conn.execute(
                    update(staff)
                    .where(staff.c.name == account.name)
                    .values(
                        failed_logins=account.failed_logins,
                        lobby_failures=account.lobby_failures,
                        failures_since=account.failures_since,
                        next_try_at=account.next_try_at,
                        locked_until=account.locked_until,
                    )
                )
            return claim

    def login_succeeded(self, name: str, audit_after: str | None) -> None:
        """Clear this account's failures and audit the login, in one transaction."""
        with self._writing() as conn:
            conn.execute(update(staff).where(staff.c.name == name).values(**_CLEARED))
            self._audit_in(conn, actor=name, action="login", target=name, after=audit_after)


# an account's sign-in state after a success or an admin's unlock
_CLEARED: dict[str, object] = {
    "failed_logins": 0,
    "lobby_failures": 0,
    "failures_since": None,
    "next_try_at": None,
    "locked_until": None,
}


def _free_code(conn: Connection) -> str:
    codes = {int(c) for (c,) in conn.execute(select(staff.c.code)) if str(c).isdigit()}
    code = 101
    while code in codes:
        code += 1
    return str(code)


def staff_row(account: StaffAccount) -> dict[str, Any]:
    """An account as the values of its ``staff`` row, sign-in state included (the table's
    columns are the account's fields)."""
    return asdict(account)


def _staff_from_row(row: Row[Any]) -> StaffAccount:
    return StaffAccount(
        name=row.name,
        role=row.role,
        pin_hash=row.pin_hash,
        active=bool(row.active),
        code=row.code,
        failed_logins=row.failed_logins,
        next_try_at=row.next_try_at,
        locked_until=row.locked_until,
        failures_since=row.failures_since,
        lobby_failures=row.lobby_failures,
    )
