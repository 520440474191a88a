"""A camera for the demo and the soak: synthetic patients hold up their codes one after another.

Each patient's scene (a VssID phone screen in light or dark mode, or a printed card) is rendered
only when that patient's turn comes, and only the current scene is kept: a demo of thousands of
patients costs the memory of one frame, so its memory curve shows the app's, not the demo's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from kiosk.clock import Clock
from scanner.cameras.files import _Paced
from scanner.ports import CameraState, Frame, as_frame
from scanner.scenes import HEIGHT, WIDTH, card, lobby, phone, place

STYLES = ("card", "phone_light", "phone_dark")
"""How a demo patient shows the code: the plastic card, or the VssID app in either mode."""


@dataclass(frozen=True)
class DemoPatient:
    """One patient of the demo: the QR text they show and how they show it."""

    text: str
    style: str = "card"


def demo_scene(patient: DemoPatient, seed: int) -> Frame:
    """A 1280×720 lobby frame with the patient's phone or card held square to the camera."""
    rng = np.random.default_rng(seed)
    if patient.style == "card":
        patch = card(patient.text, rng, qr_side=300, width=860)
    elif patient.style in ("phone_light", "phone_dark"):
        patch = phone(patient.text, rng, dark=patient.style == "phone_dark")
    else:
        raise ValueError(f"unknown demo style {patient.style!r}; expected one of {STYLES}")
    h, w = patch.shape[:2]
    scale = min(1.0, 0.92 * HEIGHT / h, 0.92 * WIDTH / w)
    half_w, half_h = w * scale / 2, h * scale / 2
    cx, cy = WIDTH / 2, HEIGHT / 2
    quad = np.array(
        [[cx - half_w, cy - half_h], [cx + half_w, cy - half_h],
         [cx + half_w, cy + half_h], [cx - half_w, cy + half_h]],
        dtype=np.float32,
    )  # fmt: skip
    return place(lobby(rng), patch, quad)


class DemoCamera:
    """Shows each patient's code for ``shown`` frames, then ``gap`` frames of empty lobby.

    A patient lowers the code early once the kiosk has answered (:meth:`step_away`).

    ``fps`` paces the frames by the clock like a webcam; ``fps=None`` hands out a frame on every
    read (the soak's ``--pace``, which skips the human-speed pauses). After the last patient
    the camera shows the empty lobby. :meth:`lose` and :meth:`restore` unplug and replug it.
    """

    def __init__(
        self,
        patients: Iterable[DemoPatient],
        clock: Clock,
        *,
        fps: float | None = 10,
        shown: int = 12,
        gap: int = 5,
        seed: int = 0,
    ) -> None:
        if shown < 1 or gap < 0:
            raise ValueError("shown >= 1 and gap >= 0 expected")
        self._patients: Iterator[DemoPatient] = iter(patients)
        self._pace = _Paced(fps, clock) if fps else None
        self._shown, self._gap, self._seed = shown, gap, seed
        self._blank = as_frame(np.full((HEIGHT, WIDTH, 3), (96, 104, 112), np.uint8))
        self._scene: Frame | None = None
        self._left = 0  # frames still to show of the current phase
        self._showing = False
        self._turn = 0
        self._lost = False
        self._closed = False
        self._away = False  # set from another thread: the patient lowers the code
        self._held = False  # the queue waits: reception is serving someone

    @property
    def state(self) -> CameraState:
        return CameraState.LOST if self._lost or self._closed else CameraState.OK

    @property
    def turns(self) -> int:
        """How many patients have stepped up to the camera so far."""
        return self._turn

    def step_away(self) -> None:
        """The kiosk answered: the current patient lowers the code and the next one steps up."""
        self._away = True

    def hold(self) -> None:
        """The queue waits (reception is serving a patient): the empty lobby, nobody steps up."""
        self._held = True

    def release(self) -> None:
        """The queue moves on: the next patient steps up."""
        self._held = False

    def lose(self) -> None:
        """The camera is unplugged: no frames until :meth:`restore`."""
        self._lost = True

    def restore(self) -> None:
        self._lost = False

    def read(self) -> Frame | None:
        if self._lost or self._closed or (self._pace is not None and not self._pace.due()):
            return None
        if self._held:
            return self._blank
        if self._away:
            self._away = False
            if self._showing:
                self._left = 0
        if self._left == 0:
            self._next_phase()
        self._left = max(0, self._left - 1)
        return self._scene if self._showing and self._scene is not None else self._blank

    def _next_phase(self) -> None:
        if self._showing and self._gap:
            self._showing, self._scene, self._left = False, None, self._gap
            return
        patient = next(self._patients, None)
        if patient is None:
            self._showing, self._scene, self._left = False, None, 1
            return
        self._scene = demo_scene(patient, self._seed * 1_000_003 + self._turn)
        self._turn += 1
        self._showing, self._left = True, self._shown

    def close(self) -> None:
        self._closed = True
        self._scene = None
