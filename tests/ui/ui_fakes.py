"""Fakes for the window's own ports: the camera's scan loop and the admin tools.

The check-in service is never faked: the window tests run the real ``CheckInService`` over the
port fakes of ``tests/fakes.py`` (see ``tests/ui/ui_rig.py``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from kiosk.outcome import Lang
from kiosk.voice import Prompt, PromptKind
from ui.ports import CacheStatus


class FakeSpeaker:
    """Notes every prompt the window asks to be said, and in which language."""

    def __init__(self) -> None:
        self.said: list[tuple[Prompt, Lang]] = []

    def say(self, prompt: Prompt, lang: Lang) -> None:
        self.said.append((prompt, lang))

    def kinds(self, lang: Lang | None = None) -> list[PromptKind]:
        return [p.kind for p, spoken in self.said if lang is None or spoken == lang]


@dataclass(frozen=True)
class FakeStep:
    frame: np.ndarray | None
    payload: str | None
    corners: tuple[tuple[float, float], ...] | None
    camera: str = "ok"


class FakeScanLoop:
    """Shows the given frames; a frame with text behind it yields that payload once.

    ``sighting``: while the queue is empty, every step sees a code it cannot read.
    """

    def __init__(self, frames: Sequence[tuple[np.ndarray, str | None]] = ()) -> None:
        self._lock = threading.Lock()
        self.queue: list[tuple[np.ndarray, str | None]] = list(frames)
        self.blank = np.full((360, 640, 3), 40, np.uint8)
        self.camera = "ok"
        self.forgotten = 0
        self.sighting = False

    def show(self, frame: np.ndarray, payload: str | None) -> None:
        with self._lock:
            self.queue.append((frame, payload))

    def step(self) -> FakeStep:
        with self._lock:
            if self.camera != "ok":
                return FakeStep(None, None, None, self.camera)
            if self.queue:
                frame, payload = self.queue.pop(0)
                h, w = frame.shape[:2]
                corners = (
                    (w * 0.3, h * 0.3),
                    (w * 0.7, h * 0.3),
                    (w * 0.7, h * 0.7),
                    (w * 0.3, h * 0.7),
                )
                return FakeStep(frame, payload, corners if payload else None)
            if self.sighting:
                return FakeStep(self.blank, None, ((200, 100), (400, 100), (400, 260)))
        return FakeStep(self.blank, None, None)

    def forget(self) -> None:
        self.forgotten += 1


@dataclass
class FakeAdmin:
    """Admin tools: a cache status, a sync that reports progress and can be cancelled."""

    cards: int = 1234
    last_sync: datetime | None = None
    steps: int = 5
    step_s: float = 0.05
    progress_seen: list[tuple[int, int]] = field(default_factory=list)
    cancelled: bool = False
    outbox: tuple[int, int, int] | None = None
    outbox_error: str | None = None
    chart: str | None = None

    def cache_status(self) -> CacheStatus:
        return CacheStatus(self.cards, self.last_sync, self.outbox, self.outbox_error, self.chart)

    def sync(self, progress: Callable[[int, int], None], cancel: Callable[[], bool]) -> str:
        for i in range(1, self.steps + 1):
            if cancel():
                self.cancelled = True
                return f"cancelled after {i - 1} pages"
            time.sleep(self.step_s)
            progress(i, self.steps)
            self.progress_seen.append((i, self.steps))
        self.cards += 10
        return f"synced {self.steps} pages"

    def printer_test(self) -> str:
        return "test page printed"

    def camera_test(self) -> str:
        return "camera ok: 1280x720"
