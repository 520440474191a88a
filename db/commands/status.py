"""``kiosk-admin status``: the kiosk's state, cards in the cache, check-ins today, last sync,
database and size, its journal's pending and held check-ins, both outboxes' backlogs, its own
last check-in and how its slip printed, and the kiosk register's verdict on its prefix.

``"state"`` is what the running kiosk writes in ``status.json`` (:func:`kiosk.health.
kiosk_state`): ``online`` (central answers, nothing waits), ``offline`` (the journal holds
check-ins central does not have yet, or central does not answer and the journal numbers),
``held`` (central answers and check-ins wait for reception) or ``down`` (neither central nor
the journal numbers: no database answers, or central is down and the register gave this
kiosk's offline prefix to another kiosk). Exit code 1 when central does not answer (the state
is still printed when a journal tells it).
"""

from __future__ import annotations

import argparse
import json
import sys

from db.commands import Command, CommandError, json_option
from db.commands.stores import opened_store
from db.offline.health import StoresHealth, stores_health
from db.offline.register import collision_line
from db.store import SqlStore
from db.store.open import open_journal
from db.store.register import register_store
from kiosk.clock import SystemClock
from kiosk.config import Config
from kiosk.health import moment
from kiosk.ports import StoreError


def _run(args: argparse.Namespace, config: Config | None) -> int:
    assert config is not None
    clock = SystemClock()
    journal = _open_journal(config)
    try:
        try:
            with opened_store(config, clock) as store:
                return _report(args, config, store, journal, None)
        except CommandError as error:
            if journal is None and not args.json:  # no database answers
                raise
            _report(args, config, None, journal, str(error))
            print(f"kiosk-admin status: {error}", file=sys.stderr)
            return 1  # central is unreachable: the state is told, and so is the failure
    finally:
        if journal is not None:
            journal.dispose()


def _report(
    args: argparse.Namespace,
    config: Config,
    central: SqlStore | None,
    journal: SqlStore | None,
    failure: str | None,
) -> int:
    kiosk = config.kiosk
    owner = _prefix_owner(kiosk.id, kiosk.offline_prefix, central, journal)
    health = stores_health(
        kiosk_id=kiosk.id,
        central=central,
        journal=journal,
        now=SystemClock().now(),
        numbering_stopped=owner is not None,
    )
    notice = collision_line(kiosk.offline_prefix, owner) if owner else None
    data = _data(health, failure, owner, notice)
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
        return 0
    if health.status is None:
        print(f"state:           {health.state} (central database unreachable)")
    else:
        size = health.status.size_bytes
        print(f"state:           {health.state}")
        print(f"cards:           {health.status.cards:,}")
        print(f"check-ins today: {health.status.checkins_today:,}")
        print(f"last sync:       {data['last_sync'] or 'never'}")
        print(f"database:        {health.status.database}")
        print(f"size:            {'unknown' if size is None else f'{size / 1e6:.1f} MB'}")
        if health.status.collided_today:  # two kiosks printed one label: reception looks at both
            print(f"label collisions: {health.status.collided_today:,} (flagged for reception)")
    print(f"offline pending: {health.offline_pending or 0:,}")
    print(f"held:            {health.held or 0:,}")
    print(f"outbox:          {_backlog(health.outbox_pending, health.outbox_failed)}")
    if journal is not None:
        print(
            "journal outbox:  "
            + _backlog(health.journal_outbox_pending, health.journal_outbox_failed)
        )
    print(f"last check-in:   {data['last_checkin'] or 'none'} (slip: {health.printer})")
    if notice:
        print(notice)
    return 0


def _data(
    health: StoresHealth, failure: str | None, owner: str | None, notice: str | None
) -> dict[str, object]:
    """The ``--json`` object: the keys of earlier versions, then what the kiosk's own
    ``status.json`` also carries."""
    data: dict[str, object] = {"state": health.state}
    if health.status is not None:
        data.update(health.status.as_json())
    else:
        data["database"] = f"unreachable: {failure}"
    last = health.last_checkin
    data.update(
        offline_pending=health.offline_pending or 0,
        held=health.held or 0,
        outbox_pending=health.outbox_pending,
        outbox_failed=health.outbox_failed,
        journal_outbox_pending=health.journal_outbox_pending,
        journal_outbox_failed=health.journal_outbox_failed,
        last_checkin=moment(last.created_at) if last is not None else None,
        printer=health.printer,
        prefix_held_by=owner,
        notice=notice,
    )
    return data


def _backlog(pending: int | None, failed: int | None) -> str:
    if pending is None:
        return "off"
    return f"{pending:,} pending, {failed or 0:,} failed"


def _prefix_owner(
    kiosk_id: str, prefix: str, central: SqlStore | None, journal: SqlStore | None
) -> str | None:
    """The kiosk the register gave this kiosk's prefix to, as central says (else as the
    journal's copy of this kiosk's row says); read only: the status does not check in."""
    for store in (central, journal):
        if store is None:
            continue
        try:
            entry = register_store(store).entry(kiosk_id)
        except StoreError:
            continue
        if entry is None or entry.offline_prefix != prefix:
            return None  # not registered with this prefix yet: nothing said against it
        return entry.held_by
    return None


def _open_journal(config: Config) -> SqlStore | None:
    """This kiosk's offline journal (None without one)."""
    try:
        return open_journal(config)
    except StoreError as error:
        raise CommandError(f"offline journal: {error}") from error


COMMAND = Command(json_option, _run)
