"""``kiosk-admin purge [--json]``: apply the retention periods now.

Slip files older than ``privacy.keep_slips_days`` and check-ins older than
``privacy.keep_checkins_days`` are deleted (the audit kept as counts per day; the rooms' calls
of those days too), with their HIS events and replay records, and the lobby's rows of days
before today (wrong birth years, the patients sent to reception), in the configured database and
the offline journal, as the kiosk does at start-up and daily. For a server that runs no kiosk,
or from a daily timer.
"""

from __future__ import annotations

import argparse
from datetime import timedelta

from db.commands import Command, json_option, print_result
from db.commands.stores import opened_store, store_errors
from db.store.calling import calling_store
from db.store.open import open_journal
from kiosk.clock import SystemClock
from kiosk.config import Config
from kiosk.retention import Retention


def _run(args: argparse.Namespace, config: Config | None) -> int:
    assert config is not None
    clock = SystemClock()
    with opened_store(config, clock) as store:
        with store_errors("offline journal: "):
            journal = open_journal(config, clock)
        try:
            report = Retention(config, clock, store, [journal] if journal else []).run()
        finally:
            if journal is not None:
                journal.dispose()
        # the rooms' calls of those days go with them (they hold declared priorities)
        today = store.today(clock.now())
        keep_from = today - timedelta(days=config.privacy.keep_checkins_days)
        calling_store(store).purge_calls_before(keep_from)
    data = {
        "slips": report.slips,
        "checkins": report.checkins,
        "audit_rows": report.audit_rows,
        "his_events": report.his_events,
        "his_undelivered": report.his_undelivered,
        "lobby_rows": report.lobby_rows,
        "failed": report.failed or None,
    }
    print_result(args.json, data, report.line())
    return 1 if report.failed else 0


COMMAND = Command(json_option, _run)
