"""``kiosk-admin parse``: show what the kiosk reads from a QR or typed code.

``kiosk-admin parse TEXT`` parses one payload; ``kiosk-admin parse -`` reads one payload per
line from standard input as bytes (a line that is not UTF-8 is an invalid payload, not a
crash). ``--json`` prints one JSON object per input line with the contract's keys; without it
a short, masked summary is printed (safe to paste in a ticket). Exit 0 when every input
parsed, 1 when any was invalid.

``group`` is the card's object code (the two letters of a 15- or 17-character number, else
null) and ``group_name`` the group's name from the kiosk's table (null when the code is not
in it). A 12- or 17-character card field fills ``id_number`` with the personal ID it carries.

The JSON keys are a contract and never change. ``birth_date`` is ``YYYY-MM-DD``, ``YYYY-MM``
(a month-year birth date) or ``YYYY``; ``reason`` is the rejection reason of an invalid input,
and for a readable card it is ``unknown_object_code`` when the card's object code is not in the
kiosk's table (reception confirms such a card), else null.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Iterator

from db.commands import Command
from kiosk.card_number import level_of, object_code_of
from kiosk.config import Config
from kiosk.masking import mask_name, mask_number
from kiosk.model import BhytPayload, CccdPayload, CodeKind, CodePayload, Payload
from kiosk.object_codes import group_name
from kiosk.outcome import Reason
from kiosk.payload import InvalidPayload, parse_payload


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON object per payload")
    parser.add_argument("text", help="the payload text, or - to read one per line from stdin")


def to_json(result: Payload | InvalidPayload) -> dict[str, object]:
    """The machine-readable form of one parse result (its keys are a contract other tools read)."""
    out: dict[str, object] = {
        "kind": "invalid",
        "card_number": None,
        "bhxh_number": None,
        "id_number": None,
        "name": None,
        "birth_date": None,
        "gender": None,
        "facility_code": None,
        "valid_from": None,
        "valid_to": None,
        "benefit_level": None,
        "reason": None,
        "group": None,
        "group_name": None,
    }
    if isinstance(result, InvalidPayload):
        out["reason"] = result.reason.value
    elif isinstance(result, BhytPayload):
        out.update(
            kind="bhyt",
            card_number=result.card_number if len(result.card_number) in (15, 17) else None,
            bhxh_number=result.bhxh_number if result.bhxh_number.isdigit() else None,
            id_number=result.id_number,
            name=result.name,
            birth_date=result.birth.iso() if result.birth else None,
            gender=result.gender.value if result.gender else None,
            facility_code=result.facility_code,
            valid_from=result.valid_from.isoformat() if result.valid_from else None,
            valid_to=result.valid_to.isoformat() if result.valid_to else None,
            benefit_level=result.benefit_level,
            reason=Reason.UNKNOWN_OBJECT_CODE.value if result.unknown_object_code else None,
        )
    elif isinstance(result, CccdPayload):
        out.update(
            kind="cccd",
            id_number=result.id_number,
            name=result.name,
            birth_date=result.birth.iso() if result.birth else None,
            gender=result.gender.value if result.gender else None,
        )
    else:
        out.update(kind="code", **_code_fields(result))
    number = out["card_number"]
    group = object_code_of(number) if isinstance(number, str) else None
    out.update(group=group, group_name=group_name(group))
    return out


def _code_fields(result: CodePayload) -> dict[str, object]:
    if result.kind in (CodeKind.CARD_NUMBER, CodeKind.CARD_WITH_ID):
        bhxh = result.code[-10:]
        long_form = result.kind is CodeKind.CARD_WITH_ID
        return {
            "card_number": result.code,
            "bhxh_number": bhxh if bhxh.isdigit() and not long_form else None,
            "id_number": result.lookup_key if long_form else None,
            "benefit_level": level_of(result.code),
            "reason": Reason.UNKNOWN_OBJECT_CODE.value if result.unknown_object_code else None,
        }
    if result.kind is CodeKind.BHXH_NUMBER:
        return {"bhxh_number": result.code}
    return {"id_number": result.code}


def summary(result: Payload | InvalidPayload) -> str:
    """One masked line for people: names and numbers never appear in clear."""
    if isinstance(result, InvalidPayload):
        return f"invalid  {result.reason.value}: {result.detail}"
    data = to_json(result)
    parts = [str(data["kind"])]
    for key in ("card_number", "bhxh_number", "id_number"):
        if data[key]:
            parts.append(f"{key.replace('_', ' ')} {mask_number(str(data[key]))}")
    if isinstance(result, BhytPayload | CccdPayload):
        parts.append(f"name {mask_name(result.name)}")
        if result.birth:
            parts.append(f"born {result.birth.year:04d}")
    for key in ("gender", "facility_code", "benefit_level"):
        if data[key] is not None:
            parts.append(f"{key.replace('_', ' ')} {data[key]}")
    if data["valid_from"] or data["valid_to"]:
        parts.append(f"valid {data['valid_from'] or '?'}..{data['valid_to'] or 'open'}")
    if data["reason"]:
        parts.append(f"flag {data['reason']}")
    return "  ".join(parts)


def _inputs(text: str) -> Iterator[Payload | InvalidPayload]:
    if text != "-":
        yield parse_payload(text)
        return
    for number, line in enumerate(sys.stdin.buffer, start=1):
        chunk = line.rstrip(b"\r\n")
        if not chunk.strip():
            continue
        try:
            decoded = chunk.decode("utf-8")
        except UnicodeDecodeError as error:
            yield InvalidPayload(
                chunk.decode("utf-8", errors="backslashreplace"),
                Reason.NOT_A_CARD,
                f"line {number}: byte {error.start} is not UTF-8 (binary data)",
            )
            continue
        yield parse_payload(decoded)


def run(args: argparse.Namespace, config: Config | None) -> int:
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(encoding="utf-8")  # names are Vietnamese whatever the locale
    all_valid = True
    for index, result in enumerate(_inputs(args.text), start=1):
        if isinstance(result, InvalidPayload):
            all_valid = False
            if args.json:  # the JSON keys are fixed: the detail goes to the operator on stderr
                print(f"input {index}: {result.reason.value}: {result.detail}", file=sys.stderr)
        if args.json:
            print(json.dumps(to_json(result), ensure_ascii=False))
        else:
            print(summary(result))
    sys.stdout.flush()
    return 0 if all_valid else 1


COMMAND = Command(add_arguments, run, needs_config=False)
