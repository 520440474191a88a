"""The decoder chain on real rendered QR codes: every scene condition, the gate, the order of
its stages."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.config import DecoderSettings
from kiosk.synthetic import cccd_payload, people
from scanner import scenes
from scanner.decode.chain import NOISY, DecoderChain, build_decoder, lifted, sensor_noise
from scanner.decode.regions import (
    to_grey,
)
from scanner.decode.zbar import ZbarDecoder
from scanner.decode.zxing import ZxingDecoder, qr_modules
from scanner.ports import Decoder, Frame, as_frame
from scanner.stages.enlarge import EnlargeRetry
from scanner.stages.sharpen import Sharpen
from tests.bench import hard_scenes
from tests.fakes import CountingDeblur, CountingDecoder, CountingZxing, RecordingRegions
from tests.scanner.pictures import on_white

# CI puts shared/ beside the clone; KIOSK_QR_SAMPLES points elsewhere (e.g. a worktree).
SAMPLES = Path(
    os.environ.get("KIOSK_QR_SAMPLES")
    or Path(__file__).resolve().parents[3].parent / "shared" / "qr-samples"
)
FRAMES_PER_CONDITION = 2


@pytest.fixture(scope="module")
def frames() -> list[tuple[str, Frame, str]]:
    return list(hard_scenes.generate(len(scenes.CONDITIONS) * FRAMES_PER_CONDITION, seed=3))


@pytest.mark.parametrize("condition", scenes.CONDITIONS)
def test_every_scene_condition_decodes_through_the_chain(
    condition: str, frames: list[tuple[str, Frame, str]]
) -> None:
    chain = build_decoder(DecoderSettings())
    mine = [(f, t) for c, f, t in frames if c == condition]
    assert len(mine) == FRAMES_PER_CONDITION
    for frame, text in mine:
        found = chain.decode(frame)
        assert found is not None, condition
        assert found.text == text
        assert found.raw == text.encode("utf-8")
        assert len(found.corners) == 4


@pytest.mark.parametrize(
    "decoder", [ZxingDecoder(), ZbarDecoder(), EnlargeRetry()], ids=["zxing", "zbar", "enlarge"]
)
def test_vietnamese_cccd_names_come_out_right(decoder: Decoder) -> None:
    for person in people(5, seed=11):
        text = cccd_payload(person)
        found = decoder.decode(on_white(text))
        assert found is not None
        assert found.text == text
        assert person.name in found.text


def test_chain_stops_at_the_first_success() -> None:
    first, second = CountingDecoder(ZxingDecoder()), CountingDecoder(ZbarDecoder())
    chain = DecoderChain([first, second])
    assert chain.decode(on_white("hello")) is not None
    assert (first.calls, second.calls) == (1, 0)
    assert chain.decode(np.full((100, 100), 255, np.uint8)) is None
    assert (first.calls, second.calls) == (2, 1)


def test_real_photos_decode_mostly() -> None:
    if not SAMPLES.is_dir():
        pytest.skip(f"no real QR samples at {SAMPLES}: put shared/ beside the clone")
    chain = build_decoder(DecoderSettings())
    right = total = 0
    for expected in sorted(SAMPLES.glob("qrcode-*/*.txt"))[::4]:
        images = [p for p in expected.parent.glob(expected.stem + ".*") if p.suffix != ".txt"]
        image = images[0] if images else None
        if image is None:
            continue
        frame = cv2.imread(str(image))
        assert frame is not None, image
        want = expected.read_text(encoding="utf-8").replace("\r\n", "\n").strip()
        found = chain.decode(as_frame(frame))
        total += 1
        right += found is not None and found.text.replace("\r\n", "\n").strip() == want
    assert right >= total - 3, f"{right}/{total}"


def _damaged(text: str, seed: int = 1) -> Frame:
    """A 1280×720 frame with a QR whose data modules are scribbled over: its three finder
    patterns are intact (zxing sees a symbol) but too many modules are wrong to read it."""
    modules = qr_modules(text)
    n = modules.shape[0]
    rng = np.random.default_rng(seed)
    spoilt = modules.copy()
    inner = spoilt[12 : n - 12, 12 : n - 12]  # away from the finders and the format info
    inner[...] = rng.integers(0, 2, inner.shape) * 255
    qr = cv2.resize(spoilt, None, fx=6, fy=6, interpolation=cv2.INTER_NEAREST)
    frame = np.full((720, 1280), 190, np.uint8)
    frame[200 : 200 + qr.shape[0], 700 : 700 + qr.shape[1]] = qr
    return as_frame(frame)


def _backlit(text: str, dark: int, light: int) -> Frame:
    """A code whose modules are ``dark`` and ``light`` grey levels, held in front of a bright
    lobby window (the left third of the frame) that the camera exposed for."""
    qr = scenes.qr_image(text, 300).astype(np.float32) / 255
    frame = np.full((720, 1280), 40, np.uint8)
    frame[:, :400] = 255
    frame[200 : 200 + qr.shape[0], 700 : 700 + qr.shape[1]] = dark + qr * (light - dark)
    return as_frame(cv2.GaussianBlur(frame, (0, 0), 0.8))


@pytest.mark.parametrize("condition", hard_scenes.NO_QR_CONDITIONS)
def test_frames_without_a_qr_stop_after_one_zxing_pass(condition: str) -> None:
    # Empty lobby, patterned shirts, a printed notice, QR-like squares, a dim noisy lobby.
    for n in range(3):
        frame = hard_scenes.no_qr(condition, np.random.default_rng((7, n)))
        zbar, enlarge = CountingDecoder(ZbarDecoder()), CountingDecoder(EnlargeRetry())
        chain = DecoderChain([ZxingDecoder(), zbar, enlarge])
        assert chain.decode(frame) is None
        assert (zbar.calls, enlarge.calls) == (0, 0), condition
        assert not ZxingDecoder().scan(to_grey(frame), every_pass=False).sighted


def test_the_ungated_chain_runs_every_stage_on_an_empty_frame() -> None:
    frame = hard_scenes.no_qr("lobby", np.random.default_rng(1))
    zbar, enlarge = CountingDecoder(ZbarDecoder()), CountingDecoder(EnlargeRetry())
    assert DecoderChain([ZxingDecoder(), zbar, enlarge], gated=False).decode(frame) is None
    assert (zbar.calls, enlarge.calls) == (1, 1)


def test_a_small_picture_gets_every_stage_even_when_zxing_saw_nothing() -> None:
    # A cropped card photo may hold a code too small or soft for zxing even to sight.
    frame = np.full((300, 400), 230, np.uint8)
    zbar = CountingDecoder(ZbarDecoder())
    assert DecoderChain([ZxingDecoder(), zbar]).decode(frame) is None
    assert zbar.calls == 1


def test_a_symbol_zxing_sees_but_cannot_read_sends_its_region_to_the_next_stages() -> None:
    frame = _damaged("HS4797920123456|5472e1baa76e|07/09/2008|2|-|79 - 024|$")
    scan = ZxingDecoder().scan(frame, every_pass=False)
    assert scan.found is None
    assert scan.sighted
    zbar = RecordingRegions(ZbarDecoder())
    enlarge = CountingDecoder(EnlargeRetry())
    chain = DecoderChain([ZxingDecoder(), zbar, enlarge])
    assert chain.decode(frame) is None  # nobody can read it: too many modules are wrong
    assert enlarge.calls == 1
    assert zbar.boxes, "zbar got no regions"
    # zbar read regions, not the whole frame, and one of them holds the whole code.
    assert all(w * h < 1280 * 720 // 2 for _, _, w, h in zbar.boxes)
    side = qr_modules("HS4797920123456|5472e1baa76e|07/09/2008|2|-|79 - 024|$").shape[0]
    assert any(
        x <= 700 and y <= 200 and x + w >= 700 + 6 * side and y + h >= 200 + 6 * side
        for x, y, w, h in zbar.boxes
    )


@pytest.mark.parametrize("index", [33, 86, 187, 462])
def test_frames_only_zbar_reads_still_decode_through_the_gated_chain(index: int) -> None:
    # Benchmark frames (seed 2026) of blurred, dim and tilted cards that zxing cannot read but
    # sees: zbar reads them in a candidate region instead of the whole frame.
    condition = scenes.CONDITIONS[index % len(scenes.CONDITIONS)]
    text = next(itertools.islice(scenes.payloads(2026), index, None))
    frame = scenes.render(condition, text, np.random.default_rng((2026, index)))
    assert ZxingDecoder().decode(frame) is None
    found = build_decoder(DecoderSettings()).decode(frame)
    assert found is not None
    assert (found.text, found.decoder) == (text, "zbar")


def test_sensor_noise_tells_a_grainy_dim_lobby_from_busy_patterns() -> None:
    for condition in hard_scenes.NO_QR_CONDITIONS:
        for n in range(2):
            grey = to_grey(hard_scenes.no_qr(condition, np.random.default_rng((3, n))))
            noisy = sensor_noise(grey) >= NOISY
            assert noisy == (condition == "dim_noisy_lobby"), condition


def test_noisy_frames_with_a_code_decode_through_the_smoothed_first_look(
    frames: list[tuple[str, Frame, str]],
) -> None:
    chain = build_decoder(DecoderSettings())
    noisy = [(f, t) for c, f, t in frames if c == "noise"]
    assert noisy
    for frame, text in noisy:
        assert sensor_noise(to_grey(frame)) >= NOISY  # this path, not the plain one
        found = chain.decode(frame)
        assert found is not None
        assert (found.text, found.decoder) == (text, "zxing")


@pytest.mark.parametrize("condition", hard_scenes.HARD_CONDITIONS)
def test_every_hard_condition_decodes_in_a_representative_frame(condition: str) -> None:
    # The first of four frames of the condition (seed 3) that reads; the benchmark measures
    # how many do.
    chain = build_decoder(DecoderSettings())
    position = hard_scenes.HARD_CONDITIONS.index(condition)
    for k in range(4):
        index = k * len(hard_scenes.HARD_CONDITIONS) + position
        got, frame, text = hard_scenes.sample(index, 3, stratum="hard")
        assert got == condition
        found = chain.decode(frame)
        if found is not None:
            assert found.text == text
            return
    pytest.fail(f"no frame of {condition} read")


@pytest.mark.parametrize("index", [28, 58, 156])
def test_glare_over_a_code_zxing_does_not_sight_reads_through_the_bright_looks(index: int) -> None:
    # Hard-stratum frames of glare over a phone's code: the gate's local threshold sees
    # nothing; a lit region in a bright frame gets a global threshold, zbar and the sharpen.
    condition, frame, text = hard_scenes.sample(index, 2026, stratum="hard")
    assert "glare" in condition
    assert not ZxingDecoder().scan(to_grey(frame), every_pass=False, downscale=False).sighted
    found = build_decoder(DecoderSettings()).decode(frame)
    assert found is not None
    assert found.text == text


def test_a_code_zxing_placed_only_in_part_reads_in_the_region_widened_around_it() -> None:
    # Hard-stratum frame 194: a 100 px code under heavy JPEG. zxing places a symbol of about
    # 35 px in it; the region around that cuts the code off, and the candidate regions holding
    # it are too large to enlarge the code enough.
    condition, frame, text = hard_scenes.sample(194, 2026, stratum="hard")
    assert condition == "small_jpeg"
    scan = ZxingDecoder().scan(to_grey(frame), every_pass=False)
    assert scan.found is None
    assert [w < 100 and h < 100 for _, _, w, h in scan.seen] == [True]
    found = build_decoder(DecoderSettings()).decode(frame)
    assert found is not None
    assert (found.text, found.decoder) == (text, "enlarge")


@pytest.mark.parametrize(("dark", "light"), [(30, 48), (40, 60)])
def test_a_code_held_against_a_window_reads_once_lifted_a_stop(dark: int, light: int) -> None:
    # Its modules differ by under the 24 grey levels zxing's local threshold takes for an
    # edge: zxing alone, with every binarizer and downscaled pass, does not even sight it.
    text = next(scenes.payloads(5))
    frame = _backlit(text, dark, light)
    assert ZxingDecoder().decode(frame) is None
    assert not ZxingDecoder(binarizers=("local",)).scan(frame, every_pass=False).sighted
    found = build_decoder(DecoderSettings()).decode(frame)
    assert found is not None
    assert (found.text, found.decoder) == (text, "zxing")
    assert ZxingDecoder().decode(lifted(frame)) is not None


@pytest.mark.parametrize("condition", hard_scenes.NO_QR_CONDITIONS)
def test_the_default_chain_spends_one_zxing_pass_on_a_frame_without_a_code(condition: str) -> None:
    # The deblur and sharpen stages also look where zxing saw nothing, but only measure and
    # probe there: they restore nothing on an empty lobby, shirts, a notice or a dim lobby.
    for n in range(3):
        frame = hard_scenes.no_qr(condition, np.random.default_rng((7, n)))
        zxing, deblur = CountingZxing(), CountingDeblur()
        zbar, enlarge = CountingDecoder(ZbarDecoder()), CountingDecoder(EnlargeRetry())
        sharpen_reads = CountingDecoder(ZxingDecoder())
        sharpen = Sharpen(sharpen_reads, probe=ZxingDecoder(binarizers=("local",)))
        chain = DecoderChain([zxing, zbar, enlarge, deblur, sharpen])
        assert chain.decode(frame) is None
        assert (zxing.passes, zbar.calls, enlarge.calls, deblur.restores) == (1, 0, 0, 0)
        assert sharpen_reads.calls == 0


@settings(max_examples=40, deadline=None)
@given(
    shape=st.tuples(st.integers(1, 60), st.integers(1, 2600))
    | st.tuples(st.integers(1, 2600), st.integers(1, 40)),
    value=st.integers(0, 255),
    seed=st.integers(0, 2**16),
)
def test_any_sliver_or_scrap_of_a_picture_reads_nothing_and_never_raises(
    shape: tuple[int, int], value: int, seed: int
) -> None:
    # `kiosk-admin decode` takes any image; a camera may hand over a cut frame.
    noise = np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)
    for frame in (np.full(shape, value, np.uint8), noise):
        for gated in (True, False):
            assert build_decoder(DecoderSettings(), gated=gated).decode(as_frame(frame)) is None
