"""Staff authentication for the kiosk's hidden staff mode: codes, hashed PINs, lockout, sessions.

Pure logic with a :class:`~kiosk.clock.Clock`: the UI shows a staff-code and PIN pad and calls
:meth:`StaffAuth.login`; ``kiosk-admin staff`` uses :func:`hash_pin` to store accounts. A PIN is
only ever kept as a salted scrypt hash (``"scrypt$n$r$p$salt_hex$hash_hex"``).

Failures are counted per account in the directory (the database), before the PIN is checked,
so neither a restart nor a second kiosk nor another account's success clears them. The lobby
cannot lock an account:

- counts decay: they start again once the window (``staff.failure_window_minutes``) that the
  first failure opened has passed;
- every time in that rule (window, lockout) is the database server's time, handed over by the
  directory with the claim: a kiosk whose own clock is fast or slow changes nothing;
- a kiosk's PIN pad counts apart from the desks: ``max_failures`` desk failures in a window lock
  the account, but pads need ``kiosk_lock_failures`` (many more); each pad has its own rate
  limit (:class:`PadLimiter`: growing waits, then a pause) that never touches the account;
- an unknown code answers as a known one with a wrong PIN, in the same time: its PIN is checked
  against a dummy hash of the same cost, and the waits come from the pad, not the account.

Every login, failure, lockout and logout goes to the audit log.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache, partial
from typing import Literal

from kiosk.clock import Clock
from kiosk.ports import LockRule, LoginClaim, StaffAccount, StaffDirectory, StoreError

log = logging.getLogger(__name__)

ROLES = ("staff", "admin")
PIN_MIN_DIGITS = 4  # still accepted at sign-in: PINs set before six digits were required
NEW_PIN_MIN_DIGITS = 6  # for every PIN set from now on
PIN_MAX_DIGITS = 12
CODE_MIN_DIGITS = 2
CODE_MAX_DIGITS = 8
# a lockout doubles with every failure after it within the window, up to a day
_MAX_LOCK_S = 24 * 3600.0
_MAX_DELAY_S = 60.0
#: where a sign-in is typed: a kiosk's PIN pad in the lobby, or a staff PC (desk, room page)
Origin = Literal["kiosk", "desk"]
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
    WAIT = "wait"  # this pad (or desk) must wait ``wait_s`` before the next try
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
    """The answer to :meth:`StaffAuth.login`.

    ``failures_left`` counts this pad's tries before it pauses (never the account's: that
    would tell a known code from an unknown one).
    """

    result: LoginResult
    session: Session | None = None
    failures_left: int = 0
    locked_for_s: float = 0.0
    wait_s: float = 0.0


@dataclass(frozen=True)
class LockPolicy:
    """The account lock-out rule's numbers (``[staff]`` settings)."""

    max_failures: int = 5  # desk failures in one window that lock the account
    kiosk_lock_failures: int = 20  # kiosk pads' failures in one window that lock it
    lockout_s: float = 300.0
    window_s: float = 900.0


def penalty_after(failures: int, max_failures: int, lockout_s: float) -> float:
    """Seconds of lockout after ``failures`` in one window: none below ``max_failures``, then
    ``lockout_s``, doubling with every further failure in the same window (up to a day)."""
    if failures < max_failures:
        return 0.0
    # the exponent capped: past a day it changes nothing, and a huge power would overflow
    return min(lockout_s * 2.0 ** min(failures - max_failures, 32), _MAX_LOCK_S)


def claim_attempt(
    account: StaffAccount, now: datetime, policy: LockPolicy, origin: Origin
) -> LoginClaim:
    """One sign-in attempt on ``account`` at the database server's time ``now`` (the
    :data:`~kiosk.ports.LockRule` of ``StaffDirectory.claim_login``).

    Not claimed while the account is locked. Else the window starts again when it is older
    than ``policy.window_s``, and the attempt is counted as a failure (of a desk or of a kiosk
    pad, each with its own limit) until it succeeds.
    """
    if account.locked_until is not None and account.locked_until > now:
        return LoginClaim(account, claimed=False, now=now)
    desk, lobby, since = account.failed_logins, account.lobby_failures, account.failures_since
    if since is None or (now - since).total_seconds() >= policy.window_s or since > now:
        desk, lobby, since = 0, 0, now  # the window passed: the counts decay to nothing
    if origin == "desk":
        desk += 1
        lock_s = penalty_after(desk, policy.max_failures, policy.lockout_s)
    else:
        lobby += 1
        lock_s = penalty_after(lobby, policy.kiosk_lock_failures, policy.lockout_s)
    return LoginClaim(
        replace(
            account,
            failed_logins=desk,
            lobby_failures=lobby,
            failures_since=since,
            next_try_at=None,
            locked_until=now + timedelta(seconds=lock_s) if lock_s else None,
        ),
        claimed=True,
        now=now,
    )


