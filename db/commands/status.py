"""``kiosk-admin status``: cards in the cache, check-ins today, last sync, database and size."""

from __future__ import annotations

import argparse
import json

from db.commands import Command, CommandError, json_option
from db.commands.stores import opened_store
from db.store.journal import held_count, pending_count
from db.store.open import open_journal
from kiosk.clock import SystemClock
from kiosk.config import Config
from kiosk.ports import StoreError


def _run(args: argparse.Namespace, config: Config | None) -> int:
    assert config is not None
    clock = SystemClock()
    with opened_store(config, clock) as store:
        status = store.status(clock.now())
    data = status.as_json()
    data["offline_pending"], data["held"] = _journal_counts(config)
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
        return 0
    size = status.size_bytes
    print(f"cards:           {status.cards:,}")
    print(f"check-ins today: {status.checkins_today:,}")
    print(f"last sync:       {data['last_sync'] or 'never'}")
    print(f"database:        {status.database}")
    print(f"size:            {'unknown' if size is None else f'{size / 1e6:.1f} MB'}")
    print(f"offline pending: {data['offline_pending']:,}")
    print(f"held:            {data['held']:,}")
    return 0


def _journal_counts(config: Config) -> tuple[int, int]:
    """Check-ins in this kiosk's journal that central does not have yet, and those held for
    reception (0, 0 without a journal)."""
    try:
        journal = open_journal(config)
    except StoreError as error:
        raise CommandError(f"offline journal: {error}") from error
    if journal is None:
        return 0, 0
    try:
        return pending_count(journal), held_count(journal)
    finally:
        journal.dispose()


COMMAND = Command(json_option, _run)
