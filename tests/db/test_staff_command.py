"""``kiosk-admin staff``: accounts with hashed PINs, through the real command line."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from db.open import open_store
from kiosk.config import load_config
from kiosk.staff_auth import StaffAuth
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
        "staff": [{"name": "Lan", "role": "admin", "active": True}]
    }

    config = load_config(repo_root / "config.toml", env=env)
    store = open_store(config)
    try:
        account = store.get_staff("Lan")
        assert account is not None
        assert account.pin_hash.startswith("scrypt$")
        assert "482913" not in account.pin_hash
        auth = StaffAuth(store, FakeClock())
        session = auth.login("482913").session
        assert session is not None
        assert session.is_admin
    finally:
        store.dispose()

    changed = run_cli(["staff", "passwd", "Lan", "--pin-stdin"], env=env, input_bytes=b"1357\n")
    assert changed.returncode == 0, changed.stderr
    store = open_store(config)
    try:
        auth = StaffAuth(store, FakeClock())
        assert auth.login("482913").session is None
        assert auth.login("1357").session is not None
    finally:
        store.dispose()

    removed = run_cli(["staff", "remove", "Lan"], env=env)
    assert removed.returncode == 0, removed.stderr
    assert json.loads(run_cli(["staff", "list", "--json"], env=env).stdout) == {"staff": []}


@pytest.mark.parametrize("pin", [b"12\n", b"abcd\n", b"\n"])
def test_bad_pins_are_refused_with_one_line(run_cli: Run, env: dict[str, str], pin: bytes) -> None:
    result = run_cli(["staff", "add", "Minh", "--pin-stdin"], env=env, input_bytes=pin)
    assert result.returncode == 1
    assert result.stderr.decode().strip().count("\n") == 0
    assert "4 to 12 digits" in result.stderr.decode()
    assert json.loads(run_cli(["staff", "list", "--json"], env=env).stdout) == {"staff": []}


def test_duplicates_and_unknown_names(run_cli: Run, env: dict[str, str]) -> None:
    assert (
        run_cli(["staff", "add", "Lan", "--pin-stdin"], env=env, input_bytes=b"1234\n").returncode
        == 0
    )
    again = run_cli(["staff", "add", "Lan", "--pin-stdin"], env=env, input_bytes=b"5678\n")
    assert again.returncode == 1
    assert "already exists" in again.stderr.decode()
    missing = run_cli(["staff", "passwd", "Nobody", "--pin-stdin"], env=env, input_bytes=b"1234\n")
    assert missing.returncode == 1
    assert "no staff account 'Nobody'" in missing.stderr.decode()
    assert run_cli(["staff", "remove", "Nobody"], env=env).returncode == 1
