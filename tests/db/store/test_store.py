"""SqlStore on a real SQLite file: card cache, check-ins, queue numbers, staff, sync state."""

from __future__ import annotations

import json
import stat
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from db.store import CardConflictError, SqlStore
from kiosk.model import CardStatus, PrintState, ReplacementCard
from kiosk.ports import StaffAccount
from tests.builders import card, draft
from tests.db.storehelp import open_sqlite_store


def test_file_is_private_and_wal(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path / "data")
    path = tmp_path / "data" / "kiosk.db"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        # FULL: a committed check-in survives a power cut, not only a killed process
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
    store.dispose()


def test_find_card_by_each_number(store: SqlStore) -> None:
    saved = card(7, replacement=ReplacementCard("HS4797900000099", date(2027, 1, 1), None))
    store.save_card(saved)
    for code in (saved.card_number, saved.bhxh_number, saved.id_number or ""):
        assert store.find_card(code) == saved
    assert store.find_card("7900000008") is None
    assert store.find_card("abc") is None


def test_save_card_updates_and_keeps_known_id_number(store: SqlStore) -> None:
    store.save_card(card(1))
    moment = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    store.save_card(card(1, id_number=None, status=CardStatus.REVOKED, verified_online_at=moment))
    found = store.find_card("7900000001")
    assert found is not None
    assert found.status is CardStatus.REVOKED
    assert found.id_number == card(1).id_number
    assert found.verified_online_at == moment
    assert found.verified_online_at.tzinfo is not None
    assert store.count_cards() == 1


def test_apply_card_page_counts_and_cursor(store: SqlStore) -> None:
    first = store.apply_card_page("feed", [card(i) for i in range(5)], [], "c1")
    assert (first.added, first.updated, first.removed) == (5, 0, 0)
    second = store.apply_card_page(
        "feed", [card(3, name="Đổi Tên"), card(9)], ["7900000000", "HS4797900000001"], "c2"
    )
    assert (second.added, second.updated, second.removed) == (1, 1, 2)
    state = store.get_sync_state("feed")
    assert state is not None
    assert state.cursor == "c2"
    assert (state.added, state.updated, state.removed) == (6, 1, 2)
    assert store.count_cards() == 4
    store.reset_sync("feed")
    assert store.get_sync_state("feed") is None


def test_numbers_per_clinic_and_idempotency(store: SqlStore) -> None:
    a1 = store.commit_checkin(draft("k1", "NOI"))
    a2 = store.commit_checkin(draft("k2", "NOI", n=2))
    b1 = store.commit_checkin(draft("k3", "NHI", n=3))
    again = store.commit_checkin(draft("k1", "NOI"))
    assert [a1.queue_number, a2.queue_number, b1.queue_number] == [1, 2, 1]
    assert again == a1
    a3 = store.commit_checkin(draft("k4", "NOI", n=4))
    assert a3.queue_number == 3  # the retry consumed no number
    assert store.get_checkin(a1.id) == a1
    assert a1.created_at.tzinfo is not None
    assert len(store.audit_entries()) == 4


def test_cancel_keeps_number_and_existing(store: SqlStore) -> None:
    first = store.commit_checkin(draft("k1"))
    assert store.existing_checkin("7900000001", "NOI", first.local_day) == first
    assert store.existing_checkin(first.patient.id_number or "", "NOI", first.local_day) == first
    cancelled = store.cancel_checkin(first.id, "lan", "wrong clinic")
    assert cancelled.cancelled
    assert store.existing_checkin("7900000001", "NOI", first.local_day) is None
    second = store.commit_checkin(draft("k2"))
    assert second.queue_number == 2
    assert [a["action"] for a in store.audit_entries(first.id)] == ["checkin", "cancel"]
    with pytest.raises(LookupError):
        store.cancel_checkin("nope", "lan", "x")


def test_print_state_and_list(store: SqlStore) -> None:
    early = store.commit_checkin(draft("k1", n=1))
    late = store.commit_checkin(
        draft("k2", n=2, created_at=datetime(2026, 11, 25, 3, 0, tzinfo=UTC))
    )
    store.set_print_state(early.id, PrintState.FAILED)
    fetched = store.get_checkin(early.id)
    assert fetched is not None
    assert fetched.print_state is PrintState.FAILED
    day = date(2026, 11, 25)
    assert [c.id for c in store.list_checkins(day)] == [late.id, early.id]
    assert [c.id for c in store.list_checkins(day, "2")] == [late.id]
    assert [c.id for c in store.list_checkins(day, "thử 1")] == [early.id]
    assert store.list_checkins(date(2026, 11, 26)) == []
    assert store.count_checkins(day) == 2


