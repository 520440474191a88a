"""The sub-commands of ``kiosk-admin``, one module each.

A module defines ``COMMAND`` as a :class:`Command` and is listed in ``db.cli.COMMANDS``, which
gives the command its name and one-line help and imports the module only when that command runs.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.config import Config


class CommandError(Exception):
    """The command could not do its work; the message is one plain line for the operator."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Command:
    """What one ``kiosk-admin`` sub-command's module owns: its arguments and its work (its name
    and help are written once, in ``db.cli.COMMANDS``)."""

    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Config | None], int]
    needs_config: bool = True  # load and validate config.toml before run()
