"""The USB webcam, through OpenCV: the only module opening ``cv2.VideoCapture`` on a live camera.

A background thread reads the device continuously and keeps only the newest frame, so
:meth:`OpenCVCamera.read` never blocks and never returns a stale buffered picture. When the
device fails (unplugged, driver error) the camera reports ``lost``, releases it and reopens it
in the background with a growing delay, then reports ``ok`` again.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from typing import Any, Protocol

import cv2

from scanner.ports import CameraState, Frame, as_frame

log = logging.getLogger(__name__)


class Capture(Protocol):
    """The part of ``cv2.VideoCapture`` the camera uses (a fake one drives the tests)."""

    def isOpened(self) -> bool: ...  # noqa: N802 - OpenCV's name

    def read(self) -> tuple[bool, Any]: ...

    def set(self, prop: int, value: float) -> bool: ...

    def release(self) -> None: ...


CaptureFactory = Callable[[int | str], Capture]


def device_of(text: str) -> int | str:
    """A config ``device`` value as OpenCV wants it: "0" → index 0, "/dev/video2" stays a path."""
    return int(text) if text.strip().isdigit() else text


def open_capture(device: int | str) -> Capture:
    """A real capture: V4L2 on Linux (the default backend may pick GStreamer and lag)."""
    backend = cv2.CAP_V4L2 if sys.platform.startswith("linux") else cv2.CAP_ANY
    capture: Capture = cv2.VideoCapture(device, backend)
    return capture


class OpenCVCamera:
    """A live webcam: newest frame or None from :meth:`read`, ``lost``/``ok`` in :attr:`state`."""

    def __init__(
        self,
        device: int | str,
        width: int,
        height: int,
        fps: int,
        *,
        capture_factory: CaptureFactory = open_capture,
        first_retry_s: float = 0.5,
        max_retry_s: float = 5.0,
    ) -> None:
        self._device = device
        self._size = (width, height)
        self._fps = fps
        self._factory = capture_factory
        self._first_retry_s = first_retry_s
        self._max_retry_s = max_retry_s
        self._lock = threading.Lock()
        self._latest: Frame | None = None
        self._state = CameraState.LOST
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="webcam", daemon=True)
        self._thread.start()

    @property
    def state(self) -> CameraState:
        return self._state

    def read(self) -> Frame | None:
        """The newest frame not handed out before, or None (no wait)."""
        with self._lock:
            frame, self._latest = self._latest, None
        return frame

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2.0)
        self._state = CameraState.LOST

    def _open(self) -> Capture | None:
        try:
            capture = self._factory(self._device)
            if not capture.isOpened():
                capture.release()
                return None
            width, height = self._size
            # MJPG lets USB 2 webcams deliver 1280×720 at 30 fps; a buffer of one frame keeps
            # the driver from queueing old pictures.
            capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
            capture.set(cv2.CAP_PROP_FPS, self._fps)
            capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        except (cv2.error, OSError) as error:
            log.warning("camera %s: cannot open: %s", self._device, error)
            return None
        return capture

    def _run(self) -> None:
        delay = self._first_retry_s
        while not self._stop.is_set():
            capture = self._open()
            if capture is None:
                self._lost(f"cannot open, retrying in {delay:.1f} s")
                self._stop.wait(delay)
                delay = min(delay * 2, self._max_retry_s)
                continue
            if self._pump(capture):
                delay = self._first_retry_s  # it worked for a while: retry quickly next time
            capture.release()
            if not self._stop.is_set():
                self._lost("stopped delivering frames, reopening")
                self._stop.wait(delay)
                delay = min(delay * 2, self._max_retry_s)

    def _pump(self, capture: Capture) -> bool:
        """Read frames until the device fails or we stop; True if any frame arrived."""
        delivered = False
        while not self._stop.is_set():
            try:
                ok, frame = capture.read()
            except cv2.error as error:
                log.warning("camera %s: read failed: %s", self._device, error)
                ok, frame = False, None
            if not ok or frame is None:
                return delivered
            with self._lock:
                self._latest = as_frame(frame)
            if self._state is not CameraState.OK:
                log.info("camera %s: ok", self._device)
            self._state = CameraState.OK
            delivered = True
        return delivered

    def _lost(self, why: str) -> None:
        if self._state is not CameraState.LOST or why.startswith("stopped"):
            log.warning("camera %s: lost (%s)", self._device, why)
        self._state = CameraState.LOST
        with self._lock:
            self._latest = None
