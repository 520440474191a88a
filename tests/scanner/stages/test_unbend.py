"""The unbend stage: a code on a bent card, located by zxing but misread, rectified and
unsqueezed."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.config import DecoderSettings
from scanner import scenes
from scanner.decode.chain import build_decoder
from scanner.decode.regions import to_grey
from scanner.decode.zxing import ZxingDecoder
from scanner.ports import as_frame
from scanner.stages.unbend import SQUEEZES, Unbend, unbent
from tests.bench import hard_scenes
from tests.fakes import CountingDecoder, ReadsNothing


def _unbend() -> Unbend:
    return Unbend(ZxingDecoder(), locate=ZxingDecoder(binarizers=("local",)))


def test_an_upright_code_is_rectified_onto_a_square_with_a_quiet_zone() -> None:
    qr = cv2.resize(scenes.qr_image("a code seen straight on", 200), (200, 200))
    frame = np.full((400, 600), 255, np.uint8)
    frame[100:300, 250:450] = qr
    corners = ((250.0, 100.0), (450.0, 100.0), (450.0, 300.0), (250.0, 300.0))
    square = unbent(as_frame(frame), corners, 0.0, 0.0)
    assert square.shape == (240, 240)  # its own size, and a tenth more on each side
    assert np.abs(square[20:220, 20:220].astype(int) - qr).mean() < 8
    squeezed = unbent(as_frame(frame), corners, 0.1, 0.0)
    assert np.abs(squeezed[20:220, 20:220].astype(int) - qr).mean() > 30  # it moves modules


def test_a_code_on_a_bent_card_that_zxing_locates_but_misreads_is_read_unsqueezed() -> None:
    # The benchmark's curved-card approach clip: no other stage reads any of its frames.
    clip = next(itertools.islice(hard_scenes.approach_clips(120, 2026), 119, None))
    assert clip.condition == "curved"
    frame = next(itertools.islice(clip.frames(), 40, None))
    grey = to_grey(frame)
    located = ZxingDecoder().scan(grey)
    assert located.found is None
    assert located.placed  # zxing found its finder patterns, then a checksum error
    without = DecoderSettings(chain=("zxing", "zbar", "enlarge", "deblur", "sharpen"))
    assert build_decoder(without, gated=False).decode(frame) is None
    found = _unbend().decode(frame)
    assert found is not None
    assert found.text == clip.text
    assert build_decoder(DecoderSettings()).decode(frame) is not None  # through the chain


def test_nothing_located_costs_one_look_and_reads_nothing() -> None:
    lobby = hard_scenes.no_qr("lobby", np.random.default_rng(3))
    assert _unbend().decode(lobby) is None
    blank = as_frame(np.full((300, 300), 200, np.uint8))
    assert _unbend().decode_in(blank, [(0, 0, 300, 300), (10, 10, 5, 5)]) is None
    assert cv2.countNonZero(blank) == blank.size  # untouched


_coordinate = st.floats(min_value=-600, max_value=900, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_coordinate, _coordinate), min_size=4, max_size=4))
def test_any_corners_zxing_might_give_make_a_square_and_never_raise(
    corners: list[tuple[float, float]],
) -> None:
    # Degenerate ones too: a point four times, a line, corners far outside the crop.
    grey = as_frame(np.random.default_rng(0).integers(0, 255, (300, 300), dtype=np.uint8))
    square = unbent(grey, tuple(corners), 0.05, -0.05)
    assert square.shape[0] == square.shape[1]
    assert 192 <= square.shape[0] <= 480


def test_one_symbol_placed_by_every_binarizer_is_unsqueezed_once() -> None:
    grey = as_frame(np.full((400, 400), 200, np.uint8))
    code = ((100.0, 100.0), (300.0, 100.0), (300.0, 300.0), (100.0, 300.0))
    again = tuple((x + 3, y - 2) for x, y in code)  # the same symbol, by another binarizer
    elsewhere = tuple((x / 4, y / 4) for x, y in code)  # a small second one
    inner = CountingDecoder(ReadsNothing())
    stage = Unbend(inner, locate=ZxingDecoder(binarizers=("local",)))
    assert stage.decode_placed(grey, [code, again, code]) is None
    assert inner.calls == len(SQUEEZES)  # one symbol, tried once
    inner.calls = 0
    assert stage.decode_placed(grey, [code, again, elsewhere]) is None
    assert inner.calls == 2 * len(SQUEEZES)  # the code once, the small one once
