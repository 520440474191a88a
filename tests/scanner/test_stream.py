"""The stream reader: tracking a sighted code, the sharpest crop, aligned frames averaged."""

from __future__ import annotations

import dataclasses
import itertools

import cv2
import numpy as np
import pytest

from kiosk.config import DecoderSettings
from scanner import scenes, stream
from scanner.decode.chain import build_decoder
from scanner.decode.regions import box_around
from scanner.loop import ScanLoop, ScanStep, read_clip, too_far
from scanner.ports import CameraState, Decoded, Decoder, Frame, as_frame
from scanner.stream import (
    HUNCH_TRIES,
    ClipCamera,
    ClipClock,
    StreamDecoder,
    align_mean,
    focus,
)
from tests.bench import hard_scenes
from tests.bench.parity_clips import parity_clips, reference
from tests.fakes import CountingChain, CountingDecoder, FakeCamera, FakeClock

TEXT = "HS4797920123456|5472e1baa76e|07/09/2008|2|-|79 - 024|01/01/2025|31/12/2025|$"


def _grainy_clip(n: int, *, seed: int = 5, contrast: float = 0.22) -> list[Frame]:
    """A faint code in heavy sensor grain, drifting a few pixels: no single frame reads."""
    qr = scenes.qr_image(TEXT, 300).astype(np.float32)
    rng = np.random.default_rng(seed)
    frames = []
    for _ in range(n):
        frame = np.full((720, 1280), 128, np.float32)
        dx, dy = int(rng.integers(-3, 4)), int(rng.integers(-3, 4))
        side = qr.shape[0]
        frame[200 + dy : 200 + dy + side, 500 + dx : 500 + dx + side] = qr * contrast + 128 * (
            1 - contrast
        )
        frame += rng.normal(0, 60, frame.shape)
        frames.append(as_frame(np.clip(frame, 0, 255)))
    return frames


@pytest.mark.slow
def test_the_fused_stream_reads_a_clip_whose_single_frames_all_fail() -> None:
    frames = _grainy_clip(30)
    chain = build_decoder(DecoderSettings())
    assert all(chain.decode(frame) is None for frame in frames)
    plain = read_clip(frames, 30, build_decoder(DecoderSettings()), decode_fps=10)
    assert plain.text is None
    fused = read_clip(frames, 30, StreamDecoder(build_decoder(DecoderSettings())), decode_fps=10)
    assert fused.text == TEXT
    assert fused.ms_to_read is not None
    assert fused.ms_to_read <= 1000
    assert fused.frames == round(fused.ms_to_read * 30 / 1000) + 1


def test_an_empty_lobby_is_not_tracked_and_costs_one_chain_pass() -> None:
    chain = CountingChain()
    stream = StreamDecoder(chain)
    lobby = hard_scenes.no_qr("lobby", np.random.default_rng(2))
    for _ in range(3):
        stream.watch(lobby)
        assert stream.decode(lobby) is None
        assert stream.sighted is None
    assert chain.scans == 3  # one look per decoded frame, none for the watched ones


def test_the_scan_loop_reports_a_sighted_code_before_it_reads_it() -> None:
    frames = _grainy_clip(12)
    clock = FakeClock()
    loop = ScanLoop(
        FakeCamera(frames),
        StreamDecoder(build_decoder(DecoderSettings())),
        clock,
        decode_fps=10,
        cooldown_s=5,
    )
    sighted = []
    for _ in frames:
        step = loop.step()
        sighted.append(step.sighted)
        clock.advance(seconds=1 / 30)
    box = next(b for b in sighted if b is not None)
    x, y, w, h = box
    assert x <= 650 <= x + w  # the region holds the code's middle
    assert y <= 350 <= y + h
    assert not too_far(box, 1280)  # a 300 px code is near enough: "hold still", not "closer"
    loop.forget()
    assert loop.step().sighted is None


def test_a_small_sighted_code_is_too_far_and_a_near_one_is_not() -> None:
    frame = np.zeros((720, 1280), np.uint8)
    far = ScanStep(as_frame(frame), None, None, CameraState.OK, (600, 300, 400, 400))
    near = ScanStep(as_frame(frame), None, None, CameraState.OK, (200, 0, 1000, 720))
    assert far.far
    assert not near.far
    assert not ScanStep(as_frame(frame), None, None, CameraState.OK, None).far


