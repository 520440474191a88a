"""The USB webcam, through OpenCV: the only module opening ``cv2.VideoCapture`` on a live camera.

A background thread reads the device continuously and keeps only the newest frame, so
:meth:`OpenCVCamera.read` never blocks and never returns a stale buffered picture. When the
device fails (unplugged, driver error) the camera reports ``lost``, releases it and reopens it
in the background with a growing delay, then reports ``ok`` again.

The settings that matter in a lobby (pixel format, size, frame rate, focus, exposure) are asked
of the device through V4L2 each time it opens; :meth:`OpenCVCamera.report` says what the device
accepted, read back from it (drivers silently keep their own value for what they do not support).
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from typing import Any, Protocol

import cv2

from kiosk.config import CameraSettings
from scanner.ports import CameraState, Frame, as_frame

log = logging.getLogger(__name__)


class Capture(Protocol):
    """The part of ``cv2.VideoCapture`` the camera uses (a fake one drives the tests)."""

    def isOpened(self) -> bool: ...  # noqa: N802 - OpenCV's name

    def read(self) -> tuple[bool, Any]: ...

    def set(self, prop: int, value: float) -> bool: ...

    def get(self, prop: int) -> float: ...

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


# V4L2's exposure modes as OpenCV's V4L2 backend passes them through.
_V4L2_EXPOSURE_MANUAL = 1
_V4L2_EXPOSURE_APERTURE_PRIORITY = 3


def fourcc_text(code: float) -> str:
    """A FOURCC read back from the device (a number) as its four letters, e.g. "MJPG"."""
    value = int(code)
    return "".join(chr((value >> (8 * i)) & 0xFF) for i in range(4)).strip("\x00 ")


# The settings of [camera] asked of the device, in the order the report lists them.
_ASKED = ("fourcc", "width", "height", "fps", "autofocus", "focus", "auto_exposure", "exposure")


class OpenCVCamera:
    """A live webcam: newest frame or None from :meth:`read`, ``lost``/``ok`` in :attr:`state`."""

    def __init__(
        self,
        device: int | str,
        settings: CameraSettings,
        *,
        capture_factory: CaptureFactory = open_capture,
        first_retry_s: float = 0.5,
        max_retry_s: float = 5.0,
    ) -> None:
        self._device = device
        self._settings = settings
        self._report: dict[str, object] | None = None
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

    def report(self) -> dict[str, object] | None:
        """What the device accepted when it last opened (read back from it), beside what was
        asked; None until it has opened once."""
        with self._lock:
            return None if self._report is None else dict(self._report)

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
            self._apply(capture)
        except (cv2.error, OSError) as error:
            log.warning("camera %s: cannot open: %s", self._device, error)
            return None
        return capture

    def _apply(self, capture: Capture) -> None:
        """Asks the device for the configured settings and records what it accepted."""
        ask = self._settings
        # MJPG lets USB 2 webcams deliver 1280×720 at 30 fps; a buffer of one frame keeps
        # the driver from queueing old pictures. The format goes first: it limits the sizes.
        capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*ask.fourcc))
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, ask.width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, ask.height)
        capture.set(cv2.CAP_PROP_FPS, ask.fps)
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        capture.set(cv2.CAP_PROP_AUTOFOCUS, 1 if ask.autofocus else 0)
        if not ask.autofocus:  # the focus position only holds with autofocus off
            capture.set(cv2.CAP_PROP_FOCUS, ask.focus)
        mode = _V4L2_EXPOSURE_APERTURE_PRIORITY if ask.auto_exposure else _V4L2_EXPOSURE_MANUAL
        capture.set(cv2.CAP_PROP_AUTO_EXPOSURE, mode)
        if not ask.auto_exposure:
            capture.set(cv2.CAP_PROP_EXPOSURE, ask.exposure)
        accepted: dict[str, object] = {
            "fourcc": fourcc_text(capture.get(cv2.CAP_PROP_FOURCC)),
            "width": int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
            "height": int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)),
            "fps": round(float(capture.get(cv2.CAP_PROP_FPS)), 2),
            "autofocus": bool(capture.get(cv2.CAP_PROP_AUTOFOCUS)),
            "focus": round(float(capture.get(cv2.CAP_PROP_FOCUS)), 2),
            "auto_exposure": capture.get(cv2.CAP_PROP_AUTO_EXPOSURE) != _V4L2_EXPOSURE_MANUAL,
            "exposure": round(float(capture.get(cv2.CAP_PROP_EXPOSURE)), 2),
        }
        asked = {key: getattr(ask, key) for key in _ASKED}
        report: dict[str, object] = {
            "device": str(self._device),
            "asked": asked,
            "accepted": accepted,
            "differs": sorted(k for k in asked if asked[k] != accepted[k] and _matters(k, ask)),
        }
        with self._lock:
            self._report = report

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


def _matters(key: str, ask: CameraSettings) -> bool:
    """Whether a setting's read-back value means anything (a fixed focus or exposure is only
    in force when its automatic mode is off)."""
    if key == "focus":
        return not ask.autofocus
    if key == "exposure":
        return not ask.auto_exposure
    return True
