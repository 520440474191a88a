"""The refocus stage: a defocused code, placed by zxing but misread, read once a disc blur of
the right radius is undone."""

from __future__ import annotations

import cv2
import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kiosk.config import DecoderSettings
from scanner import scenes
from scanner.decode.chain import build_decoder
from scanner.decode.zxing import ZxingDecoder, qr_modules
from scanner.ports import Frame, as_frame
from scanner.stages.deblur import disc_psf, wiener
from scanner.stages.placed import MAX_PLACED, distinct_symbols
from scanner.stages.refocus import MAX_SIDE_PX, Refocus
from tests.fakes import RecordingDecoder

TEXT = next(scenes.payloads(5))  # a long CCCD or BHYT payload: 69 modules a side


def _defocused(module_px: float, radius: float) -> tuple[Frame, tuple[int, int, int]]:
    """A code of ``module_px`` a module seen through a lens out of focus by a disc of
    ``radius`` px, with a webcam's faint grain; and where its picture is (x, y, side)."""
    side = int(module_px * qr_modules(TEXT).shape[0])
    qr = scenes.qr_image(TEXT, side)
    frame = np.full((720, 1280), 120, np.uint8)
    frame[150 : 150 + qr.shape[0], 500 : 500 + qr.shape[1]] = qr
    soft = cv2.filter2D(frame, -1, disc_psf(radius))
    grain = np.random.default_rng(1).normal(0, 1.5, soft.shape)
    return as_frame(np.clip(soft + grain, 0, 255)), (500, 150, qr.shape[0])


def _refocus() -> Refocus:
    return Refocus(ZxingDecoder(), locate=ZxingDecoder(binarizers=("local",)))


def test_a_defocused_code_zxing_places_but_misreads_is_read_refocused() -> None:
    frame, (x, y, side) = _defocused(4.0, 3.5)
    scan = ZxingDecoder().scan(frame)
    assert scan.found is None
    assert scan.sighted  # its finder patterns are still large enough to place it
    assert scan.placed
    found = build_decoder(DecoderSettings()).decode(frame)
    assert found is not None
    assert (found.text, found.decoder) == (TEXT, "refocus")
    xs = [cx for cx, _ in found.corners]
    ys = [cy for _, cy in found.corners]
    assert x - 10 <= min(xs)  # corners in frame pixels, around the code's picture
    assert max(xs) <= x + side + 10
    assert y - 10 <= min(ys)
    assert max(ys) <= y + side + 10


def test_the_stage_alone_places_the_code_itself_on_a_picture() -> None:
    frame, _ = _defocused(4.5, 3.5)
    found = _refocus().decode(frame)
    assert found is not None
    assert (found.text, found.decoder) == (TEXT, "refocus")


def test_a_sharp_picture_without_a_placed_symbol_costs_nothing() -> None:
    inner = RecordingDecoder()
    stage = Refocus(inner, locate=ZxingDecoder(binarizers=("local",)))
    assert stage.decode(as_frame(np.full((480, 640), 200, np.uint8))) is None
    assert inner.shapes == []


def test_a_large_placement_is_refocused_shrunk() -> None:
    # A phone held very close: its symbol fills most of the frame. The filter's cost grows
    # with the pixels; the region is shrunk to MAX_SIDE_PX first.
    inner = RecordingDecoder()
    stage = Refocus(inner, locate=ZxingDecoder(binarizers=("local",)))
    frame = as_frame(np.full((720, 1280), 128, np.uint8))
    corners = ((300.0, 60.0), (900.0, 60.0), (900.0, 660.0), (300.0, 660.0))
    assert stage.decode_placed(frame, [corners]) is None
    assert inner.shapes, "nothing was tried"
    assert all(max(shape) <= MAX_SIDE_PX for shape in inner.shapes)


def test_one_symbol_placed_once_per_binarizer_is_tried_once() -> None:
    square = ((100.0, 100.0), (300.0, 100.0), (300.0, 300.0), (100.0, 300.0))
    nudged = tuple((cx + 3, cy + 2) for cx, cy in square)
    apart = tuple((cx + 500, cy) for cx, cy in square)
    assert distinct_symbols([square, nudged]) == [square]
    assert len(distinct_symbols([square, nudged, apart, apart])) == MAX_PLACED


@settings(max_examples=40, deadline=None)
@given(
    points=st.lists(
        st.tuples(st.floats(-2000, 4000), st.floats(-2000, 4000)), min_size=4, max_size=4
    )
)
# Found by this test: a symbol placed outside the picture left an empty region, and the
# filter's reflected border never returned on it.
@example(points=[(-222.0, -222.0), (-513.0, 0.0), (-513.0, 0.0), (-222.0, 0.0)])
def test_any_corners_zxing_might_give_never_raise(points: list[tuple[float, float]]) -> None:
    frame = as_frame(np.full((240, 320), 128, np.uint8))
    corners = tuple(points)
    assert _refocus().decode_placed(frame, [corners]) is None


def test_the_filter_returns_an_empty_picture_as_it_is() -> None:
    empty = as_frame(np.zeros((5, 0), np.uint8))
    assert wiener(empty, disc_psf(3.0)).shape == (5, 0)