def test_aligned_mean_beats_grain_and_focus_prefers_the_sharp_crop() -> None:
    sharp = as_frame(np.pad(scenes.qr_image(TEXT, 200), 30, constant_values=200))
    moved = as_frame(np.roll(sharp, (2, 4), axis=(0, 1)))  # the hand drifted 4 px right, 2 down
    aligned = align_mean([sharp, moved]).astype(np.float32)
    unaligned = (sharp.astype(np.float32) + moved) / 2
    assert np.abs(aligned - sharp).mean() < 0.3 * np.abs(unaligned - sharp).mean()
    rng = np.random.default_rng(1)
    grainy = [as_frame(np.clip(sharp + rng.normal(0, 30, sharp.shape), 0, 255)) for _ in range(8)]
    margin = (slice(0, 25), slice(None))  # plain paper above the code: only grain varies
    assert align_mean(grainy)[margin].std() < 0.5 * grainy[0][margin].std()
    blurred = hard_scenes.blur_with(sharp, hard_scenes.line_kernel(9, 30))
    assert focus(sharp) > 2 * focus(blurred)


def test_clip_time_moves_one_frame_per_step() -> None:
    clock, camera = ClipClock(), ClipCamera([np.zeros((4, 4), np.uint8)] * 2)
    assert camera.read() is not None
    clock.advance(1 / 30)
    assert camera.read() is not None
    assert camera.read() is None
    assert camera.count == 2
    assert clock.monotonic() == 1 / 30
    camera.close()
    assert str(camera.state) == "lost"


def test_read_clip_reports_the_clip_time_of_the_confirming_frame() -> None:
    qr = scenes.qr_image(TEXT, 240)
    card = np.full((360, 480), 255, np.uint8)
    card[40 : 40 + qr.shape[0], 100 : 100 + qr.shape[1]] = qr
    empty = np.full((360, 480), 200, np.uint8)
    frames = [empty] * 9 + [card] * 20

    def plain() -> Decoder:  # the default chain behind a decoder with no scan of its own
        return CountingDecoder(build_decoder(DecoderSettings()))

    read = read_clip(frames, 30, plain(), decode_fps=10)
    # Decoded at frames 0, 3, 6, 9, 12 (10 a second of 30): first read at 9, confirmed at 12.
    assert (read.text, read.ms_to_read, read.frames) == (TEXT, 400.0, 13)
    assert read_clip([empty] * 5, 30, plain(), decode_fps=10).text is None


def _play(reader: StreamDecoder, frames: list[Frame]) -> list[Decoded]:
    """Frames as the scan loop hands them over at 10 decodes a second from a 30 fps camera:
    two watched, the third decoded. Returns the reads; the reader must never show a
    sighting for a code it only guesses at."""
    reads = []
    for index, frame in enumerate(frames):
        if index % 3 < 2:
            reader.watch(frame)
            continue
        found = reader.decode(frame)
        assert reader.sighted is None
        if found is not None:
            reads.append(found)
    return reads


def test_a_far_code_no_single_frame_reads_is_read_from_frames_fused_at_twice_the_size() -> None:
    # The benchmark's smallest approach clip: an 81 px code of a long payload, 1.17 px a
    # module, which zxing never even sights.
    clip = next(itertools.islice(hard_scenes.approach_clips(119, 2026), 118, None))
    assert clip.condition == "small"
    assert clip.module_px < 1.2
    frames = list(clip.frames())
    chain = build_decoder(DecoderSettings())
    assert all(chain.decode(frame) is None for frame in frames[::3])
    reads = _play(StreamDecoder(build_decoder(DecoderSettings())), frames)
    assert [r.text for r in reads][:2] == [clip.text, clip.text]  # a read, and its confirmation
    x, y, w, h = box_around(reads[0].corners, 1280, 720)
    assert 300 < x + w / 2 < 900
    assert 200 < y + h / 2 < 600


