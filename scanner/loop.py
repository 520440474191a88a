"""The scan loop: camera frames in, confirmed QR payload texts out (rate limit, confirm, cooldown).

Pure Python with an injected clock; the UI wraps :meth:`ScanLoop.step` in a worker thread and
tests call it directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from kiosk.clock import Clock
from scanner.ports import Box, Camera, CameraState, Corners, Decoder, Frame
from scanner.stream import ClipCamera, ClipClock


@dataclass(frozen=True)
class ScanStep:
    """What one step saw: the new frame (or None), a confirmed payload, where the QR was.

    ``sighted`` is where a code is seen but not read yet (frame pixels x, y, w, h), when the
    decoder tracks one: the preview can ask the patient to hold still. It costs nothing extra.
    """

    frame: Frame | None
    payload: str | None
    corners: Corners | None
    camera: CameraState
    sighted: Box | None = None

    @property
    def far(self) -> bool:
        """A code is sighted but too far away to read: "bring it closer" (see :func:`too_far`)."""
        return (
            self.frame is not None
            and self.sighted is not None
            and too_far(self.sighted, self.frame.shape[1])
        )


FAR_SHARE = 0.375
"""The share of the frame's width under which a sighted (tracked, unread) code counts as too
far away. The stream reader tracks a region about four times the code's width: measured on
the approach clips, codes of 80–120 px (1.2–1.7 px a module for the long CCCD and BHYT
payloads: read slowly, when at all) are tracked in regions of 360–440 px of 1280; a
code at reading distance (250 px and more) is read before it is tracked, or tracked in a
region of 1000 px and more."""


def too_far(sighted: Box, frame_width: int) -> bool:
    """Whether a sighted code's region is too narrow for the code to be read."""
    return sighted[2] < FAR_SHARE * frame_width


@runtime_checkable
class Watching(Protocol):
    """A decoder that also looks at the frames it is not asked to decode (a stream reader)."""

    def watch(self, frame: Frame) -> None:
        """Take what is cheap from a frame that will not be decoded."""
        ...

    @property
    def sighted(self) -> Box | None:
        """Where a code is seen but not read yet, or None."""
        ...

    def forget(self) -> None:
        """Drop what was tracked."""
        ...


CONFIRM_WINDOW_S = 2.0
"""How long the reads of a hold stand through frames that read nothing and sight no code: as
long as the parity benchmark's horizon (a reference confirming within 2 s is never missed). A
code under moiré or glare can read in one looked-at frame of five."""


class ScanLoop:
    """Reads the camera, decodes at most ``decode_fps`` frames a second and confirms payloads.

    A text is handed out once it was read ``confirm_reads`` times in one *hold* (one misread
    cannot start a check-in). The hold lasts while reads come within :data:`CONFIRM_WINDOW_S`
    of each other or the decoder still sights the code: frames in between that read nothing
    (glare, moiré, a wobble) do not undo the reads so far, and neither does a read of another
    text. Each text is counted apart, so a misread between two right reads (a stage's wrong
    guess, another code in view) no longer puts the right text back to one read: the
    confirmation comes at the right text's second read, as it would for zxing-cpp alone on
    the same frames, and two different texts wait until one of them repeats. After that, the
    same text is ignored for ``cooldown_s`` seconds so a card held in front of the camera is
    not checked in twice; a different card is accepted at once. Reads for which
    ``accept(text)`` is False (not a card or ID payload) are ignored.
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
        self._watching = decoder if isinstance(decoder, Watching) else None
        self._next_decode = float("-inf")
        self._reads: dict[str, int] = {}  # the texts read in this hold, and how often
        self._read_at = float("-inf")  # when the hold's last read was
        self._last_payload: str | None = None
        self._last_at = float("-inf")

    def forget(self) -> None:
        """Clear the confirmation and the cooldown (e.g. when a check-in was cancelled)."""
        self._reads = {}
        self._last_payload = None
        self._last_at = float("-inf")
        if self._watching is not None:
            self._watching.forget()

    def step(self) -> ScanStep:
        """Read one frame; decode it if the rate allows; return what happened. Never sleeps."""
        frame = self._camera.read()
        state = self._camera.state
        if frame is None:
            return ScanStep(None, None, None, state)
        now = self._clock.monotonic()
        watching = self._watching
        if now + 1e-6 < self._next_decode:  # tolerance: float sums of ticks land a hair early
            if watching is not None:
                watching.watch(frame)
                return ScanStep(frame, None, None, state, watching.sighted)
            return ScanStep(frame, None, None, state)
        self._next_decode = now + self._interval
        return self._decode(frame, now, state)

    def _decode(self, frame: Frame, now: float, state: CameraState) -> ScanStep:
        found = self._decoder.decode(frame)
        sighted = None if self._watching is None else self._watching.sighted
        if found is None:
            # The code still sighted (motion, glare) keeps the hold; otherwise its reads
            # stand for a while (a code under moiré reads in one frame of several), then lapse.
            if sighted is None and now - self._read_at > CONFIRM_WINDOW_S:
                self._reads = {}
            return ScanStep(frame, None, None, state, sighted)
        if not self._accept(found.text):
            return ScanStep(frame, None, found.corners, state)  # another code: not counted
        text = found.text
        self._read_at = now
        self._reads[text] = count = self._reads.get(text, 0) + 1
        if count < self._confirm_reads:
            return ScanStep(frame, None, found.corners, state)
        self._reads = {}
        if text == self._last_payload and now - self._last_at < self._cooldown_s:
            return ScanStep(frame, None, found.corners, state)
        self._last_payload, self._last_at = text, now
        return ScanStep(frame, text, found.corners, state)


@dataclass(frozen=True)
class ClipRead:
    """What the scan loop made of a recorded clip: the confirmed text, when (clip time, ms,
    of the frame that confirmed it), and how many frames it took (all of them when unread)."""

    text: str | None
    ms_to_read: float | None
    frames: int


def read_clip(
    frames: Iterable[Frame],
    fps: float,
    decoder: Decoder,
    *,
    decode_fps: float,
    confirm_reads: int = 2,
    accept: Callable[[str], bool] = lambda text: True,
) -> ClipRead:
    """Plays ``frames`` at ``fps`` through a :class:`ScanLoop` on the clip's own clock and stops
    at the first confirmed payload: the kiosk's loop, with clip time instead of wall time."""
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    clock = ClipClock()
    camera = ClipCamera(frames)
    loop = ScanLoop(
        camera,
        decoder,
        clock,
        decode_fps=decode_fps,
        confirm_reads=confirm_reads,
        cooldown_s=0,
        accept=accept,
    )
    while True:
        step = loop.step()
        if step.frame is None:
            return ClipRead(None, None, camera.count)
        if step.payload is not None:
            return ClipRead(step.payload, round((camera.count - 1) * 1000 / fps, 1), camera.count)
        clock.advance(1 / fps)
