"""The product's scene generator (scanner/scenes.py): the easy stratum the demo draws."""

from __future__ import annotations

import numpy as np
import pytest

from scanner import scenes
from tests.bench import hard_scenes
from tests.scanner.pictures import assert_a_camera_frame_drawn_alike


@pytest.mark.parametrize("condition", scenes.CONDITIONS)
def test_easy_scenes_are_deterministic_camera_frames(condition: str) -> None:
    assert_a_camera_frame_drawn_alike(scenes.render, condition, next(scenes.payloads(2)))


def test_the_product_generator_draws_the_easy_stratum_only() -> None:
    with pytest.raises(ValueError, match="unknown scene condition"):
        scenes.render(hard_scenes.HARD_CONDITIONS[0], "text", np.random.default_rng(0))


def test_the_benchmarks_easy_frames_are_the_product_generators() -> None:
    # The easy stratum's frames are drawn by scanner/scenes.py with the seed's rng unsalted.
    condition, frame, text = hard_scenes.sample(3, 5)
    assert condition == scenes.CONDITIONS[3]
    assert np.array_equal(frame, scenes.render(condition, text, np.random.default_rng((5, 3))))
