"""The demo camera's queue waits while reception serves a patient."""

from __future__ import annotations

from kiosk.synthetic import bhyt_payload, people
from scanner.cameras.demo import DemoCamera, DemoPatient
from tests.fakes import FakeClock


def test_a_held_queue_shows_the_empty_lobby_and_nobody_steps_up() -> None:
    texts = [bhyt_payload(p) for p in people(2, seed=3)]
    camera = DemoCamera([DemoPatient(t, "card") for t in texts], FakeClock(), fps=None, shown=3)
    first = camera.read()
    assert camera.turns == 1
    camera.step_away()  # the kiosk sent the first patient to reception
    camera.hold()
    held = [camera.read() for _ in range(20)]
    assert camera.turns == 1  # the second patient waits
    assert all(frame is held[0] for frame in held)
    assert held[0] is not first
    camera.release()
    frames = [camera.read() for _ in range(10)]
    assert camera.turns == 2
    assert any(frame is not held[0] for frame in frames)
