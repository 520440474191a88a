"""RegionStage: what a region stage reads on a picture alone."""

from __future__ import annotations

import numpy as np

from scanner import scenes
from scanner.decode.regions import candidate_regions
from scanner.ports import as_frame
from scanner.stages.base import RegionStage
from tests.fakes import RecordingStage


def test_a_picture_alone_is_read_whole_then_in_its_likeliest_regions() -> None:
    qr = scenes.qr_image("a code in a corner of a picture", 200)
    frame = np.full((720, 1280), 120, np.uint8)
    frame[400 : 400 + qr.shape[0], 900 : 900 + qr.shape[1]] = qr
    stage = RecordingStage()
    found = stage.decode(as_frame(frame))
    regions = candidate_regions(as_frame(frame), RegionStage.candidates)
    assert stage.boxes_seen == [(0, 0, 1280, 720), *regions]
    assert found is not None
    assert (found.text, found.decoder) == ("a code in a corner of a picture", "recording")
    assert all(
        890 <= x <= 910 + qr.shape[1] and 390 <= y <= 410 + qr.shape[0] for x, y in found.corners
    )
