"""The pool of migrated PostgreSQL databases the db tests share (tests/db/pg.py): a database
comes back empty for the next test, and one whose schema a test changed is never used again."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from tests.db.pg import migrated_database

_AUDIT_ROW = (
    "INSERT INTO audit_log (at, actor, action, target) "
    "VALUES (now(), 'test', 'test', 'pool') RETURNING id"
)


def _run(url: str, sql: str) -> object:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(sql))
            return result.scalar() if result.returns_rows else None
    finally:
        engine.dispose()


def test_a_database_comes_back_empty_with_its_identities_restarted(postgres_url: str) -> None:
    with migrated_database(postgres_url) as first:
        given = _run(first, _AUDIT_ROW)
    with migrated_database(postgres_url) as second:
        assert second == first  # the same database, used again
        assert _run(second, "SELECT count(*) FROM audit_log") == 0
        assert _run(second, _AUDIT_ROW) == given == 1


def test_a_database_whose_schema_changed_is_dropped(postgres_url: str) -> None:
    with migrated_database(postgres_url) as changed:
        _run(changed, "ALTER TABLE audit_log ADD COLUMN left_behind integer")
    with migrated_database(postgres_url) as next_one:
        assert next_one != changed
    name = changed.rsplit("/", 1)[1]
    assert _run(postgres_url, f"SELECT count(*) FROM pg_database WHERE datname = '{name}'") == 0
