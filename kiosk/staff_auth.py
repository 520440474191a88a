"""Staff authentication for the kiosk's hidden staff mode: hashed PINs, lockout, sessions.

Pure logic with a :class:`~kiosk.clock.Clock`: the UI shows a PIN pad and calls
:meth:`StaffAuth.login`; ``kiosk-admin staff`` uses :func:`hash_pin` to store accounts. A PIN is
only ever kept as a salted scrypt hash (``"scrypt$n$r$p$salt_hex$hash_hex"``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

from kiosk.clock import Clock
from kiosk.ports import StaffAccount, StaffDirectory

ROLES = ("staff", "admin")
PIN_MIN_DIGITS = 4
PIN_MAX_DIGITS = 12
# 2**14 costs ~16 MiB and tens of milliseconds: slow for a guesser, fine for a PIN pad.
DEFAULT_N = 2**14
DEFAULT_R = 8
DEFAULT_P = 1
_HASH_BYTES = 32


class PinError(ValueError):
    """A PIN that cannot be used (not 4-12 digits)."""


def check_pin_shape(pin: str) -> str:
    """The PIN itself when it is 4 to 12 digits; raise :class:`PinError` otherwise."""
    if not (pin.isascii() and pin.isdigit() and PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS):
        raise PinError(f"a PIN must be {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits")
    return pin


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
    """What became of one PIN entered at the pad."""

    OK = "ok"
    WRONG_PIN = "wrong_pin"
    LOCKED = "locked"


@dataclass(frozen=True)
class Session:
    """A logged-in staff member."""

    name: str
    role: str

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


class StaffAuth:
    """Checks PINs typed on the kiosk's pad and keeps the one staff session.

    The pad asks for a PIN only (no name), so a PIN is checked against every active account.
    ``max_failures`` wrong PINs in a row lock the pad for ``lockout_minutes``; a session ends by
    itself after ``logout_after_s`` seconds without :meth:`touch`.
    """

    def __init__(
        self,
        directory: StaffDirectory,
        clock: Clock,
        *,
        max_failures: int = 5,
        lockout_minutes: float = 5,
        logout_after_s: float = 120,
    ) -> None:
        self._directory = directory
        self._clock = clock
        self._max_failures = max_failures
        self._lockout_s = lockout_minutes * 60
        self._logout_after_s = logout_after_s
        self._failures = 0
        self._locked_until: float | None = None
        self._session: Session | None = None
        self._last_activity = 0.0

    def locked_for(self) -> float:
        """Seconds left before the pad accepts PINs again (0 when it is not locked)."""
        if self._locked_until is None:
            return 0.0
        left = self._locked_until - self._clock.monotonic()
        if left <= 0:
            self._locked_until = None
            self._failures = 0
            return 0.0
        return left

    def login(self, pin: str) -> LoginAttempt:
        """Check ``pin`` against the active accounts; count failures; start a session."""
        locked = self.locked_for()
        if locked > 0:
            return LoginAttempt(LoginResult.LOCKED, locked_for_s=locked)
        account = self._match(pin)
        if account is None:
            self._failures += 1
            if self._failures >= self._max_failures:
                self._locked_until = self._clock.monotonic() + self._lockout_s
                return LoginAttempt(LoginResult.LOCKED, locked_for_s=self._lockout_s)
            return LoginAttempt(
                LoginResult.WRONG_PIN, failures_left=self._max_failures - self._failures
            )
        self._failures = 0
        self._session = Session(account.name, account.role)
        self._last_activity = self._clock.monotonic()
        return LoginAttempt(LoginResult.OK, session=self._session)

    def _match(self, pin: str) -> StaffAccount | None:
        try:
            check_pin_shape(pin)
        except PinError:
            return None
        for account in self._directory.list_staff():
            if account.active and verify_pin(pin, account.pin_hash):
                return account
        return None

    @property
    def session(self) -> Session | None:
        """The current session, or None once logged out or idle for too long."""
        if self._session is not None and (
            self._clock.monotonic() - self._last_activity >= self._logout_after_s
        ):
            self._session = None
        return self._session

    def touch(self) -> None:
        """Staff did something: the inactivity countdown starts again."""
        if self.session is not None:
            self._last_activity = self._clock.monotonic()

    def logout(self) -> None:
        self._session = None
