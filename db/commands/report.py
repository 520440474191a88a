"""``kiosk-admin report [--date YYYY-MM-DD] [--out DIR]``: the daily report as PNG, HTML, CSV.

It names the database it read, and warns when the day has no check-in there (the demo, for
one, keeps its own database: the warning says how to report on it). The chart module (and
matplotlib with it) is imported only when this command runs.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
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


def report_command(
    database_url: str, config_path: Path | None = None, day: date | None = None
) -> str:
    """The exact shell command that reports on ``database_url`` (e.g. the demo's database):
    ``KIOSK_DATABASE_URL=… kiosk-admin [--config …] report [--date …]``."""
    config = f" --config {shlex.quote(str(config_path))}" if config_path else ""
    when = f" --date {day.isoformat()}" if day else ""
    return f"KIOSK_DATABASE_URL={shlex.quote(database_url)} kiosk-admin{config} report{when}"


def _empty_day_warning(config: Config, day: date, read: str, args: argparse.Namespace) -> str:
    """What to say when ``day`` has no check-in in the database read."""
    line = f"warning: no check-in on {day} in {read}"
    # where the demo (ui.demo.demo_config) keeps its database: the usual surprise
    demo = config.kiosk.data_dir / "demo" / "kiosk.db"
    demo_url = f"sqlite:///{demo}"
    if demo.exists() and demo_url != read:  # an SQLite URL has no password to hide
        command = report_command(demo_url, getattr(args, "config", None), args.date)
        line += (
            f"\n  the demo's check-ins are in its own database, {demo}; report on them with:"
            f"\n  {command}"
        )
    return line


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
        read = store.engine.url.render_as_string(hide_password=True)
        report = day_report(store.engine, day, config.kiosk.zone)
    if report.checkins == 0:
        print(_empty_day_warning(config, day, read, args), file=sys.stderr)
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
                    "database": read,
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
    print(f"database: {read}")
    print(f"{day}: {report.checkins} check-ins")
    for path in (files.png, files.html, files.csv):
        print(f"  {path}")
    return 0


COMMAND = Command(_add_arguments, _run)
