"""``kiosk-admin decode [--json] [--reveal] IMAGE...``: read the QR codes in card photos or
screenshots.

The text read is masked (letters and digits as ``*``, separators kept) unless ``--reveal``: a
QR holds a patient's name, birth date and card number, and this output ends up in tickets.
Only PNG, JPEG, WebP and BMP files are read (judged by their content), and an image larger than
``decoder.max_image_mpx`` is refused from its header, before any pixel is decoded
(:mod:`scanner.image_guard`). The cap is set before OpenCV is loaded: the decoders are imported
only once the settings are known, so OpenCV's own limit is the same.

``kiosk-admin decode --stream CLIP [--fps N] [--json]`` plays a recorded clip (a video file or
a folder of frames in name order) through the kiosk's own scan loop and says when, in clip
time, the code was confirmed (its text masked the same way unless ``--reveal``).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from db.commands import Command, CommandError
from kiosk.config import Config, DecoderSettings, load_config
from kiosk.masking import mask_text
from scanner.image_guard import ImageRefusedError, read_image, set_pixel_cap


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON object per image")
    parser.add_argument(
        "--reveal", action="store_true", help="print the text read in clear (personal data)"
    )
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


def _settings(args: argparse.Namespace) -> DecoderSettings:
    # decode works without a config file (the built-in defaults); with one, its [decoder] applies
    return load_config(getattr(args, "config", None)).decoder


def _run(args: argparse.Namespace, config: Config | None) -> int:
    if args.stream is not None:
        return _run_stream(args, config)
    if not args.images:
        raise CommandError("give IMAGE files, or --stream CLIP", exit_code=2)
    settings = config.decoder if config else _settings(args)
    set_pixel_cap(settings.max_image_mpx)  # before OpenCV is loaded: it reads its limit once
    from scanner.decode.chain import build_decoder

    # One photo at a time, nobody waiting at 10 frames a second: every stage on the whole
    # picture (the camera's gate would skip a code too small or soft for zxing to sight).
    decoder = build_decoder(settings, gated=False)
    failed = False
    for path in args.images:
        try:
            image = read_image(path)
        except ImageRefusedError as refused:
            failed = True
            why = str(refused)
            if args.json:
                print(
                    json.dumps({"image": str(path), "texts": [], "error": why}, ensure_ascii=False)
                )
            else:
                print(f"{path}: error: {why}")
            continue
        started = time.perf_counter()
        found = decoder.decode(image)
        ms = round((time.perf_counter() - started) * 1000, 2)
        shown = (found.text if args.reveal else mask_text(found.text)) if found else ""
        texts = [shown] if found else []
        if args.json:
            print(json.dumps({"image": str(path), "texts": texts, "ms": ms}, ensure_ascii=False))
        elif found:
            print(f"{path}: {shown!r} ({found.decoder}, {ms} ms)")
        else:
            print(f"{path}: no QR code found ({ms} ms)")
    return 1 if failed else 0


def _run_stream(args: argparse.Namespace, config: Config | None) -> int:
    """One JSON line (or one plain line): the confirmed text and its clip time, or nulls."""
    loaded = config or load_config(getattr(args, "config", None))
    camera, settings = loaded.camera, loaded.decoder
    set_pixel_cap(settings.max_image_mpx)  # a folder of frames: each one sized first
    from scanner.cameras.files import open_clip
    from scanner.decode.chain import build_decoder
    from scanner.loop import read_clip
    from scanner.stream import StreamDecoder

    path: Path = args.stream
    try:
        frames, fps = open_clip(path, args.fps)
        chain = build_decoder(settings)
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
            print(json.dumps(failed | {"error": str(error)}, ensure_ascii=False))
        else:
            print(f"{path}: error: {error}")
        return 1
    text = read.text if read.text is None or args.reveal else mask_text(read.text)
    if args.json:
        line: dict[str, object] = {"clip": str(path), "text": text}
        line |= {"ms_to_read": read.ms_to_read, "frames": read.frames}
        print(json.dumps(line, ensure_ascii=False))
    elif text is not None:
        print(f"{path}: {text!r} at {read.ms_to_read} ms (frame {read.frames})")
    else:
        print(f"{path}: no QR code confirmed in {read.frames} frames")
    return 0


COMMAND = Command(_add_arguments, _run, needs_config=False)
