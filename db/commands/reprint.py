"""``kiosk-admin reprint``: print a check-in's slip again, marked "IN LẠI"."""

from __future__ import annotations

import argparse

from db.commands import Command, CommandError
from db.commands.actor import cli_actor
from db.commands.stores import wired_service
from kiosk.clock import SystemClock
from kiosk.config import Config
from kiosk.outcome import Reason


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("checkin_id", metavar="CHECKIN_ID", help="the id printed on the slip")
    parser.add_argument("--staff", help="who reprints (for the audit log; default: login name)")


def _run(args: argparse.Namespace, config: Config | None) -> int:
    assert config is not None
    with wired_service(config, SystemClock(), use_gateway=False) as wiring:
        outcome = wiring.service.reprint(args.checkin_id, args.staff or cli_actor())
    if outcome.reason is Reason.CHECKIN_NOT_FOUND:
        raise CommandError(f"no check-in with id {args.checkin_id!r}")
    if not outcome.printed:
        raise CommandError(f"printing failed: {outcome.detail or outcome.message('en')}")
    assert outcome.checkin is not None
    where = f" ({outcome.slip_path})" if outcome.slip_path else ""
    print(f"reprinted {outcome.checkin.clinic_code} #{outcome.checkin.shown_label}{where}")
    return 0


COMMAND = Command(_add_arguments, _run)
