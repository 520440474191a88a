"""Apply the Alembic migrations in ``db/migrations`` to a database, configured in code.

The repository's top level is fixed, so there is no alembic.ini: :func:`alembic_config`
builds the configuration pointing at the ``db/migrations`` folder.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from db.store.engine import create_kiosk_engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config() -> Config:
    """An Alembic configuration for the kiosk's migrations (no file behind it)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    """The newest migration's revision id."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def needs_upgrade(engine: Engine) -> bool:
    """True when the database is empty or older than the newest migration."""
    return current_revision(engine) != head_revision()


def upgrade(engine_or_url: Engine | str, revision: str = "head") -> None:
    """Bring the database up to ``revision`` (the newest by default)."""
    engine = create_kiosk_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    try:
        config = alembic_config()
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    finally:
        if isinstance(engine_or_url, str):
            engine.dispose()
