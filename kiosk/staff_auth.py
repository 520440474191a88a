"""Staff authentication for the kiosk's hidden staff mode: codes, hashed PINs, lockout, sessions.

Pure logic with a :class:`~kiosk.clock.Clock`: the UI shows a staff-code and PIN pad and calls
:meth:`StaffAuth.login`; ``kiosk-admin staff`` uses :func:`hash_pin` to store accounts. A PIN is
only ever kept as a salted scrypt hash (``"scrypt$n$r$p$salt_hex$hash_hex"``).

Failures are counted per account in the directory (the database), before the PIN is checked,
so neither a restart nor a second kiosk nor another account's success clears them; each
failure makes the next try wait longer, and ``max_failures`` in a row lock the account until
time or an admin lifts it. Every login, failure, lockout and logout goes to the audit log.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from kiosk.clock import Clock
from kiosk.ports import LoginClaim, Penalty, StaffAccount, StaffDirectory, StoreError

log = logging.getLogger(__name__)

ROLES = ("staff", "admin")
PIN_MIN_DIGITS = 4  # still accepted at sign-in: PINs set before six digits were required
NEW_PIN_MIN_DIGITS = 6  # for every PIN set from now on
PIN_MAX_DIGITS = 12
CODE_MIN_DIGITS = 2
CODE_MAX_DIGITS = 8
# a lockout doubles with every failure after it, up to a day
_MAX_LOCK_S = 24 * 3600.0
_MAX_DELAY_S = 60.0
# 2**14 costs ~16 MiB and tens of milliseconds: slow for a guesser, fine for a PIN pad.
DEFAULT_N = 2**14
DEFAULT_R = 8
DEFAULT_P = 1
_HASH_BYTES = 32


class PinError(ValueError):
    """A PIN or staff code that cannot be used (wrong length, not digits, already in use)."""


def check_pin_shape(pin: str) -> str:
    """The PIN itself when it is 4 to 12 digits; raise :class:`PinError` otherwise."""
    if not (pin.isascii() and pin.isdigit() and PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS):
        raise PinError(f"a PIN must be {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits")
    return pin


def check_new_pin(pin: str) -> str:
    """The PIN itself when it may be set from now on (6 to 12 digits); raise otherwise."""
    if not (pin.isascii() and pin.isdigit() and NEW_PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS):
        raise PinError(f"a new PIN must be {NEW_PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits")
    return pin


def check_code_shape(code: str) -> str:
    """The staff code itself when it is 2 to 8 digits; raise :class:`PinError` otherwise."""
    if not (code.isascii() and code.isdigit() and CODE_MIN_DIGITS <= len(code) <= CODE_MAX_DIGITS):
        raise PinError(f"a staff code must be {CODE_MIN_DIGITS} to {CODE_MAX_DIGITS} digits")
    return code


def pin_in_use(pin: str, accounts: Iterable[StaffAccount], *, except_name: str = "") -> bool:
    """Whether another account already signs in with ``pin``.

    Two people sharing one PIN could sign in as each other by mistyping a code, and the audit
    log would name the wrong person; so a PIN in use is refused when set.
    """
    return any(a.name != except_name and verify_pin(pin, a.pin_hash) for a in accounts)


def hash_pin(
    pin: str,
    *,
    n: int = DEFAULT_N,
    r: int = DEFAULT_R,
    p: int = DEFAULT_P,
    salt: bytes | None = None,
) -> str:
    """A salted scrypt hash of ``pin`` in the stored format ``scrypt$n$r$p$salt_hex$hash_hex``."""
    check_pin_shape(pin)
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = _scrypt(pin, salt, n, r, p)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, encoded: str) -> bool:
    """Whether ``pin`` matches a stored hash; a malformed hash never matches."""
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return False
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, expected = bytes.fromhex(parts[4]), bytes.fromhex(parts[5])
    except ValueError:
        return False
    if len(expected) != _HASH_BYTES or n < 2 or n & (n - 1):
        return False
    try:
        actual = _scrypt(pin, salt, n, r, p)
    except ValueError:
        return False
    # compare_digest: the time taken does not tell a guesser how many bytes matched
    return hmac.compare_digest(actual, expected)


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=_HASH_BYTES, maxmem=256 * 1024**2
    )


class LoginResult(StrEnum):
    """What became of one staff code and PIN entered at the pad."""

    OK = "ok"
    WRONG_PIN = "wrong_pin"  # also an unknown code: the pad never says which was wrong
    WAIT = "wait"  # too soon after a failure: try again in ``wait_s``
    LOCKED = "locked"
    UNAVAILABLE = "unavailable"  # the database cannot be reached


@dataclass(frozen=True)
class Session:
    """A logged-in staff member.

    ``short_pin``: the PIN used has fewer digits than new PINs need; it works until changed,
    and the staff screens say so.
    """

    name: str
    role: str
    short_pin: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class LoginAttempt:
    """The answer to :meth:`StaffAuth.login`."""

    result: LoginResult
    session: Session | None = None
    failures_left: int = 0
    locked_for_s: float = 0.0
    wait_s: float = 0.0


def penalty_after(failures: int, max_failures: int, lockout_s: float) -> tuple[float, float]:
    """Seconds to wait before the next try, and seconds locked, after ``failures`` in a row.

    Delays double from one second (1, 2, 4, …) below the limit; at the limit the account is
    locked for ``lockout_s``, and every further failure after a lockout ran out doubles it.
    """
    if failures >= max_failures:
        # the exponent capped: past a day it changes nothing, and a huge power would overflow
        return 0.0, min(lockout_s * 2 ** min(failures - max_failures, 32), _MAX_LOCK_S)
    if failures <= 0:
        return 0.0, 0.0
    return min(2.0 ** (failures - 1), _MAX_DELAY_S), 0.0


def claim_attempt(account: StaffAccount, now: datetime, penalty: Penalty) -> LoginClaim:
    """One sign-in attempt on ``account`` at ``now`` (see ``StaffDirectory.claim_login``): not
    claimed while it waits or is locked out, else counted as a failure until it succeeds, with
    the wait and lockout ``penalty`` gives for that many failures."""
    if (account.locked_until is not None and account.locked_until > now) or (
        account.next_try_at is not None and account.next_try_at > now
    ):
        return LoginClaim(account, claimed=False)
    failures = account.failed_logins + 1
    delay_s, lock_s = penalty(failures)
    return LoginClaim(
        replace(
            account,
            failed_logins=failures,
            next_try_at=now + timedelta(seconds=delay_s) if delay_s else None,
            locked_until=now + timedelta(seconds=lock_s) if lock_s else None,
        ),
        claimed=True,
    )


class StaffAuth:
    """Checks staff codes and PINs typed on the kiosk's pad and keeps the one staff session.

    ``where`` names this kiosk in the audit log. A session ends by itself after
    ``logout_after_s`` seconds without :meth:`touch`.
    """

    def __init__(
        self,
        directory: StaffDirectory,
        clock: Clock,
        *,
        max_failures: int = 5,
        lockout_minutes: float = 5,
        logout_after_s: float = 120,
        where: str = "",
    ) -> None:
        self._directory = directory
        self._clock = clock
        self._max_failures = max_failures
        self._lockout_s = lockout_minutes * 60
        self._logout_after_s = logout_after_s
        self._where = where
        self._session: Session | None = None
        self._last_activity = 0.0

    def _penalty(self, failures: int) -> tuple[float, float]:
        return penalty_after(failures, self._max_failures, self._lockout_s)

    def _audit(self, actor: str, action: str, target: str, **facts: object) -> None:
        after = json.dumps({"kiosk": self._where, **facts}, ensure_ascii=False)
        try:
            self._directory.record_audit(actor, action, target, None, after)
        except StoreError as error:
            log.error("could not audit %s of %s: %s", action, target, error)

    def login(self, code: str, pin: str) -> LoginAttempt:
        """Check ``pin`` for the account with staff ``code``; count failures; start a session."""
        now = self._clock.now()
        code = code.strip()
        try:
            claim = self._claim(code, now)
        except StoreError as error:
            log.error("staff sign-in impossible: %s", error)
            return LoginAttempt(LoginResult.UNAVAILABLE)
        if claim is None:
            # no such account: nothing to count it against, but the attempt is on record
            self._audit(f"kiosk:{self._where}", "login_failed", "unknown code")
            return LoginAttempt(LoginResult.WRONG_PIN, failures_left=self._max_failures)
        account = claim.account
        if not claim.claimed:
            return self._refused(account, now)
        if _pin_matches(pin, account.pin_hash):
            return self._succeeded(account, pin)
        return self._failed(account, now)

    def _succeeded(self, account: StaffAccount, pin: str) -> LoginAttempt:
        session = Session(account.name, account.role, short_pin=len(pin) < NEW_PIN_MIN_DIGITS)
        after = json.dumps({"kiosk": self._where}, ensure_ascii=False)
        try:
            self._directory.login_succeeded(account.name, after)
        except StoreError as error:
            log.error("staff sign-in impossible: %s", error)
            return LoginAttempt(LoginResult.UNAVAILABLE)
        self._session = session
        self._last_activity = self._clock.monotonic()
        log.info("staff %s signed in", account.name)
        return LoginAttempt(LoginResult.OK, session=session)

    def _failed(self, account: StaffAccount, now: datetime) -> LoginAttempt:
        failures = account.failed_logins
        self._audit(account.name, "login_failed", account.name, failures=failures)
        if account.locked_until is not None and account.locked_until > now:
            self._audit(
                account.name,
                "lockout",
                account.name,
                failures=failures,
                until=account.locked_until.isoformat(),
            )
            return LoginAttempt(
                LoginResult.LOCKED, locked_for_s=(account.locked_until - now).total_seconds()
            )
        wait = (account.next_try_at - now).total_seconds() if account.next_try_at else 0.0
        return LoginAttempt(
            LoginResult.WRONG_PIN,
            failures_left=max(self._max_failures - failures, 0),
            wait_s=max(wait, 0.0),
        )

    def _claim(self, code: str, now: datetime) -> LoginClaim | None:
        try:
            check_code_shape(code)
        except PinError:
            return None
        return self._directory.claim_login(code, now, self._penalty)

    def _refused(self, account: StaffAccount, now: datetime) -> LoginAttempt:
        self._audit(account.name, "login_refused", account.name, failures=account.failed_logins)
        if account.locked_until is not None and account.locked_until > now:
            left = (account.locked_until - now).total_seconds()
            return LoginAttempt(LoginResult.LOCKED, locked_for_s=left)
        left = (account.next_try_at - now).total_seconds() if account.next_try_at else 0.0
        return LoginAttempt(LoginResult.WAIT, wait_s=max(left, 0.0))

    @property
    def session(self) -> Session | None:
        """The current session, or None once logged out or idle for too long."""
        if self._session is not None and (
            self._clock.monotonic() - self._last_activity >= self._logout_after_s
        ):
            ended, self._session = self._session, None
            self._audit(ended.name, "logout", ended.name, why="idle")
        return self._session

    def touch(self) -> None:
        """Staff did something: the inactivity countdown starts again."""
        if self.session is not None:
            self._last_activity = self._clock.monotonic()

    def logout(self) -> None:
        """End the session (the staff member pressed log out)."""
        ended, self._session = self._session, None
        if ended is not None:
            self._audit(ended.name, "logout", ended.name, why="button")


def _pin_matches(pin: str, encoded: str) -> bool:
    try:
        check_pin_shape(pin)
    except PinError:
        return False
    return verify_pin(pin, encoded)


class MemoryStaffDirectory:
    """An in-memory :class:`~kiosk.ports.StaffDirectory`, for screenshots, demos and tests.

    ``audit`` keeps the rows :meth:`record_audit` was given, as tuples.
    """

    def __init__(self, accounts: Iterable[StaffAccount] = ()) -> None:
        self.accounts: dict[str, StaffAccount] = {}
        self.audit: list[tuple[str, str, str, str | None, str | None]] = []
        for account in accounts:
            self.add_staff(account)

    def get_staff(self, name: str) -> StaffAccount | None:
        return self.accounts.get(name)

    def list_staff(self) -> list[StaffAccount]:
        return sorted(self.accounts.values(), key=lambda a: a.name)

    def add_staff(self, account: StaffAccount) -> None:
        if account.name in self.accounts:
            raise ValueError("this staff name is taken")
        if account.code and any(a.code == account.code for a in self.accounts.values()):
            raise ValueError("this staff code is taken")
        self.accounts[account.name] = account

    def set_staff_pin(self, name: str, pin_hash: str) -> None:
        self.accounts[name] = replace(self.accounts[name], pin_hash=pin_hash)

    def remove_staff(self, name: str) -> None:
        del self.accounts[name]

    def claim_login(
        self, code: str, now: datetime, penalty: Callable[[int], tuple[float, float]]
    ) -> LoginClaim | None:
        account = next((a for a in self.accounts.values() if a.code == code and a.active), None)
        if account is None:
            return None
        claim = claim_attempt(account, now, penalty)
        self.accounts[account.name] = claim.account
        return claim

    def login_succeeded(self, name: str, audit_after: str | None) -> None:
        self.accounts[name] = replace(
            self.accounts[name], failed_logins=0, next_try_at=None, locked_until=None
        )
        self.record_audit(name, "login", name, None, audit_after)

    def record_audit(
        self, actor: str, action: str, target: str, before: str | None, after: str | None
    ) -> None:
        self.audit.append((actor, action, target, before, after))
