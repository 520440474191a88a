"""open_store: the configured database, its relative path, and migrations applied on first use."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest

from db.cards.rows import card_values
from db.cards.sync import SOURCE
from db.store import SqlStore
from db.store.migrate import current_revision, head_revision
from db.store.open import database_url, open_store
from kiosk.config import load_config
from kiosk.ports import StoreError

ROOT = Path(__file__).resolve().parents[3]


def test_relative_sqlite_path_follows_the_config_file(tmp_path: Path) -> None:
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    config = load_config(tmp_path / "config.toml", env={})
    assert database_url(config) == f"sqlite:///{tmp_path / 'data' / 'kiosk.db'}"
    store = open_store(config)
    try:
        assert current_revision(store.engine) == head_revision()
        assert store.count_cards() == 0
    finally:
        store.dispose()
    path = tmp_path / "data" / "kiosk.db"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # a second open finds the schema current and changes nothing
    again = open_store(config)
    assert current_revision(again.engine) == head_revision()
    again.dispose()


def test_postgresql_url_is_kept_and_unreachable_is_a_store_error(tmp_path: Path) -> None:
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    url = "postgresql+psycopg://kiosk:secret@127.0.0.1:1/kiosk"
    env = {"KIOSK_DATABASE_URL": url, "KIOSK_KIOSK_OFFLINE_PREFIX": "A"}
    config = load_config(tmp_path / "config.toml", env=env)
    assert database_url(config) == url
    with pytest.raises(StoreError, match="unreachable"):
        open_store(config)


def _card_indexes(store: SqlStore) -> set[str]:
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE tbl_name = 'cards'")
        return {name for (name,) in rows}


def test_a_first_load_killed_part_way_gets_its_indexes_back_at_the_next_start(
    tmp_path: Path,
) -> None:
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    config = load_config(tmp_path / "config.toml", env={})
    store = open_store(config)
    forms = store.card_forms
    rows = [
        card_values({"maThe": f"HS47979000000{i:02d}", "hoTen": "Lê Thị Thử"}, "feed", forms)
        for i in range(10)
    ]
    assert store.begin_bulk_load()
    store.apply_card_rows(SOURCE, rows, [], "10")
    store.dispose()  # killed here: the load's end, which builds the indexes, never ran
    assert "uq_cards_card_number" not in _card_indexes(store)
    resumed = open_store(config, resume_bulk_load=True)  # the sync goes on with the load
    assert "uq_cards_card_number" not in _card_indexes(resumed)
    resumed.dispose()
    opened = open_store(config)  # any other start rebuilds them
    try:
        assert {"uq_cards_card_number", "ix_cards_id_number"} <= _card_indexes(opened)
        assert opened.count_cards() == 10
        with opened.engine.connect() as conn:
            plan = conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT * FROM cards WHERE card_number = 'HS4797900000003'"
            ).all()
        assert "uq_cards_card_number" in str(plan)
    finally:
        opened.dispose()


def test_a_killed_load_that_shares_a_card_number_is_thrown_away(tmp_path: Path) -> None:
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    config = load_config(tmp_path / "config.toml", env={})
    store = open_store(config)
    shared = "DN479ABCDE12345"  # letters in the tail: any BHXH number may carry it
    rows = [
        card_values(
            {"maThe": shared, "maSoBHXH": f"790000000{i}", "hoTen": "Lê Thị Thử"},
            "feed",
            store.card_forms,
        )
        for i in (1, 2)
    ]
    assert store.begin_bulk_load()
    store.apply_card_rows(SOURCE, rows, [], "2")
    store.dispose()
    opened = open_store(config)
    try:
        assert "uq_cards_card_number" in _card_indexes(opened)
        assert opened.count_cards() == 0
        assert opened.get_sync_state(SOURCE) is None  # the next sync loads from the start
    finally:
        opened.dispose()
