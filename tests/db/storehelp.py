"""Migrated stores for the db tests: on an SQLite file, or on an empty migrated PostgreSQL
database."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import pytest

from db.store import SqlStore
from db.store.engine import create_kiosk_engine
from db.store.migrate import upgrade
from kiosk.checkin import CheckInService, SlipMaker
from kiosk.config import Config
from kiosk.ports import CardCache, CheckInStore
from tests.builders import MORNING, ZONE
from tests.db.pg import migrated_database
from tests.fakes import FakeClock, FakePrinter


@functools.cache
def _migrated_sqlite_file() -> Path:
    """An SQLite file at the newest migration with no rows, made once per process (in a
    folder removed at exit): a test's new file is a copy of it, 40 ms of migrations saved."""
    folder = Path(tempfile.mkdtemp(prefix="kiosk-migrated-"))
    atexit.register(shutil.rmtree, folder, True)
    made = folder / "migrated.db"
    engine = create_kiosk_engine(f"sqlite:///{made}")
    try:
        upgrade(engine)
    finally:
        engine.dispose()  # the last connection's close folds the WAL back into the file
    return made


def open_sqlite_store(
    folder: Path, name: str = "kiosk.db", busy_timeout_ms: int = 5000, **store_args: Any
) -> SqlStore:
    """The store on the SQLite file ``folder/name``, migrated (made first when missing: a
    copy of a migrated empty file; the migrations then find nothing to do)."""
    path = folder / name
    if folder.is_dir() and not path.exists():  # (a missing folder: the engine makes it, 0700)
        shutil.copyfile(_migrated_sqlite_file(), path)
        path.chmod(0o600)  # as the engine makes a new file
    engine = create_kiosk_engine(f"sqlite:///{path}", busy_timeout_ms)
    upgrade(engine)
    return SqlStore(engine, zone=ZONE, **store_args)


@contextmanager
def migrated_store(kind: str, folder: Path, **store_args: Any) -> Iterator[SqlStore]:
    """A freshly migrated store, disposed afterwards: ``sqlite`` (a file in ``folder``) or
    ``postgresql`` (an empty migrated database on KIOSK_TEST_DATABASE_URL's server, from the
    pool of :func:`tests.db.pg.migrated_database`; skipped without a server)."""
    if kind == "sqlite":
        store = open_sqlite_store(folder, **store_args)
        try:
            yield store
        finally:
            store.dispose()
        return
    server = os.environ.get("KIOSK_TEST_DATABASE_URL")
    if not server:
        pytest.skip("KIOSK_TEST_DATABASE_URL is not set: no PostgreSQL server to test against")
    with migrated_database(server) as url:
        engine = create_kiosk_engine(url)
        store = SqlStore(engine, zone=ZONE, **store_args)
        try:
            yield store
        finally:
            store.dispose()


class CardsAndCheckIns(CardCache, CheckInStore, Protocol):
    """A store that is both the card cache and the check-ins (SqlStore, FailoverStore)."""


def store_service(config: Config, store: CardsAndCheckIns, render: SlipMaker) -> CheckInService:
    """The real check-in service on ``store`` at MORNING: no online check, a fake printer."""
    return CheckInService(
        config=config,
        clock=FakeClock(MORNING),
        cards=store,
        checkins=store,
        online=None,
        printer=FakePrinter(),
        render_slip=render,
    )
