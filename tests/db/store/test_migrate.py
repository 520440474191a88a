"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from db.models import Base
from db.store.engine import create_kiosk_engine
from db.store.migrate import current_revision, head_revision, needs_upgrade, upgrade
from tests.db.pg import fresh_database

TABLES = {
    "cards",
    "checkins",
    "queue_counters",
    "staff",
    "audit_log",
    "sync_state",
    "card_changes",
    "replayed",
    "outbox",
    "outcome_tallies",
}


def _check_matches_models(engine: Engine) -> None:
    assert needs_upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert not needs_upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)
    assert diffs == []
    assert set(inspect(engine).get_table_names()) >= TABLES
    indexes = {i["name"] for i in inspect(engine).get_indexes("cards")}
    assert {"uq_cards_card_number", "ix_cards_id_number"} <= indexes
    upgrade(engine)  # a second run is a no-op


def test_sqlite_migrations_match_models(tmp_path: Path) -> None:
    engine = create_kiosk_engine(f"sqlite:///{tmp_path / 'm.db'}")
    _check_matches_models(engine)
    engine.dispose()


def test_postgresql_migrations_match_models(postgres_url: str) -> None:
    with fresh_database(postgres_url) as url:
        engine = create_kiosk_engine(url)
        _check_matches_models(engine)
        engine.dispose()


def _upgrade_keeps_checkins_and_notes_cards(url: str) -> None:
    from sqlalchemy import text

    from db.store import SqlStore
    from tests.builders import card, draft

    engine = create_kiosk_engine(url)
    upgrade(engine, "0001")
    with engine.begin() as conn:  # a check-in and a card written by the old schema
        conn.execute(
            text(
                "INSERT INTO checkins (id, local_day, clinic_code, queue_number, patient_name,"
                " status, verification, kiosk_id, created_at, print_state, cancelled,"
                " idempotency_key) VALUES ('old', '2026-11-25', 'NOI', 1, 'Nguyễn Văn Cũ',"
                " 'accepted', 'cache', 'KIOSK-01', '2026-11-25 02:00:00', 'printed', false, 'k')"
            )
        )
        conn.execute(
            text("INSERT INTO queue_counters (clinic, day, last) VALUES ('NOI', '2026-11-25', 1)")
        )
    SqlStore(engine).import_cards([card(1)])
    upgrade(engine)
    store = SqlStore(engine)
    old = store.get_checkin("old")
    assert old is not None
    assert (old.label, old.offline, old.flag) == ("1", False, None)
    assert store.commit_checkin(draft("new", n=2)).label == "2"
    if engine.dialect.name == "postgresql":  # existing cards count as changed: a first copy
        with engine.connect() as conn:
            noted = conn.execute(text("SELECT bhxh_number FROM card_changes")).scalars().all()
        assert noted == ["7900000001"]
    engine.dispose()


def test_sqlite_upgrade_from_0001_keeps_checkins(tmp_path: Path) -> None:
    _upgrade_keeps_checkins_and_notes_cards(f"sqlite:///{tmp_path / 'old.db'}")


def test_postgresql_upgrade_from_0001_keeps_checkins_and_notes_cards(postgres_url: str) -> None:
    with fresh_database(postgres_url) as url:
        _upgrade_keeps_checkins_and_notes_cards(url)
