"""``kiosk-admin camera-check [--json] [--wait S]``: open the configured camera and report what
the device accepted (pixel format, size, frame rate, focus, exposure) and the frame it sent."""

from __future__ import annotations

import argparse
import json
import time

from db.commands import Command
from kiosk.clock import SystemClock
from kiosk.config import CameraSettings, Config
from scanner.factory import build_camera, describe_camera, summary_line
from scanner.ports import Frame


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON object")
    parser.add_argument(
        "--wait", type=float, default=5.0, help="seconds to wait for the first frame (5)"
    )


def _run(args: argparse.Namespace, config: Config | None) -> int:
    settings = config.camera if config else CameraSettings()
    clock = SystemClock()
    try:
        camera = build_camera(settings, clock)
    except ValueError as error:  # a file or folder named as the device that cannot play
        print(f"camera {settings.device}: error: {error}")
        return 1
    frame: Frame | None = None
    try:
        deadline = clock.monotonic() + max(0.0, args.wait)
        while frame is None and clock.monotonic() < deadline:
            frame = camera.read()
            if frame is None:
                time.sleep(0.05)  # the webcam's thread fills in the next frame
        described = describe_camera(camera, settings.device, frame)
    finally:
        camera.close()
    if args.json:
        print(json.dumps(described))
    elif frame is None:
        print(
            f"camera {settings.device}: no frame within {args.wait:g} s ({summary_line(described)})"
        )
    else:
        print(f"camera {settings.device}: {summary_line(described)}")
    return 0 if frame is not None else 1


COMMAND = Command(_add_arguments, _run)
