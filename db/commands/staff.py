"""``kiosk-admin staff add|passwd|remove|list``: reception and admin accounts for staff mode.

A PIN is read without echo (``getpass``, asked twice) or, for scripts, as one line of standard
input with ``--pin-stdin``; only its salted scrypt hash is stored. The PIN never appears in
arguments, output or logs.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from db.commands import Command, CommandError
from db.open import open_store
from db.store import SqlStore
from kiosk.config import Config
from kiosk.ports import StaffAccount, StoreError
from kiosk.staff_auth import ROLES, PinError, check_pin_shape, hash_pin


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="create an account (asks for its PIN)")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, default="staff")
    add.add_argument("--pin-stdin", action="store_true", help="read the PIN from stdin")
    passwd = actions.add_parser("passwd", help="set a new PIN for an account")
    passwd.add_argument("name")
    passwd.add_argument("--pin-stdin", action="store_true", help="read the PIN from stdin")
    remove = actions.add_parser("remove", help="delete an account")
    remove.add_argument("name")
    listing = actions.add_parser("list", help="list the accounts (never their PINs)")
    listing.add_argument("--json", action="store_true", help="print one JSON object")


def _read_pin(from_stdin: bool) -> str:
    if from_stdin:
        pin = sys.stdin.readline().strip()
    else:
        pin = getpass.getpass("PIN (4-12 digits): ")
        if getpass.getpass("PIN again: ") != pin:
            raise CommandError("the two PINs differ; nothing was changed")
    try:
        return check_pin_shape(pin)
    except PinError as error:
        raise CommandError(f"{error}; nothing was changed") from None


def _name(text: str) -> str:
    name = text.strip()
    if not name or len(name) > 64:
        raise CommandError("a staff name must be 1 to 64 characters", exit_code=2)
    return name


def _act(args: argparse.Namespace, store: SqlStore) -> int:
    if args.action == "list":
        accounts = store.list_staff()
        if args.json:
            rows = [{"name": a.name, "role": a.role, "active": a.active} for a in accounts]
            print(json.dumps({"staff": rows}, ensure_ascii=False))
        elif not accounts:
            print("no staff accounts (add one with: kiosk-admin staff add NAME --role admin)")
        for a in accounts if not args.json else ():
            state = "" if a.active else "  (inactive)"
            print(f"{a.name}  {a.role}{state}")
        return 0
    name = _name(args.name)
    if args.action == "add":
        if store.get_staff(name) is not None:
            raise CommandError(f"staff account {name!r} already exists (use passwd)")
        pin = _read_pin(args.pin_stdin)
        try:
            store.add_staff(StaffAccount(name, args.role, hash_pin(pin)))
        except ValueError as error:
            raise CommandError(str(error)) from None
        print(f"added {args.role} account {name!r}")
        return 0
    if store.get_staff(name) is None:
        raise CommandError(f"no staff account {name!r}")
    if args.action == "passwd":
        store.set_staff_pin(name, hash_pin(_read_pin(args.pin_stdin)))
        print(f"new PIN set for {name!r}")
        return 0
    store.remove_staff(name)
    print(f"removed staff account {name!r}")
    return 0


def _run(args: argparse.Namespace, config: Config | None) -> int:
    assert config is not None
    try:
        store = open_store(config)
        try:
            return _act(args, store)
        finally:
            store.dispose()
    except (StoreError, LookupError) as error:
        raise CommandError(str(error)) from error


COMMAND = Command(
    name="staff",
    help="manage staff-mode accounts: add, passwd, remove, list",
    add_arguments=_add_arguments,
    run=_run,
)
