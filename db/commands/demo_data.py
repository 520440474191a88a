"""``kiosk-admin demo-data``: synthetic cards and the QR images of the same made-up patients.

The demo and the tests need patients without using anyone's real data: this writes
``cards.jsonl`` (the import format, see ``db/cards/rows.py``), one camera frame per patient in
``qr/`` (phone screens in light and dark mode, printed cards, chip ID cards) and
``patients.jsonl`` saying which frame holds which payload.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np

from db.cards.rows import row_from_record
from db.commands import Command, CommandError
from kiosk.clock import HOSPITAL_ZONE, SystemClock, local_day
from kiosk.config import Config
from kiosk.synthetic import SyntheticPerson, bhyt_payload, card_record, cccd_payload, people
from scanner.cameras.files import write_image
from scanner.scenes import render

# what the patient shows, how its QR is written, and the scene the camera sees
SHOWN: tuple[tuple[str, Callable[[SyntheticPerson], str], str], ...] = (
    ("bhyt", lambda p: bhyt_payload(p, "15"), "card_perspective"),
    ("vssid", lambda p: bhyt_payload(p, "17"), "phone_dark"),
    ("cccd", lambda p: cccd_payload(p, 7), "card_perspective"),
    ("vssid", lambda p: bhyt_payload(p, "15"), "phone_light"),
)


def valid_people(count: int, seed: int, today: date) -> list[SyntheticPerson]:
    """``count`` synthetic patients whose cards are valid ``today`` (so the demo accepts them)."""
    chosen: list[SyntheticPerson] = []
    for person in people(count * 3, seed, today=today):
        if person.valid_from <= today <= person.valid_to:
            chosen.append(person)
            if len(chosen) == count:
                break
    return chosen


def write_demo_data(out: Path, count: int, seed: int, today: date) -> list[dict[str, str]]:
    """Write the cards, frames and manifest for ``count`` patients; return the manifest rows."""
    (out / "qr").mkdir(parents=True, exist_ok=True)
    manifest: list[dict[str, str]] = []
    with (out / "cards.jsonl").open("w", encoding="utf-8") as cards:
        for index, person in enumerate(valid_people(count, seed, today)):
            cards.write(json.dumps(row_from_record(card_record(person)), ensure_ascii=False))
            cards.write("\n")
            shown, payload_of, scene = SHOWN[index % len(SHOWN)]
            payload = payload_of(person)
            frame = render(scene, payload, np.random.default_rng((seed, index)))
            image = out / "qr" / f"{index + 1:04d}-{shown}.png"
            write_image(image, frame)
            manifest.append({"image": str(image), "shown": shown, "payload": payload})
    with (out / "patients.jsonl").open("w", encoding="utf-8") as handle:
        for row in manifest:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return manifest


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--patients", type=int, default=20, help="how many (default 20)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    parser.add_argument("--seed", type=int, default=2026, help="population seed (default 2026)")


def _run(args: argparse.Namespace, config: Config | None) -> int:
    if args.patients < 1:
        raise CommandError("--patients must be at least 1", exit_code=2)
    zone = config.kiosk.zone if config else HOSPITAL_ZONE
    try:
        rows = write_demo_data(args.out, args.patients, args.seed, local_day(SystemClock(), zone))
    except OSError as error:
        raise CommandError(f"cannot write into {args.out}: {error}") from error
    print(f"wrote {len(rows)} synthetic patients to {args.out} (cards.jsonl, qr/, patients.jsonl)")
    return 0


COMMAND = Command(_add_arguments, _run, needs_config=False)
