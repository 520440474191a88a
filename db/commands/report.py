"""``kiosk-admin report [--date YYYY-MM-DD] [--out DIR]``: the daily report as PNG, HTML, CSV.

The chart module (and matplotlib with it) is imported only when this command runs.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from db.commands import Command, CommandError
from db.commands.stores import opened_store
from db.report.figures import day_report
from kiosk.clock import SystemClock, local_day
from kiosk.config import Config


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--date", type=_day, help="the local day (default: today)")
    parser.add_argument(
        "--out", type=Path, help="folder for the files (default: <data_dir>/reports)"
    )
    parser.add_argument("--json", action="store_true", help="print the files and totals as JSON")


def _run(args: argparse.Namespace, config: Config | None) -> int:
    assert config is not None
    clock = SystemClock()
    day = args.date or local_day(clock, config.kiosk.zone)
    folder = args.out or config.kiosk.data_dir / "reports"
    with opened_store(config, clock) as store:
        report = day_report(store.engine, day, config.kiosk.zone)
    from db.report.render import write_report  # matplotlib: only when a report is drawn

    title = " ".join(p for p in (config.hospital.name, f"{day:%d/%m/%Y}") if p)
    try:
        files = write_report(report, folder, title)
    except OSError as error:
        raise CommandError(f"cannot write the report in {folder}: {error.strerror}") from error
    if args.json:
        print(
            json.dumps(
                {
                    "date": day.isoformat(),
                    "checkins": report.checkins,
                    "outcomes": report.outcome_totals(),
                    "png": str(files.png),
                    "html": str(files.html),
                    "csv": str(files.csv),
                },
                ensure_ascii=False,
            )
        )
        return 0
    print(f"{day}: {report.checkins} check-ins")
    for path in (files.png, files.html, files.csv):
        print(f"  {path}")
    return 0


COMMAND = Command(_add_arguments, _run)