def test_staff_directory(store: SqlStore) -> None:
    account = StaffAccount("lan", "staff", "scrypt$1$1$1$00$00", code="101")
    store.add_staff(replace(account, code=""))  # the first free code is given
    with pytest.raises(ValueError, match="taken"):
        store.add_staff(account)
    store.set_staff_pin("lan", "scrypt$2$2$2$11$11")
    assert store.get_staff("lan") == replace(account, pin_hash="scrypt$2$2$2$11$11")
    assert store.list_staff() == [replace(account, pin_hash="scrypt$2$2$2$11$11")]
    store.remove_staff("lan")
    assert store.get_staff("lan") is None
    with pytest.raises(LookupError):
        store.remove_staff("lan")


def test_status(store: SqlStore) -> None:
    store.save_card(card(1))
    store.commit_checkin(draft("k1"))
    store.mark_sync_success("feed", datetime(2026, 11, 25, 1, 0, tzinfo=UTC))
    status = store.status(datetime(2026, 11, 25, 5, 0, tzinfo=UTC))
    data = status.as_json()
    assert data["cards"] == 1
    assert data["checkins_today"] == 1
    assert data["last_sync"] == "2026-11-25T01:00:00+00:00"
    assert data["database"] == store.engine.url.render_as_string(hide_password=True)
    assert isinstance(data["size_bytes"], int)
    assert data["size_bytes"] > 0
    # the next local day has no check-ins yet
    assert store.status(datetime(2026, 11, 25, 17, 0, tzinfo=UTC)).checkins_today == 0
    store.dispose()


def test_sync_page_moves_a_card_number_to_its_new_owner(store: SqlStore) -> None:
    old_owner = card(1, card_number="DN4797900000099")  # letters-free but not its own tail
    store.apply_card_page("feed", [old_owner], [], "c1")
    newcomer = card(2, card_number="DN4797900000099")
    twice = card(3, card_number="HS4797900000077")
    again = card(4, card_number="HS4797900000077")  # the later record of the page wins
    counts = store.apply_card_page("feed", [newcomer, twice, again], [], "c2")
    assert (counts.added, counts.removed) == (2, 1)
    assert store.find_card("DN4797900000099") == newcomer
    assert store.find_card("7900000001") is None
    assert store.find_card("HS4797900000077") == again
    state = store.get_sync_state("feed")
    assert state is not None
    assert state.cursor == "c2"


def test_audit_row_of_a_checkin_names_its_number(store: SqlStore) -> None:
    store.commit_checkin(draft("k1"))
    second = store.commit_checkin(draft("k2", n=2))
    (entry,) = store.audit_entries(second.id)
    after = json.loads(entry["after"])
    assert after["number"] == 2
    assert after["clinic"] == "NOI"
    assert entry["at"] == second.created_at
    assert entry["actor"] == "KIOSK-01"


def _card_indexes(store: SqlStore) -> set[str]:
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE tbl_name = 'cards'")
        return {name for (name,) in rows} & {"uq_cards_card_number", "ix_cards_id_number"}


def test_bulk_load_builds_the_indexes_once_at_the_end(sqlite_store: SqlStore) -> None:
    assert sqlite_store.begin_bulk_load()  # an empty cache
    assert _card_indexes(sqlite_store) == set()
    sqlite_store.apply_card_page("feed", [card(i) for i in range(5)], [], "c1")
    assert sqlite_store.begin_bulk_load()  # indexes missing: a killed load goes on in bulk mode
    sqlite_store.apply_card_page("feed", [card(i) for i in range(5, 9)], ["7900000002"], "c2")
    assert sqlite_store.end_bulk_load()
    assert _card_indexes(sqlite_store) == {"uq_cards_card_number", "ix_cards_id_number"}
    assert sqlite_store.count_cards() == 8
    wanted = card(7)
    for code in (wanted.card_number, wanted.bhxh_number, wanted.id_number or ""):
        assert sqlite_store.find_card(code) == wanted
    assert not sqlite_store.begin_bulk_load()  # a cache with cards is never bulk loaded
    assert _card_indexes(sqlite_store) == {"uq_cards_card_number", "ix_cards_id_number"}
    state = sqlite_store.get_sync_state("feed")
    assert state is not None
    assert (state.cursor, state.added, state.removed) == ("c2", 9, 1)


