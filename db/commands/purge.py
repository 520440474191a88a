"""``kiosk-admin purge [--json]``: apply the retention periods now.

Slip files older than ``privacy.keep_slips_days`` and check-ins older than
``privacy.keep_checkins_days`` are deleted (the audit kept as counts per day), as the kiosk does
at start-up and daily. For a server that runs no kiosk, or from a daily timer.
"""

from __future__ import annotations

import argparse
import json

from db.commands import Command, CommandError
from db.open import open_store
from kiosk.clock import SystemClock
from kiosk.config import Config
from kiosk.ports import StoreError
from kiosk.retention import Retention


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _run(args: argparse.Namespace, config: Config | None) -> int:
    assert config is not None
    clock = SystemClock()
    try:
        store = open_store(config, clock=clock)
    except StoreError as error:
        raise CommandError(str(error)) from error
    try:
        report = Retention(config, clock, store).run()
    finally:
        store.dispose()
    if args.json:
        data = {
            "slips": report.slips,
            "checkins": report.checkins,
            "audit_rows": report.audit_rows,
            "failed": report.failed or None,
        }
        print(json.dumps(data))
    else:
        print(report.line())
    return 1 if report.failed else 0


COMMAND = Command(
    name="purge",
    help="delete slips and check-ins past their retention period (audit kept as counts)",
    add_arguments=_add_arguments,
    run=_run,
)
