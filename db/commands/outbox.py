"""``kiosk-admin outbox status|deliver|retry``: the events waiting for the hospital's HIS.

``status --json`` prints ``{"pending", "delivered", "failed"}`` summed over the outboxes;
``deliver`` sends what is due now (the same step the kiosk's worker runs) and prints the same
counts; ``retry ID`` puts a dead letter back in line.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from db.commands import Command, CommandError
from db.his.delivery import OutboxSource, RetryPolicy, deliver_pending
from db.store import SqlStore
from db.store.open import open_journal, open_store
from db.store.outbox import OutboxCounts
from db.wiring import build_his_sender
from kiosk.clock import SystemClock
from kiosk.config import Config
from kiosk.ports import StoreError


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    status = actions.add_parser("status", help="count pending, delivered and failed events")
    status.add_argument("--json", action="store_true", help="print one JSON object")
    deliver = actions.add_parser("deliver", help="deliver the pending events that are due now")
    deliver.add_argument("--json", action="store_true", help="print one JSON object")
    retry = actions.add_parser("retry", help="put a dead letter back in line")
    retry.add_argument("id", type=int, help="the event's id (see `outbox status`)")


@contextmanager
def _stores(config: Config) -> Iterator[list[SqlStore]]:
    """Every database whose outbox this kiosk delivers: the configured one and, with a server
    database, the kiosk's offline journal (check-ins numbered while central was down)."""
    try:
        stores = [open_store(config, clock=SystemClock())]
        journal = open_journal(config, clock=SystemClock())
    except StoreError as error:
        raise CommandError(str(error)) from error
    if journal is not None:
        stores.append(journal)
    try:
        yield stores
    finally:
        for store in stores:
            store.dispose()


def _counts(sources: Sequence[OutboxSource]) -> OutboxCounts:
    total = OutboxCounts()
    for source in sources:
        total += source.counts()
    return total


def _print_counts(counts: OutboxCounts, as_json: bool) -> None:
    if as_json:
        print(json.dumps(counts.as_json()))
    else:
        print(f"pending:   {counts.pending:,}")
        print(f"delivered: {counts.delivered:,}")
        print(f"failed:    {counts.failed:,}")
        print(f"needs_identity: {counts.needs_identity:,}")


def _run(args: argparse.Namespace, config: Config | None) -> int:
    assert config is not None
    with _stores(config) as stores:
        sources = [store.outbox for store in stores]
        try:
            if args.action == "retry":
                return _retry(sources, args.id)
            if args.action == "deliver":
                return _deliver(config, sources, args.json)
            counts = _counts(sources)
            _print_counts(counts, args.json)
            if not args.json:
                for source in sources:
                    for dead in source.dead_letters():
                        print(
                            f"  {dead.state} #{dead.id} {dead.kind} {dead.checkin_id} after "
                            f"{dead.attempts} tries: {dead.last_error}"
                        )
        except StoreError as error:
            raise CommandError(str(error)) from error
    return 0


def _deliver(config: Config, sources: Sequence[OutboxSource], as_json: bool) -> int:
    sender = build_his_sender(config)
    if sender is None:
        raise CommandError("his.kind is none: there is no HIS to deliver to", exit_code=2)
    report = deliver_pending(sources, sender, SystemClock(), RetryPolicy.from_settings(config.his))
    if report.errors:
        raise CommandError("; ".join(report.errors))
    _print_counts(report.counts, as_json)
    return 0


def _retry(sources: Sequence[OutboxSource], item_id: int) -> int:
    now = SystemClock().now()
    for source in sources:
        if source.retry(item_id, now):
            print(f"event {item_id} is pending again")
            return 0
    raise CommandError(f"no failed or needs_identity event {item_id}")


COMMAND = Command(_add_arguments, _run)