def test_bulk_load_with_a_card_number_on_two_cards_is_abandoned(sqlite_store: SqlStore) -> None:
    assert sqlite_store.begin_bulk_load()
    sqlite_store.apply_card_page("feed", [card(1, card_number="DN4797900000099")], [], "c1")
    sqlite_store.apply_card_page("feed", [card(2, card_number="DN4797900000099")], [], "c2")
    assert not sqlite_store.end_bulk_load()  # the unique index cannot be built
    sqlite_store.abandon_bulk_load("feed")
    assert sqlite_store.count_cards() == 0
    assert sqlite_store.get_sync_state("feed") is None
    assert _card_indexes(sqlite_store) == {"uq_cards_card_number", "ix_cards_id_number"}


def test_an_updated_card_gets_its_new_number_and_cccd(sqlite_store: SqlStore) -> None:
    sqlite_store.upsert_cards([card(i) for i in range(4)])
    renumbered = card(1, card_number="DN4797900000001", id_number="079000000099")
    counts = sqlite_store.upsert_cards([card(0), renumbered, card(2, id_number=None), card(5)])
    assert (counts.added, counts.updated) == (1, 3)
    assert sqlite_store.find_card("DN4797900000001") == renumbered
    assert sqlite_store.find_card("079000000099") == renumbered
    assert sqlite_store.find_card(card(1).card_number) is None
    assert sqlite_store.find_card(card(1).id_number or "") is None
    kept = sqlite_store.find_card(card(2).bhxh_number)
    assert kept is not None
    assert kept.id_number == card(2).id_number  # a record without a CCCD keeps the known one


def test_an_override_and_its_audit_row_are_one_commit(store: SqlStore) -> None:
    refused = replace(
        draft("override-1"), status="override", reason="card_revoked", staff_name="Lan",
        override_reason="Giấy hẹn tái khám",
    )  # fmt: skip
    checkin = store.commit_checkin(refused)
    rows = store.audit_entries(target=checkin.id)
    assert [(r["actor"], r["action"], r["before"]) for r in rows] == [
        ("Lan", "override", "refused:card_revoked")
    ]
    after = json.loads(rows[0]["after"])
    assert after["override_reason"] == "Giấy hẹn tái khám"
    assert after["number"] == checkin.queue_number
    plain = store.commit_checkin(draft("plain-1"))
    assert [r["action"] for r in store.audit_entries(target=plain.id)] == ["checkin"]


def test_a_conflict_is_told_in_our_words_without_the_number(store: SqlStore) -> None:
    store.save_card(card(1))
    clash = replace(card(2), card_number=card(1).card_number)
    with pytest.raises(CardConflictError) as caught:
        store.upsert_cards([clash])
    message = str(caught.value)
    assert card(1).card_number not in message
    assert card(1).card_number[-10:] not in message
    assert "uq_cards_card_number" in message or "cards.card_number" in message
    assert message.startswith("a record conflicts with one already stored")


def test_purge_removes_old_checkins_and_keeps_the_audit_as_counts(store: SqlStore) -> None:
    old_day, new_day = date(2026, 8, 1), date(2026, 11, 20)
    # 2026-08-01 08:00 in Hồ Chí Minh City is 01:00 UTC
    old = store.commit_checkin(
        draft("old", day=old_day, created_at=datetime(2026, 8, 1, 1, 0, tzinfo=UTC))
    )
    new = store.commit_checkin(
        draft("new", day=new_day, n=2, created_at=datetime(2026, 11, 20, 2, 0, tzinfo=UTC))
    )
    before = len(store.audit_entries())
    purged = store.purge_before(date(2026, 8, 27))
    assert (purged.checkins, purged.audit_rows) == (1, 1)
    assert store.get_checkin(old.id) is None
    assert store.get_checkin(new.id) is not None
    remaining = store.audit_entries()
    assert [r["target"] for r in remaining if r["action"] == "checkin"] == [new.id]
    counts = store.audit_counts()
    assert counts[(old_day, "checkin")] == 1
    assert sum(counts.values()) + len(remaining) == before
    # a second purge adds nothing twice
    store.purge_before(date(2026, 8, 27))
    assert store.audit_counts() == counts
