"""Synthetic camera frames for the demo, ``kiosk-admin demo-data`` and tests: QR codes in
realistic scenes.

Renders BHYT and CCCD payloads of synthetic people (``kiosk.synthetic``) as QR codes (the QR
writer of :mod:`scanner.decode.zxing`) and places them in 1280×720 lobby scenes the way
patients show them: a phone screen (light and dark mode, glare, moiré, tilt), a printed card
(perspective, shadow, blur, low light), a VssID card image in which the QR is small, plus JPEG
artefacts, motion blur and noise: the generator's ``easy`` stratum (:data:`CONDITIONS`) and
the drawing helpers. Everything is deterministic from the seed.

The hard stratum, the frames without a code and the approach clips serve only tests and
benchmarks: they live in ``tests/bench/hard_scenes.py``, built on the helpers here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.synthetic import SyntheticPerson, bhyt_payload, cccd_payload, people
from scanner.decode.zxing import qr_modules
from scanner.ports import Frame, as_frame

WIDTH, HEIGHT = 1280, 720
Rng = np.random.Generator
Quad = npt.NDArray[np.float32]

CONDITIONS = (
    "phone_light",
    "phone_dark",
    "phone_glare",
    "phone_moire",
    "phone_tilt",
    "card_perspective",
    "card_shadow",
    "card_blur",
    "card_low_light",
    "card_image_small",
    "jpeg",
    "motion_blur",
    "noise",
)
"""Conditions of the easy stratum (the generator's first): :func:`render` draws each."""


def qr_image(text: str, side: int) -> Frame:
    """The QR of ``text`` scaled to about ``side`` pixels with sharp module edges."""
    modules = qr_modules(text)
    scale = max(1, round(side / modules.shape[0]))
    return as_frame(cv2.resize(modules, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST))


def payloads(seed: int) -> Iterator[str]:
    """BHYT (15-, 17- and 10-field forms) and CCCD (7 and 11 fields) texts, in turn."""
    makers: list[Callable[[SyntheticPerson], str]] = [
        lambda p: bhyt_payload(p, "15"),
        lambda p: cccd_payload(p, 7),
        lambda p: bhyt_payload(p, "17"),
        lambda p: bhyt_payload(p, "10"),
        lambda p: cccd_payload(p, 11),
    ]
    for index, person in enumerate(people(10**6, seed)):
        yield makers[index % len(makers)](person)


def lobby(rng: Rng) -> Frame:
    """A plausible background: a lit wall gradient with a few darker furniture shapes."""
    top, bottom = rng.uniform(120, 200), rng.uniform(60, 140)
    column = np.linspace(top, bottom, HEIGHT, dtype=np.float32)[:, None]
    tint = rng.uniform(0.85, 1.1, size=3).astype(np.float32)
    scene = np.repeat(column, WIDTH, axis=1)[:, :, None] * tint[None, None, :]
    for _ in range(int(rng.integers(2, 6))):
        x, y = int(rng.integers(0, WIDTH)), int(rng.integers(0, HEIGHT))
        w, h = int(rng.integers(60, 400)), int(rng.integers(60, 300))
        colour = tuple(float(c) for c in rng.uniform(30, 220, size=3))
        cv2.rectangle(scene, (x, y), (x + w, y + h), colour, -1)
    return as_frame(np.clip(scene, 0, 255))


def held_quad(
    rng: Rng, w: int, h: int, centre: tuple[float, float], tilt: float, *, turn: float = 0.35
) -> Quad:
    """Where a w×h rectangle lands: rotated up to ``turn`` radians, corners pushed by ``tilt``."""
    angle = rng.uniform(-turn, turn)
    cos, sin = np.cos(angle), np.sin(angle)
    corners = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])
    rotated = corners @ np.array([[cos, sin], [-sin, cos]])
    jitter = rng.uniform(-tilt, tilt, size=(4, 2)) * np.array([w, h])
    quad: Quad = (rotated + jitter + np.array(centre)).astype(np.float32)
    return quad


def place(scene: Frame, patch: Frame, quad: Quad) -> Frame:
    """``patch`` (BGR) warped onto ``quad`` in ``scene``, with anti-aliased edges."""
    h, w = patch.shape[:2]
    source = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(source, quad)
    size = (scene.shape[1], scene.shape[0])
    warped = cv2.warpPerspective(patch, matrix, size, flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), matrix, size)
    alpha = (mask.astype(np.float32) / 255.0)[:, :, None]
    return as_frame(scene * (1 - alpha) + warped * alpha)


