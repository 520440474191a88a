"""``kiosk-admin replica refresh``: bring the offline journal's card replica up to date."""

from __future__ import annotations

import argparse

from db.commands import Command, print_result
from db.commands.stores import opened_journal, opened_store
from db.offline.replica import refresh_replica
from kiosk.clock import SystemClock
from kiosk.config import Config


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["refresh"], help="refresh: copy what changed")
    parser.add_argument("--json", action="store_true", help="print the counts as one JSON object")


def _run(args: argparse.Namespace, config: Config | None) -> int:
    assert config is not None
    clock = SystemClock()
    with opened_journal(config, clock) as journal, opened_store(config, clock) as central:
        summary = refresh_replica(central, journal, clock)
    counts = (
        f"{summary.mode} refresh: added {summary.added}, updated {summary.updated}, "
        f"removed {summary.removed}; {summary.cards:,} cards in the replica"
    )
    print_result(args.json, summary.as_json(), counts)
    return 0


COMMAND = Command(_add_arguments, _run)
