"""``kiosk-admin checkin``: one whole check-in from the command line, through the real modules."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from db.commands import Command, CommandError
from db.commands.stores import wired_service
from kiosk.calling import Place
from kiosk.clock import SystemClock
from kiosk.config import Config
from kiosk.model import CheckIn
from kiosk.outcome import Outcome, says_benefit
from scanner.decode.chain import build_decoder
from scanner.image_guard import ImageRefusedError, read_image, set_pixel_cap


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--text", help="the QR text (or a typed card / BHXH / CCCD number)")
    source.add_argument("--image", type=Path, help="a photo or screenshot holding the QR code")
    parser.add_argument("--clinic", help="clinic code (default: the first clinic open now)")
    parser.add_argument("--no-gateway", action="store_true", help="decide from the cache only")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _text_from_image(path: Path, config: Config) -> str:
    set_pixel_cap(config.decoder.max_image_mpx)  # the kiosk's cap, said as decode says it
    try:
        image = read_image(path)
    except ImageRefusedError as refused:
        raise CommandError(f"{path}: {refused}") from None
    found = build_decoder(config.decoder, gated=False).decode(image)  # one photo: every stage
    if found is None:
        raise CommandError(f"{path}: no QR code could be read in this image")
    return found.text


def benefit_json(checkin: CheckIn | None) -> dict[str, object] | None:
    """The ``benefit`` of ``--json``: the visit code, the share and who decided it
    (``"rules"``; ``"reception"`` with a null share when reception must confirm it); null
    without a check-in or for a patient with no insurance card."""
    if checkin is None or not says_benefit(checkin):
        return None
    return {
        "code": checkin.route.value if checkin.route is not None else None,
        "share": checkin.benefit_percent,
        "decided_by": "rules" if checkin.benefit_percent is not None else "reception",
    }


def outcome_json(outcome: Outcome, place: Place | None = None) -> dict[str, object]:
    """The machine-readable summary of an outcome (the keys are a documented interface);
    ``place`` is where the check-in stands in its clinic's queue, when known."""
    checkin = outcome.checkin
    return {
        "status": str(outcome.status),
        "reason": str(outcome.reason) if outcome.reason else None,
        "queue_number": checkin.queue_number if checkin else None,
        "queue_label": checkin.label if checkin else None,
        "offline": checkin.offline if checkin else False,
        "clinic": checkin.clinic_code if checkin else None,
        "checkin_id": checkin.id if checkin else None,
        "slip": outcome.slip_path,
        "benefit": benefit_json(checkin),
        "ahead": place.ahead if place else None,
        "priority": place.priority.value if place and place.priority else None,
        "wait_minutes": list(place.wait_minutes) if place else None,
    }


def _run(args: argparse.Namespace, config: Config | None) -> int:
    assert config is not None
    text = args.text if args.text is not None else _text_from_image(args.image, config)
    if args.clinic and config.clinic(args.clinic) is None:
        known = ", ".join(c.code for c in config.clinics)
        raise CommandError(f"unknown clinic {args.clinic!r} (known: {known})", exit_code=2)
    with wired_service(config, SystemClock(), use_gateway=not args.no_gateway) as wiring:
        outcome = wiring.service.run(text, args.clinic)
        # offline numbers have none: they join the queue when replayed
        place = wiring.service.place(outcome.checkin) if outcome.checkin else None
    if args.json:
        print(json.dumps(outcome_json(outcome, place), ensure_ascii=False))
    else:
        line = outcome.message("en")
        if outcome.checkin:
            line = f"{outcome.checkin.clinic_code} #{outcome.checkin.label}: {line}"
        print(line)
        if outcome.slip_path:
            print(f"slip: {outcome.slip_path}", file=sys.stderr)
    return 0


COMMAND = Command(_add_arguments, _run)
