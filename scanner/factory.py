"""Builds the scanner's adapters from the validated configuration (used by the entry points)."""

from __future__ import annotations

from pathlib import Path

from kiosk.clock import Clock
from kiosk.config import CameraSettings
from scanner.decoders import build_decoder
from scanner.file_camera import IMAGE_SUFFIXES, FolderCamera, VideoFileCamera
from scanner.ports import Camera
from scanner.webcam import OpenCVCamera, device_of

__all__ = ["build_camera", "build_decoder"]


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
    return OpenCVCamera(device_of(settings.device), settings.width, settings.height, settings.fps)
