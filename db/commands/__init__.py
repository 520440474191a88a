"""The sub-commands of ``kiosk-admin``, one module each.

A module defines ``COMMAND`` as a :class:`Command` and is listed in ``db.cli.COMMANDS``, which
imports it only when that command is run.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kiosk.config import Config

if TYPE_CHECKING:
    from db.store import SqlStore
    from kiosk.clock import Clock


class CommandError(Exception):
    """The command could not do its work; the message is one plain line for the operator."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Command:
    """One ``kiosk-admin`` sub-command."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Config | None], int]
    needs_config: bool = True  # load and validate config.toml before run()


def journal_for_command(config: Config, clock: Clock) -> SqlStore:
    """The kiosk's offline journal for a command that works on it, or a clear CommandError
    (exit 2 when this kiosk has none: its database is SQLite)."""
    from db.open import open_journal
    from kiosk.ports import StoreError

    try:
        journal = open_journal(config, clock)
    except StoreError as error:
        raise CommandError(f"offline journal: {error}") from error
    if journal is None:
        raise CommandError("no offline journal: database.url is SQLite", exit_code=2)
    return journal
