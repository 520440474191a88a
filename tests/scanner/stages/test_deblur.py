"""The motion deblur: a smear measured and undone."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kiosk.config import DecoderSettings
from kiosk.synthetic import cccd_payload, people
from scanner import scenes
from scanner.decode.chain import NOISY, build_decoder, sensor_noise
from scanner.decode.regions import (
    Regions,
    to_grey,
)
from scanner.decode.zxing import ZxingDecoder
from scanner.ports import Frame, as_frame
from scanner.stages import deblur
from scanner.stages.deblur import (
    MOTION_PROMINENCE,
    grain,
    motion_blur_of,
    motion_of,
    motions_of,
)
from tests.bench import hard_scenes
from tests.scanner.pictures import swung


def test_motion_deblur_reads_a_swung_code_that_zxing_cannot_even_sight() -> None:
    text = "079190001234||Lê Thị Hồng Nhung|15081990|Nữ|Số 12 Nguyễn Đình Chiểu|10052021"
    frame = swung(text, 17, 30)
    scan = ZxingDecoder().scan(frame)
    assert scan.found is None
    found = build_decoder(DecoderSettings()).decode(frame)
    assert found is not None
    assert (found.text, found.decoder) == (text, "deblur")
    assert all(470 <= x <= 860 and 150 <= y <= 540 for x, y in found.corners)


def test_the_cepstrum_finds_a_motion_blurs_length_and_direction() -> None:
    frame = swung("a code swung across the camera", 15, 60)
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
    crop = swung("079190001234||Lê Thị Hồng Nhung|15081990|Nữ", length, angle)[150:540, 470:860]
    measured_length, measured_angle = motion_blur_of(crop)
    assert 0 <= measured_length - length <= 2.5
    # The direction matters by how far it moves the smear's ends: within a pixel.
    off = min(abs(measured_angle - angle), 180 - abs(measured_angle - angle))
    assert length * math.sin(math.radians(off)) <= 1.0


def test_a_fast_long_swing_reads_through_the_chain() -> None:
    # 25 px of smear over modules of 6 px: only a full-size deconvolution restores it.
    text = cccd_payload(next(iter(people(1, 9))), 7)
    frame = swung(text, 25, 100)
    assert ZxingDecoder().decode(frame) is None
    found = build_decoder(DecoderSettings()).decode(frame)
    assert found is not None
    assert found.text == text


def test_grain_tells_sensor_noise_from_a_codes_own_detail() -> None:
    sharp = as_frame(scenes.qr_image("a sharp code has edges but no grain", 300))
    noisy = hard_scenes.dim_light(scenes.bgr(sharp), np.random.default_rng(1), 30)
    assert grain(sharp) < 1.0
    assert grain(to_grey(noisy)) > 3.0


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
            chain.decode(hard_scenes.no_qr("striped_shirt", np.random.default_rng((2026, 2, n))))
            is None
        )
    assert max(calls) == 1, calls  # and some frame did reach the filter


def test_a_smeared_code_in_a_dim_lobby_is_found_blurred_through_its_grain() -> None:
    # Hard-stratum frame 177: a card swung in 25–60 lux. Its grain made the region look crisp
    # (softness 0.85) until the measure was taken on the region smoothed.
    condition, frame, text = hard_scenes.sample(177, 2026, stratum="hard")
    assert condition == "dim_motion"
    grey = to_grey(frame)
    assert sensor_noise(grey) >= NOISY
    box = Regions(grey).boxes(1)[0]
    assert not Regions(grey).blurred(box)
    assert Regions(grey, grainy=True).blurred(box)
    found = build_decoder(DecoderSettings()).decode(frame)
    assert found is not None
    assert (found.text, found.decoder) == (text, "deblur")
