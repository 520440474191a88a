"""Staff sign-in state in the database: counted per account, shared by every kiosk on the same
database, kept across restarts, cleared only by that account's success, an admin or time."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from db.store import SqlStore
from db.store.engine import create_kiosk_engine
from db.store.migrate import upgrade
from kiosk.ports import StaffAccount
from kiosk.staff_auth import LoginResult, StaffAuth, hash_pin
from tests.builders import ZONE
from tests.db.pg import fresh_database
from tests.db.storehelp import open_sqlite_store
from tests.fakes import FakeClock


def fast_hash(pin: str) -> str:
    """Cheap hashes keep the tests quick; the format is the same."""
    return hash_pin(pin, n=2**10)


NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def _accounts(store: SqlStore) -> None:
    store.add_staff(StaffAccount("Lan", "staff", fast_hash("1234")), actor="it@cli")
    store.add_staff(StaffAccount("Minh", "admin", fast_hash("987654"), code="77"))


def test_codes_are_given_and_unique(store: SqlStore) -> None:
    _accounts(store)
    assert {a.name: a.code for a in store.list_staff()} == {"Lan": "101", "Minh": "77"}
    with pytest.raises(ValueError, match="code is taken"):
        store.add_staff(StaffAccount("Hoa", "staff", fast_hash("246813"), code="77"))
    assert store.audit_entries()[0]["actor"] == "it@cli"


def test_failures_survive_a_restart_and_lock_every_kiosk(tmp_path: Path) -> None:
    first = open_sqlite_store(tmp_path)
    _accounts(first)
    clock = FakeClock(NOW)
    kiosk_a = StaffAuth(first, clock, max_failures=3, where="A")
    for _ in range(3):
        clock.advance(minutes=1)
        kiosk_a.login("101", "000000")
    first.dispose()
    # the kiosk restarts, and a second kiosk opens the same database
    again = open_sqlite_store(tmp_path)
    kiosk_b = StaffAuth(again, clock, max_failures=3, where="B")
    assert kiosk_b.login("101", "1234").result is LoginResult.LOCKED
    # another account's success clears nothing of Lan's
    assert kiosk_b.login("77", "987654").result is LoginResult.OK
    lan = again.get_staff("Lan")
    assert lan is not None
    assert lan.failed_logins == 3
    assert lan.locked_until is not None
    # an admin lifts the lockout
    again.unlock_staff("Lan", actor="it@cli")
    assert kiosk_b.login("101", "1234").result is LoginResult.OK
    rows = [(r["actor"], r["action"]) for r in again.audit_entries()]
    assert rows[2:] == [
        ("Lan", "login_failed"),
        ("Lan", "login_failed"),
        ("Lan", "login_failed"),
        ("Lan", "lockout"),
        ("Lan", "login_refused"),
        ("Minh", "login"),
        ("it@cli", "staff_unlock"),
        ("Lan", "login"),
    ]
    assert json.loads(again.audit_entries()[-1]["after"]) == {"kiosk": "B"}
    again.dispose()


def test_success_clears_only_its_own_count(store: SqlStore) -> None:
    _accounts(store)
    no_wait = lambda n: (0.0, 0.0)  # noqa: E731
    for _ in range(2):
        store.claim_login("101", NOW, no_wait)
        store.claim_login("77", NOW, no_wait)
    store.login_succeeded("Minh", None)
    counts = {a.name: a.failed_logins for a in store.list_staff()}
    assert counts == {"Lan": 2, "Minh": 0}


def test_a_claim_waits_out_the_delay(store: SqlStore) -> None:
    _accounts(store)
    claim = store.claim_login("101", NOW, lambda n: (4.0, 0.0))
    assert claim is not None
    assert claim.claimed
    assert claim.account.next_try_at == NOW + timedelta(seconds=4)
    early = store.claim_login("101", NOW + timedelta(seconds=3), lambda n: (4.0, 0.0))
    assert early is not None
    assert not early.claimed
    assert early.account.failed_logins == 1
    assert store.claim_login("555", NOW, lambda n: (0.0, 0.0)) is None


@pytest.mark.postgres
def test_attempts_from_many_kiosks_at_once_are_each_counted(postgres_url: str) -> None:
    with fresh_database(postgres_url) as url:
        engines = [create_kiosk_engine(url) for _ in range(4)]
        upgrade(engines[0])
        stores = [SqlStore(e, zone=ZONE) for e in engines]
        _accounts(stores[0])
        start = threading.Barrier(8)

        def guess(store: SqlStore) -> None:
            start.wait()
            for _ in range(10):
                store.claim_login("101", NOW, lambda n: (0.0, 0.0))

        threads = [threading.Thread(target=guess, args=(stores[i % 4],)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        lan = stores[0].get_staff("Lan")
        assert lan is not None
        assert lan.failed_logins == 80
        for s in stores:
            s.dispose()


def test_the_migration_gives_existing_accounts_codes(tmp_path: Path) -> None:
    engine = create_kiosk_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0001")
    with engine.begin() as conn:
        insert = "INSERT INTO staff (name, role, pin_hash, active) VALUES (:n, 'staff', '', 1)"
        for name in ("Minh", "Lan"):
            conn.execute(text(insert), {"n": name})
    upgrade(engine)
    store = SqlStore(engine, zone=ZONE)
    assert [(a.name, a.code, a.failed_logins) for a in store.list_staff()] == [
        ("Lan", "101", 0),
        ("Minh", "102", 0),
    ]
    store.dispose()