def test_a_small_busy_thing_that_is_no_code_gets_a_bounded_number_of_fusions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = []
    real = stream.super_resolved

    def counted(crops: list[Frame]) -> Frame:
        calls.append(len(crops))
        return real(crops)

    monkeypatch.setattr(stream, "super_resolved", counted)
    rng = np.random.default_rng(4)
    frame = np.full((720, 1280), 110, np.uint8)
    squares = rng.integers(0, 2, (30, 30)).astype(np.uint8) * 200 + 30  # no finder patterns
    frame[280:400, 520:640] = cv2.resize(squares, (120, 120), interpolation=cv2.INTER_NEAREST)
    assert _play(StreamDecoder(build_decoder(DecoderSettings())), [as_frame(frame)] * 120) == []
    assert len(calls) == HUNCH_TRIES  # guessed at, fused a few times, then given up


def test_super_resolution_skips_a_crop_of_another_size() -> None:
    sharp = as_frame(np.pad(scenes.qr_image(TEXT, 120), 20, constant_values=220))
    cut = as_frame(sharp[:-7])  # the frame's edge cut this one short
    fused = stream.super_resolved([sharp, cut, sharp])
    assert fused.shape == (2 * sharp.shape[0], 2 * sharp.shape[1])


@pytest.mark.slow
def test_no_phantom_micro_qr_is_read_out_of_a_real_codes_modules() -> None:
    # The benchmark's approach clip 71 (a curved card): the unbend's squeezes of the tracked
    # crop once made zxing read a Micro QR code, "750645", out of the real code's modules, in
    # two frames a second apart. Every read the stream gives must be the card's own text.
    clip = next(itertools.islice(hard_scenes.approach_clips(120, 2026), 71, None))
    reader = StreamDecoder(build_decoder(DecoderSettings()))
    texts = []
    for index, frame in enumerate(itertools.islice(clip.frames(), 61)):
        if index % 3:
            reader.watch(frame)
            continue
        found = reader.decode(frame)
        if found is not None:
            texts.append(found.text)
    assert texts, "the clip's code was never read"
    assert set(texts) == {clip.text}


def _held(text: str) -> Frame:
    """A 1280 × 720 lobby frame with ``text``'s code held in it (about 3 px a module)."""
    frame = np.full((720, 1280), 170, np.uint8)
    qr = scenes.qr_image(text, 260)
    frame[200 : 200 + qr.shape[0], 500 : 500 + qr.shape[1]] = qr
    return frame


OTHER = "HS4797920654321|4e677579e1bb856e|01/02/1975|1|-|79 - 034|01/01/2025|31/12/2025|$"


@pytest.mark.parametrize("between", ["nothing", "another text"])
def test_a_clip_that_reads_right_in_alternate_frames_only_is_confirmed(between: str) -> None:
    """Every other frame the loop looks at reads the card; the ones between read nothing (the
    code washed out by glare) or another text (a misread): the stream confirms the card no
    later than zxing-cpp alone on the same frames, at its second right read."""
    card = _held(TEXT)
    other = np.full_like(card, 250) if between == "nothing" else _held(OTHER)
    frames = [card if index % 2 == 0 else other for index in range(45)]
    library = reference(frames, 30, decode_fps=10)
    assert (library.text, library.ms_to_read) == (TEXT, 200.0)  # frames 0 and 6 of 0, 3, 6
    got = read_clip(frames, 30, StreamDecoder(build_decoder(DecoderSettings())), decode_fps=10)
    assert got.text == TEXT
    assert got.ms_to_read is not None
    assert library.ms_to_read is not None
    assert got.ms_to_read <= library.ms_to_read


@pytest.mark.slow
def test_the_moire_chip_card_clip_is_confirmed_by_the_references_second_read() -> None:
    """The issue's miss: an old (7-field) chip-ID card's QR, a photo of it on a phone filmed
    through the screen's moiré while the hand brings it in (tests/bench/parity_clips.py)."""
    clip = dataclasses.replace(next(parity_clips(1)), seconds=1.5)  # read by 1 s
    assert clip.condition == "cccd_old_photo_on_phone"
    frames = list(clip.frames())
    library = reference(frames, clip.fps, decode_fps=10)
    assert library.text == clip.text
    assert library.ms_to_read is not None
    got = read_clip(
        frames, clip.fps, StreamDecoder(build_decoder(DecoderSettings())), decode_fps=10
    )
    assert got.text == clip.text
    assert got.ms_to_read is not None
    assert got.ms_to_read <= library.ms_to_read
