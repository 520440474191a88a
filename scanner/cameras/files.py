"""Cameras that play image files or a video file at a set rate (demo, tests, card photos)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import cv2

from kiosk.clock import Clock
from scanner import image_guard
from scanner.ports import CameraState, Frame, as_frame

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp")


def read_image(path: Path) -> Frame | None:
    """An image file (PNG, JPEG, WebP or BMP by content, within the pixel cap) as a frame, or
    None when it is refused (:func:`scanner.image_guard.read_image` says why)."""
    try:
        return image_guard.read_image(path)
    except image_guard.ImageRefusedError:
        return None


def write_image(path: Path, frame: Frame) -> None:
    """Save a frame as an image file (the format follows the suffix: .png, .jpg, ...)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(path), frame):
        raise OSError(f"cannot write image {path}")


class _Paced:
    """Hands out a new frame at most ``fps`` times a second by the clock; None in between."""

    def __init__(self, fps: float, clock: Clock) -> None:
        if fps <= 0:
            raise ValueError(f"fps must be positive, got {fps}")
        self._interval = 1.0 / fps
        self._clock = clock
        self._due = float("-inf")

    def due(self) -> bool:
        now = self._clock.monotonic()
        if now + 1e-6 < self._due:  # tolerance: float sums of ticks land a hair early
            return False
        # Schedule from now, not from the old due time: after a pause, no burst of frames.
        self._due = now + self._interval
        return True


class _Player:
    """What both file cameras share: a new frame when the pace allows, looping or not, until
    closed (then ``lost``)."""

    def __init__(self, fps: float, clock: Clock, loop: bool) -> None:
        self._loop = loop
        self._pace = _Paced(fps, clock)
        self._closed = False

    @property
    def state(self) -> CameraState:
        return CameraState.LOST if self._closed else CameraState.OK

    def read(self) -> Frame | None:
        if self._closed or not self._pace.due():
            return None
        return self._next()

    def _next(self) -> Frame | None:
        """The next frame of the recording, or None at its end."""
        raise NotImplementedError

    def close(self) -> None:
        self._closed = True


class FolderCamera(_Player):
    """Plays a folder of images (sorted by name) or a list of frames / image paths, in a loop."""

    def __init__(
        self,
        source: Path | str | Sequence[Path | str | Frame],
        fps: float,
        clock: Clock,
        *,
        loop: bool = True,
    ) -> None:
        if isinstance(source, str | Path):
            folder = Path(source)
            items: list[Path | str | Frame] = sorted(
                p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES
            )
            if not items:
                raise ValueError(f"no images ({', '.join(IMAGE_SUFFIXES)}) in {folder}")
        else:
            items = list(source)
        super().__init__(fps, clock, loop)
        self._items = items
        self._index = 0

    def _next(self) -> Frame | None:
        if not self._items:
            return None
        if self._index >= len(self._items):
            if not self._loop:
                return None
            self._index = 0
        item = self._items[self._index]
        self._index += 1
        if isinstance(item, str | Path):
            try:
                return image_guard.read_image(Path(item))
            except image_guard.ImageRefusedError as refused:
                raise ValueError(f"cannot read image {item}: {refused}") from refused
        return item


class VideoFileCamera(_Player):
    """Plays a video file at ``fps`` (by the clock, not the file's own rate), looping at the end."""

    def __init__(self, path: Path | str, fps: float, clock: Clock, *, loop: bool = True) -> None:
        self._path = str(path)
        self._capture = cv2.VideoCapture(self._path)
        if not self._capture.isOpened():
            raise ValueError(f"cannot open video file {path}")
        super().__init__(fps, clock, loop)

    def _next(self) -> Frame | None:
        ok, frame = self._capture.read()
        if not ok and self._loop:
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._capture.read()
        return as_frame(frame) if ok else None

    def close(self) -> None:
        if not self._closed:
            super().close()
            self._capture.release()


FOLDER_FPS = 30.0
"""The frame rate of a folder of frames when none is given (a webcam's usual rate)."""


def open_clip(path: Path, fps: float | None = None) -> tuple[Iterator[Frame], float]:
    """The frames of a recorded clip, once each, and its frame rate.

    A folder plays its images in name order at ``fps`` (default :data:`FOLDER_FPS`); a video
    file plays at ``fps`` or else its own rate. Raises ValueError when there is nothing to
    play (no such path, no images, not a video).
    """
    if fps is not None and fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    if path.is_dir():
        images = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not images:
            raise ValueError(f"no images ({', '.join(IMAGE_SUFFIXES)}) in {path}")
        return _images(images), fps or FOLDER_FPS
    if not path.is_file():
        raise ValueError("no such file or folder")
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        capture.release()
        raise ValueError("not a readable video")
    own = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
    return _video(capture), fps or (own if own > 0 else FOLDER_FPS)


def _images(paths: Sequence[Path]) -> Iterator[Frame]:
    for path in paths:
        try:
            yield image_guard.read_image(path)
        except image_guard.ImageRefusedError as refused:
            raise ValueError(f"cannot read image {path}: {refused}") from refused


def _video(capture: cv2.VideoCapture) -> Iterator[Frame]:
    try:
        while True:
            ok, frame = capture.read()
            if not ok or frame is None:
                return
            yield as_frame(frame)
    finally:
        capture.release()
