"""``kiosk-admin``: the admin and diagnostics command line.

Each sub-command lives in its own module of :mod:`db.commands` and exposes ``COMMAND``;
:data:`COMMANDS` below names them and holds their help. This module parses the arguments, imports
the one command asked for, loads the configuration and maps errors to exit codes. Exit codes:
0 success, 1 the work failed or found invalid input, 2 bad usage or config.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from db.commands import Command, CommandError
from kiosk import __version__
from kiosk.config import CONFIG_SEARCH, ConfigError, load_config
from kiosk.ports import StoreError


@dataclass(frozen=True)
class CommandEntry:
    """Where a sub-command is defined, and its one-line help (in the top-level ``--help`` and as
    the description of its own)."""

    module: str  # a module of db.commands defining COMMAND
    summary: str


# Every kiosk-admin command, by name. A command's module is imported only when that command
# runs or its own --help is asked for, so one command's heavy or broken native libraries
# (OpenCV, zxing-cpp, Qt) never reach another, and the top-level --help imports none of them.
# To add a command: write db/commands/<module>.py defining COMMAND, then add its entry here, in
# alphabetical order (tests/db/test_cli.py checks that every command module is listed).
COMMANDS: dict[str, CommandEntry] = {
    "call": CommandEntry(
        "db.commands.call", "a room calls: next, recall, absent or done (as its page's buttons)"
    ),
    "camera-check": CommandEntry(
        "db.commands.camera_check",
        "open the camera and show the settings it accepted",
    ),
    "checkin": CommandEntry(
        "db.commands.checkin",
        "check one patient in from QR text or an image, as the kiosk would",
    ),
    "config": CommandEntry(
        "db.commands.config_file",
        "show the effective configuration and where each value came from, or write config.toml",
    ),
    "db": CommandEntry(
        "db.commands.db_upgrade",
        "database schema: 'db upgrade' applies the migrations, 'db current' shows the revision",
    ),
    "decode": CommandEntry(
        "db.commands.decode",
        "read the QR code in each image file (card photos, screenshots)",
    ),
    "demo-data": CommandEntry(
        "db.commands.demo_data",
        "write synthetic cards and QR images for the demo and the tests",
    ),
    "import": CommandEntry(
        "db.commands.import_cards",
        "import cards from a CSV or JSON-lines file (streamed, batch by batch)",
    ),
    "insurance-sim": CommandEntry(
        "db.commands.insurance_sim",
        "serve a simulated card feed and BHXH gateway on 127.0.0.1",
    ),
    "kiosks": CommandEntry(
        "db.commands.kiosks",
        "list the central kiosk register; 'kiosks forget ID' frees a retired kiosk's prefix",
    ),
    "lookup": CommandEntry(
        "db.commands.lookup",
        "show the cached card for a card, BHXH or CCCD number (masked unless --reveal)",
    ),
    "outbox": CommandEntry(
        "db.commands.outbox",
        "events for the hospital information system: status, deliver now, retry a failed one",
    ),
    "parse": CommandEntry(
        "db.commands.parse",
        "parse a QR payload or typed code (TEXT, or - for one per line on stdin)",
    ),
    "print-test": CommandEntry(
        "db.commands.print_test",
        "print a test page (hospital name, Vietnamese letters, ruler) on the configured printer",
    ),
    "purge": CommandEntry(
        "db.commands.purge",
        "delete slips and check-ins past their retention period (audit kept as counts)",
    ),
    "replay": CommandEntry(
        "db.commands.replay",
        "replay the offline journal's check-ins into the central database (exactly once)",
    ),
    "replica": CommandEntry(
        "db.commands.replica",
        "refresh the offline journal's copy of the card cache from the central database",
    ),
    "report": CommandEntry(
        "db.commands.report",
        "write the daily report (chart PNG, HTML page, CSV) of check-ins per hour and clinic",
    ),
    "reprint": CommandEntry(
        "db.commands.reprint",
        "print the slip of a check-in again (IN LẠI)",
    ),
    "room": CommandEntry(
        "db.commands.room",
        "'room token ROOM': a new sign-in token for the room's page in kiosk-web",
    ),
    "staff": CommandEntry(
        "db.commands.staff",
        "manage staff-mode accounts: add, passwd, remove, list",
    ),
    "status": CommandEntry(
        "db.commands.status",
        "show the cache size, today's check-ins, the last sync and the database",
    ),
    "sync": CommandEntry(
        "db.commands.sync",
        "sync the card cache from the insurance feed (resumable)",
    ),
}


def load_command(name: str) -> Command:
    """Import the module of one listed command and return its ``COMMAND``."""
    command = importlib.import_module(COMMANDS[name].module).COMMAND
    assert isinstance(command, Command)
    return command


def _top_parser() -> argparse.ArgumentParser:
    """The global options and the command names, without importing any command."""
    parser = argparse.ArgumentParser(
        prog="kiosk-admin", description="Admin and diagnostics for the check-in kiosk."
    )
    parser.add_argument("--version", action="version", version=f"kiosk-admin {__version__}")
    parser.add_argument(
        "--config", type=Path, default=None, help=f"config file (default: {CONFIG_SEARCH})"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, entry in COMMANDS.items():
        # a placeholder: the command's own arguments, --help included, are parsed once its
        # module is imported
        sub.add_parser(name, help=entry.summary, add_help=False)
    return parser


def command_parser(name: str, command: Command) -> argparse.ArgumentParser:
    """The parser of one command's own arguments."""
    parser = argparse.ArgumentParser(prog=f"kiosk-admin {name}", description=COMMANDS[name].summary)
    parser.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="config file")
    command.add_arguments(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``kiosk-admin``."""
    # Before anything is created (the database, demo data, exports): owner only, they hold
    # patients' names and numbers.
    os.umask(0o077)
    top, rest = _top_parser().parse_known_args(argv)
    try:
        command = load_command(top.command)
    except ImportError as error:
        print(f"kiosk-admin {top.command}: cannot be loaded: {error}", file=sys.stderr)
        return 1
    args = command_parser(top.command, command).parse_args(rest, namespace=top)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # urllib3 logs every request line at DEBUG, and the gateway protocol puts the token and the
    # password's MD5 in the query string: keep those lines out of the logs even with --verbose.
    logging.getLogger("urllib3").setLevel(logging.INFO)
    try:
        config = load_config(args.config) if command.needs_config else None
        return command.run(args, config)
    except KeyboardInterrupt:
        print(f"kiosk-admin {top.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        line, code = _explain(error)
        print(f"kiosk-admin {top.command}: {line}", file=sys.stderr)
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
