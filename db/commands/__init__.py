"""The sub-commands of ``kiosk-admin``, one module each.

A module defines ``COMMAND`` as a :class:`Command` and is listed in ``db.cli.COMMANDS``, which
gives the command its name and one-line help and imports the module only when that command runs.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Mapping
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


def json_option(parser: argparse.ArgumentParser) -> None:
    """The arguments of a command whose one option is ``--json``."""
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def print_result(as_json: bool, data: Mapping[str, object], line: str) -> None:
    """A command's result on stdout: one JSON object with ``--json``, else its line for a
    person."""
    print(json.dumps(data) if as_json else line)
