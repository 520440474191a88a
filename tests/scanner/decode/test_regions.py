"""Where a code may be in a frame and what the region looks like."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from scanner import scenes
from scanner.decode.regions import (
    MOTION_EVENNESS,
    Regions,
    candidate_regions,
    evenness,
    merge_boxes,
    to_grey,
)
from scanner.ports import as_frame
from tests.bench import hard_scenes
from tests.scanner.pictures import swung


def test_merge_boxes_joins_overlaps_and_keeps_the_first_order() -> None:
    boxes = [(100, 100, 50, 50), (0, 0, 10, 10), (120, 120, 50, 50), (5, 5, 0, 9)]
    assert merge_boxes(boxes) == ((100, 100, 70, 70), (0, 0, 10, 10))


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


def test_evenness_tells_a_smear_from_plaid() -> None:
    smear = swung("a code swung across the camera", 15, 60)[150:540, 470:860]
    plaid = to_grey(hard_scenes.no_qr("plaid_shirt", np.random.default_rng(2)))
    assert evenness(smear) < MOTION_EVENNESS < evenness(plaid)


@pytest.mark.parametrize("condition", hard_scenes.NO_QR_CONDITIONS)
def test_no_frame_without_a_code_counts_as_bright(condition: str) -> None:
    for n in range(3):
        grey = to_grey(hard_scenes.no_qr(condition, np.random.default_rng((5, n))))
        assert not Regions(grey).bright()