def bgr(grey: Frame) -> Frame:
    """A grey picture as BGR (every scene is BGR, as a webcam delivers it)."""
    return as_frame(cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR))


def phone(text: str, rng: Rng, *, dark: bool) -> Frame:
    """A phone showing the VssID QR: dark body, lit screen, QR inverted in dark mode."""
    return phone_patch(text, int(rng.integers(300, 380)), dark=dark)[0]


Box = tuple[int, int, int, int]
"""Where the QR sits in a patch: (x, y, width, height) in patch pixels."""


def phone_patch(text: str, qr_side: int, *, dark: bool) -> tuple[Frame, Box]:
    """:func:`phone`'s picture and where its QR sits in it."""
    qr = qr_image(text, qr_side)
    if dark:
        qr = as_frame(255 - qr)
    side = qr.shape[0]
    body = np.full((int(side * 1.9), int(side * 1.15), 3), 25, np.uint8)
    screen_colour = 18 if dark else 245
    margin = int(side * 0.05)
    body[margin:-margin, margin:-margin] = screen_colour
    y0 = (body.shape[0] - side) // 2
    x0 = (body.shape[1] - side) // 2
    body[y0 : y0 + side, x0 : x0 + side] = bgr(qr)
    return body, (x0, y0, side, side)


def card(text: str, rng: Rng, *, qr_side: int, width: int) -> Frame:
    """A printed BHYT card (or VssID card picture): pale face, text lines, QR on the right."""
    return card_patch(text, qr_side=qr_side, width=width)[0]


