"""``kiosk-admin replay``: hand the offline journal's check-ins to the central database.

Each goes in once (its idempotency key), with its offline label and audit rows; running it
again, or after a replay that was killed part-way, never doubles one. A check-in central
refuses for its data is ``held`` (its reason in our words, for reception) and the replay goes
on; ``--release-held`` puts held ones back in line (after the cause was fixed), ``--clear-held
ID`` records that reception dealt with one. Exit code 1 when central failed part-way (the rest
stay in the journal for the next replay). The staff actions made during the outage (audit rows,
cancels of central's check-ins) follow, counted on stderr.
"""

from __future__ import annotations

import argparse
import sys

from db.commands import Command, CommandError, print_result
from db.commands.stores import opened_journal, opened_store, store_errors
from db.offline.replay import replay
from db.offline.staff_copy import replay_staff_actions
from db.store.journal import clear_held, held_checkins, release_held
from kiosk.clock import SystemClock
from kiosk.config import Config


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the counts as one JSON object")
    parser.add_argument(
        "--release-held",
        action="store_true",
        help="put the held check-ins back in line first (the cause was fixed)",
    )
    parser.add_argument(
        "--clear-held",
        metavar="CHECKIN_ID",
        help="record that reception dealt with this held check-in, and replay nothing",
    )


def _run(args: argparse.Namespace, config: Config | None) -> int:
    assert config is not None
    clock = SystemClock()
    if args.clear_held:
        with opened_journal(config, clock) as journal, store_errors("offline journal: "):
            if not clear_held(journal, args.clear_held):
                raise CommandError(f"no held check-in {args.clear_held} in the journal")
        print_result(args.json, {"cleared": 1}, f"cleared held check-in {args.clear_held}")
        return 0
    # replay() counts central's failures in the summary: what it raises is the journal's
    with (
        opened_journal(config, clock) as journal,
        opened_store(config, clock, prefix="central database: ") as central,
        store_errors("offline journal: "),
    ):
        if args.release_held:
            release_held(journal)
        summary = replay(central, journal, clock)
        still_held = held_checkins(journal)
        staff = None if summary.failed else replay_staff_actions(central, journal, clock)
    counts = (
        f"replayed {summary.replayed}, already there {summary.already}, failed {summary.failed}"
        f", held {len(still_held)}"
    )
    data = summary.as_json() | {"held": len(still_held), "collided": len(summary.collided)}
    print_result(args.json, data, counts)
    for label in summary.flagged:
        print(f"flagged for reception: {label} (the card checked in elsewhere)", file=sys.stderr)
    if staff is not None and (staff.audits or staff.cancels or staff.held):
        print(
            f"staff actions: {staff.audits} audit rows, {staff.cancels} cancels, {staff.held} held",
            file=sys.stderr,
        )
    for label in summary.collided:
        print(
            f"flagged for reception: {label} (another kiosk printed the same label; both kept)",
            file=sys.stderr,
        )
    for label in summary.aliased:
        print(f"kept as an alias: {label} (central had numbered it already)", file=sys.stderr)
    for problem in summary.problems:
        print(f"failed: {problem}", file=sys.stderr)
    for held in still_held:
        print(
            f"held for reception: {held.clinic_code} {held.label} "
            f"(check-in {held.checkin_id}): {held.reason}",
            file=sys.stderr,
        )
    return 1 if summary.failed else 0


COMMAND = Command(_add_arguments, _run)
