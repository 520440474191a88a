"""``kiosk-admin decode [--json] IMAGE...``: read the QR codes in card photos or screenshots."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from db.commands import Command
from kiosk.config import Config, DecoderSettings
from scanner.decoders import build_decoder
from scanner.file_camera import read_image


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON object per image")
    parser.add_argument("images", nargs="+", type=Path, metavar="IMAGE", help="image files")


def _run(args: argparse.Namespace, config: Config | None) -> int:
    # One photo at a time, nobody waiting at 10 frames a second: every stage on the whole
    # picture (the camera's gate would skip a code too small or soft for zxing to sight).
    decoder = build_decoder(config.decoder if config else DecoderSettings(), gated=False)
    failed = False
    for path in args.images:
        image = read_image(path)
        if image is None:
            failed = True
            why = "no such file" if not path.exists() else "not a readable image"
            if args.json:
                print(json.dumps({"image": str(path), "texts": [], "error": why}))
            else:
                print(f"{path}: error: {why}")
            continue
        started = time.perf_counter()
        found = decoder.decode(image)
        ms = round((time.perf_counter() - started) * 1000, 2)
        texts = [found.text] if found else []
        if args.json:
            print(json.dumps({"image": str(path), "texts": texts, "ms": ms}, ensure_ascii=False))
        elif found:
            print(f"{path}: {found.text!r} ({found.decoder}, {ms} ms)")
        else:
            print(f"{path}: no QR code found ({ms} ms)")
    return 1 if failed else 0


COMMAND = Command(
    name="decode",
    help="read the QR code in each image file (card photos, screenshots)",
    add_arguments=_add_arguments,
    run=_run,
    needs_config=False,
)
