"""StaffAuth: staff code and hashed PIN, a lockout counted per account in a window that decays
on the database's clock, a per-pad rate limit that never locks the account, unknown codes
answered as known ones, an audit of every sign-in, logout after inactivity."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.ports import StaffAccount
from kiosk.staff_auth import (
    LoginResult,
    MemoryStaffDirectory,
    PinError,
    Session,
    StaffAuth,
    check_new_pin,
    hash_pin,
    penalty_after,
    pin_in_use,
    verify_pin,
)
from tests.fakes import DownStaffDirectory, FakeClock
from tests.kiosk.staff_timing import assert_unknown_codes_take_as_long


def fast_hash(pin: str) -> str:
    """Cheap hashes keep the tests quick; the format is the same."""
    return hash_pin(pin, n=2**10)


def signed_in(auth: StaffAuth) -> Session | None:
    """The session as read now (a call, so a type checker does not carry an earlier read over
    the logout or the clock moving in between)."""
    return auth.session


@pytest.fixture
def db_clock() -> FakeClock:
    """The database server's clock (the lock-out rule's time), apart from any kiosk's."""
    return FakeClock()


@pytest.fixture
def directory(db_clock: FakeClock) -> MemoryStaffDirectory:
    return MemoryStaffDirectory(
        [
            # a four-digit PIN set before six digits were required: it keeps working
            StaffAccount("Lan", "staff", fast_hash("1234"), code="101"),
            StaffAccount("Minh", "admin", fast_hash("987654"), code="102"),
            StaffAccount("Old", "staff", fast_hash("555555"), active=False, code="103"),
        ],
        clock=db_clock,
    )


def actions(directory: MemoryStaffDirectory) -> list[tuple[str, str]]:
    return [(actor, action) for actor, action, *_ in directory.audit]


def test_hash_format_is_salted_and_verifies() -> None:
    first, second = fast_hash("2468"), fast_hash("2468")
    parts = first.split("$")
    assert parts[0] == "scrypt"
    assert parts[1:4] == ["1024", "8", "1"]
    assert len(bytes.fromhex(parts[4])) == 16
    assert len(bytes.fromhex(parts[5])) == 32
    assert first != second  # a fresh salt each time
    # The PIN is not kept in clear: no field is the PIN, nor its bytes in hex. (Not "2468"
    # nowhere in the line: the hex salt and hash hold those four digits by chance in about
    # one line in 700, which made this test fail once in CI.)
    assert "2468" not in parts
    assert b"2468".hex() not in first
    assert verify_pin("2468", first)
    assert verify_pin("2468", second)
    assert not verify_pin("2469", first)


@pytest.mark.parametrize("bad", ["", "scrypt$1$2", "md5$abc", "scrypt$1000$8$1$zz$00", "x" * 40])
def test_malformed_hashes_never_match(bad: str) -> None:
    assert not verify_pin("1234", bad)


@pytest.mark.parametrize("pin", ["123", "12a4", "１２３４", "1234567890123"])
def test_pins_must_be_4_to_12_ascii_digits(pin: str) -> None:
    with pytest.raises(PinError):
        fast_hash(pin)


@pytest.mark.parametrize("pin", ["12345", "1234567890123", "12a456"])
def test_new_pins_need_six_to_twelve_digits(pin: str) -> None:
    with pytest.raises(PinError):
        check_new_pin(pin)
    assert check_new_pin("123456") == "123456"


def test_a_pin_in_use_by_another_account_is_found(directory: MemoryStaffDirectory) -> None:
    accounts = directory.list_staff()
    assert pin_in_use("987654", accounts)
    assert not pin_in_use("987654", accounts, except_name="Minh")  # one's own, when changed
    assert not pin_in_use("246813", accounts)


def test_login_by_code_and_pin_finds_the_account_and_role(
    directory: MemoryStaffDirectory,
) -> None:
    auth = StaffAuth(directory, FakeClock(), where="KIOSK-07")
    attempt = auth.login("102", "987654")
    assert attempt.result is LoginResult.OK
    assert attempt.session is not None
    assert attempt.session.name == "Minh"
    assert attempt.session.is_admin
    assert not attempt.session.short_pin
    assert auth.session == attempt.session
    auth.logout()
    assert signed_in(auth) is None
    staff = auth.login("101", "1234").session
    assert staff is not None
    assert staff.name == "Lan"
    assert not staff.is_admin
    assert staff.short_pin  # works until changed, and the screens say so
    # the right PIN under another account's code is a failure
    assert auth.login("102", "1234").result is LoginResult.WRONG_PIN
    assert actions(directory) == [
        ("Minh", "login"),
        ("Minh", "logout"),
        ("Lan", "login"),
        ("Minh", "login_failed"),
    ]
    assert '"kiosk": "KIOSK-07"' in (directory.audit[0][4] or "")


def test_two_accounts_with_one_pin_each_sign_in_as_themselves() -> None:
    # from before duplicates were refused: the code decides, never the name order
    directory = MemoryStaffDirectory(
        [
            StaffAccount("An", "admin", fast_hash("111111"), code="11"),
            StaffAccount("Binh", "staff", fast_hash("111111"), code="12"),
        ]
    )
    session = StaffAuth(directory, FakeClock()).login("12", "111111").session
    assert session is not None
    assert session.name == "Binh"


