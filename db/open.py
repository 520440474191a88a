"""Open the kiosk's store from the configuration: the one place commands and apps get a SqlStore.

A relative SQLite path in ``database.url`` is read relative to the config file's folder (like
every other path in config.toml), so the kiosk finds the same file whatever its working folder.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from db.engine import create_kiosk_engine
from db.migrate import needs_upgrade, upgrade
from db.store import SqlStore, describe_error
from kiosk.clock import Clock
from kiosk.config import Config
from kiosk.ports import StoreError


def database_url(config: Config) -> str:
    """``database.url`` with a relative SQLite path made absolute against the config's folder."""
    url = make_url(config.database.url)
    database = url.database
    if url.get_backend_name() == "sqlite" and database and database != ":memory:":
        path = Path(database).expanduser()
        if not path.is_absolute():
            base = config.source.parent if config.source is not None else Path.cwd()
            url = url.set(database=str(base / path))
    return url.render_as_string(hide_password=False)


def open_store(config: Config, clock: Clock | None = None, migrate: bool = True) -> SqlStore:
    """A SqlStore on the configured database, migrated to the newest schema when needed.

    Raises :class:`StoreError` when the database cannot be reached or migrated.
    """
    try:
        engine = create_kiosk_engine(database_url(config), config.database.busy_timeout_ms)
    except OSError as error:  # the SQLite file or its folder cannot be created
        raise StoreError(f"cannot create the database file: {error}") from error
    try:
        if migrate and needs_upgrade(engine):
            try:
                upgrade(engine)
            except SQLAlchemyError:
                # Another kiosk may have migrated the same server at the same moment.
                if needs_upgrade(engine):
                    raise
    except SQLAlchemyError as error:
        engine.dispose()
        raise StoreError(describe_error(error)) from error
    return SqlStore(engine, zone=config.kiosk.zone, clock=clock, outbox=config.his.enabled)
