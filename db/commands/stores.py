"""The stores a command works on, opened for one block and disposed at its end.

A :class:`StoreError` opening or using one becomes the command's one-line
:class:`~db.commands.CommandError`, its message led by a prefix that says which store failed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from db.commands import CommandError
from db.store import SqlStore
from db.store.open import open_journal, open_store
from kiosk.clock import Clock
from kiosk.config import Config
from kiosk.ports import StoreError

if TYPE_CHECKING:
    from db.wiring import Wiring


@contextmanager
def store_errors(prefix: str = "") -> Iterator[None]:
    """Turn a StoreError in the block into a CommandError reading ``prefix`` + the error."""
    try:
        yield
    except StoreError as error:
        raise CommandError(f"{prefix}{error}") from error


@contextmanager
def opened_store(
    config: Config,
    clock: Clock | None = None,
    *,
    prefix: str = "",
    resume_bulk_load: bool = False,
) -> Iterator[SqlStore]:
    """The configured database (see :func:`db.store.open.open_store`), for the block."""
    with store_errors(prefix):
        store = open_store(config, clock, resume_bulk_load=resume_bulk_load)
        try:
            yield store
        finally:
            store.dispose()


@contextmanager
def opened_journal(config: Config, clock: Clock) -> Iterator[SqlStore]:
    """The kiosk's offline journal, for the block; exit 2 when this kiosk has none (its
    database is SQLite)."""
    with store_errors("offline journal: "):
        journal = open_journal(config, clock)
        if journal is None:
            raise CommandError("no offline journal: database.url is SQLite", exit_code=2)
        try:
            yield journal
        finally:
            journal.dispose()


@contextmanager
def wired_service(config: Config, clock: Clock, *, use_gateway: bool) -> Iterator[Wiring]:
    """The kiosk's check-in service without a screen (see :func:`db.wiring.build_service`),
    for the block."""
    # imported here: the service brings the printers, the slip renderer and the HTTP clients,
    # which the commands that only read the database (status, staff) do without
    from db.wiring import build_service

    with store_errors("database unavailable: "):
        wiring = build_service(config, clock, use_gateway=use_gateway)
        try:
            yield wiring
        finally:
            wiring.dispose()
