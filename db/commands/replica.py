"""``kiosk-admin replica refresh``: bring the offline journal's card replica up to date."""

from __future__ import annotations

import argparse
import json

from db.commands import Command, CommandError, journal_for_command
from db.open import open_store
from db.replica import refresh_replica
from kiosk.clock import SystemClock
from kiosk.config import Config
from kiosk.ports import StoreError


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["refresh"], help="refresh: copy what changed")
    parser.add_argument("--json", action="store_true", help="print the counts as one JSON object")


def _run(args: argparse.Namespace, config: Config | None) -> int:
    assert config is not None
    clock = SystemClock()
    journal = journal_for_command(config, clock)
    try:
        central = open_store(config, clock)
        try:
            summary = refresh_replica(central, journal, clock)
        finally:
            central.dispose()
    except StoreError as error:
        raise CommandError(str(error)) from error
    finally:
        journal.dispose()
    if args.json:
        print(json.dumps(summary.as_json()))
    else:
        print(
            f"{summary.mode} refresh: added {summary.added}, updated {summary.updated}, "
            f"removed {summary.removed}; {summary.cards:,} cards in the replica"
        )
    return 0


COMMAND = Command(
    name="replica",
    help="refresh the offline journal's copy of the card cache from the central database",
    add_arguments=_add_arguments,
    run=_run,
)
