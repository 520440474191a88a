"""StaffAuth: hashed PINs, lockout after five wrong PINs, logout after inactivity."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from kiosk.ports import StaffAccount
from kiosk.staff_auth import (
    LoginResult,
    PinError,
    StaffAuth,
    hash_pin,
    verify_pin,
)
from tests.fakes import FakeClock

FAST = {"n": 2**10}  # cheap hashes keep the tests quick; the format is the same


class MemoryDirectory:
    """An in-memory StaffDirectory."""

    def __init__(self) -> None:
        self.accounts: dict[str, StaffAccount] = {}

    def get_staff(self, name: str) -> StaffAccount | None:
        return self.accounts.get(name)

    def list_staff(self) -> Sequence[StaffAccount]:
        return list(self.accounts.values())

    def add_staff(self, account: StaffAccount) -> None:
        if account.name in self.accounts:
            raise ValueError(account.name)
        self.accounts[account.name] = account

    def set_staff_pin(self, name: str, pin_hash: str) -> None:
        old = self.accounts[name]
        self.accounts[name] = StaffAccount(old.name, old.role, pin_hash, old.active)

    def remove_staff(self, name: str) -> None:
        del self.accounts[name]


@pytest.fixture
def directory() -> MemoryDirectory:
    d = MemoryDirectory()
    d.add_staff(StaffAccount("Lan", "staff", hash_pin("1234", **FAST)))
    d.add_staff(StaffAccount("Minh", "admin", hash_pin("987654", **FAST)))
    d.add_staff(StaffAccount("Old", "staff", hash_pin("5555", **FAST), active=False))
    return d


def test_hash_format_is_salted_and_verifies() -> None:
    first, second = hash_pin("2468", **FAST), hash_pin("2468", **FAST)
    parts = first.split("$")
    assert parts[0] == "scrypt"
    assert parts[1:4] == ["1024", "8", "1"]
    assert len(bytes.fromhex(parts[4])) == 16
    assert len(bytes.fromhex(parts[5])) == 32
    assert first != second  # a fresh salt each time
    assert "2468" not in first
    assert verify_pin("2468", first)
    assert verify_pin("2468", second)
    assert not verify_pin("2469", first)


@pytest.mark.parametrize("bad", ["", "scrypt$1$2", "md5$abc", "scrypt$1000$8$1$zz$00", "x" * 40])
def test_malformed_hashes_never_match(bad: str) -> None:
    assert not verify_pin("1234", bad)


@pytest.mark.parametrize("pin", ["123", "12a4", "１２３４", "1234567890123"])
def test_pins_must_be_4_to_12_ascii_digits(pin: str) -> None:
    with pytest.raises(PinError):
        hash_pin(pin, **FAST)


def test_login_by_pin_alone_finds_the_account_and_role(directory: MemoryDirectory) -> None:
    auth = StaffAuth(directory, FakeClock())
    attempt = auth.login("987654")
    assert attempt.result is LoginResult.OK
    assert attempt.session is not None
    assert attempt.session.name == "Minh"
    assert attempt.session.is_admin
    assert auth.session == attempt.session
    auth.logout()
    assert auth.session is None
    staff = auth.login("1234").session
    assert staff is not None
    assert staff.name == "Lan"
    assert not staff.is_admin


def test_inactive_accounts_cannot_log_in(directory: MemoryDirectory) -> None:
    assert StaffAuth(directory, FakeClock()).login("5555").result is LoginResult.WRONG_PIN


def test_five_wrong_pins_lock_for_five_minutes(directory: MemoryDirectory) -> None:
    clock = FakeClock()
    auth = StaffAuth(directory, clock, max_failures=5, lockout_minutes=5)
    lefts = [auth.login("0000").failures_left for _ in range(4)]
    assert lefts == [4, 3, 2, 1]
    fifth = auth.login("0000")
    assert fifth.result is LoginResult.LOCKED
    assert fifth.locked_for_s == 300
    # even the right PIN is refused while locked
    clock.advance(minutes=4, seconds=59)
    assert auth.login("1234").result is LoginResult.LOCKED
    assert 0 < auth.locked_for() <= 1
    clock.advance(seconds=1)
    assert auth.locked_for() == 0
    assert auth.login("1234").result is LoginResult.OK


def test_a_good_pin_resets_the_failure_count(directory: MemoryDirectory) -> None:
    auth = StaffAuth(directory, FakeClock())
    for _ in range(4):
        auth.login("0000")
    assert auth.login("1234").result is LoginResult.OK
    assert auth.login("0000").failures_left == 4


def test_session_ends_after_inactivity_and_touch_extends_it(directory: MemoryDirectory) -> None:
    clock = FakeClock()
    auth = StaffAuth(directory, clock, logout_after_s=120)
    auth.login("1234")
    clock.advance(seconds=100)
    auth.touch()
    clock.advance(seconds=119)
    assert auth.session is not None
    clock.advance(seconds=1)
    assert auth.session is None
    auth.touch()  # touching after logout does not revive the session
    assert auth.session is None