def test_inactive_accounts_and_unknown_codes_cannot_log_in(
    directory: MemoryStaffDirectory,
) -> None:
    clock = FakeClock()
    auth = StaffAuth(directory, clock)
    for code in ("103", "999", ""):
        assert auth.login(code, "1234").result is LoginResult.WRONG_PIN
        clock.advance(minutes=1)
    assert [action for _, action in actions(directory)] == ["login_failed"] * 3


def test_an_unknown_code_answers_as_a_known_code_with_a_wrong_pin(
    directory: MemoryStaffDirectory,
) -> None:
    # the same result, the same pad wait and tries left: nothing tells the codes apart
    known = StaffAuth(directory, FakeClock(), origin="desk").login("101", "000000")
    unknown = StaffAuth(directory, FakeClock(), origin="desk").login("555", "000000")
    assert known == unknown
    assert known.result is LoginResult.WRONG_PIN
    assert known.wait_s == 1


def test_a_pad_waits_longer_each_time_then_pauses_without_locking(
    directory: MemoryStaffDirectory, db_clock: FakeClock
) -> None:
    clock = FakeClock()
    lobby = StaffAuth(directory, clock, pad_max_failures=5, where="K1")
    for wait in (1, 2, 4, 8):
        failed = lobby.login("102", "000000")
        assert failed.result is LoginResult.WRONG_PIN
        assert failed.wait_s == wait
        # too soon: even the right PIN is not checked, and the attempt is not counted
        early = lobby.login("102", "987654")
        assert early.result is LoginResult.WAIT
        assert early.wait_s == wait
        clock.advance(seconds=wait)
        db_clock.advance(seconds=wait)
    assert lobby.login("102", "000000").result is LoginResult.WRONG_PIN
    paused = lobby.login("102", "987654")
    assert paused.result is LoginResult.WAIT
    assert paused.wait_s > 14 * 60  # this pad rests until its first failure is 15 min old
    # the account is not locked: the admin signs in at another kiosk, or at the desk
    assert directory.accounts["Minh"].locked_until is None
    assert directory.accounts["Minh"].lobby_failures == 5
    assert StaffAuth(directory, FakeClock(), where="K2").login("102", "987654").session
    desk = StaffAuth(directory, FakeClock(), origin="desk")
    assert desk.login("102", "987654").result is LoginResult.OK


def test_many_pads_lock_the_account_only_after_many_more_tries(
    directory: MemoryStaffDirectory,
) -> None:
    for pad in range(19):  # 19 kiosks (or a reset pad) one wrong PIN each: not locked yet
        result = StaffAuth(directory, FakeClock(), where=f"K{pad}").login("102", "000000")
        assert result.result is LoginResult.WRONG_PIN
    assert directory.accounts["Minh"].locked_until is None
    twentieth = StaffAuth(directory, FakeClock(), where="K20").login("102", "000000")
    assert twentieth.result is LoginResult.LOCKED
    assert twentieth.locked_for_s == 300


def test_desk_failures_lock_at_max_failures_by_the_databases_clock(
    directory: MemoryStaffDirectory, db_clock: FakeClock
) -> None:
    desk = StaffAuth(directory, FakeClock(), origin="desk", max_failures=5, lockout_minutes=5)
    for n in range(4):
        assert desk.login("101", "000000", source=f"pc{n}").result is LoginResult.WRONG_PIN
    fifth = desk.login("101", "000000", source="pc5")
    assert fifth.result is LoginResult.LOCKED
    assert fifth.locked_for_s == 300
    db_clock.advance(minutes=4, seconds=59)
    assert desk.login("101", "1234", source="pc6").result is LoginResult.LOCKED
    db_clock.advance(seconds=1)
    assert desk.login("101", "1234", source="pc7").result is LoginResult.OK
    assert directory.accounts["Lan"].failed_logins == 0
    assert ("Lan", "lockout") in actions(directory)
    assert ("Lan", "login_refused") in actions(directory)


def test_counts_decay_once_the_window_has_passed(
    directory: MemoryStaffDirectory, db_clock: FakeClock
) -> None:
    desk = StaffAuth(directory, FakeClock(), origin="desk", window_minutes=15)
    for round_ in range(3):  # 4 failures every 15 minutes never lock: the window decays
        for n in range(4):
            result = desk.login("101", "000000", source=f"{round_}.{n}")
            assert result.result is LoginResult.WRONG_PIN
        db_clock.advance(minutes=15)
    assert directory.accounts["Lan"].locked_until is None
    # …while 5 in one window do
    for n in range(5):
        last = desk.login("101", "000000", source=f"last.{n}")
    assert last.result is LoginResult.LOCKED


