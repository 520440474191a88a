"""``kiosk-admin lookup CODE``: show the cached card for a card, BHXH or CCCD number.

Names and numbers are masked unless ``--reveal`` is given: the terminal may be seen by others
and its output may end up in logs.
"""

from __future__ import annotations

import argparse
import json

from db.cards.rows import row_from_record
from db.commands import Command, CommandError
from db.commands.stores import opened_store
from kiosk.config import Config
from kiosk.masking import mask_name, mask_number
from kiosk.model import CardRecord

_PERSONAL_NUMBERS = ("maThe", "maSoBHXH", "soCCCD", "maTheMoi")


def _masked(card: CardRecord) -> dict[str, str]:
    row = row_from_record(card)
    for key in _PERSONAL_NUMBERS:
        row[key] = mask_number(row[key])
    row["hoTen"] = mask_name(row["hoTen"])
    row["ngaySinh"] = card.birth.display()[-4:] if card.birth is not None else ""
    row["diaChi"] = "***" if row["diaChi"] else ""
    return row


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("code", help="15-char card number, 10-digit BHXH or 12-digit CCCD number")
    parser.add_argument("--reveal", action="store_true", help="show names and numbers in full")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _run(args: argparse.Namespace, config: Config | None) -> int:
    assert config is not None
    code = args.code.strip().upper()
    if len(code) not in (10, 12, 15):
        raise CommandError(
            "expected a 15-character card number, a 10-digit BHXH number or a 12-digit CCCD number",
            exit_code=2,
        )
    with opened_store(config) as store:
        card = store.find_card(code)
    if card is None:
        raise CommandError(f"no card in the cache for {mask_number(code)}")
    row = row_from_record(card) if args.reveal else _masked(card)
    extra = {
        "source": card.source,
        "updated_at": card.updated_at.isoformat() if card.updated_at else "",
        "verified_online_at": (
            card.verified_online_at.isoformat() if card.verified_online_at else ""
        ),
    }
    if args.json:
        print(json.dumps({**row, **extra}, ensure_ascii=False))
        return 0
    for key, value in {**row, **extra}.items():
        if value:
            print(f"{key:<20}{value}")
    return 0


COMMAND = Command(_add_arguments, _run)
