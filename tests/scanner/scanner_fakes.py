"""Test doubles for the scanner's devices: a camera fed from a list, a scripted capture device."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from scanner.ports import CameraState, Frame


class FakeCamera:
    """Hands out the given frames one per read(), then None; ``state`` can be set by the test."""

    def __init__(self, frames: Iterable[Frame | None]) -> None:
        self._frames = iter(frames)
        self.state = CameraState.OK
        self.closed = False

    def read(self) -> Frame | None:
        return next(self._frames, None)

    def close(self) -> None:
        self.closed = True


class FakeCapture:
    """Stands in for cv2.VideoCapture: delivers frames while ``plugged`` is set, fails otherwise.

    One device shared by every "open", like a real /dev/video0 that is unplugged and back.
    """

    def __init__(self, device: FakeDevice) -> None:
        self._device = device
        self.settings: dict[int, float] = {}
        self.released = False
        self._opened = device.plugged.is_set()
        device.opens += 1

    def isOpened(self) -> bool:
        return self._opened

    def read(self) -> tuple[bool, Any]:
        if not self._opened or not self._device.plugged.is_set():
            return False, None
        self._device.frame_number += 1
        self._device.plugged.wait(0.005)  # about a camera's pace, without blocking tests long
        return True, np.full((8, 8, 3), self._device.frame_number % 256, np.uint8)

    def set(self, prop: int, value: float) -> bool:
        if prop in self._device.refuses:
            return False
        self.settings[prop] = self._device.clamp.get(prop, lambda v: v)(value)
        return True

    def get(self, prop: int) -> float:
        """What the device holds: the value set, else the device's own default."""
        return self.settings.get(prop, self._device.defaults.get(prop, 0.0))

    def release(self) -> None:
        self.released = True


class FakeDevice:
    """A pluggable camera device; ``factory`` is the capture factory to give OpenCVCamera."""

    def __init__(
        self,
        plugged: bool = True,
        *,
        refuses: Iterable[int] = (),
        defaults: dict[int, float] | None = None,
        clamp: dict[int, Callable[[float], float]] | None = None,
    ) -> None:
        """``refuses``: properties the driver ignores (they keep ``defaults``); ``clamp``:
        properties it rounds to what it supports (e.g. 1920×1080 → 1280×720)."""
        self.refuses = frozenset(refuses)
        self.defaults = defaults or {}
        self.clamp = clamp or {}
        self.plugged = threading.Event()
        if plugged:
            self.plugged.set()
        self.opens = 0
        self.frame_number = 0
        self.captures: list[FakeCapture] = []

    def factory(self, device: int | str) -> FakeCapture:
        capture = FakeCapture(self)
        self.captures.append(capture)
        return capture
