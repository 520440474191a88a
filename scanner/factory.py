"""Builds the scanner's adapters from the validated configuration (used by the entry points)."""

from __future__ import annotations

from pathlib import Path

from kiosk.clock import Clock
from kiosk.config import CameraSettings
from scanner.cameras.files import IMAGE_SUFFIXES, FolderCamera, VideoFileCamera
from scanner.cameras.webcam import OpenCVCamera, device_of
from scanner.decode.chain import build_decoder
from scanner.ports import Camera, Frame

__all__ = ["build_camera", "build_decoder", "describe_camera", "summary_line"]


def build_camera(settings: CameraSettings, clock: Clock) -> Camera:
    """The camera named by ``[camera] device``.

    A number or a /dev path is a live webcam; a folder plays its images, an image file plays
    itself, and any other existing file plays as a video, each at ``fps``.
    """
    path = Path(settings.device)
    if not settings.device.strip().isdigit() and path.exists() and not path.is_char_device():
        if path.is_dir():
            return FolderCamera(path, settings.fps, clock)
        if path.suffix.lower() in IMAGE_SUFFIXES:
            return FolderCamera([path], settings.fps, clock)
        return VideoFileCamera(path, settings.fps, clock)
    return OpenCVCamera(device_of(settings.device), settings)


def describe_camera(camera: Camera, device: str, frame: Frame | None) -> dict[str, object]:
    """What a camera is and delivers: for a webcam, the settings asked and those the device
    accepted (read back through V4L2); the size of the frame it delivered, if any."""
    described: dict[str, object] = {"device": device, "state": str(camera.state)}
    if isinstance(camera, OpenCVCamera):
        described["kind"] = "webcam"
        described.update(camera.report() or {"accepted": None})
        described["device"] = device
    else:
        described["kind"] = "file"
    described["frame"] = None if frame is None else [int(frame.shape[1]), int(frame.shape[0])]
    return described


def summary_line(described: dict[str, object]) -> str:
    """One line for a person: "MJPG 1280×720 at 30 fps, autofocus on, exposure auto"."""
    accepted = described.get("accepted")
    if not isinstance(accepted, dict):
        frame = described.get("frame")
        size = f"{frame[0]}×{frame[1]}" if isinstance(frame, list) else "no frame yet"
        return f"{described.get('kind')}: {size}"
    focus = "autofocus on" if accepted["autofocus"] else f"focus fixed at {accepted['focus']}"
    exposure = "auto" if accepted["auto_exposure"] else f"fixed at {accepted['exposure']}"
    size = f"{accepted['width']}×{accepted['height']}"
    line = f"{accepted['fourcc']} {size} at {accepted['fps']:g} fps, {focus}, exposure {exposure}"
    differs = described.get("differs")
    if isinstance(differs, list) and differs:
        line += f" (not as configured: {', '.join(differs)})"
    return line
