"""Synthetic VNeID screens: a phone showing the VNeID app's QR, light and dark, in a lobby.

VNeID (the national electronic ID app) shows a QR of the citizen's căn cước; public kiosk code
says it carries the same text as the căn cước's printed QR (docs/domain.md §1, §4). These
frames let tests and benchmarks feed such a screen through the scan loop like any other. The
layout is a likeness, not a copy of the app: a red header band with the emblem, the holder's
lines of text, and the QR on a white panel that stays white in dark mode. Built from the
drawing helpers of :mod:`scanner.scenes`; deterministic from the random generator given.
"""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.synthetic import SyntheticPerson, cccd_payload
from scanner.ports import Frame, as_frame
from scanner.scenes import HEIGHT, WIDTH, Quad, Rng, lobby, place, qr_image

HEADER_BGR = (38, 30, 200)  # the app's red header
EMBLEM_BGR = (40, 200, 245)  # a gold disc where the national emblem sits
PANEL_BGR = (255, 255, 255)  # the QR's panel: white in both modes


def vneid_text(person: SyntheticPerson) -> str:
    """The text of a VNeID QR: the căn cước's format (the chip ID's 7 fields and more)."""
    return cccd_payload(person, 11)


def vneid_screen(text: str, *, dark: bool, qr_side: int = 340) -> Frame:
    """A phone (BGR) showing the VNeID QR of ``text``, in light or dark mode."""
    qr = qr_image(text, qr_side)
    side = qr.shape[0]
    width, height = int(side * 1.3), int(side * 2.2)
    bezel = max(6, side // 25)
    phone = np.full((height, width, 3), 20, np.uint8)
    screen_colour = (28, 28, 30) if dark else (246, 244, 242)
    cv2.rectangle(phone, (bezel, bezel), (width - bezel, height - bezel), screen_colour, -1)
    header_bottom = bezel + height // 8
    cv2.rectangle(phone, (bezel, bezel), (width - bezel, header_bottom), HEADER_BGR, -1)
    centre = (width // 2, bezel + height // 16)
    cv2.circle(phone, centre, height // 28, EMBLEM_BGR, -1)
    ink = (200, 200, 200) if dark else (70, 70, 70)
    for row in range(3):  # the holder's name, ID number and birth date as lines of text
        y = header_bottom + side // 8 + row * side // 9
        cv2.rectangle(
            phone, (width // 6, y), (width * 5 // 6 - row * width // 8, y + side // 22), ink, -1
        )
    pad = side // 12
    x0 = (width - side) // 2
    y0 = header_bottom + side // 8 + 3 * side // 9 + pad
    cv2.rectangle(phone, (x0 - pad, y0 - pad), (x0 + side + pad, y0 + side + pad), PANEL_BGR, -1)
    phone[y0 : y0 + side, x0 : x0 + side] = cv2.cvtColor(qr, cv2.COLOR_GRAY2BGR)
    return as_frame(phone)


def vneid_frame(text: str, rng: Rng, *, dark: bool) -> Frame:
    """A 1280×720 lobby frame with a VNeID phone held up, turned and tilted a little."""
    patch = vneid_screen(text, dark=dark, qr_side=int(rng.integers(300, 360)))
    h, w = patch.shape[:2]
    scale = min(1.0, 0.92 * HEIGHT / h) * rng.uniform(0.92, 1.0)
    angle = rng.uniform(-0.15, 0.15)
    cos, sin = np.cos(angle), np.sin(angle)
    half = np.array([[-w, -h], [w, -h], [w, h], [-w, h]], np.float64) * scale / 2
    centre = np.array([rng.uniform(0.4, 0.6) * WIDTH, HEIGHT / 2])
    jitter = rng.uniform(-0.02, 0.02, size=(4, 2)) * np.array([w, h]) * scale
    quad: Quad = (half @ np.array([[cos, sin], [-sin, cos]]) + jitter + centre).astype(np.float32)
    return place(lobby(rng), patch, quad)