def card_patch(text: str, *, qr_side: int, width: int) -> tuple[Frame, Box]:
    """:func:`card`'s picture and where its QR sits in it."""
    height = int(width * 0.63)
    face = np.full((height, width, 3), (235, 240, 225), np.uint8)
    cv2.rectangle(face, (0, 0), (width, height // 6), (170, 110, 40), -1)  # blue header band
    qr = qr_image(text, qr_side)
    side = qr.shape[0]
    x0, y0 = width - side - width // 25, height - side - height // 12
    for row in range(6):  # lines of printed text on the left
        y = height // 4 + row * height // 10
        end = (x0 - width // 20, y + height // 40)
        cv2.rectangle(face, (width // 20, y), end, (60, 60, 60), -1)
    face[y0 : y0 + side, x0 : x0 + side] = bgr(qr)
    return face, (x0, y0, side, side)


def _phone_scene(text: str, rng: Rng, *, dark: bool = False, tilt: float = 0.03) -> Frame:
    patch = phone(text, rng, dark=dark)
    h, w = patch.shape[:2]
    scale = rng.uniform(0.9, 1.0) * min(1.0, 0.9 * HEIGHT / h)
    centre = (rng.uniform(0.35, 0.65) * WIDTH, HEIGHT / 2)
    quad = held_quad(rng, int(w * scale), int(h * scale), centre, tilt)
    return place(lobby(rng), patch, quad)


def _card_scene(text: str, rng: Rng, *, tilt: float = 0.04) -> Frame:
    patch = card(text, rng, qr_side=int(rng.integers(260, 320)), width=900)
    h, w = patch.shape[:2]
    scale = rng.uniform(0.9, 1.1)
    centre = (rng.uniform(0.45, 0.55) * WIDTH, rng.uniform(0.45, 0.55) * HEIGHT)
    quad = held_quad(rng, int(w * scale), int(h * scale), centre, tilt)
    return place(lobby(rng), patch, quad)


def glare(frame: Frame, rng: Rng) -> Frame:
    """A bright reflection of a ceiling light across part of the screen."""
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    cx, cy = rng.uniform(0.3, 0.7) * WIDTH, rng.uniform(0.2, 0.8) * HEIGHT
    sx, sy = rng.uniform(80, 160), rng.uniform(40, 90)
    blob = np.exp(-(((x - cx) / sx) ** 2 + ((y - cy) / sy) ** 2))
    return as_frame(np.clip(frame + (rng.uniform(70, 110) * blob)[:, :, None], 0, 255))


def moire(frame: Frame, rng: Rng) -> Frame:
    """Screen-pixel interference: fine tilted stripes modulating the brightness."""
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    angle = rng.uniform(0, np.pi)
    period = rng.uniform(5, 9)
    wave = np.sin((x * np.cos(angle) + y * np.sin(angle)) * 2 * np.pi / period)
    factor = 1 + rng.uniform(0.12, 0.2) * wave
    return as_frame(np.clip(frame * factor[:, :, None], 0, 255))


def shadow(frame: Frame, rng: Rng) -> Frame:
    """A hand's or head's shadow darkening one side of the card with a soft edge."""
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    edge = (x - WIDTH / 2) * np.cos(angle) + (y - HEIGHT / 2) * np.sin(angle)
    dark = 1 - rng.uniform(0.45, 0.6) / (1 + np.exp(-edge / 25))
    return as_frame(frame * dark[:, :, None])


def low_light(frame: Frame, rng: Rng) -> Frame:
    """A dim lobby: little light and sensor noise."""
    dim = frame * rng.uniform(0.25, 0.35) + rng.normal(0, 3, frame.shape)
    return as_frame(np.clip(dim, 0, 255))


def jpeg(frame: Frame, rng: Rng) -> Frame:
    """Heavy JPEG compression (a forwarded photo, a cheap webcam's MJPEG)."""
    return jpeg_at(frame, int(rng.integers(20, 35)))


def motion_blur(frame: Frame, rng: Rng) -> Frame:
    """The code moving while the shutter is open: a short linear blur."""
    length = int(rng.integers(5, 9))
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1.0 / length
    centre = (length / 2 - 0.5, length / 2 - 0.5)
    rotation = cv2.getRotationMatrix2D(centre, float(rng.uniform(0, 180)), 1.0)
    turned = np.asarray(cv2.warpAffine(kernel, rotation, (length, length)), np.float32)
    return as_frame(cv2.filter2D(frame, -1, turned / turned.sum()))


def noise(frame: Frame, rng: Rng) -> Frame:
    """Sensor noise of a cheap webcam at high gain."""
    return as_frame(np.clip(frame + rng.normal(0, rng.uniform(10, 16), frame.shape), 0, 255))


def _small_qr_card(text: str, rng: Rng) -> Frame:
    """A VssID "card image": the whole card fills the screen and its QR is a small part."""
    patch = card(text, rng, qr_side=int(rng.integers(150, 180)), width=1000)
    h, w = patch.shape[:2]
    quad = held_quad(rng, w, h, (WIDTH / 2, HEIGHT / 2), 0.02, turn=0.08)
    return place(lobby(rng), patch, quad)


def _either_mode(text: str, rng: Rng) -> Frame:
    return _phone_scene(text, rng, dark=bool(rng.integers(0, 2)))


def _card_blur(text: str, rng: Rng) -> Frame:
    sigma = float(rng.uniform(1.2, 1.8))
    return as_frame(cv2.GaussianBlur(_card_scene(text, rng), (0, 0), sigma))


_RENDER: dict[str, Callable[[str, Rng], Frame]] = {
    "phone_light": _phone_scene,
    "phone_dark": lambda t, r: _phone_scene(t, r, dark=True),
    "phone_glare": lambda t, r: glare(_either_mode(t, r), r),
    "phone_moire": lambda t, r: moire(_either_mode(t, r), r),
    "phone_tilt": lambda t, r: _phone_scene(t, r, tilt=0.1),
    "card_perspective": lambda t, r: _card_scene(t, r, tilt=0.1),
    "card_shadow": lambda t, r: shadow(_card_scene(t, r), r),
    "card_blur": _card_blur,
    "card_low_light": lambda t, r: low_light(_card_scene(t, r), r),
    "card_image_small": _small_qr_card,
    "jpeg": lambda t, r: jpeg(_card_scene(t, r), r),
    "motion_blur": lambda t, r: motion_blur(_phone_scene(t, r), r),
    "noise": lambda t, r: noise(_card_scene(t, r), r),
}
assert tuple(_RENDER) == CONDITIONS


def jpeg_at(frame: Frame, quality: int) -> Frame:
    """``frame`` through a JPEG round trip at ``quality`` (MJPEG webcams, forwarded photos)."""
    ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    decoded = cv2.imdecode(data, cv2.IMREAD_COLOR) if ok else None
    if decoded is None:
        raise RuntimeError("OpenCV could not round-trip a JPEG")
    return as_frame(decoded)


def render(condition: str, text: str, rng: Rng) -> Frame:
    """One 1280×720 BGR frame of ``text`` under ``condition`` (of :data:`CONDITIONS`)."""
    make = _RENDER.get(condition)
    if make is None:
        raise ValueError(f"unknown scene condition {condition!r}")
    return make(text, rng)
