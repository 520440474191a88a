"""``kiosk-admin replay``: hand the offline journal's check-ins to the central database.

Each goes in once (its idempotency key), with its offline label and audit rows; running it
again, or after a replay that was killed part-way, never doubles one. Exit code 1 when some
could not go in (they stay in the journal for the next replay).
"""

from __future__ import annotations

import argparse
import sys

from db.commands import Command, print_result
from db.commands.stores import opened_journal, opened_store, store_errors
from db.offline.replay import replay
from kiosk.clock import SystemClock
from kiosk.config import Config


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the counts as one JSON object")


def _run(args: argparse.Namespace, config: Config | None) -> int:
    assert config is not None
    clock = SystemClock()
    # replay() counts central's failures in the summary: what it raises is the journal's
    with (
        opened_journal(config, clock) as journal,
        opened_store(config, clock, prefix="central database: ") as central,
        store_errors("offline journal: "),
    ):
        summary = replay(central, journal, clock)
    counts = (
        f"replayed {summary.replayed}, already there {summary.already}, failed {summary.failed}"
    )
    print_result(args.json, summary.as_json(), counts)
    for label in summary.flagged:
        print(f"flagged for reception: {label} (the card checked in elsewhere)", file=sys.stderr)
    for problem in summary.problems:
        print(f"failed: {problem}", file=sys.stderr)
    return 1 if summary.failed else 0


COMMAND = Command(_add_arguments, _run)
