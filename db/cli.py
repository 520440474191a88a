"""``kiosk-admin``: the admin and diagnostics command line.

Each sub-command lives in its own module of :mod:`db.commands` and exposes ``COMMAND``; this
module only finds them, parses the arguments, loads the configuration and maps errors to exit
codes. Exit codes: 0 success, 1 the work failed or found invalid input, 2 bad usage or config.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import pkgutil
import sys
from collections.abc import Sequence
from pathlib import Path

from db import commands
from db.commands import Command, CommandError
from kiosk.config import ConfigError, load_config
from kiosk.ports import StoreError


def _discover() -> list[Command]:
    found: list[Command] = []
    for info in pkgutil.iter_modules(commands.__path__):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        found.extend(getattr(module, "COMMANDS", ()))
        command = getattr(module, "COMMAND", None)
        if command is not None:
            found.append(command)
    return sorted(found, key=lambda c: c.name)


def build_parser(found: Sequence[Command]) -> argparse.ArgumentParser:
    """The argument parser with one sub-parser per discovered command."""
    parser = argparse.ArgumentParser(
        prog="kiosk-admin", description="Admin and diagnostics for the check-in kiosk."
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="config file (default: $KIOSK_CONFIG or ./config.toml)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in found:
        command_parser = sub.add_parser(command.name, help=command.help, description=command.help)
        command_parser.add_argument(
            "--config", type=Path, default=argparse.SUPPRESS, help="config file"
        )
        command.add_arguments(command_parser)
        command_parser.set_defaults(_command=command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``kiosk-admin``."""
    # Before anything is created (the database, demo data, exports): owner only, they hold
    # patients' names and numbers.
    os.umask(0o077)
    found = _discover()
    args = build_parser(found).parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    command: Command = args._command
    try:
        config = load_config(args.config) if command.needs_config else None
        return command.run(args, config)
    except KeyboardInterrupt:
        print(f"kiosk-admin {command.name}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        line, code = _explain(error)
        print(f"kiosk-admin {command.name}: {line}", file=sys.stderr)
        return code


def _explain(error: Exception) -> tuple[str, int]:
    """One line for the operator and the exit code, for anything a command let escape."""
    if isinstance(error, ConfigError):
        return f"config error: {error}", 2
    if isinstance(error, CommandError):
        return str(error), error.exit_code
    if isinstance(error, StoreError):
        return f"database unavailable: {error}", 1
    if isinstance(error, OSError):
        return str(error), 1
    # a bug: one line here, the traceback with -v
    logging.getLogger(__name__).debug("unexpected error", exc_info=error)
    return f"unexpected error: {error!r} (run with -v for details)", 1


if __name__ == "__main__":
    sys.exit(main())
