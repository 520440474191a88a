"""Staff sign-in state in the database: counted per account, shared by every kiosk on the same
database, kept across restarts, cleared only by that account's success, an admin or time — the
database server's time, whatever the kiosks' clocks say."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from db.store import SqlStore
from db.store.engine import create_kiosk_engine
from db.store.migrate import upgrade
from kiosk.ports import LockRule, StaffAccount
from kiosk.staff_auth import LockPolicy, LoginResult, Origin, StaffAuth, claim_attempt, hash_pin
from tests.builders import ZONE
from tests.db.pg import fresh_database
from tests.db.storehelp import migrated_store, open_sqlite_store
from tests.fakes import FakeClock
from tests.kiosk.staff_timing import assert_unknown_codes_take_as_long


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
    kiosk_a = StaffAuth(first, clock, max_failures=3, where="A", origin="desk")
    for _ in range(3):
        clock.advance(minutes=1)
        kiosk_a.login("101", "000000")
    first.dispose()
    # the kiosk restarts, and a second kiosk opens the same database
    again = open_sqlite_store(tmp_path)
    kiosk_b = StaffAuth(again, clock, max_failures=3, where="B", origin="desk")
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


def _rule(origin: Origin = "desk", **policy: Any) -> LockRule:
    return partial(claim_attempt, policy=LockPolicy(**policy), origin=origin)


def test_success_clears_only_its_own_count(store: SqlStore) -> None:
    _accounts(store)
    for _ in range(2):
        store.claim_login("101", _rule())
        store.claim_login("77", _rule("kiosk"))
    store.login_succeeded("Minh", None)
    counts = {a.name: (a.failed_logins, a.lobby_failures) for a in store.list_staff()}
    assert counts == {"Lan": (2, 0), "Minh": (0, 0)}


def test_the_rule_runs_on_the_database_servers_clock(store: SqlStore) -> None:
    _accounts(store)
    before = datetime.now(UTC)
    claim = store.claim_login("101", _rule(max_failures=1))
    after = datetime.now(UTC)
    assert claim is not None
    assert claim.claimed
    # this machine holds the SQLite file and runs the PostgreSQL server: the server's now
    assert before - timedelta(seconds=2) <= claim.now <= after + timedelta(seconds=2)
    assert claim.account.locked_until == claim.now + timedelta(minutes=5)
    assert claim.account.failures_since == claim.now
    again = store.claim_login("101", _rule(max_failures=1))
    assert again is not None
    assert not again.claimed  # locked: not counted
    assert again.account.failed_logins == 1
    assert store.claim_login("555", _rule()) is None


def test_counts_decay_with_a_fake_database_clock(tmp_path: Path) -> None:
    db_clock = FakeClock(NOW)
    store = open_sqlite_store(tmp_path, clock=db_clock)  # the store's clock plays the server's
    _accounts(store)
    kiosk = FakeClock(NOW + timedelta(days=3))  # a kiosk's own clock: never asked
    desk = StaffAuth(store, kiosk, origin="desk", window_minutes=15)
    for n in range(4):
        assert desk.login("101", "000000", source=str(n)).result is LoginResult.WRONG_PIN
    db_clock.advance(minutes=15)
    for n in range(4):
        assert desk.login("101", "000000", source=f"b{n}").result is LoginResult.WRONG_PIN
    lan = store.get_staff("Lan")
    assert lan is not None
    assert (lan.failed_logins, lan.locked_until) == (4, None)
    assert lan.failures_since == NOW + timedelta(minutes=15)
    locked = desk.login("101", "000000", source="c")
    assert locked.result is LoginResult.LOCKED
    assert locked.locked_for_s == 300
    db_clock.advance(minutes=5)
    assert desk.login("101", "1234", source="d").result is LoginResult.OK
    store.dispose()


@pytest.mark.parametrize("skew", [timedelta(minutes=6), timedelta(days=1)])
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_kiosks_with_skewed_clocks_see_one_lockout(
    kind: str, skew: timedelta, tmp_path: Path
) -> None:
    """Two stores on one database, their kiosks' Python clocks 6 minutes or a day apart (once,
    a kiosk 6 minutes fast let the right PIN in during another's lockout, and one a day fast
    made the right PIN wait 86,461 s)."""
    with migrated_store(kind, tmp_path) as first:
        _accounts(first)
        second = SqlStore(
            create_kiosk_engine(str(first.engine.url.render_as_string(False))), zone=ZONE
        )
        try:
            now = datetime.now(UTC)
            normal = StaffAuth(first, FakeClock(now), origin="desk", where="A")
            fast = StaffAuth(second, FakeClock(now + skew), origin="desk", where="B")
            for n in range(5):
                normal.login("101", "000000", source=str(n))
            during = fast.login("101", "1234", source="x")
            assert during.result is LoginResult.LOCKED  # the fast kiosk does not let it in
            assert 290 <= during.locked_for_s <= 300  # nor does it make it wait a day longer
            second.unlock_staff("Lan", actor="Minh")
            assert fast.login("101", "1234", source="y").result is LoginResult.OK
        finally:
            second.dispose()


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
                store.claim_login("101", _rule("kiosk", kiosk_lock_failures=1000))

        threads = [threading.Thread(target=guess, args=(stores[i % 4],)) for i in range(8)]
        try:
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            lan = stores[0].get_staff("Lan")
            assert lan is not None
            assert lan.lobby_failures == 80
        finally:  # a failure here must not leave eight connections for another test to trip on
            for s in stores:
                s.dispose()


def test_unknown_codes_take_as_long_as_known_ones_on_sqlite(tmp_path: Path) -> None:
    """Statistical, at the real hash cost and on a real database file: the medians of
    interleaved wrong tries with a known and an unknown code within 25 % of each other."""
    store = open_sqlite_store(tmp_path)
    store.add_staff(StaffAccount("Lan", "staff", hash_pin("246813")))
    auth = StaffAuth(store, FakeClock(), kiosk_lock_failures=10_000, pad_max_failures=10_000)
    assert_unknown_codes_take_as_long(auth, "101", rounds=10)
    store.dispose()


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
