"""The kiosk register (db/store/register.py) on SQLite and PostgreSQL: last seen by the database
server's clock, the prefix rule (the oldest standing claim owns a prefix; a claim lapses after
the hold; forget frees it), and the health record written and read back."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from db.models import kiosk_register
from db.store import SqlStore
from db.store.register import Health, RegisterStore, register_store
from tests.db.offline.test_offline import journal_store
from tests.fakes import FakeClock

HOLD = timedelta(days=30)
YEAR_OFF = datetime.now(UTC) - timedelta(days=365)


def _health(state: str = "online") -> Health:
    return Health(
        state=state,
        camera="ok",
        printer="printed",
        outbox_pending=2,
        outbox_failed=1,
        journal_outbox_pending=3,
        journal_outbox_failed=0,
        offline_pending=4,
        held=1,
        cache_age_h=1.5,
        last_checkin=datetime(2026, 11, 25, 2, 0, tzinfo=UTC),
        detail="",
    )


def _age(store: SqlStore, kiosk_id: str, by: timedelta) -> None:
    """Move a kiosk's last sighting back (it was switched off that long ago)."""
    entry = register_store(store).entry(kiosk_id)
    assert entry is not None
    with store.engine.begin() as conn:
        conn.execute(
            update(kiosk_register)
            .where(kiosk_register.c.kiosk_id == kiosk_id)
            .values(last_seen=entry.last_seen - by, claimed_at=entry.claimed_at - by)
        )


def test_last_seen_is_the_database_servers_time_not_the_kiosks(store: SqlStore) -> None:
    # A kiosk's clock a year off: the register must not take it.
    register = RegisterStore(store.engine, zone=store.zone, clock=FakeClock(YEAR_OFF))
    entry = register.claim("K1", "A", "1.0", hold=HOLD)
    assert abs(entry.last_seen - datetime.now(UTC)) < timedelta(minutes=1)
    assert entry.claimed_at == entry.last_seen
    fleet = register.fleet()
    assert abs(fleet.now - entry.last_seen) < timedelta(minutes=1)


def test_the_second_kiosk_with_a_prefix_is_held_by_the_first(store: SqlStore) -> None:
    register = register_store(store)
    assert register.claim("K1", "A", "1.0", hold=HOLD).held_by is None
    assert register.claim("K2", "A", "1.0", hold=HOLD).held_by == "K1"
    assert register.claim("K3", "B", "1.0", hold=HOLD).held_by is None
    # the first keeps its prefix at every check-in; the second stays held
    assert register.claim("K1", "A", "1.0", hold=HOLD).held_by is None
    assert register.claim("K2", "A", "1.0", hold=HOLD).held_by == "K1"
    assert [(k.kiosk_id, k.held_by) for k in register.fleet().kiosks] == [
        ("K1", None),
        ("K2", "K1"),
        ("K3", None),
    ]


def test_forget_frees_the_prefix_at_once(store: SqlStore) -> None:
    register = register_store(store)
    register.claim("K1", "A", "1.0", hold=HOLD)
    assert register.claim("K2", "A", "1.0", hold=HOLD).held_by == "K1"
    assert register.forget("K1")
    assert not register.forget("K1")
    assert register.claim("K2", "A", "1.0", hold=HOLD).held_by is None
    # the retired kiosk switched on again later is the newcomer: it is the one held
    assert register.claim("K1", "A", "1.0", hold=HOLD).held_by == "K2"


def test_a_claim_lapses_after_the_hold_and_a_comeback_is_a_new_claim(store: SqlStore) -> None:
    register = register_store(store)
    register.claim("K1", "A", "1.0", hold=HOLD)
    register.claim("K2", "A", "1.0", hold=HOLD)
    _age(store, "K1", HOLD + timedelta(hours=1))  # K1 unseen for longer than the hold
    assert register.claim("K2", "A", "1.0", hold=HOLD).held_by is None
    # K1 comes back: its old claim lapsed, K2's stands, so K1 is held now
    back = register.claim("K1", "A", "1.0", hold=HOLD)
    assert back.held_by == "K2"
    assert abs(back.claimed_at - back.last_seen) < timedelta(seconds=1)


def test_a_kiosk_seen_within_the_hold_keeps_its_claim(store: SqlStore) -> None:
    register = register_store(store)
    register.claim("K1", "A", "1.0", hold=HOLD)
    register.claim("K2", "A", "1.0", hold=HOLD)
    _age(store, "K1", HOLD - timedelta(hours=1))
    assert register.claim("K2", "A", "1.0", hold=HOLD).held_by == "K1"


def test_a_new_prefix_is_a_new_claim(store: SqlStore) -> None:
    register = register_store(store)
    register.claim("K1", "B", "1.0", hold=HOLD)
    register.claim("K2", "A", "1.0", hold=HOLD)
    # K1 is given K2's prefix: K2 was there first
    assert register.claim("K1", "A", "1.0", hold=HOLD).held_by == "K2"
    assert register.claim("K2", "A", "1.0", hold=HOLD).held_by is None


def test_no_prefix_is_never_held(store: SqlStore) -> None:
    register = register_store(store)
    register.claim("K1", "", "1.0", hold=HOLD)
    assert register.claim("K2", "", "1.0", hold=HOLD).held_by is None


def test_the_health_record_is_kept_with_the_row(store: SqlStore) -> None:
    register = register_store(store)
    first = register.claim("K1", "A", "1.0", hold=HOLD)
    assert first.health is None  # registered, no health record yet
    written = register.claim("K1", "A", "1.2.3", hold=HOLD, health=_health("held"))
    assert written.health == _health("held")
    assert written.version == "1.2.3"
    again = register.claim("K1", "A", "1.2.3", hold=HOLD)  # a check-in without a record
    assert again.health == _health("held")
    assert register.entry("K1") == again
    assert register.entry("K9") is None


def test_the_journal_keeps_a_copy_of_the_row(store: SqlStore, tmp_path: Path) -> None:
    central = register_store(store)
    central.claim("K1", "A", "1.0", hold=HOLD)
    held = central.claim("K2", "A", "1.0", hold=HOLD, health=_health("online"))
    journal = journal_store(tmp_path)
    try:
        copy = register_store(journal)
        copy.keep_copy(held)
        copy.keep_copy(held)  # again: replaced, not doubled
        assert copy.entry("K2") == held
        assert [k.kiosk_id for k in copy.fleet().kiosks] == ["K2"]
    finally:
        journal.dispose()


def test_two_kiosks_claiming_one_prefix_at_once_never_both_own_it(store: SqlStore) -> None:
    register = register_store(store)
    for round_ in range(12):
        prefix = f"R{round_}"
        start = threading.Barrier(2)
        found: dict[str, str | None] = {}

        def claim(
            kiosk_id: str, prefix: str, start: threading.Barrier, found: dict[str, str | None]
        ) -> None:
            start.wait(timeout=10)
            found[kiosk_id] = register.claim(kiosk_id, prefix, "1.0", hold=HOLD).held_by

        threads = [
            threading.Thread(target=claim, args=(k, prefix, start, found)) for k in ("K1", "K2")
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        owners = [k for k, held_by in found.items() if held_by is None]
        assert len(owners) == 1, (prefix, found)
        other = "K2" if owners == ["K1"] else "K1"
        assert found[other] == owners[0]
