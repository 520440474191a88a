"""``kiosk-admin call next|recall|absent|done ROOM``: what a room's buttons do, from a shell.

``next`` finishes the room's live call (done) and calls the next patient of the room's clinic
(priority first, within ``queue.priority_run``); with ``--json`` it prints
``{"label": "12", "clinic": "NOI", "room": "101", "priority": "age_75"}``, or ``null`` when
nobody waits. ``recall``, ``absent`` and ``done`` act on the room's live call and print the
same object, or ``null`` when the room has none.
"""

from __future__ import annotations

import argparse
import json

from db.commands import Command, CommandError
from db.commands.stores import opened_store
from db.store.calling import Call, calling_store
from kiosk.calling import CallStep
from kiosk.clock import SystemClock
from kiosk.config import Config

_STEPS = {"recall": CallStep.RECALL, "absent": CallStep.ABSENT, "done": CallStep.DONE}
_SAID = {"called": "called", "recalled": "called again", "done": "done", "absent": "absent"}


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("next", "recall", "absent", "done"))
    parser.add_argument("room", metavar="ROOM", help="the room code, e.g. 101")
    parser.add_argument("--json", action="store_true", help="print one JSON value")


def _run(args: argparse.Namespace, config: Config | None) -> int:
    assert config is not None
    clinic = config.clinic_of_room(args.room)
    if clinic is None:
        known = ", ".join(r for c in config.clinics for r in c.call_rooms()) or "none"
        raise CommandError(
            f"phòng {args.room!r} không gọi cho phòng khám nào / room {args.room!r} calls for "
            f"no clinic (known rooms: {known}; set rooms in [[clinics]])",
            exit_code=2,
        )
    clock = SystemClock()
    with opened_store(config, clock) as store:
        calls = calling_store(store)
        day = store.today(clock.now())
        call: Call | None
        if args.action == "next":
            call = calls.call_next(args.room, clinic.code, day, config.queue.priority_run)
        else:
            call = calls.step(args.room, _STEPS[args.action], day)
    if args.json:
        print(json.dumps(call.as_json() if call else None, ensure_ascii=False))
    elif call is None:
        print("nobody waits" if args.action == "next" else f"room {args.room} has no live call")
    else:
        mark = f" (priority: {call.priority.value})" if call.priority else ""
        print(f"{call.clinic} #{call.label} {_SAID[call.state.value]} to room {call.room}{mark}")
    return 0


COMMAND = Command(_add_arguments, _run)
