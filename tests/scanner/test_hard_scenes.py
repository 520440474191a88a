"""The test data of tests/bench/hard_scenes.py: no-QR scenes, the hard stratum, approach clips."""

from __future__ import annotations

import numpy as np
import pytest

from scanner import scenes
from tests.bench import hard_scenes
from tests.scanner.pictures import assert_a_camera_frame_drawn_alike


@pytest.mark.parametrize("condition", hard_scenes.NO_QR_CONDITIONS)
def test_no_qr_scenes_are_deterministic_camera_frames(condition: str) -> None:
    first = hard_scenes.no_qr(condition, np.random.default_rng(4))
    again = hard_scenes.no_qr(condition, np.random.default_rng(4))
    other = hard_scenes.no_qr(condition, np.random.default_rng(5))
    assert first.shape == (scenes.HEIGHT, scenes.WIDTH, 3)
    assert first.dtype == np.uint8
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_busy_no_qr_scenes_are_busier_than_the_empty_lobby() -> None:
    # The shirts, notice and squares must really be fine, high-contrast detail to test a gate.
    def detail(frame: np.ndarray) -> float:
        grey = frame.mean(axis=2)
        return float(np.abs(np.diff(grey, axis=1)).mean())

    lobby = detail(hard_scenes.no_qr("lobby", np.random.default_rng(1)))
    for condition in ("checked_shirt", "striped_shirt", "plaid_shirt", "camouflage"):
        assert detail(hard_scenes.no_qr(condition, np.random.default_rng(1))) > 5 * lobby, condition


def test_an_unknown_no_qr_condition_is_refused() -> None:
    with pytest.raises(ValueError, match="no-QR condition"):
        hard_scenes.no_qr("aquarium", np.random.default_rng(0))


@pytest.mark.parametrize("condition", hard_scenes.HARD_CONDITIONS)
def test_hard_scenes_are_deterministic_camera_frames(condition: str) -> None:
    assert_a_camera_frame_drawn_alike(hard_scenes.render, condition, next(scenes.payloads(1)))


def test_strata_are_reported_apart_and_the_easy_one_is_the_first_generator() -> None:
    assert hard_scenes.STRATA == {"easy": scenes.CONDITIONS, "hard": hard_scenes.HARD_CONDITIONS}
    assert not set(scenes.CONDITIONS) & set(hard_scenes.HARD_CONDITIONS)
    easy = [c for c, _, _ in hard_scenes.generate(3, 5)]
    assert easy == list(scenes.CONDITIONS[:3])
    condition, frame, text = hard_scenes.sample(16, 5, stratum="hard")
    assert condition == hard_scenes.HARD_CONDITIONS[1]
    listed = list(hard_scenes.generate(17, 5, stratum="hard"))[16]
    assert (listed[0], listed[2]) == (condition, text)
    assert np.array_equal(listed[1], frame)
    with pytest.raises(ValueError, match="unknown stratum"):
        next(hard_scenes.generate(1, 5, stratum="medium"))


def test_a_tilt_out_of_the_picture_foreshortens_like_a_camera_sees_it() -> None:
    flat = hard_scenes.tilted_quad(400, 400, (640, 360), 0, axis=0.0, turn=0.0)
    steep = hard_scenes.tilted_quad(400, 400, (640, 360), 45, axis=0.0, turn=0.0)
    assert np.allclose(flat[1] - flat[0], (400, 0), atol=1e-3)
    top, bottom = steep[1][0] - steep[0][0], steep[2][0] - steep[3][0]
    assert top != pytest.approx(bottom, rel=0.05)  # near side wider than the far side
    height = steep[3][1] - steep[0][1]
    assert 0.6 * 400 < height < 0.8 * 400  # about cos 45°


def test_motion_blur_kernels_have_the_asked_length_and_sum_to_one() -> None:
    kernel = hard_scenes.line_kernel(21, 0)
    assert kernel.sum() == pytest.approx(1.0, abs=1e-5)
    assert np.count_nonzero(kernel.sum(axis=0) > 1e-3) in range(20, 24)
    disc = hard_scenes.disc_kernel(3.0)
    assert disc.sum() == pytest.approx(1.0, abs=1e-5)
    assert disc.shape == (7, 7)


def test_dim_light_keeps_the_picture_and_adds_photon_grain() -> None:
    frame = np.full((50, 60, 3), 200, np.uint8)
    dim = hard_scenes.dim_light(frame, np.random.default_rng(1), lux=20)
    bright = hard_scenes.dim_light(frame, np.random.default_rng(1), lux=60)
    assert abs(float(dim.mean()) - 190 * 200 / 255) < 5
    assert float(dim.std()) > float(bright.std()) > 5  # less light, more grain


def test_approach_clips_are_lazy_deterministic_and_move_in_then_settle() -> None:
    clips = list(hard_scenes.approach_clips(len(hard_scenes.CLIP_CONDITIONS), 3))
    assert [c.condition for c in clips] == list(hard_scenes.CLIP_CONDITIONS)
    clip = clips[0]
    assert clip.frame_count == round(clip.fps * clip.seconds)
    frames = list(clip.frames())
    assert len(frames) == clip.frame_count
    assert np.array_equal(frames[10], list(clip.frames())[10])
    first, late, last = (f.astype(np.int16) for f in (frames[0], frames[-2], frames[-1]))
    assert np.abs(first - last).mean() > 5 * np.abs(late - last).mean()  # it came in, then stayed


def test_a_clips_module_size_is_the_drawn_codes_width_over_its_modules() -> None:
    clips = list(hard_scenes.approach_clips(16, 2026))
    small = [c.module_px for c in clips if c.condition == "small"]
    plain = [c.module_px for c in clips if c.condition == "plain"]
    # 80–120 px codes of 49–73 modules; codes held at reading distance are several px a module
    assert all(1.0 < px < 2.5 for px in small)
    assert all(px > 3.0 for px in plain)
    again = next(iter(hard_scenes.approach_clips(1, 2026)))
    assert again.module_px == clips[0].module_px  # drawn from the clip's own seed
