"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from db.engine import create_kiosk_engine
from db.migrate import current_revision, head_revision, needs_upgrade, upgrade
from db.models import Base
from tests.db.pg import fresh_database

TABLES = {
    "cards",
    "facilities",
    "clinics",
    "checkins",
    "queue_counters",
    "staff",
    "audit_log",
    "sync_state",
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
