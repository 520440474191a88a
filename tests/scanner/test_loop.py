"""The scan loop on real rendered QR frames: rate limit, confirmation, cooldown, junk."""

from __future__ import annotations

import numpy as np

from kiosk.config import DecoderSettings
from scanner import scenes
from scanner.decode.chain import build_decoder
from scanner.loop import ScanLoop
from scanner.ports import CameraState, Frame
from tests.fakes import CountingDecoder, FakeCamera, FakeClock, ReadsNothing

CARD_A = "HS4797920123456|5472e1baa76e|07/09/2008|2|-|79 - 024|01/01/2025|31/12/2025|$"
CARD_B = "7920123457|4e677579e1bb856e|1975|1|-|79 – 034|01/01/2025|-|05/01/2025|$"
JUNK = "https://example.com/not-a-card"


def _qr(text: str) -> Frame:
    qr = scenes.qr_image(text, 240)
    frame = np.full((360, 480), 255, np.uint8)
    frame[40 : 40 + qr.shape[0], 100 : 100 + qr.shape[1]] = qr
    return frame


EMPTY = np.full((360, 480), 200, np.uint8)


def _run(texts: list[str | None], **options: float) -> tuple[list[str | None], FakeClock]:
    """Feeds one frame per 0.2 s (decode_fps 10 lets each be decoded); returns the payloads."""
    frames = [EMPTY if t is None else _qr(t) for t in texts]
    clock = FakeClock()
    settings: dict[str, float] = {"decode_fps": 10, "cooldown_s": 8.0} | options
    loop = ScanLoop(
        FakeCamera(frames),
        build_decoder(DecoderSettings()),
        clock,
        decode_fps=settings["decode_fps"],
        cooldown_s=settings["cooldown_s"],
        accept=lambda text: text.endswith("$"),
    )
    out: list[str | None] = []
    for _ in frames:
        out.append(loop.step().payload)
        clock.advance(seconds=0.2)
    return out, clock


def test_a_card_is_confirmed_by_the_second_identical_read() -> None:
    out, _ = _run([CARD_A, CARD_A, CARD_A])
    assert out == [None, CARD_A, None]


def test_same_card_is_ignored_during_the_cooldown_then_accepted_again() -> None:
    # 40 frames at 0.2 s = 8 s: the card reappears after the 8 s cooldown has run out.
    out, _ = _run([CARD_A] * 2 + [None] * 38 + [CARD_A] * 2)
    assert out.count(CARD_A) == 2
    assert out[1] == CARD_A
    assert out[41] == CARD_A
    out, _ = _run([CARD_A] * 2 + [None] * 10 + [CARD_A] * 2)
    assert out.count(CARD_A) == 1


def test_a_different_card_during_the_cooldown_is_accepted() -> None:
    out, _ = _run([CARD_A, CARD_A, CARD_B, CARD_B])
    assert out == [None, CARD_A, None, CARD_B]


def test_junk_is_ignored_and_does_not_break_a_confirmation() -> None:
    out, _ = _run([JUNK, JUNK, JUNK])
    assert out == [None, None, None]
    # another code in view between two reads of the card: the card's second read confirms it
    out, _ = _run([CARD_A, JUNK, CARD_A, CARD_A])
    assert out == [None, None, CARD_A, None]


def test_two_different_texts_in_one_hold_wait_until_one_of_them_repeats() -> None:
    out, _ = _run([CARD_A, CARD_B, None, None])
    assert out == [None, None, None, None]
    out, _ = _run([CARD_A, CARD_B, CARD_B])
    assert out == [None, None, CARD_B]
    # a misread between two right reads does not put the right text back to one read; a
    # confirmation ends the hold (the other text starts again from nothing)
    out, _ = _run([CARD_A, CARD_B, CARD_A, CARD_B, CARD_B])
    assert out == [None, None, CARD_A, None, CARD_B]


def test_frames_that_read_nothing_do_not_undo_a_read_for_a_while() -> None:
    # Glare or moiré: the code reads in one frame of several. 0.2 s apart, nine empty frames
    # (1.8 s) leave the first read standing; eleven (2.2 s) let it lapse.
    out, _ = _run([CARD_A, *[None] * 9, CARD_A])
    assert out == [*[None] * 10, CARD_A]
    out, _ = _run([CARD_A, *[None] * 11, CARD_A, None])
    assert out == [None] * 14


def test_decodes_at_most_decode_fps_frames_a_second() -> None:
    counting = CountingDecoder(ReadsNothing())
    clock = FakeClock()
    camera = FakeCamera([EMPTY] * 30)
    loop = ScanLoop(camera, counting, clock, decode_fps=5, cooldown_s=1)
    for _ in range(30):  # 30 frames over 1 s of camera time
        step = loop.step()
        assert step.frame is not None
        clock.advance(seconds=1 / 30)
    assert counting.calls == 5


def test_forget_clears_the_cooldown_and_steps_report_the_camera() -> None:
    clock = FakeClock()
    camera = FakeCamera([_qr(CARD_A)] * 4 + [None])
    loop = ScanLoop(camera, build_decoder(DecoderSettings()), clock, decode_fps=10, cooldown_s=60)
    payloads = []
    for index in range(4):
        if index == 2:
            loop.forget()
        step = loop.step()
        payloads.append(step.payload)
        assert step.corners is not None
        clock.advance(seconds=0.2)
    assert payloads == [None, CARD_A, None, CARD_A]
    camera.state = CameraState.LOST
    step = loop.step()
    assert (step.frame, step.payload, step.camera) == (None, None, CameraState.LOST)
