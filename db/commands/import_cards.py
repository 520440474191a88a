"""``kiosk-admin import FILE``: load cards from a CSV or JSON-lines file into the cache.

Streams the file, shows a progress bar on a terminal, skips bad rows (listed with their line
numbers), commits batch by batch and ends with a summary. Exit code 0 when every row went in,
1 when some rows were skipped or rejected (the rest is committed), 2 for an unusable file.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from pathlib import Path

from db.cards.importer import ImportFileError, ImportSummary, Progress, import_file
from db.commands import Command, CommandError
from db.commands.progress import ProgressLine
from db.offline.replica import refresh_after_cards_changed
from db.store.open import open_store
from kiosk.clock import SystemClock
from kiosk.config import Config
from kiosk.ports import StoreError

_SHOWN_BAD = 20


def _show(line: ProgressLine, progress: Progress) -> None:
    """Draw how far the import is: a bar of the bytes read, then the rows and their rate."""
    share = progress.bytes_read / progress.total_bytes if progress.total_bytes else 1.0
    rate = progress.rows / line.seconds()
    last = progress.bytes_read >= progress.total_bytes
    line.show(f"{share:6.1%} {progress.rows:,} rows {rate:,.0f}/s", share, last=last)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="a .csv (header row) or .jsonl card file")
    parser.add_argument(
        "--batch-size", type=int, default=5000, help="cards per transaction (default 5000)"
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--no-progress", action="store_true", help="never draw a progress bar")


def _print_summary(summary: ImportSummary, seconds: float) -> None:
    print(
        f"{summary.file}: {summary.rows:,} rows read, {summary.imported:,} imported "
        f"({summary.counts.added:,} new, {summary.counts.updated:,} updated), "
        f"{summary.bad:,} bad, {summary.rejected_rows:,} rejected, in {seconds:.1f} s"
    )
    if summary.unknown_columns:
        print(f"ignored columns: {', '.join(summary.unknown_columns)}")
    for bad in summary.bad_rows[:_SHOWN_BAD]:
        print(f"line {bad.line}: {bad.field}: {bad.why}")
    if summary.bad > _SHOWN_BAD:
        print(f"... and {summary.bad - _SHOWN_BAD:,} more bad rows (see --json)")
    for rejected in summary.rejected_batches:
        print(f"rejected batch, {rejected}")


def _run(args: argparse.Namespace, config: Config | None) -> int:
    assert config is not None
    if args.batch_size < 1:
        raise CommandError("--batch-size must be at least 1", exit_code=2)
    if not args.file.is_file():
        raise CommandError(f"no such file: {args.file}", exit_code=2)
    drawn = sys.stderr.isatty() and not args.no_progress and not args.json
    line = ProgressLine(sys.stderr, every_s=0.2) if drawn else None  # five redraws a second
    started = time.monotonic()
    try:
        store = open_store(config)
        try:
            summary = import_file(
                store,
                args.file,
                batch_size=args.batch_size,
                on_progress=functools.partial(_show, line) if line else None,
            )
            refresh_after_cards_changed(config, store, SystemClock())
        finally:
            store.dispose()
            if line is not None:
                line.finish()
    except ImportFileError as error:
        raise CommandError(str(error), exit_code=2) from error
    except StoreError as error:
        raise CommandError(f"{error} (batches before this point are committed)") from error
    seconds = time.monotonic() - started
    if args.json:
        data = summary.as_json()
        data["seconds"] = round(seconds, 3)
        print(json.dumps(data, ensure_ascii=False))
    else:
        _print_summary(summary, seconds)
    return 1 if summary.bad or summary.rejected_rows else 0


COMMAND = Command(_add_arguments, _run)
