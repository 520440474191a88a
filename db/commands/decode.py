"""``kiosk-admin decode [--json] IMAGE...``: read the QR codes in card photos or screenshots.

``kiosk-admin decode --stream CLIP [--fps N] [--json]`` plays a recorded clip (a video file or
a folder of frames in name order) through the kiosk's own scan loop and says when, in clip
time, the code was confirmed.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from db.commands import Command, CommandError
from kiosk.config import CameraSettings, Config, DecoderSettings
from scanner.decoders import build_decoder
from scanner.file_camera import open_clip, read_image
from scanner.loop import read_clip
from scanner.stream import StreamDecoder


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON object per image")
    parser.add_argument("images", nargs="*", type=Path, metavar="IMAGE", help="image files")
    parser.add_argument(
        "--stream",
        type=Path,
        metavar="CLIP",
        help="a video file or a folder of frames, read as the kiosk reads its camera",
    )
    parser.add_argument(
        "--fps",
        type=float,
        default=None,
        help="the clip's frame rate (default: the video's own; 30 for a folder)",
    )


def _run(args: argparse.Namespace, config: Config | None) -> int:
    if args.stream is not None:
        return _run_stream(args, config)
    if not args.images:
        raise CommandError("give IMAGE files, or --stream CLIP", exit_code=2)
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


def _run_stream(args: argparse.Namespace, config: Config | None) -> int:
    """One JSON line (or one plain line): the confirmed text and its clip time, or nulls."""
    camera = config.camera if config else CameraSettings()
    path: Path = args.stream
    try:
        frames, fps = open_clip(path, args.fps)
        chain = build_decoder(config.decoder if config else DecoderSettings())
        read = read_clip(
            frames,
            fps,
            StreamDecoder(chain),
            decode_fps=camera.decode_fps,
            confirm_reads=camera.confirm_reads,
        )
    except ValueError as error:
        if args.json:
            failed = {"clip": str(path), "text": None, "ms_to_read": None, "frames": 0}
            print(json.dumps(failed | {"error": str(error)}))
        else:
            print(f"{path}: error: {error}")
        return 1
    if args.json:
        line: dict[str, object] = {"clip": str(path), "text": read.text}
        line |= {"ms_to_read": read.ms_to_read, "frames": read.frames}
        print(json.dumps(line, ensure_ascii=False))
    elif read.text is not None:
        print(f"{path}: {read.text!r} at {read.ms_to_read} ms (frame {read.frames})")
    else:
        print(f"{path}: no QR code confirmed in {read.frames} frames")
    return 0


COMMAND = Command(
    name="decode",
    help="read the QR code in each image file (card photos, screenshots)",
    add_arguments=_add_arguments,
    run=_run,
    needs_config=False,
)
