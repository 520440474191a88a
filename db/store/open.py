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
from db.store.journal_file import is_corrupt, journal_path, move_aside
from db.store.journal_seed import REBUILD_OFFSET, central_highest, raise_counters, rebuilds_on
from db.store.migrate import needs_upgrade, upgrade
from kiosk.clock import Clock, SystemClock, local_day
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

    The journal is a cache, not a dependency (:mod:`db.store.journal_file`): a file SQLite
    cannot read is moved aside and a new one built, a missing one is built, each with one log
    line.
    """
    if not config.database.has_journal:
        return None
    url = config.database.offline_url
    path = journal_path(url)
    if path is not None and not path.exists():
        log.info("offline journal %s missing: a new one is built", path)  # a first start, too
    try:
        journal = _open_journal(config, url, clock)
    except StoreError as error:
        if path is None or not is_corrupt(error):
            raise
        aside = move_aside(path, (clock or SystemClock()).now())
        # One line: what happened, where the old file went (its unreplayed check-ins are there).
        log.error(
            "offline journal %s unreadable (%s): moved aside as %s, a new one is built",
            path,
            error,
            aside.name,
        )
        journal = _open_journal(config, url, clock)
    if path is not None:
        _start_above_lost_journals(journal, config, path, clock)
    return journal


def _start_above_lost_journals(
    journal: SqlStore, config: Config, path: Path, clock: Clock | None
) -> None:
    """Today's offline counters above any number a journal moved aside today may have used
    (:mod:`db.store.journal_seed`), so a rebuilt journal never prints a label twice."""
    day = local_day(clock or SystemClock(), config.kiosk.zone)
    lost = rebuilds_on(path, day, config.kiosk.zone)
    if lost:
        floor = REBUILD_OFFSET * lost
        try:
            raise_counters(journal, day, ((c.code, floor) for c in config.clinics))
        except StoreError:
            journal.dispose()
            raise


def start_above_central(journal: SqlStore, central: SqlStore, config: Config, clock: Clock) -> None:
    """Today's offline counters above central's highest number of this kiosk's series (a
    journal rebuilt or lost today forgot what it printed; central knows what it replayed)."""
    day = local_day(clock, config.kiosk.zone)
    highest = central_highest(central, config.kiosk.offline_prefix, day)
    raise_counters(journal, day, highest.items())


def _open_journal(config: Config, url: str, clock: Clock | None) -> SqlStore:
    engine = _engine(config, url)
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
