"""``kiosk-admin room token ROOM``: a new sign-in token for a room's page (``/room/ROOM``).

The token is printed once; the database keeps only its hash, and a new token replaces the old
one (which stops working at once). Audited under the OS user who ran it.
"""

from __future__ import annotations

import argparse
import json
import secrets

from db.commands import Command, CommandError
from db.commands.actor import cli_actor
from db.commands.stores import opened_store
from db.store.calling import calling_store
from kiosk.config import Config


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    token = actions.add_parser("token", help="make a new sign-in token for the room's page")
    token.add_argument("room", metavar="ROOM")
    token.add_argument("--json", action="store_true", help="print one JSON object")


def _run(args: argparse.Namespace, config: Config | None) -> int:
    assert config is not None
    if config.clinic_of_room(args.room) is None:
        raise CommandError(
            f"phòng {args.room!r} không gọi cho phòng khám nào / room {args.room!r} calls for "
            "no clinic (set rooms in [[clinics]])",
            exit_code=2,
        )
    token = secrets.token_urlsafe(18)
    with opened_store(config) as store:
        calling_store(store).set_room_token(args.room, token, cli_actor())
    if args.json:
        print(json.dumps({"room": args.room, "token": token}))
    else:
        print(token)
    return 0


COMMAND = Command(_add_arguments, _run)
