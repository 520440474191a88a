"""``kiosk-admin status``: the kiosk's state, cards in the cache, check-ins today, last sync,
database and size, and its journal's pending and held check-ins.

``"state"`` is ``online`` (central answers, nothing waits), ``offline`` (the journal holds
check-ins central does not have yet, or central does not answer and the journal numbers),
``held`` (central answers and check-ins wait for reception) or ``down`` (no database answers).
Exit code 1 when central does not answer (the state is still printed when a journal tells it).
"""

from __future__ import annotations

import argparse
import json
import sys

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
    journal = _journal_counts(config)
    try:
        with opened_store(config, clock) as store:
            status = store.status(clock.now())
    except CommandError as error:
        if journal is None:  # no database answers
            if not args.json:
                raise
            print(json.dumps({"state": "down", "database": f"unreachable: {error}"}))
            return 1
        pending, held = journal
        data: dict[str, object] = {
            "state": "offline",
            "database": f"unreachable: {error}",
            "offline_pending": pending,
            "held": held,
        }
        if args.json:
            print(json.dumps(data, ensure_ascii=False))
        else:
            print("state:           offline (central database unreachable)")
            print(f"offline pending: {pending:,}")
            print(f"held:            {held:,}")
        print(f"kiosk-admin status: {error}", file=sys.stderr)
        return 1  # central is unreachable: the state is told, and so is the failure
    pending, held = journal or (0, 0)
    data = {"state": _state(pending, held), **status.as_json()}
    data["offline_pending"], data["held"] = pending, held
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
        return 0
    size = status.size_bytes
    print(f"state:           {data['state']}")
    print(f"cards:           {status.cards:,}")
    print(f"check-ins today: {status.checkins_today:,}")
    print(f"last sync:       {data['last_sync'] or 'never'}")
    print(f"database:        {status.database}")
    print(f"size:            {'unknown' if size is None else f'{size / 1e6:.1f} MB'}")
    print(f"offline pending: {pending:,}")
    print(f"held:            {held:,}")
    if status.collided_today:  # two kiosks printed one label: reception looks at both
        print(f"label collisions: {status.collided_today:,} (flagged for reception)")
    return 0


def _state(pending: int, held: int) -> str:
    """The kiosk's state while central answers."""
    if pending:
        return "offline"  # the journal still numbers until its check-ins are replayed
    return "held" if held else "online"


def _journal_counts(config: Config) -> tuple[int, int] | None:
    """Check-ins in this kiosk's journal that central does not have yet, and those held for
    reception (None without a journal)."""
    try:
        journal = open_journal(config)
    except StoreError as error:
        raise CommandError(f"offline journal: {error}") from error
    if journal is None:
        return None
    try:
        return pending_count(journal), held_count(journal)
    finally:
        journal.dispose()


COMMAND = Command(json_option, _run)
