"""Open the kiosk's store from the configuration: the one place commands and apps get a SqlStore.

A relative SQLite path in ``database.url`` is read relative to the config file's folder (like
every other path in config.toml), so the kiosk finds the same file whatever its working folder.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from db.store import SqlStore, describe_error
from db.store.engine import create_kiosk_engine
from db.store.migrate import needs_upgrade, upgrade
from kiosk.clock import Clock
from kiosk.config import Config
from kiosk.ports import StoreError

log = logging.getLogger(__name__)


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


def open_store(
    config: Config,
    clock: Clock | None = None,
    migrate: bool = True,
    *,
    resume_bulk_load: bool = False,
) -> SqlStore:
    """A SqlStore on the configured database, migrated to the newest schema when needed.

    The indexes a killed first load left dropped are rebuilt here
    (:meth:`SqlStore.finish_killed_bulk_load`), except for the sync itself
    (``resume_bulk_load``), which goes on with that load and builds them at its end.

    Raises :class:`StoreError` when the database cannot be reached or migrated.
    """
    engine = _engine(config, database_url(config))
    return _migrated(engine, config, clock, migrate, resume_bulk_load=resume_bulk_load)


def _engine(config: Config, url: str) -> Engine:
    try:
        return create_kiosk_engine(
            url, config.database.busy_timeout_ms, config.database.connect_timeout_s
        )
    except OSError as error:  # the SQLite file or its folder cannot be created
        raise StoreError(f"cannot create the database file: {error}") from error


def open_central_unchecked(config: Config, clock: Clock | None = None) -> SqlStore:
    """A SqlStore on the configured (central) database without touching it yet.

    For a kiosk starting while central is unreachable: its calls fail until central is back,
    and :func:`db.offline.replay.reach_central` migrates it then.
    """
    return SqlStore(
        _engine(config, database_url(config)),
        zone=config.kiosk.zone,
        clock=clock,
        outbox=config.his.enabled,
    )


def open_journal(config: Config, clock: Clock | None = None) -> SqlStore | None:
    """The kiosk's offline journal (``database.offline_url``), migrated; None without one.

    Its check-ins are numbered in the kiosk's own series (``kiosk.offline_prefix``).
    """
    if not config.database.has_journal:
        return None
    engine = _engine(config, config.database.offline_url)
    return _migrated(engine, config, clock, True, series=config.kiosk.offline_prefix)


def _migrated(
    engine: Engine,
    config: Config,
    clock: Clock | None,
    migrate: bool,
    *,
    series: str = "",
    resume_bulk_load: bool = False,
) -> SqlStore:
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
    store = SqlStore(
        engine, zone=config.kiosk.zone, clock=clock, series=series, outbox=config.his.enabled
    )
    if not resume_bulk_load:
        try:
            done = store.finish_killed_bulk_load()
        except StoreError:
            store.dispose()
            raise
        if done is not None:
            log.warning("%s", done)
    return store
