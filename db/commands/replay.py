"""``kiosk-admin replay``: hand the offline journal's check-ins to the central database.

Each goes in once (its idempotency key), with its offline label and audit rows; running it
again, or after a replay that was killed part-way, never doubles one. Exit code 1 when some
could not go in (they stay in the journal for the next replay).
"""

from __future__ import annotations

import argparse
import json
import sys

from db.commands import Command, CommandError, journal_for_command
from db.offline import replay
from db.open import open_store
from kiosk.clock import SystemClock
from kiosk.config import Config
from kiosk.ports import StoreError


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the counts as one JSON object")


def _run(args: argparse.Namespace, config: Config | None) -> int:
    assert config is not None
    clock = SystemClock()
    journal = journal_for_command(config, clock)
    try:
        try:
            central = open_store(config, clock)
        except StoreError as error:
            raise CommandError(f"central database: {error}") from error
        try:
            summary = replay(central, journal, clock)
        finally:
            central.dispose()
    except StoreError as error:
        raise CommandError(f"offline journal: {error}") from error
    finally:
        journal.dispose()
    if args.json:
        print(json.dumps(summary.as_json()))
    else:
        print(
            f"replayed {summary.replayed}, already there {summary.already}, failed {summary.failed}"
        )
    for label in summary.flagged:
        print(f"flagged for reception: {label} (the card checked in elsewhere)", file=sys.stderr)
    for problem in summary.problems:
        print(f"failed: {problem}", file=sys.stderr)
    return 1 if summary.failed else 0


COMMAND = Command(
    name="replay",
    help="replay the offline journal's check-ins into the central database (exactly once)",
    add_arguments=_add_arguments,
    run=_run,
)
