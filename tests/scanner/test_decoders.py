"""The decoder chain on real rendered QR codes: every scene condition, dark mode, Vietnamese."""

from __future__ import annotations

import itertools
import logging
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import pytest
import qrcode
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.config import DecoderSettings
from kiosk.synthetic import bhyt_payload, cccd_payload, people
from scanner import deblur, scenes
from scanner.deblur import (
    MOTION_PROMINENCE,
    MotionDeblur,
    grain,
    motion_blur_of,
    motion_of,
    motions_of,
)
from scanner.decoders import (
    NOISY,
    DecoderChain,
    EnlargeRetry,
    Scan,
    ZbarDecoder,
    ZxingDecoder,
    build_decoder,
    lifted,
    sensor_noise,
    text_of,
    undo_zbar_guess,
)
from scanner.ports import Decoded, Decoder, Frame, as_frame
from scanner.regions import (
    MOTION_EVENNESS,
    Box,
    Regions,
    candidate_regions,
    evenness,
    merge_boxes,
    to_grey,
)
from scanner.sharpen import Sharpen

# CI puts shared/ beside the clone; KIOSK_QR_SAMPLES points elsewhere (e.g. a worktree).
SAMPLES = Path(
    os.environ.get("KIOSK_QR_SAMPLES")
    or Path(__file__).resolve().parents[2].parent / "shared" / "qr-samples"
)
FRAMES_PER_CONDITION = 2


def _on_white(text: str, side: int = 300, invert: bool = False) -> Frame:
    qr = scenes.qr_image(text, side)
    frame = np.full((480, 640), 255, np.uint8)
    frame[50 : 50 + qr.shape[0], 100 : 100 + qr.shape[1]] = qr
    return 255 - frame if invert else frame


@pytest.fixture(scope="module")
def frames() -> list[tuple[str, Frame, str]]:
    return list(scenes.generate(len(scenes.CONDITIONS) * FRAMES_PER_CONDITION, seed=3))


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


def test_dark_mode_phone_screen_decodes_with_corners_on_the_code() -> None:
    text = "HS4797920123456|5472e1baa76e|07/09/2008|2|-|79 - 024|01/01/2025|31/12/2025|$"
    frame = _on_white(text, invert=True)
    found = ZxingDecoder().decode(frame)
    assert found is not None
    assert found.text == text
    xs = [x for x, _ in found.corners]
    ys = [y for _, y in found.corners]
    assert min(xs) >= 90
    assert max(xs) <= 410
    assert min(ys) >= 40
    assert max(ys) <= 360
    assert found.corners[0] == min(found.corners, key=lambda p: p[0] + p[1])


def test_zbar_alone_reads_dark_mode_only_with_the_inverted_retry() -> None:
    text = "7920123457|4e677579e1bb856e|1975|1|-|79 – 034|01/01/2025|-|05/01/2025|$"
    frame = _on_white(text, invert=True)
    assert ZbarDecoder(inverted_retry=False).decode(frame) is None
    found = ZbarDecoder().decode(frame)
    assert found is not None
    assert found.text == text


@pytest.mark.parametrize(
    "decoder", [ZxingDecoder(), ZbarDecoder(), EnlargeRetry()], ids=["zxing", "zbar", "enlarge"]
)
def test_vietnamese_cccd_names_come_out_right(decoder: Decoder) -> None:
    for person in people(5, seed=11):
        text = cccd_payload(person)
        found = decoder.decode(_on_white(text))
        assert found is not None
        assert found.text == text
        assert person.name in found.text


def _segmented(text: str) -> Frame:
    """``text`` as a QR writer that splits it into segments draws it (the ``qrcode``
    library's default: digits in numeric mode, the rest in byte mode)."""
    writer = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    writer.add_data(text)
    writer.make(fit=True)
    modules = np.where(np.array(writer.get_matrix(), bool), 0, 255).astype(np.uint8)
    return as_frame(cv2.resize(modules, None, fx=5, fy=5, interpolation=cv2.INTER_NEAREST))


