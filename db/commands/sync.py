"""``kiosk-admin sync``: bring the card cache up to date from the insurance feed."""

from __future__ import annotations

import argparse
import functools
import sys

from db.cards.sync import SyncProgress, sync
from db.commands import Command, CommandError, print_result
from db.commands.progress import ProgressLine
from db.commands.stores import opened_store
from db.insurance.feed import FeedClient
from db.insurance.http import InsuranceError
from db.offline.replica import refresh_after_cards_changed
from kiosk.clock import SystemClock
from kiosk.config import Config


def _show(line: ProgressLine, total: int | None, p: SyncProgress) -> None:
    """Draw where the sync stands: records, rate and, with the expected total, a bar and ETA."""
    rate = p.rate
    text = f"sync: {p.records:,} records  {rate:,.0f}/s"
    share = None
    if total and rate > 0:
        done = min(p.records, total)
        share = done / total
        text += f"  ETA {max(0.0, (total - done) / rate):,.0f} s"
    line.show(text + f"  +{p.added:,} ~{p.updated:,} -{p.removed:,} !{p.rejected:,}", share)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--full", action="store_true", help="forget the cursor: sync everything")
    parser.add_argument("--url", default=None, help="feed base URL (default: insurance.feed_url)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument(
        "--total", type=int, default=None, help="expected records, for the progress bar's ETA"
    )


def _run(args: argparse.Namespace, config: Config | None) -> int:
    assert config is not None
    clock = SystemClock()
    try:
        feed = FeedClient.from_settings(config.insurance, clock=clock, url=args.url)
    except InsuranceError as error:
        raise CommandError(str(error), exit_code=2) from None
    line = ProgressLine(sys.stderr) if sys.stderr.isatty() else None
    with opened_store(config, clock, prefix="database: ", resume_bulk_load=True) as store:
        try:
            summary = sync(
                store,
                feed,
                full=args.full,
                progress=functools.partial(_show, line, args.total) if line else None,
                now=clock.now,
                max_pages=config.sync.max_pages,
                deadline_s=config.sync.deadline_s,
            )
            refresh_after_cards_changed(config, store, clock)
        except InsuranceError as error:
            raise CommandError(f"feed: {error}") from None
        finally:
            if line is not None:
                line.finish()
    counts = (
        f"added {summary.added}, updated {summary.updated}, removed {summary.removed}, "
        f"rejected {summary.rejected} in {summary.seconds:.1f} s"
    )
    print_result(args.json, summary.as_json(), counts)
    return 0


COMMAND = Command(_add_arguments, _run)
