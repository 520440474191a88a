"""``kiosk-admin staff add|passwd|unlock|remove|list``: reception and admin accounts.

At the kiosk staff sign in with their staff code and PIN. A PIN is read without echo
(``getpass``, asked twice) or, for scripts, as one line of standard input with ``--pin-stdin``;
only its salted scrypt hash is stored. The PIN never appears in arguments, output or logs. New
PINs have six digits at least and must differ from every other account's; four-digit PINs set
before keep working until changed. Every change is audited under the OS user who ran it.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from db.commands import Command, CommandError
from db.commands.actor import cli_actor
from db.commands.stores import opened_store
from db.store import SqlStore
from kiosk.config import Config
from kiosk.ports import StaffAccount
from kiosk.staff_auth import (
    NEW_PIN_MIN_DIGITS,
    PIN_MAX_DIGITS,
    ROLES,
    PinError,
    check_code_shape,
    check_new_pin,
    hash_pin,
    pin_in_use,
)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="create an account (asks for its PIN)")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, default="staff")
    add.add_argument("--code", help="the staff code typed before the PIN (default: the next free)")
    add.add_argument("--pin-stdin", action="store_true", help="read the PIN from stdin")
    passwd = actions.add_parser("passwd", help="set a new PIN for an account")
    passwd.add_argument("name")
    passwd.add_argument("--pin-stdin", action="store_true", help="read the PIN from stdin")
    unlock = actions.add_parser(
        "unlock", help="lift a lockout after wrong PINs (clears the account's failures)"
    )
    unlock.add_argument("name")
    remove = actions.add_parser("remove", help="delete an account")
    remove.add_argument("name")
    listing = actions.add_parser("list", help="list the accounts (never their PINs)")
    listing.add_argument("--json", action="store_true", help="print one JSON object")


def _read_pin(from_stdin: bool) -> str:
    if from_stdin:
        pin = sys.stdin.readline().strip()
    else:
        pin = getpass.getpass(f"PIN ({NEW_PIN_MIN_DIGITS}-{PIN_MAX_DIGITS} digits): ")
        if getpass.getpass("PIN again: ") != pin:
            raise CommandError("the two PINs differ; nothing was changed")
    try:
        return check_new_pin(pin)
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
            rows = [
                {
                    "name": a.name,
                    "code": a.code,
                    "role": a.role,
                    "active": a.active,
                    "failed_logins": a.failed_logins,
                    "locked_until": a.locked_until.isoformat() if a.locked_until else None,
                }
                for a in accounts
            ]
            print(json.dumps({"staff": rows}, ensure_ascii=False))
        elif not accounts:
            print("no staff accounts (add one with: kiosk-admin staff add NAME --role admin)")
        for a in accounts if not args.json else ():
            state = "" if a.active else "  (inactive)"
            if a.locked_until is not None:
                state += f"  (locked until {a.locked_until:%Y-%m-%d %H:%M} UTC; staff unlock)"
            print(f"{a.code}  {a.name}  {a.role}{state}")
        return 0
    name = _name(args.name)
    actor = cli_actor()
    if args.action == "add":
        if store.get_staff(name) is not None:
            raise CommandError(f"staff account {name!r} already exists (use passwd)")
        code = _code(args.code)
        pin = _fresh_pin(args.pin_stdin, store, name)
        try:
            store.add_staff(StaffAccount(name, args.role, hash_pin(pin), code=code), actor=actor)
        except ValueError as error:
            raise CommandError(f"{error}; nothing was changed") from None
        added = store.get_staff(name)
        print(f"added {args.role} account {name!r}, staff code {added.code if added else '?'}")
        return 0
    if store.get_staff(name) is None:
        raise CommandError(f"no staff account {name!r}")
    if args.action == "passwd":
        store.set_staff_pin(name, hash_pin(_fresh_pin(args.pin_stdin, store, name)), actor=actor)
        print(f"new PIN set for {name!r}")
        return 0
    if args.action == "unlock":
        store.unlock_staff(name, actor=actor)
        print(f"unlocked {name!r}")
        return 0
    store.remove_staff(name, actor=actor)
    print(f"removed staff account {name!r}")
    return 0


def _code(text: str | None) -> str:
    if text is None:
        return ""
    try:
        return check_code_shape(text.strip())
    except PinError as error:
        raise CommandError(f"{error}; nothing was changed", exit_code=2) from None


def _fresh_pin(from_stdin: bool, store: SqlStore, name: str) -> str:
    pin = _read_pin(from_stdin)
    if pin_in_use(pin, store.list_staff(), except_name=name):
        # which account has it stays unsaid: the person choosing must not learn a colleague's
        raise CommandError("this PIN is already in use; choose another. Nothing was changed")
    return pin


def _run(args: argparse.Namespace, config: Config | None) -> int:
    assert config is not None
    with opened_store(config) as store:
        try:
            return _act(args, store)
        except LookupError as error:
            raise CommandError(str(error)) from error


COMMAND = Command(_add_arguments, _run)