@dataclass
class PadLimiter:
    """The rate limit of one PIN pad (a kiosk) or of the desks' clients, apart from accounts.

    After each failure from a ``source`` the next try waits 1, 2, 4, … s (up to a minute), and
    after ``max_failures`` within ``window_s`` the source pauses until the oldest ages out. It
    counts known and unknown codes alike, and it never locks an account. Local to one process
    and on the monotonic clock: it guards one pad, not an agreement between machines.
    """

    clock: Clock
    max_failures: int = 5
    window_s: float = 900.0
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    def _recent(self, source: str) -> deque[float]:
        now = self.clock.monotonic()
        times = self._failures.setdefault(source, deque())
        while times and now - times[0] >= self.window_s:
            times.popleft()
        if not times:
            self._failures.pop(source, None)
        return times

    def wait_s(self, source: str) -> float:
        """Seconds ``source`` must still wait before its next try (0: it may try now)."""
        times = self._recent(source)
        if not times:
            return 0.0
        now = self.clock.monotonic()
        if len(times) >= self.max_failures:
            return max(times[0] + self.window_s - now, 0.0)
        delay = min(2.0 ** (len(times) - 1), _MAX_DELAY_S)
        return max(times[-1] + delay - now, 0.0)

    def failed(self, source: str) -> int:
        """Note a failure; returns the tries ``source`` has left before it pauses."""
        times = self._recent(source)
        times.append(self.clock.monotonic())
        self._failures[source] = times
        return max(self.max_failures - len(times), 0)

    def succeeded(self, source: str) -> None:
        self._failures.pop(source, None)


@cache
def _dummy_hash() -> str:
    """A hash of the same cost as real PINs', for unknown codes to be checked against."""
    return hash_pin(secrets.choice("0123456789") * NEW_PIN_MIN_DIGITS)


