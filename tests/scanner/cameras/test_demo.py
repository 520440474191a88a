"""The demo camera: patients step up one after another, rendered only when their turn comes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from kiosk.config import DecoderSettings
from kiosk.synthetic import bhyt_payload, cccd_payload, people
from scanner.cameras.demo import STYLES, DemoCamera, DemoPatient, demo_scene
from scanner.decode.chain import build_decoder
from scanner.ports import CameraState
from tests.fakes import FakeClock


def _patients(n: int) -> list[DemoPatient]:
    texts = [bhyt_payload(p) if i % 2 else cccd_payload(p) for i, p in enumerate(people(n))]
    return [DemoPatient(t, STYLES[i % len(STYLES)]) for i, t in enumerate(texts)]


def _clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 25, 3, 0, tzinfo=UTC))  # 10:00 in Hồ Chí Minh City


@pytest.mark.parametrize("style", STYLES)
def test_every_style_of_demo_scene_is_read_by_the_kiosk_decoder(style: str) -> None:
    text = bhyt_payload(next(people(1)))
    decoded = build_decoder(DecoderSettings()).decode(demo_scene(DemoPatient(text, style), 3))
    assert decoded is not None
    assert decoded.text == text


def test_patients_take_turns_with_a_gap_of_empty_lobby_between_them() -> None:
    patients = _patients(3)
    camera = DemoCamera(patients, _clock(), fps=None, shown=2, gap=1)
    frames = [camera.read() for _ in range(9)]
    assert all(f is not None for f in frames)
    assert camera.turns == 3
    # frames 0-1 patient 1, 2 lobby, 3-4 patient 2, 5 lobby, 6-7 patient 3, then lobby
    assert frames[0] is frames[1]
    assert frames[3] is frames[4]
    assert frames[6] is frames[7]
    assert frames[0] is not frames[3]
    assert frames[2] is frames[5] is frames[8]


def test_only_the_current_scene_is_rendered_and_kept() -> None:
    seen: list[int] = []

    def lazily() -> Iterator[DemoPatient]:
        for i, patient in enumerate(_patients(1000)):
            seen.append(i)
            yield patient

    camera = DemoCamera(lazily(), _clock(), fps=None, shown=1, gap=0)
    for _ in range(5):
        camera.read()
    assert seen == [0, 1, 2, 3, 4]  # the other 995 patients were never rendered


def test_a_patient_steps_away_once_the_kiosk_answered() -> None:
    camera = DemoCamera(_patients(2), _clock(), fps=None, shown=50, gap=1)
    first = camera.read()
    camera.step_away()
    assert camera.read() is not first  # the lobby, not 49 more frames of the same code
    assert camera.read() is not first
    assert camera.turns == 2


def test_frames_are_paced_by_the_clock_and_an_unplugged_camera_gives_none() -> None:
    clock = _clock()
    camera = DemoCamera(_patients(2), clock, fps=10)
    assert camera.read() is not None
    assert camera.read() is None  # the next frame is not due yet
    clock.advance(seconds=0.1)
    camera.lose()
    lost = camera.state
    assert camera.read() is None
    camera.restore()
    assert (lost, camera.state) == (CameraState.LOST, CameraState.OK)
    assert camera.read() is not None
