"""``kiosk-admin purge [--json]``: apply the retention periods now.

Slip files older than ``privacy.keep_slips_days`` and check-ins older than
``privacy.keep_checkins_days`` are deleted (the audit kept as counts per day), as the kiosk does
at start-up and daily. For a server that runs no kiosk, or from a daily timer.
"""

from __future__ import annotations

import argparse
import json

from db.commands import Command
from db.commands.stores import opened_store
from kiosk.clock import SystemClock
from kiosk.config import Config
from kiosk.retention import Retention


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _run(args: argparse.Namespace, config: Config | None) -> int:
    assert config is not None
    clock = SystemClock()
    with opened_store(config, clock) as store:
        report = Retention(config, clock, store).run()
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


COMMAND = Command(_add_arguments, _run)
