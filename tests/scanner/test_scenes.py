"""The no-QR scenes the decoder gate is tested and benchmarked on."""

from __future__ import annotations

import numpy as np
import pytest

from scanner import scenes


@pytest.mark.parametrize("condition", scenes.NO_QR_CONDITIONS)
def test_no_qr_scenes_are_deterministic_camera_frames(condition: str) -> None:
    first = scenes.no_qr(condition, np.random.default_rng(4))
    again = scenes.no_qr(condition, np.random.default_rng(4))
    other = scenes.no_qr(condition, np.random.default_rng(5))
    assert first.shape == (scenes.HEIGHT, scenes.WIDTH, 3)
    assert first.dtype == np.uint8
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_busy_no_qr_scenes_are_busier_than_the_empty_lobby() -> None:
    # The shirts, notice and squares must really be fine, high-contrast detail to test a gate.
    def detail(frame: np.ndarray) -> float:
        grey = frame.mean(axis=2)
        return float(np.abs(np.diff(grey, axis=1)).mean())

    lobby = detail(scenes.no_qr("lobby", np.random.default_rng(1)))
    for condition in ("checked_shirt", "striped_shirt", "plaid_shirt", "camouflage"):
        assert detail(scenes.no_qr(condition, np.random.default_rng(1))) > 5 * lobby, condition


def test_an_unknown_no_qr_condition_is_refused() -> None:
    with pytest.raises(ValueError, match="no-QR condition"):
        scenes.no_qr("aquarium", np.random.default_rng(0))
