"""open_store: the configured database, its relative path, and migrations applied on first use."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest

from db.migrate import current_revision, head_revision
from db.open import database_url, open_store
from kiosk.config import load_config
from kiosk.ports import StoreError

ROOT = Path(__file__).resolve().parents[2]


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
