"""``kiosk-admin staff``: accounts with hashed PINs, through the real command line."""

from __future__ import annotations

import getpass
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from db.store.open import open_store
from kiosk.config import load_config
from kiosk.staff_auth import LoginResult, StaffAuth
from tests.fakes import FakeClock

Run = Callable[..., subprocess.CompletedProcess[bytes]]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"KIOSK_DATABASE_URL": f"sqlite:///{tmp_path / 'kiosk.db'}"}


def test_add_list_passwd_remove(run_cli: Run, env: dict[str, str], repo_root: Path) -> None:
    added = run_cli(["staff", "add", "Lan", "--role", "admin", "--pin-stdin"], env=env,
                    input_bytes=b"482913\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert b"482913" not in added.stdout + added.stderr
    listed = run_cli(["staff", "list", "--json"], env=env)
    assert json.loads(listed.stdout) == {
        "staff": [
            {
                "name": "Lan",
                "code": "101",
                "role": "admin",
                "active": True,
                "failed_logins": 0,
                "locked_until": None,
            }
        ]
    }

    config = load_config(repo_root / "config.toml", env=env)
    store = open_store(config)
    try:
        account = store.get_staff("Lan")
        assert account is not None
        assert account.pin_hash.startswith("scrypt$")
        assert "482913" not in account.pin_hash.split("$")  # not kept in clear
        auth = StaffAuth(store, FakeClock())
        session = auth.login("101", "482913").session
        assert session is not None
        assert session.is_admin
    finally:
        store.dispose()

    changed = run_cli(["staff", "passwd", "Lan", "--pin-stdin"], env=env, input_bytes=b"135791\n")
    assert changed.returncode == 0, changed.stderr
    store = open_store(config)
    try:
        auth = StaffAuth(store, FakeClock())
        assert auth.login("101", "482913").session is None
        clock = FakeClock()
        clock.advance(seconds=5)
        assert StaffAuth(store, clock).login("101", "135791").session is not None
    finally:
        store.dispose()

    removed = run_cli(["staff", "remove", "Lan"], env=env)
    assert removed.returncode == 0, removed.stderr
    assert json.loads(run_cli(["staff", "list", "--json"], env=env).stdout) == {"staff": []}


@pytest.mark.parametrize("pin", [b"12\n", b"abcd\n", b"\n", b"1234\n", b"12345\n"])
def test_bad_pins_are_refused_with_one_line(run_cli: Run, env: dict[str, str], pin: bytes) -> None:
    result = run_cli(["staff", "add", "Minh", "--pin-stdin"], env=env, input_bytes=pin)
    assert result.returncode == 1
    assert result.stderr.decode().strip().count("\n") == 0
    assert "6 to 12 digits" in result.stderr.decode()
    assert json.loads(run_cli(["staff", "list", "--json"], env=env).stdout) == {"staff": []}


def test_duplicates_and_unknown_names(run_cli: Run, env: dict[str, str]) -> None:
    assert (
        run_cli(["staff", "add", "Lan", "--pin-stdin"], env=env, input_bytes=b"123456\n").returncode
        == 0
    )
    again = run_cli(["staff", "add", "Lan", "--pin-stdin"], env=env, input_bytes=b"567890\n")
    assert again.returncode == 1
    assert "already exists" in again.stderr.decode()
    missing = run_cli(
        ["staff", "passwd", "Nobody", "--pin-stdin"], env=env, input_bytes=b"123456\n"
    )
    assert missing.returncode == 1
    assert "no staff account 'Nobody'" in missing.stderr.decode()
    assert run_cli(["staff", "remove", "Nobody"], env=env).returncode == 1


def test_a_pin_in_use_is_refused_without_naming_its_owner(
    run_cli: Run, env: dict[str, str]
) -> None:
    add = ["staff", "add", "--pin-stdin"]
    assert run_cli([*add[:2], "Lan", *add[2:]], env=env, input_bytes=b"246813\n").returncode == 0
    same = run_cli([*add[:2], "Minh", *add[2:]], env=env, input_bytes=b"246813\n")
    assert same.returncode == 1
    assert "already in use" in same.stderr.decode()
    assert "Lan" not in same.stderr.decode()
    assert run_cli([*add[:2], "Minh", *add[2:]], env=env, input_bytes=b"975310\n").returncode == 0
    taken = run_cli(["staff", "passwd", "Minh", "--pin-stdin"], env=env, input_bytes=b"246813\n")
    assert taken.returncode == 1
    # one's own PIN again is not a clash with anyone
    own = run_cli(["staff", "passwd", "Minh", "--pin-stdin"], env=env, input_bytes=b"975310\n")
    assert own.returncode == 0, own.stderr


def test_unlock_lifts_a_lockout_and_the_audit_names_the_os_user(
    run_cli: Run, env: dict[str, str], repo_root: Path
) -> None:
    added = run_cli(
        ["staff", "add", "Lan", "--code", "42", "--pin-stdin"], env=env, input_bytes=b"246813\n"
    )
    assert added.returncode == 0, added.stderr
    assert b"staff code 42" in added.stdout
    config = load_config(repo_root / "config.toml", env=env)
    store = open_store(config)
    clock = FakeClock()
    try:
        auth = StaffAuth(store, clock, max_failures=2, origin="desk")
        for _ in range(2):
            clock.advance(minutes=1)
            auth.login("42", "000000")
        clock.advance(minutes=1)  # past this pad's own wait
        assert auth.login("42", "246813").result is LoginResult.LOCKED
        listed = run_cli(["staff", "list"], env=env)
        assert b"locked until" in listed.stdout
        unlocked = run_cli(["staff", "unlock", "Lan"], env=env)
        assert unlocked.returncode == 0, unlocked.stderr
        assert auth.login("42", "246813").result is LoginResult.OK
        actors = {r["action"]: r["actor"] for r in store.audit_entries()}
        user = getpass.getuser()
        assert actors["staff_add"] == f"{user}@cli"
        assert actors["staff_unlock"] == f"{user}@cli"
    finally:
        store.dispose()