def test_a_lockout_doubles_when_failures_go_on_in_the_window(
    directory: MemoryStaffDirectory, db_clock: FakeClock
) -> None:
    desk = StaffAuth(directory, FakeClock(), origin="desk", max_failures=3, lockout_minutes=5)
    for n in range(3):
        desk.login("101", "000000", source=str(n))
    db_clock.advance(minutes=5)
    again = desk.login("101", "000000", source="x")
    assert again.result is LoginResult.LOCKED
    assert again.locked_for_s == 600
    # the window passed: the next lockout starts from the first length again
    db_clock.advance(minutes=30)
    for n in range(3):
        fresh = desk.login("101", "000000", source=f"y{n}")
    assert fresh.locked_for_s == 300


@pytest.mark.parametrize("skew", [timedelta(minutes=6), timedelta(days=1), -timedelta(days=1)])
def test_a_kiosk_with_a_skewed_clock_changes_nothing(
    directory: MemoryStaffDirectory, db_clock: FakeClock, skew: timedelta
) -> None:
    normal = FakeClock(db_clock.now())
    skewed = FakeClock(db_clock.now() + skew)
    first = StaffAuth(directory, normal, origin="desk")
    for n in range(5):
        first.login("101", "000000", source=str(n))
    # a kiosk whose clock runs ahead sees the same lockout, to the second
    other = StaffAuth(directory, skewed, origin="desk").login("101", "1234", source="s")
    assert other.result is LoginResult.LOCKED
    assert other.locked_for_s == 300
    db_clock.advance(minutes=5)
    normal.advance(minutes=5)
    skewed.advance(minutes=5)
    # and once the server says the lockout is over, the right PIN works at both
    assert StaffAuth(directory, normal, origin="desk").login("101", "1234").session
    assert StaffAuth(directory, skewed, origin="desk").login("101", "1234").session


def test_another_accounts_success_never_clears_a_count(directory: MemoryStaffDirectory) -> None:
    desk = StaffAuth(directory, FakeClock(), origin="desk", max_failures=5)
    # four guesses at Minh's PIN, one's own PIN, one more guess: the fifth locks Minh
    for n in range(4):
        desk.login("102", "482100", source=str(n))
    assert desk.login("101", "1234", source="own").result is LoginResult.OK
    desk.logout()
    assert desk.login("102", "482101", source="5").result is LoginResult.LOCKED
    assert directory.accounts["Minh"].failed_logins == 5
    assert desk.login("102", "987654", source="6").result is LoginResult.LOCKED


def test_an_admin_unlocks_an_account(directory: MemoryStaffDirectory) -> None:
    desk = StaffAuth(directory, FakeClock(), origin="desk")
    for n in range(5):
        desk.login("101", "000000", source=str(n))
    assert directory.accounts["Lan"].locked_until is not None
    directory.unlock_staff("Lan", actor="Minh")
    assert desk.login("101", "1234", source="x").result is LoginResult.OK
    assert ("Minh", "staff_unlock") in actions(directory)


def test_the_count_lives_in_the_directory_not_in_the_pad(directory: MemoryStaffDirectory) -> None:
    # a restart (a new StaffAuth) or a second desk (another StaffAuth) sees the same count
    for _ in range(5):
        StaffAuth(directory, FakeClock(), origin="desk").login("101", "000000")
    fresh = StaffAuth(directory, FakeClock(), origin="desk")
    assert fresh.login("101", "1234").result is LoginResult.LOCKED


def test_an_unavailable_directory_is_said_so(directory: MemoryStaffDirectory) -> None:
    attempt = StaffAuth(DownStaffDirectory(directory.list_staff()), FakeClock()).login(
        "101", "1234"
    )
    assert attempt.result is LoginResult.UNAVAILABLE


def test_session_ends_after_inactivity_and_touch_extends_it(
    directory: MemoryStaffDirectory,
) -> None:
    clock = FakeClock()
    auth = StaffAuth(directory, clock, logout_after_s=120)
    auth.login("101", "1234")
    clock.advance(seconds=100)
    auth.touch()
    clock.advance(seconds=119)
    assert auth.session is not None
    clock.advance(seconds=1)
    assert signed_in(auth) is None
    auth.touch()  # touching after logout does not revive the session
    assert signed_in(auth) is None
    assert actions(directory) == [("Lan", "login"), ("Lan", "logout")]
    assert '"why": "idle"' in (directory.audit[-1][4] or "")


def test_the_lockout_grows_to_a_day_at_most() -> None:
    assert penalty_after(4, 5, 300) == 0.0
    assert penalty_after(5, 5, 300) == 300
    assert penalty_after(6, 5, 300) == 600
    assert penalty_after(100_000, 5, 300) == 24 * 3600


def test_unknown_codes_take_as_long_as_known_ones() -> None:
    """Statistical: medians of interleaved tries at real hash cost within 25 % of each other
    (an unknown code once answered in 1.6 ms, a known one in 54.8 ms)."""
    directory = MemoryStaffDirectory([StaffAccount("Lan", "staff", hash_pin("246813"), code="101")])
    auth = StaffAuth(directory, FakeClock(), kiosk_lock_failures=10_000, pad_max_failures=10_000)
    assert_unknown_codes_take_as_long(auth, "101", rounds=12)
