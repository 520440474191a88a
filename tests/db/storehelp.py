"""Migrated stores for the db tests: on an SQLite file, or on a fresh PostgreSQL database."""

from __future__ import annotations

import os
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
from tests.db.pg import fresh_database
from tests.fakes import FakeClock, FakePrinter


def open_sqlite_store(
    folder: Path, name: str = "kiosk.db", busy_timeout_ms: int = 5000, **store_args: Any
) -> SqlStore:
    """The store on the SQLite file ``folder/name``, migrated (made first when missing)."""
    engine = create_kiosk_engine(f"sqlite:///{folder / name}", busy_timeout_ms)
    upgrade(engine)
    return SqlStore(engine, zone=ZONE, **store_args)


@contextmanager
def migrated_store(kind: str, folder: Path, **store_args: Any) -> Iterator[SqlStore]:
    """A freshly migrated store, disposed afterwards: ``sqlite`` (a file in ``folder``) or
    ``postgresql`` (a new database on KIOSK_TEST_DATABASE_URL's server, skipped without it)."""
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
    with fresh_database(server) as url:
        engine = create_kiosk_engine(url)
        upgrade(engine)
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
