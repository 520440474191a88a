"""``kiosk-admin kiosks``: the central kiosk register, one line a kiosk (``--json``: one JSON
object a line); ``kiosk-admin kiosks forget ID``: remove a kiosk from the register.

Forgetting frees the kiosk's offline prefix at once (a kiosk retired or renamed; the kiosk
that shares its prefix numbers offline again from its next health record). A kiosk still
running writes its row again within one health interval: forget it after it is switched off,
or give the two kiosks different ``offline_prefix`` values. Audited under the OS user.
"""

from __future__ import annotations

import argparse
import json

from db.commands import Command, CommandError
from db.commands.actor import cli_actor
from db.commands.stores import opened_store
from db.store.register import Fleet, KioskEntry, register_store
from kiosk.config import Config


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON object a kiosk")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=False)
    forget = actions.add_parser(
        "forget", help="remove a kiosk from the register (frees its offline prefix)"
    )
    forget.add_argument("kiosk_id", metavar="ID")


def _run(args: argparse.Namespace, config: Config | None) -> int:
    assert config is not None
    with opened_store(config) as store:
        register = register_store(store)
        if args.action == "forget":
            before = register.entry(args.kiosk_id)
            if before is None or not register.forget(args.kiosk_id):
                raise CommandError(
                    f"không có kiosk {args.kiosk_id!r} trong sổ / no kiosk {args.kiosk_id!r} "
                    "in the register",
                    exit_code=2,
                )
            store.record_audit(
                cli_actor(),
                "kiosk_forget",
                args.kiosk_id,
                json.dumps({"offline_prefix": before.offline_prefix}),
                None,
            )
            print(f"forgot {args.kiosk_id} (prefix {before.offline_prefix or '-'} freed)")
            return 0
        fleet = register.fleet()
    for entry in fleet.kiosks:
        print(
            json.dumps(_as_json(entry, fleet), ensure_ascii=False)
            if args.json
            else _line(entry, fleet)
        )
    if not fleet.kiosks and not args.json:
        print("no kiosk in the register yet")
    return 0


def _seen_min(entry: KioskEntry, fleet: Fleet) -> int:
    return max(0, int((fleet.now - entry.last_seen).total_seconds() // 60))


def _as_json(entry: KioskEntry, fleet: Fleet) -> dict[str, object]:
    health = entry.health
    return {
        "kiosk_id": entry.kiosk_id,
        "offline_prefix": entry.offline_prefix,
        "held_by": entry.held_by,
        "last_seen": entry.last_seen.isoformat(),
        "seen_min_ago": _seen_min(entry, fleet),
        "version": entry.version,
        "state": health.state if health else None,
    }


def _line(entry: KioskEntry, fleet: Fleet) -> str:
    state = entry.health.state if entry.health else "-"
    line = (
        f"{entry.kiosk_id:<16} prefix {entry.offline_prefix or '-':<8} {state:<8} "
        f"seen {_seen_min(entry, fleet)} min ago  version {entry.version or '-'}"
    )
    if entry.held_by:
        line += f"  PREFIX HELD BY {entry.held_by}"
    return line


COMMAND = Command(_add_arguments, _run)