def test_zbar_returns_a_segmented_codes_bytes_as_encoded() -> None:
    # zbar guessed Shift-JIS for this one's byte segments: "Dương" came out "Dﾆｰﾆ｡ng".
    text = "031069523978|022157275|Dương Minh Quân|23021969|Nam|Phường An Biên, Hải Phòng|17062024"
    zbar = ZbarDecoder()
    found = zbar.decode(_segmented(text))
    assert found is not None
    assert found.raw == text.encode()
    assert found.text == text


def test_zbars_wrong_guess_is_undone_and_right_texts_are_kept() -> None:
    right = "Dương Minh Quân|Phường An Biên"
    assert undo_zbar_guess(right.encode().decode("shift_jis")) == right
    assert undo_zbar_guess(right.encode().decode("latin-1")) == right
    for kept in (right, "HS4797920123456|$", "Trà Vinh", "外側QRコード"):
        assert undo_zbar_guess(kept) == kept


def test_text_of_prefers_utf8_then_shift_jis() -> None:
    assert text_of("Nguyễn Văn Đức".encode()) == "Nguyễn Văn Đức"
    assert text_of("外側QRコード".encode("shift_jis")) == "外側QRコード"
    assert text_of(b"\xff\xfe\xfa") == "\xff\xfe\xfa"


def test_enlarge_finds_a_small_code_in_a_large_picture() -> None:
    text = "079190001234||Lê Thị Hồng Nhung|15081990|Nữ|Số 12 Nguyễn Đình Chiểu|10052021"
    modules = scenes.qr_modules(text)
    tiny = cv2.resize(modules, None, fx=2.0, fy=2.0, interpolation=cv2.INTER_AREA)
    frame = np.full((720, 1280), 230, np.uint8)
    frame[500 : 500 + tiny.shape[0], 1000 : 1000 + tiny.shape[1]] = tiny
    frame = as_frame(cv2.GaussianBlur(frame, (0, 0), 0.9))  # 2 px a module, slightly soft
    assert ZxingDecoder().decode(frame) is None  # too small for one pass over the frame
    found = EnlargeRetry().decode(frame)
    assert found is not None
    assert found.text == text
    assert all(990 <= x <= 1010 + tiny.shape[1] for x, _ in found.corners)


def test_chain_stops_at_the_first_success() -> None:
    class Counting:
        def __init__(self, inner: Decoder) -> None:
            self.inner, self.calls = inner, 0

        def decode(self, frame: Frame) -> object:
            self.calls += 1
            return self.inner.decode(frame)

    first, second = Counting(ZxingDecoder()), Counting(ZbarDecoder())
    chain = DecoderChain([first, second])  # type: ignore[list-item]
    assert chain.decode(_on_white("hello")) is not None
    assert (first.calls, second.calls) == (1, 0)
    assert chain.decode(np.full((100, 100), 255, np.uint8)) is None
    assert (first.calls, second.calls) == (2, 1)


