"""The scan loop: camera frames in, confirmed QR payload texts out (rate limit, confirm, cooldown).

Pure Python with an injected clock; the UI wraps :meth:`ScanLoop.step` in a worker thread and
tests call it directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kiosk.clock import Clock
from scanner.ports import Camera, CameraState, Corners, Decoder, Frame


@dataclass(frozen=True)
class ScanStep:
    """What one step saw: the new frame (or None), a confirmed payload, where the QR was."""

    frame: Frame | None
    payload: str | None
    corners: Corners | None
    camera: CameraState


class ScanLoop:
    """Reads the camera, decodes at most ``decode_fps`` frames a second and confirms payloads.

    A text is handed out once it was read ``confirm_reads`` times in a row (one misread cannot
    start a check-in). After that, the same text is ignored for ``cooldown_s`` seconds so a
    card held in front of the camera is not checked in twice; a different card is accepted at
    once. Reads for which ``accept(text)`` is False (not a card or ID payload) are ignored.
    """

    def __init__(
        self,
        camera: Camera,
        decoder: Decoder,
        clock: Clock,
        *,
        decode_fps: float,
        confirm_reads: int = 2,
        cooldown_s: float,
        accept: Callable[[str], bool] = lambda text: True,
    ) -> None:
        if decode_fps <= 0 or confirm_reads < 1 or cooldown_s < 0:
            raise ValueError("decode_fps > 0, confirm_reads >= 1 and cooldown_s >= 0 expected")
        self._camera = camera
        self._decoder = decoder
        self._clock = clock
        self._interval = 1.0 / decode_fps
        self._confirm_reads = confirm_reads
        self._cooldown_s = cooldown_s
        self._accept = accept
        self._next_decode = float("-inf")
        self._candidate: str | None = None
        self._count = 0
        self._last_payload: str | None = None
        self._last_at = float("-inf")

    def forget(self) -> None:
        """Clear the confirmation and the cooldown (e.g. when a check-in was cancelled)."""
        self._candidate = None
        self._count = 0
        self._last_payload = None
        self._last_at = float("-inf")

    def step(self) -> ScanStep:
        """Read one frame; decode it if the rate allows; return what happened. Never sleeps."""
        frame = self._camera.read()
        state = self._camera.state
        if frame is None:
            return ScanStep(None, None, None, state)
        now = self._clock.monotonic()
        if now + 1e-6 < self._next_decode:  # tolerance: float sums of ticks land a hair early
            return ScanStep(frame, None, None, state)
        self._next_decode = now + self._interval
        found = self._decoder.decode(frame)
        if found is None or not self._accept(found.text):
            # No code (or junk) in this frame: a confirmation needs consecutive reads.
            self._candidate, self._count = None, 0
            return ScanStep(frame, None, None if found is None else found.corners, state)
        text = found.text
        if text == self._candidate:
            self._count += 1
        else:
            self._candidate, self._count = text, 1
        if self._count < self._confirm_reads:
            return ScanStep(frame, None, found.corners, state)
        self._candidate, self._count = None, 0
        if text == self._last_payload and now - self._last_at < self._cooldown_s:
            return ScanStep(frame, None, found.corners, state)
        self._last_payload, self._last_at = text, now
        return ScanStep(frame, text, found.corners, state)