class StaffAuth:
    """Checks staff codes and PINs typed on the kiosk's pad (or a desk) and keeps the one
    staff session.

    ``where`` names this kiosk in the audit log. ``origin`` says whose limit a failure counts
    against (:class:`LockPolicy`); ``limiter`` is this pad's rate limit (one per kiosk; the web
    pages share one per process, keyed by ``source``). A session ends by itself after
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
        origin: Origin = "kiosk",
        window_minutes: float = 15,
        kiosk_lock_failures: int = 20,
        pad_max_failures: int = 5,
        limiter: PadLimiter | None = None,
    ) -> None:
        self._directory = directory
        self._clock = clock
        self._policy = LockPolicy(
            max_failures=max_failures,
            kiosk_lock_failures=kiosk_lock_failures,
            lockout_s=lockout_minutes * 60,
            window_s=window_minutes * 60,
        )
        self._origin: Origin = origin
        self._limiter = limiter or PadLimiter(
            clock, max_failures=pad_max_failures, window_s=window_minutes * 60
        )
        self._logout_after_s = logout_after_s
        self._where = where
        self._session: Session | None = None
        self._last_activity = 0.0

    @property
    def policy(self) -> LockPolicy:
        return self._policy

    def _audit(self, actor: str, action: str, target: str, **facts: object) -> None:
        after = json.dumps({"kiosk": self._where, **facts}, ensure_ascii=False)
        try:
            self._directory.record_audit(actor, action, target, None, after)
        except StoreError as error:
            log.error("could not audit %s of %s: %s", action, target, error)

    def login(self, code: str, pin: str, *, source: str = "") -> LoginAttempt:
        """Check ``pin`` for the account with staff ``code``; count failures; start a session.

        ``source``: who typed it, for the pad's rate limit (the web pages pass the client's
        address; a kiosk has one pad).
        """
        wait = self._limiter.wait_s(source)
        if wait > 0:
            return LoginAttempt(LoginResult.WAIT, wait_s=wait)
        code = code.strip()
        try:
            claim = self._claim(code)
        except StoreError as error:
            log.error("staff sign-in impossible: %s", error)
            return LoginAttempt(LoginResult.UNAVAILABLE)
        if claim is None:
            # no such account: the same work and the same answer as a wrong PIN
            _pin_matches(pin, _dummy_hash())
            self._audit(f"kiosk:{self._where}", "login_failed", "unknown code")
            return self._wrong(source)
        account = claim.account
        if not claim.claimed:
            return self._refused(account, claim.now)
        if _pin_matches(pin, account.pin_hash):
            return self._succeeded(account, pin, source)
        return self._failed(account, claim.now, source)

    def _wrong(self, source: str) -> LoginAttempt:
        left = self._limiter.failed(source)
        return LoginAttempt(
            LoginResult.WRONG_PIN, failures_left=left, wait_s=self._limiter.wait_s(source)
        )

    def _succeeded(self, account: StaffAccount, pin: str, source: str) -> LoginAttempt:
        session = Session(account.name, account.role, short_pin=len(pin) < NEW_PIN_MIN_DIGITS)
        after = json.dumps({"kiosk": self._where}, ensure_ascii=False)
        try:
            self._directory.login_succeeded(account.name, after)
        except StoreError as error:
            log.error("staff sign-in impossible: %s", error)
            return LoginAttempt(LoginResult.UNAVAILABLE)
        self._limiter.succeeded(source)
        self._session = session
        self._last_activity = self._clock.monotonic()
        log.info("staff %s signed in", account.name)
        return LoginAttempt(LoginResult.OK, session=session)

    def _failed(self, account: StaffAccount, now: datetime, source: str) -> LoginAttempt:
        failures = account.failed_logins + account.lobby_failures
        self._audit(
            account.name, "login_failed", account.name, failures=failures, origin=self._origin
        )
        if account.locked_until is not None and account.locked_until > now:
            self._audit(
                account.name,
                "lockout",
                account.name,
                failures=failures,
                until=account.locked_until.isoformat(),
            )
            self._limiter.failed(source)
            return LoginAttempt(
                LoginResult.LOCKED, locked_for_s=(account.locked_until - now).total_seconds()
            )
        return self._wrong(source)

    def _claim(self, code: str) -> LoginClaim | None:
        try:
            check_code_shape(code)
        except PinError:
            return None
        rule: LockRule = partial(claim_attempt, policy=self._policy, origin=self._origin)
        return self._directory.claim_login(code, rule)

    def _refused(self, account: StaffAccount, now: datetime) -> LoginAttempt:
        failures = account.failed_logins + account.lobby_failures
        self._audit(account.name, "login_refused", account.name, failures=failures)
        left = (account.locked_until - now).total_seconds() if account.locked_until else 0.0
        return LoginAttempt(LoginResult.LOCKED, locked_for_s=max(left, 0.0))

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

    ``clock`` plays the database server's clock (the lock-out rule's time); without one, this
    machine's. ``audit`` keeps the rows :meth:`record_audit` was given, as tuples.
    """

    def __init__(self, accounts: Iterable[StaffAccount] = (), clock: Clock | None = None) -> None:
        self._clock = clock
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

    def claim_login(self, code: str, rule: LockRule) -> LoginClaim | None:
        account = next((a for a in self.accounts.values() if a.code == code and a.active), None)
        if account is None:
            return None
        now = self._clock.now() if self._clock is not None else datetime.now(UTC)
        claim = rule(account, now)
        self.accounts[account.name] = claim.account
        return claim

    def login_succeeded(self, name: str, audit_after: str | None) -> None:
        self.accounts[name] = _cleared(self.accounts[name])
        self.record_audit(name, "login", name, None, audit_after)

    def unlock_staff(self, name: str, actor: str = "kiosk-admin") -> None:
        if name not in self.accounts:
            raise LookupError("no such staff account")
        self.accounts[name] = _cleared(self.accounts[name])
        self.record_audit(actor, "staff_unlock", name, None, None)

    def record_audit(
        self, actor: str, action: str, target: str, before: str | None, after: str | None
    ) -> None:
        self.audit.append((actor, action, target, before, after))


def _cleared(account: StaffAccount) -> StaffAccount:
    return replace(
        account,
        failed_logins=0,
        lobby_failures=0,
        failures_since=None,
        next_try_at=None,
        locked_until=None,
    )