def test_missing_libzbar_disables_the_stage_with_one_log_line(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # As if libzbar were missing: importing pyzbar now raises ImportError.
    monkeypatch.setitem(sys.modules, "pyzbar", None)
    monkeypatch.setitem(sys.modules, "pyzbar.pyzbar", None)
    with caplog.at_level(logging.WARNING, logger="scanner.decoders"):
        chain = build_decoder(DecoderSettings(chain=("zbar", "zxing")))
    lines = [r for r in caplog.records if "zbar" in r.getMessage()]
    assert len(lines) == 1
    assert "libzbar0" in lines[0].getMessage()
    assert isinstance(chain, DecoderChain)
    zbar = chain.stages[0]
    assert isinstance(zbar, ZbarDecoder)
    assert not zbar.available
    found = chain.decode(_on_white("still scanning"))
    assert found is not None
    assert (found.text, found.decoder) == ("still scanning", "zxing")


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
        want = expected.read_text(encoding="utf-8").replace("\r\n", "\n").strip()
        found = chain.decode(frame)
        total += 1
        right += found is not None and found.text.replace("\r\n", "\n").strip() == want
    assert right >= total - 3, f"{right}/{total}"


class _Counting:
    """A stage that counts the frames it is given (to see which stages a frame reached)."""

    name = "counting"

    def __init__(self, inner: Decoder) -> None:
        self.inner, self.calls = inner, 0

    def decode(self, frame: Frame) -> Decoded | None:
        self.calls += 1
        return self.inner.decode(frame)


class _RecordingRegions(_Counting):
    """A region reader that records the boxes the chain hands it."""

    def __init__(self, inner: Decoder) -> None:
        super().__init__(inner)
        self.boxes: list[Box] = []

    def decode_in(self, frame: Frame, boxes: Sequence[Box]) -> Decoded | None:
        self.boxes.extend(boxes)
        for x, y, w, h in boxes:
            found = self.decode(frame[y : y + h, x : x + w])
            if found is not None:
                return found
        return None


def _damaged(text: str, seed: int = 1) -> Frame:
    """A 1280×720 frame with a QR whose data modules are scribbled over: its three finder
    patterns are intact (zxing sees a symbol) but too many modules are wrong to read it."""
    modules = scenes.qr_modules(text)
    n = modules.shape[0]
    rng = np.random.default_rng(seed)
    spoilt = modules.copy()
    inner = spoilt[12 : n - 12, 12 : n - 12]  # away from the finders and the format info
    inner[...] = rng.integers(0, 2, inner.shape) * 255
    qr = cv2.resize(spoilt, None, fx=6, fy=6, interpolation=cv2.INTER_NEAREST)
    frame = np.full((720, 1280), 190, np.uint8)
    frame[200 : 200 + qr.shape[0], 700 : 700 + qr.shape[1]] = qr
    return as_frame(frame)


@pytest.mark.parametrize("condition", scenes.NO_QR_CONDITIONS)
def test_frames_without_a_qr_stop_after_one_zxing_pass(condition: str) -> None:
    # Empty lobby, patterned shirts, a printed notice, QR-like squares, a dim noisy lobby.
    for n in range(3):
        frame = scenes.no_qr(condition, np.random.default_rng((7, n)))
        zbar, enlarge = _Counting(ZbarDecoder()), _Counting(EnlargeRetry())
        chain = DecoderChain([ZxingDecoder(), zbar, enlarge])
        assert chain.decode(frame) is None
        assert (zbar.calls, enlarge.calls) == (0, 0), condition
        assert not ZxingDecoder().scan(to_grey(frame), every_pass=False).sighted


def test_the_ungated_chain_runs_every_stage_on_an_empty_frame() -> None:
    frame = scenes.no_qr("lobby", np.random.default_rng(1))
    zbar, enlarge = _Counting(ZbarDecoder()), _Counting(EnlargeRetry())
    assert DecoderChain([ZxingDecoder(), zbar, enlarge], gated=False).decode(frame) is None
    assert (zbar.calls, enlarge.calls) == (1, 1)


def test_a_small_picture_gets_every_stage_even_when_zxing_saw_nothing() -> None:
    # A cropped card photo may hold a code too small or soft for zxing even to sight.
    frame = np.full((300, 400), 230, np.uint8)
    zbar = _Counting(ZbarDecoder())
    assert DecoderChain([ZxingDecoder(), zbar]).decode(frame) is None
    assert zbar.calls == 1


def test_a_symbol_zxing_sees_but_cannot_read_sends_its_region_to_the_next_stages() -> None:
    frame = _damaged("HS4797920123456|5472e1baa76e|07/09/2008|2|-|79 - 024|$")
    scan = ZxingDecoder().scan(frame, every_pass=False)
    assert scan.found is None
    assert scan.sighted
    zbar = _RecordingRegions(ZbarDecoder())
    enlarge = _Counting(EnlargeRetry())
    chain = DecoderChain([ZxingDecoder(), zbar, enlarge])
    assert chain.decode(frame) is None  # nobody can read it: too many modules are wrong
    assert enlarge.calls == 1
    assert zbar.boxes, "zbar got no regions"
    # zbar read regions, not the whole frame, and one of them holds the whole code.
    assert all(w * h < 1280 * 720 // 2 for _, _, w, h in zbar.boxes)
    side = scenes.qr_modules("HS4797920123456|5472e1baa76e|07/09/2008|2|-|79 - 024|$").shape[0]
    assert any(
        x <= 700 and y <= 200 and x + w >= 700 + 6 * side and y + h >= 200 + 6 * side
        for x, y, w, h in zbar.boxes
    )


def test_zbar_reads_inside_a_region_with_corners_in_frame_pixels() -> None:
    text = "7920123457|4e677579e1bb856e|1975|1|-|79 – 034|01/01/2025|-|05/01/2025|$"
    qr = scenes.qr_image(text, 240)
    frame = np.full((720, 1280), 220, np.uint8)
    frame[300 : 300 + qr.shape[0], 900 : 900 + qr.shape[1]] = 255 - qr  # dark mode
    zbar = ZbarDecoder()
    assert zbar.decode_in(frame, [(0, 0, 400, 400)]) is None
    found = zbar.decode_in(frame, [(0, 0, 400, 400), (850, 250, 360, 360)])
    assert found is not None
    assert found.text == text
    xs = [x for x, _ in found.corners]
    ys = [y for _, y in found.corners]
    assert min(xs) >= 890
    assert max(xs) <= 910 + qr.shape[1]
    assert min(ys) >= 290
    assert max(ys) <= 310 + qr.shape[0]


def test_merge_boxes_joins_overlaps_and_keeps_the_first_order() -> None:
    boxes = [(100, 100, 50, 50), (0, 0, 10, 10), (120, 120, 50, 50), (5, 5, 0, 9)]
    assert merge_boxes(boxes) == ((100, 100, 70, 70), (0, 0, 10, 10))


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
    for condition in scenes.NO_QR_CONDITIONS:
        for n in range(2):
            grey = to_grey(scenes.no_qr(condition, np.random.default_rng((3, n))))
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


@pytest.mark.parametrize("condition", scenes.HARD_CONDITIONS)
def test_every_hard_condition_decodes_in_a_representative_frame(condition: str) -> None:
    # The first of four frames of the condition (seed 3) that reads; the benchmark measures
    # how many do.
    chain = build_decoder(DecoderSettings())
    position = scenes.HARD_CONDITIONS.index(condition)
    for k in range(4):
        index = k * len(scenes.HARD_CONDITIONS) + position
        got, frame, text = scenes.sample(index, 3, stratum="hard")
        assert got == condition
        found = chain.decode(frame)
        if found is not None:
            assert found.text == text
            return
    pytest.fail(f"no frame of {condition} read")


def _swung(text: str, length: float, angle: float) -> Frame:
    qr = scenes.qr_image(text, 320)
    frame = np.full((720, 1280), 200, np.uint8)
    frame[180 : 180 + qr.shape[0], 500 : 500 + qr.shape[1]] = qr
    return as_frame(scenes.blur_with(frame, scenes.line_kernel(length, angle)))


def test_motion_deblur_reads_a_swung_code_that_zxing_cannot_even_sight() -> None:
    text = "079190001234||Lê Thị Hồng Nhung|15081990|Nữ|Số 12 Nguyễn Đình Chiểu|10052021"
    frame = _swung(text, 17, 30)
    scan = ZxingDecoder().scan(frame)
    assert scan.found is None
    found = build_decoder(DecoderSettings()).decode(frame)
    assert found is not None
    assert (found.text, found.decoder) == (text, "deblur")
    assert all(470 <= x <= 860 and 150 <= y <= 540 for x, y in found.corners)


def test_the_cepstrum_finds_a_motion_blurs_length_and_direction() -> None:
    frame = _swung("a code swung across the camera", 15, 60)
    crop = frame[150:540, 470:860]
    assert motion_of(crop)[2] >= MOTION_PROMINENCE  # the deepest dip stands out
    # The code's module pitch dips too; the motion is among the deepest few.
    assert any(
        abs(length - 15) <= 2.5 and min(abs(angle - 60), abs(angle + 120)) < 10
        for length, angle, _ in motions_of(crop)
    )


@pytest.mark.parametrize(("length", "angle"), [(8, 20), (15, 60), (22, 135), (25, 170)])
def test_the_smear_is_measured_within_what_a_wiener_filter_forgives(
    length: float, angle: float
) -> None:
    # The lag spans the line's anti-aliased ends: about a pixel more than the kernel's length.
    crop = _swung("079190001234||Lê Thị Hồng Nhung|15081990|Nữ", length, angle)[150:540, 470:860]
    measured_length, measured_angle = motion_blur_of(crop)
    assert 0 <= measured_length - length <= 2.5
    # The direction matters by how far it moves the smear's ends: within a pixel.
    off = min(abs(measured_angle - angle), 180 - abs(measured_angle - angle))
    assert length * math.sin(math.radians(off)) <= 1.0


def test_a_fast_long_swing_reads_through_the_chain() -> None:
    # 25 px of smear over modules of 6 px: only a full-size deconvolution restores it.
    text = cccd_payload(next(iter(people(1, 9))), 7)
    frame = _swung(text, 25, 100)
    assert ZxingDecoder().decode(frame) is None
    found = build_decoder(DecoderSettings()).decode(frame)
    assert found is not None
    assert found.text == text


def test_grain_tells_sensor_noise_from_a_codes_own_detail() -> None:
    sharp = as_frame(scenes.qr_image("a sharp code has edges but no grain", 300))
    noisy = scenes.dim_light(cv2.cvtColor(sharp, cv2.COLOR_GRAY2BGR), np.random.default_rng(1), 30)
    assert grain(sharp) < 1.0
    assert grain(to_grey(noisy)) > 3.0


def test_evenness_tells_a_smear_from_plaid() -> None:
    smear = _swung("a code swung across the camera", 15, 60)[150:540, 470:860]
    plaid = to_grey(scenes.no_qr("plaid_shirt", np.random.default_rng(2)))
    assert evenness(smear) < MOTION_EVENNESS < evenness(plaid)


def test_a_striped_shirt_costs_the_blind_deblur_one_wiener_filter_at_most(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Soft stripes pass every smear test; five full-size Wiener filters on them cost 200 ms.
    calls: list[int] = []
    real = deblur.wiener

    def counted(grey: Frame, psf: np.ndarray, noise: float) -> Frame:
        calls[-1] += 1
        return real(grey, psf, noise)

    monkeypatch.setattr(deblur, "wiener", counted)
    chain = build_decoder(DecoderSettings())
    for n in range(8):
        calls.append(0)
        assert (
            chain.decode(scenes.no_qr("striped_shirt", np.random.default_rng((2026, 2, n)))) is None
        )
    assert max(calls) == 1, calls  # and some frame did reach the filter


def test_a_phone_held_at_a_steep_turn_is_a_candidate_region() -> None:
    # Turned 40°, the phone's blob fills under half of its upright bounding box.
    qr = scenes.qr_image("a phone turned in the hand", 260)
    phone = np.full((560, 300), 245, np.uint8)
    phone[150 : 150 + qr.shape[0], 20 : 20 + qr.shape[1]] = qr
    frame = np.full((720, 1280), 120, np.uint8)
    turn = cv2.getRotationMatrix2D((150, 280), 40, 1.0)
    turn[:, 2] += (490, 80)
    mask = cv2.warpAffine(np.full_like(phone, 255), turn, (1280, 720))
    turned = cv2.warpAffine(phone, turn, (1280, 720))
    frame[mask > 0] = turned[mask > 0]
    boxes = candidate_regions(as_frame(frame), 1)
    assert boxes, "no candidate region"
    x, y, w, h = boxes[0]
    assert x <= 640 <= x + w
    assert y <= 360 <= y + h


def test_a_code_inside_a_phones_outline_is_a_candidate_region() -> None:
    # The bezel's edge is a ring of edges around the code's blob: the code must be found
    # inside it, not only the ring.
    qr = scenes.qr_image("a code inside the outline of a phone", 220)
    frame = np.full((720, 1280), 150, np.uint8)
    cv2.rectangle(frame, (520, 100), (800, 640), 30, 6)  # the phone's dark bezel
    frame[106:634, 526:794] = 235  # its lit screen
    frame[250 : 250 + qr.shape[0], 550 : 550 + qr.shape[1]] = qr
    (x, y, w, h), *_ = candidate_regions(as_frame(frame), 3)
    assert x <= 660 <= x + w
    assert y <= 360 <= y + h
    assert h < 400  # the code's blob and its margin, not the whole phone


def test_a_defocused_screen_under_moire_reads_only_once_sharpened() -> None:
    text = bhyt_payload(next(iter(people(1, 4))), "15")
    qr = scenes.qr_image(text, 330)
    grey = np.full((720, 1280), 235, np.uint8)
    grey[150 : 150 + qr.shape[0], 450 : 450 + qr.shape[1]] = qr
    soft = scenes.blur_with(cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR), scenes.disc_kernel(3.5))
    screen = np.zeros((720, 1280), np.float32)
    screen[120:520, 420:820] = 1
    frame = scenes.screen_moire(soft, screen, np.random.default_rng(3))
    assert ZxingDecoder().decode(frame) is None
    found = build_decoder(DecoderSettings()).decode(frame)
    assert found is not None
    assert (found.text, found.decoder) == (text, "sharpen")


@pytest.mark.parametrize("index", [28, 58, 156])
def test_glare_over_a_code_zxing_does_not_sight_reads_through_the_bright_looks(index: int) -> None:
    # Hard-stratum frames of glare over a phone's code: the gate's local threshold sees
    # nothing; a lit region in a bright frame gets a global threshold, zbar and the sharpen.
    condition, frame, text = scenes.sample(index, 2026, stratum="hard")
    assert "glare" in condition
    assert not ZxingDecoder().scan(to_grey(frame), every_pass=False, downscale=False).sighted
    found = build_decoder(DecoderSettings()).decode(frame)
    assert found is not None
    assert found.text == text


def test_a_code_zxing_placed_only_in_part_reads_in_the_region_widened_around_it() -> None:
    # Hard-stratum frame 194: a 100 px code under heavy JPEG. zxing places a symbol of about
    # 35 px in it; the region around that cuts the code off, and the candidate regions holding
    # it are too large to enlarge the code enough.
    condition, frame, text = scenes.sample(194, 2026, stratum="hard")
    assert condition == "small_jpeg"
    scan = ZxingDecoder().scan(to_grey(frame), every_pass=False)
    assert scan.found is None
    assert [w < 100 and h < 100 for _, _, w, h in scan.seen] == [True]
    found = build_decoder(DecoderSettings()).decode(frame)
    assert found is not None
    assert (found.text, found.decoder) == (text, "enlarge")


def test_a_micro_qr_code_is_never_read() -> None:
    # No card, ID or app shows one, and zxing found phantom ones in a real code's modules.
    micro = np.asarray(
        zxingcpp.create_barcode("12345", zxingcpp.BarcodeFormat.MicroQRCode).to_image(scale=8)
    )
    assert [b.text for b in zxingcpp.read_barcodes(micro)] == ["12345"]  # the library reads it
    assert ZxingDecoder().scan(as_frame(micro)).found is None
    assert build_decoder(DecoderSettings(), gated=False).decode(as_frame(micro)) is None


def _backlit(text: str, dark: int, light: int) -> Frame:
    """A code whose modules are ``dark`` and ``light`` grey levels, held in front of a bright
    lobby window (the left third of the frame) that the camera exposed for."""
    qr = scenes.qr_image(text, 300).astype(np.float32) / 255
    frame = np.full((720, 1280), 40, np.uint8)
    frame[:, :400] = 255
    frame[200 : 200 + qr.shape[0], 700 : 700 + qr.shape[1]] = dark + qr * (light - dark)
    return as_frame(cv2.GaussianBlur(frame, (0, 0), 0.8))


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


def test_a_smeared_code_in_a_dim_lobby_is_found_blurred_through_its_grain() -> None:
    # Hard-stratum frame 177: a card swung in 25–60 lux. Its grain made the region look crisp
    # (softness 0.85) until the measure was taken on the region smoothed.
    condition, frame, text = scenes.sample(177, 2026, stratum="hard")
    assert condition == "dim_motion"
    grey = to_grey(frame)
    assert sensor_noise(grey) >= NOISY
    box = Regions(grey).boxes(1)[0]
    assert not Regions(grey).blurred(box)
    assert Regions(grey, grainy=True).blurred(box)
    found = build_decoder(DecoderSettings()).decode(frame)
    assert found is not None
    assert (found.text, found.decoder) == (text, "deblur")


def test_a_code_of_under_one_and_a_half_px_a_module_reads_once_its_softening_is_undone() -> None:
    # Approach clip 70: a long BHYT payload (73 modules) held 99 px wide, settled. Enlarged,
    # the lens's 0.7 px softening undone, its modules come back; zxing alone sees nothing.
    clip = list(scenes.approach_clips(71, 2026))[70]
    assert clip.condition == "small"
    assert clip.module_px < 1.4
    *_, last = clip.frames()
    assert ZxingDecoder().decode(last) is None
    found = build_decoder(DecoderSettings()).decode(last)
    assert found is not None
    assert (found.text, found.decoder) == (clip.text, "enlarge")


@pytest.mark.parametrize("condition", scenes.NO_QR_CONDITIONS)
def test_no_frame_without_a_code_counts_as_bright(condition: str) -> None:
    for n in range(3):
        grey = to_grey(scenes.no_qr(condition, np.random.default_rng((5, n))))
        assert not Regions(grey).bright()


class _CountingDeblur(MotionDeblur):
    def __init__(self) -> None:
        super().__init__(ZxingDecoder())
        self.restores = 0

    def _restore(self, grey: Frame, length: float, angle: float) -> Decoded | None:
        self.restores += 1
        return super()._restore(grey, length, angle)


class _CountingZxing(ZxingDecoder):
    def __init__(self) -> None:
        super().__init__()
        self.passes = 0

    def scan(self, frame: Frame, *, every_pass: bool = True, downscale: bool | None = None) -> Scan:
        found = super().scan(frame, every_pass=every_pass, downscale=downscale)
        self.passes += 1 if not every_pass and not found.sighted else 2
        return found


@pytest.mark.parametrize("condition", scenes.NO_QR_CONDITIONS)
def test_the_default_chain_spends_one_zxing_pass_on_a_frame_without_a_code(condition: str) -> None:
    # The deblur and sharpen stages also look where zxing saw nothing, but only measure and
    # probe there: they restore nothing on an empty lobby, shirts, a notice or a dim lobby.
    for n in range(3):
        frame = scenes.no_qr(condition, np.random.default_rng((7, n)))
        zxing, deblur = _CountingZxing(), _CountingDeblur()
        zbar, enlarge = _Counting(ZbarDecoder()), _Counting(EnlargeRetry())
        sharpen_reads = _Counting(ZxingDecoder())
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
