"""The scene generator's test data: the hard stratum, frames without a code and approach clips,
drawn with the helpers of :mod:`scanner.scenes` (whose easy stratum the demo and
``kiosk-admin demo-data`` use). Only tests and benchmarks need these, so they live here.

The hard stratum is what a cheap webcam in a lobby really makes of a phone or a card: motion
blur of 5–25 px, defocus with screen moiré, 20–60 lux with photon and read noise, glare bands
over a finder pattern, shadow with heavy JPEG, curved and creased cards, 30–50° tilt, codes
80–120 px wide, and combinations. :func:`generate` and :func:`sample` give the frames of either
stratum (:data:`STRATA`); approach clips (:func:`approach_clips`) move a code in, let it wobble
and stop. Everything is deterministic from the seed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from scanner import scenes
from scanner.decode.zxing import qr_modules
from scanner.ports import Frame, as_frame
from scanner.scenes import (
    CONDITIONS,
    HEIGHT,
    WIDTH,
    Box,
    Quad,
    Rng,
    bgr,
    card_patch,
    held_quad,
    jpeg_at,
    lobby,
    low_light,
    noise,
    payloads,
    phone_patch,
    place,
)
from scanner.stages.deblur import disc_psf

# The hard stratum: what a cheap webcam in a lobby really makes of a phone or a card.

HARD_CONDITIONS = (
    "motion_phone_light",
    "motion_phone_dark",
    "motion_card",
    "moire_defocus",
    "moire_card_image",
    "dim_light",
    "glare_band",
    "shadow_jpeg",
    "card_curved",
    "card_creased",
    "phone_steep_tilt",
    "small_qr",
    "dim_motion",
    "tilt_glare",
    "small_jpeg",
)
"""Conditions of the hard stratum, each at the strength the field shows, some combined."""

STRATA: dict[str, tuple[str, ...]] = {"easy": CONDITIONS, "hard": HARD_CONDITIONS}
"""The generator's strata: report each apart (a rate on the easy set says little of the field)."""

NO_QR_CONDITIONS = (
    "lobby",
    "checked_shirt",
    "striped_shirt",
    "plaid_shirt",
    "poster_text",
    "camouflage",
    "dim_noisy_lobby",
)
"""Frames without any QR: what the camera sees most of the day (see :func:`no_qr`)."""


def _pattern(kind: str, h: int, w: int, rng: Rng) -> Frame:
    """A BGR fabric or print pattern of ``h``×``w`` pixels: busy, fine and high in contrast."""
    y, x = np.mgrid[0:h, 0:w]
    period = int(rng.integers(6, 14))
    if kind == "checked_shirt":
        grey = ((x // period + y // period) % 2) * 170 + 40
    elif kind == "striped_shirt":
        grey = ((x + y // 3) // period % 2) * 160 + 50
    elif kind == "plaid_shirt":
        grey = ((x // period) % 3 == 0) * 90 + ((y // period) % 3 == 0) * 90 + 50
    elif kind == "camouflage":  # random dark and light squares: QR-like modules, no finders
        cells = rng.integers(0, 2, (h // period + 1, w // period + 1)) * 200 + 30
        grey = np.kron(cells, np.ones((period, period)))[:h, :w]
    else:  # poster_text: lines of small printed text
        page = np.full((h, w), 235, np.uint8)
        for row in range(h // 18):
            words = "BENH VIEN - KHOA KHAM BENH - Quay tiep don so 3 - Lay so thu tu "
            cv2.putText(page, words * 3, (4, 16 + 18 * row), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 25)
        grey = page
    return bgr(as_frame(np.clip(grey, 0, 255)))


def no_qr(condition: str, rng: Rng) -> Frame:
    """One 1280×720 BGR frame without a QR code under ``condition`` (:data:`NO_QR_CONDITIONS`).

    An empty lobby; a patient in a checked, striped or plaid shirt, or in front of a printed
    notice, filling part of the view; random QR-like squares; a dim lobby with sensor noise.
    """
    if condition not in NO_QR_CONDITIONS:
        raise ValueError(f"unknown no-QR condition {condition!r}")
    scene = lobby(rng)
    if condition == "lobby":
        return scene
    if condition == "dim_noisy_lobby":
        return noise(low_light(scene, rng), rng)
    h, w = int(rng.integers(300, 600)), int(rng.integers(300, 560))
    patch = _pattern(condition, h, w, rng)
    centre = (rng.uniform(0.3, 0.7) * WIDTH, rng.uniform(0.4, 0.6) * HEIGHT)
    return place(scene, patch, held_quad(rng, w, h, centre, 0.03))


FOCAL_PX = 1000.0
"""A 720p webcam's focal length in pixels (about 65° across): sets how a tilt foreshortens."""


@dataclass(frozen=True)
class Shown:
    """What a patient holds up: its picture, where its QR sits in it, and whether it is a screen."""

    patch: Frame
    qr: Box
    screen: bool


@dataclass(frozen=True)
class Placed:
    """A rendered frame with the QR's corners in it (clockwise from the symbol's top left)."""

    frame: Frame
    qr: Quad
    mask: npt.NDArray[np.float32]
    """Where the held object covers the frame (0–1): screen effects apply there only."""


def _shown_phone(text: str, rng: Rng, *, dark: bool | None = None, qr_side: int = 0) -> Shown:
    mode = bool(rng.integers(0, 2)) if dark is None else dark
    patch, box = phone_patch(text, qr_side or int(rng.integers(300, 380)), dark=mode)
    return Shown(patch, box, screen=True)


def _shown_card(text: str, rng: Rng, *, qr_side: int = 0) -> Shown:
    patch, box = card_patch(text, qr_side=qr_side or int(rng.integers(260, 320)), width=900)
    return Shown(patch, box, screen=False)


def _shown_either(text: str, rng: Rng) -> Shown:
    if rng.random() < 0.6:
        return _shown_phone(text, rng)
    return _shown_card(text, rng)


def _box_quad(box: Box) -> Quad:
    x, y, w, h = box
    quad: Quad = np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], np.float32)
    return quad


def put(scene: Frame, shown: Shown, quad: Quad, *, masked: bool = False) -> Placed:
    """``shown`` warped onto ``quad`` in ``scene``; the QR's corners follow the same warp.

    Only the rectangle around ``quad`` is warped, straight into a copy of the scene (a clip
    renders many frames); ``masked`` also computes where the object covers the frame.
    """
    h, w = shown.patch.shape[:2]
    x0, y0, bw, bh = _bounds(quad, 2)
    frame = scene.copy()
    mask = np.zeros(scene.shape[:2] if masked else (1, 1), np.float32)
    source = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    whole = cv2.getPerspectiveTransform(source, quad)
    qr = cv2.perspectiveTransform(_box_quad(shown.qr)[None], whole)[0].astype(np.float32)
    if bw == 0 or bh == 0:
        return Placed(frame, qr, mask)
    local = (quad - np.array([x0, y0], np.float32)).astype(np.float32)
    matrix = cv2.getPerspectiveTransform(source, local)
    region = frame[y0 : y0 + bh, x0 : x0 + bw]
    cv2.warpPerspective(
        shown.patch,
        matrix,
        (bw, bh),
        dst=region,
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_TRANSPARENT,
    )
    if masked:
        cover = cv2.warpPerspective(np.full((h, w), 255, np.uint8), matrix, (bw, bh))
        mask[y0 : y0 + bh, x0 : x0 + bw] = cover.astype(np.float32) * np.float32(1 / 255)
    return Placed(frame, qr, mask)


def _bounds(quad: Quad, margin: float) -> Box:
    """The rectangle (inside the frame) around ``quad`` widened by ``margin`` pixels."""
    x0 = max(0, int(np.floor(quad[:, 0].min() - margin)))
    y0 = max(0, int(np.floor(quad[:, 1].min() - margin)))
    x1 = min(WIDTH, int(np.ceil(quad[:, 0].max() + margin)))
    y1 = min(HEIGHT, int(np.ceil(quad[:, 1].max() + margin)))
    return x0, y0, max(0, x1 - x0), max(0, y1 - y0)


def _grid(box: Box = (0, 0, WIDTH, HEIGHT)) -> tuple[npt.NDArray[np.float32], ...]:
    """Pixel x (a row) and y (a column) coordinates of ``box``, to broadcast against each other."""
    x0, y0, w, h = box
    xs = np.arange(x0, x0 + w, dtype=np.float32)[None, :]
    ys = np.arange(y0, y0 + h, dtype=np.float32)[:, None]
    return xs, ys


def tilted_quad(
    w: float, h: float, centre: tuple[float, float], tilt_deg: float, *, axis: float, turn: float
) -> Quad:
    """Where a w×h rectangle lands when turned ``tilt_deg`` out of the picture plane about an
    axis at ``axis`` radians, and ``turn`` radians within it, seen by a :data:`FOCAL_PX` camera
    (the near side grows, the far side shrinks: a real perspective, not a jitter)."""
    a = np.array([np.cos(axis), np.sin(axis), 0.0])
    t = np.radians(tilt_deg)
    k = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
    tilt = np.eye(3) + np.sin(t) * k + (1 - np.cos(t)) * (k @ k)
    c, s = np.cos(turn), np.sin(turn)
    spin = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
    corners = np.array(
        [[-w / 2, -h / 2, 0], [w / 2, -h / 2, 0], [w / 2, h / 2, 0], [-w / 2, h / 2, 0]]
    )
    points = corners @ (tilt @ spin).T + np.array([0, 0, FOCAL_PX])
    projected = FOCAL_PX * points[:, :2] / points[:, 2:3] + np.array(centre)
    quad: Quad = projected.astype(np.float32)
    return quad


def _pose(rng: Rng, shown: Shown, *, scale: float, tilt_deg: float = 0.0) -> Quad:
    h, w = shown.patch.shape[:2]
    centre = (rng.uniform(0.38, 0.62) * WIDTH, rng.uniform(0.42, 0.58) * HEIGHT)
    axis = rng.uniform(0, np.pi)
    return tilted_quad(
        w * scale, h * scale, centre, tilt_deg, axis=axis, turn=rng.uniform(-0.35, 0.35)
    )


def _fit_scale(shown: Shown, rng: Rng) -> float:
    """A scale at which the held object fits the frame as patients hold it (close to the lens)."""
    h, w = shown.patch.shape[:2]
    return float(rng.uniform(0.85, 1.0) * min(0.9 * HEIGHT / h, 0.8 * WIDTH / w, 1.1))


def line_kernel(length: float, angle_deg: float) -> npt.NDArray[np.float32]:
    """A motion-blur kernel: a line ``length`` pixels long at ``angle_deg``, summing to 1."""
    size = max(3, int(np.ceil(length)) | 1)
    kernel = np.zeros((size, size), np.float32)
    c = size // 2
    dx, dy = np.cos(np.radians(angle_deg)) * length / 2, np.sin(np.radians(angle_deg)) * length / 2
    cv2.line(
        kernel,
        (round(c * 16 - dx * 16), round(c * 16 - dy * 16)),
        (round(c * 16 + dx * 16), round(c * 16 + dy * 16)),
        1.0,
        1,
        cv2.LINE_AA,
        shift=4,
    )
    total = float(kernel.sum())
    if total <= 0:
        kernel[c, c] = 1.0
        total = 1.0
    out: npt.NDArray[np.float32] = kernel / total
    return out


disc_kernel = disc_psf
"""A defocus kernel: a disc of ``radius`` pixels (anti-aliased edge), summing to 1 (the
deblur module's point spread, so that a restoration and a rendering agree on what a disc is)."""


def blur_with(frame: Frame, kernel: npt.NDArray[np.float32], near: Quad | None = None) -> Frame:
    """``frame`` convolved with ``kernel`` (reflected at the borders); with ``near``, only
    around that quad (the moving object: the lobby behind it is smooth anyway)."""
    if near is None:
        return as_frame(cv2.filter2D(frame, -1, kernel, borderType=cv2.BORDER_REFLECT))
    x, y, w, h = _bounds(near, kernel.shape[0] + 2)
    if w == 0 or h == 0:
        return frame
    out = frame.copy()
    part = frame[y : y + h, x : x + w]
    out[y : y + h, x : x + w] = cv2.filter2D(part, -1, kernel, borderType=cv2.BORDER_REFLECT)
    return out


def directional_blur(frame: Frame, rng: Rng, lengths: tuple[float, float] = (5, 25)) -> Frame:
    """The code moving while the shutter is open: a linear blur of 5–25 px in any direction."""
    return blur_with(frame, line_kernel(rng.uniform(*lengths), rng.uniform(0, 180)))


def screen_moire(
    frame: Frame,
    mask: npt.NDArray[np.float32],
    rng: Rng,
    *,
    pitch: tuple[float, float] = (3, 12),
    strength: tuple[float, float] = (0.12, 0.3),
    offset: tuple[float, float] = (0.0, 0.0),
) -> Frame:
    """The screen's pixel grid beating with the sensor's: two crossed waves at a random pitch
    and angle, on the screen only (``mask``). ``offset`` moves the pattern with the phone."""
    angle, period = rng.uniform(0, np.pi), rng.uniform(*pitch)
    cross = angle + np.pi / 2 + rng.uniform(-0.2, 0.2)
    amount = rng.uniform(*strength)
    rows, cols = np.nonzero(mask[::4, ::4])
    if rows.size == 0:
        return frame
    box = (
        max(0, int(cols.min()) * 4 - 4),
        max(0, int(rows.min()) * 4 - 4),
        min(WIDTH, int(cols.max()) * 4 + 8) - max(0, int(cols.min()) * 4 - 4),
        min(HEIGHT, int(rows.max()) * 4 + 8) - max(0, int(rows.min()) * 4 - 4),
    )
    xs, ys = _grid(box)
    xs, ys = xs - np.float32(offset[0]), ys - np.float32(offset[1])
    k1, k2 = np.float32(2 * np.pi / period), np.float32(2 * np.pi / (period * 1.3))
    wave = np.sin((xs * np.float32(np.cos(angle)) + ys * np.float32(np.sin(angle))) * k1)
    wave = wave + np.float32(0.5) * np.sin(
        (xs * np.float32(np.cos(cross)) + ys * np.float32(np.sin(cross))) * k2
    )
    x, y, w, h = box
    factor = 1 + np.float32(amount) * wave * mask[y : y + h, x : x + w]
    out = frame.copy()
    part = frame[y : y + h, x : x + w].astype(np.float32) * factor[:, :, None]
    out[y : y + h, x : x + w] = np.clip(part, 0, 255).astype(np.uint8)
    return out


def dim_light(
    frame: Frame,
    rng: Rng,
    lux: float | None = None,
    *,
    bank: npt.NDArray[np.float32] | None = None,
) -> Frame:
    """A dim lobby of 20–60 lux seen at high gain: photon (Poisson) noise and read noise.

    A white surface collects about 3 electrons per lux in a 33 ms webcam exposure; the
    camera's gain then lifts white back to about 190, lifting the noise with it.
    With ``bank`` (standard normal values, a little larger than the frame) the photon noise
    takes its normal approximation from a random window of the bank: the same mean and spread,
    and ten times faster (clips of many frames).
    """
    level = rng.uniform(20, 60) if lux is None else lux
    electrons_white = 3.0 * level
    signal = frame.astype(np.float32) * np.float32(electrons_white / 255.0)
    if bank is None:
        shot = rng.poisson(signal).astype(np.float32)
        shot += np.float32(2.5) * rng.standard_normal(frame.shape, dtype=np.float32)
    else:  # photon and read noise in one normal draw: variance signal + 2.5², by table
        dy = int(rng.integers(0, bank.shape[0] - frame.shape[0] + 1))
        dx = int(rng.integers(0, bank.shape[1] - frame.shape[1] + 1))
        grain = bank[dy : dy + frame.shape[0], dx : dx + frame.shape[1]]
        gain = np.float32(190.0 / electrons_white)
        values = np.arange(256, dtype=np.float32) * np.float32(electrons_white / 255.0)
        mean = cv2.LUT(frame, (values * gain).reshape(256, 1))
        spread = cv2.LUT(frame, (np.sqrt(values + np.float32(6.25)) * gain).reshape(256, 1))
        noisy = cv2.add(mean, cv2.multiply(spread, np.ascontiguousarray(grain)))
        out: Frame = np.clip(noisy, 0, 255).astype(np.uint8)
        return out
    gain = np.float32(190.0 / electrons_white)
    return as_frame(np.clip(shot * gain, 0, 255))


def finders(qr: Quad) -> list[tuple[float, float]]:
    """The centres of the three finder patterns of a placed QR (top left, top right, bottom
    left), about 5 modules in from the corners of its quiet zone."""
    tl, tr, _, bl = (np.asarray(p, np.float64) for p in qr)
    u, v = tr - tl, bl - tl
    f = 0.13
    points = [tl + f * u + f * v, tr - f * u + f * v, bl + f * u - f * v]
    return [(float(p[0]), float(p[1])) for p in points]


def glare_band(frame: Frame, qr: Quad, rng: Rng, *, peak: tuple[float, float] = (80, 200)) -> Frame:
    """A specular reflection: a bright band with a soft edge crossing one of the finder
    patterns at a random angle (the first thing a decoder must find)."""
    fx, fy = finders(qr)[int(rng.integers(0, 3))]
    angle = rng.uniform(0, np.pi)
    xs, ys = _grid()
    distance = (xs - np.float32(fx)) * np.float32(np.sin(angle)) - (
        ys - np.float32(fy)
    ) * np.float32(np.cos(angle))
    width = np.float32(rng.uniform(6, 24))
    band = np.float32(rng.uniform(*peak)) * np.exp(-((distance / width) ** 2))
    halo = np.float32(rng.uniform(10, 40)) * np.exp(-((distance / (width * 5)) ** 2))
    light = np.clip(band + halo + 0.5, 0, 255).astype(np.uint8)
    return as_frame(cv2.add(frame, cv2.merge([light, light, light])))


def hard_shadow(frame: Frame, qr: Quad, rng: Rng) -> Frame:
    """A shadow with an edge of 5–30 px crossing the code itself, darkening one side 50–75 %."""
    cx, cy = (float(v) for v in qr.mean(axis=0))
    side = float(np.linalg.norm(qr[1] - qr[0]))
    angle = rng.uniform(0, 2 * np.pi)
    shift = rng.uniform(-0.3, 0.3) * side
    xs, ys = _grid()
    edge = (xs - np.float32(cx)) * np.float32(np.cos(angle)) + (ys - np.float32(cy)) * np.float32(
        np.sin(angle)
    )
    edge -= np.float32(shift)
    depth, soft = np.float32(rng.uniform(0.5, 0.75)), np.float32(rng.uniform(5, 30))
    # Clipped: far from the edge the exponential would overflow float32 (and mean 0 or 1).
    dark = 1 - depth / (1 + np.exp(np.clip(-edge / soft, -60, 60)))
    return as_frame(frame * dark[:, :, None])


def curved(shown: Shown, rng: Rng) -> Shown:
    """A printed card bowed like a cylinder: rows bend into arcs, the near middle grows, and
    the light falls off towards the edges."""
    h, w = shown.patch.shape[:2]
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    u = (x - w / 2) / (w / 2)  # -1 … 1 across the card
    bulge = rng.uniform(0.06, 0.14) * (1 - u * u)  # how much nearer the middle is
    sag = rng.uniform(-0.06, 0.06) * h * (1 - u * u)
    map_y = (y - h / 2) * (1 + bulge) + h / 2 - sag
    map_x = x + rng.uniform(-0.04, 0.04) * w * u * (1 - u * u)
    bent = cv2.remap(shown.patch, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    light = 1 - rng.uniform(0.1, 0.3) * np.abs(u) ** 1.5
    return Shown(as_frame(bent * light[:, :, None]), shown.qr, shown.screen)


def creased(shown: Shown, rng: Rng) -> Shown:
    """A card folded once along a line through its QR: the far facet turns away (squeezed and
    darker), with a bright and a dark line along the fold."""
    h, w = shown.patch.shape[:2]
    qx, qy, qw, qh = shown.qr
    px = qx + qw * rng.uniform(0.3, 0.7)
    py = qy + qh * rng.uniform(0.3, 0.7)
    angle = rng.uniform(0, np.pi)
    nx, ny = -np.sin(angle), np.cos(angle)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    d = (x - px) * nx + (y - py) * ny
    squeeze = rng.uniform(0.08, 0.2)
    far = np.maximum(d, 0) * squeeze
    map_x, map_y = (x + far * nx).astype(np.float32), (y + far * ny).astype(np.float32)
    folded = cv2.remap(shown.patch, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    light = np.where(d > 0, rng.uniform(0.7, 0.9), 1.0).astype(np.float32)
    light -= 0.25 * np.exp(-((d - 1.5) ** 2) / 2.0)
    light += 0.15 * np.exp(-((d + 2.0) ** 2) / 2.0)
    return Shown(as_frame(np.clip(folded * light[:, :, None], 0, 255)), shown.qr, shown.screen)


def _held(
    text: str, rng: Rng, shown: Shown, *, tilt_deg: float = 0.0, masked: bool = False
) -> Placed:
    """``shown`` held in front of a lobby, about as near as patients hold things."""
    scale = _fit_scale(shown, rng)
    pose = _pose(rng, shown, scale=scale, tilt_deg=tilt_deg)
    return put(lobby(rng), shown, pose, masked=masked)


def _small(text: str, rng: Rng) -> Placed:
    """A phone or card held far from the lens: its QR only 80–120 px wide in the frame."""
    shown = _shown_either(text, rng)
    width = rng.uniform(80, 120)
    scale = width / shown.qr[2]
    placed = put(lobby(rng), shown, _pose(rng, shown, scale=scale, tilt_deg=rng.uniform(0, 15)))
    soft = as_frame(cv2.GaussianBlur(placed.frame, (0, 0), rng.uniform(0.5, 0.9)))
    return Placed(soft, placed.qr, placed.mask)


def _motion(text: str, rng: Rng, shown: Shown) -> Frame:
    return directional_blur(_held(text, rng, shown).frame, rng)


def _moire_defocus(text: str, rng: Rng) -> Frame:
    placed = _held(text, rng, _shown_phone(text, rng), masked=True)
    soft = blur_with(placed.frame, disc_kernel(rng.uniform(1.5, 4.0)))
    return screen_moire(soft, placed.mask, rng)


def _moire_card_image(text: str, rng: Rng) -> Frame:
    """A VssID card picture on a phone screen (its QR small) with moiré and a little defocus."""
    patch, box = card_patch(text, qr_side=int(rng.integers(150, 190)), width=1000)
    shown = Shown(patch, box, screen=True)
    placed = put(lobby(rng), shown, _pose(rng, shown, scale=1.0), masked=True)
    soft = blur_with(placed.frame, disc_kernel(rng.uniform(0.8, 2.0)))
    return screen_moire(soft, placed.mask, rng, strength=(0.1, 0.25))


def _dim(text: str, rng: Rng) -> Frame:
    frame = dim_light(_held(text, rng, _shown_either(text, rng)).frame, rng)
    # The webcam's own MJPEG on top of the grain, half of the time.
    return jpeg_at(frame, int(rng.integers(60, 85))) if rng.random() < 0.5 else frame


def _glare(text: str, rng: Rng, *, tilt_deg: float = 0.0) -> Frame:
    placed = _held(text, rng, _shown_phone(text, rng), tilt_deg=tilt_deg)
    return glare_band(placed.frame, placed.qr, rng)


def _shadow_jpeg(text: str, rng: Rng) -> Frame:
    placed = _held(text, rng, _shown_either(text, rng))
    return jpeg_at(hard_shadow(placed.frame, placed.qr, rng), int(rng.integers(8, 20)))


def _dim_motion(text: str, rng: Rng) -> Frame:
    frame = directional_blur(_held(text, rng, _shown_either(text, rng)).frame, rng, (5, 15))
    return dim_light(frame, rng, rng.uniform(25, 60))


_HARD: dict[str, Callable[[str, Rng], Frame]] = {
    "motion_phone_light": lambda t, r: _motion(t, r, _shown_phone(t, r, dark=False)),
    "motion_phone_dark": lambda t, r: _motion(t, r, _shown_phone(t, r, dark=True)),
    "motion_card": lambda t, r: _motion(t, r, _shown_card(t, r)),
    "moire_defocus": _moire_defocus,
    "moire_card_image": _moire_card_image,
    "dim_light": _dim,
    "glare_band": _glare,
    "shadow_jpeg": _shadow_jpeg,
    "card_curved": lambda t, r: _held(t, r, curved(_shown_card(t, r), r)).frame,
    "card_creased": lambda t, r: _held(t, r, creased(_shown_card(t, r), r)).frame,
    "phone_steep_tilt": lambda t, r: (
        _held(t, r, _shown_phone(t, r), tilt_deg=r.uniform(30, 50)).frame
    ),
    "small_qr": lambda t, r: _small(t, r).frame,
    "dim_motion": _dim_motion,
    "tilt_glare": lambda t, r: _glare(t, r, tilt_deg=r.uniform(30, 45)),
    "small_jpeg": lambda t, r: jpeg_at(_small(t, r).frame, int(r.integers(25, 45))),
}
assert tuple(_HARD) == HARD_CONDITIONS


def render(condition: str, text: str, rng: Rng) -> Frame:
    """One 1280×720 BGR frame of ``text`` under ``condition`` (of any stratum)."""
    make = _HARD.get(condition)
    return scenes.render(condition, text, rng) if make is None else make(text, rng)


def _conditions(stratum: str) -> tuple[str, ...]:
    try:
        return STRATA[stratum]
    except KeyError:
        raise ValueError(f"unknown stratum {stratum!r}: expected one of {sorted(STRATA)}") from None


def _rng(seed: int, stratum: str, index: int) -> Rng:
    salt = () if stratum == "easy" else (len(stratum),)  # the easy set stays what it was
    return np.random.default_rng((seed, *salt, index))


def generate(n: int, seed: int = 0, *, stratum: str = "easy") -> Iterator[tuple[str, Frame, str]]:
    """``n`` frames as (condition, BGR frame, expected text), cycling through the conditions of
    ``stratum`` (see :data:`STRATA`)."""
    conditions = _conditions(stratum)
    texts = payloads(seed)
    for index, condition in zip(range(n), itertools.cycle(conditions), strict=False):
        text = next(texts)
        yield condition, render(condition, text, _rng(seed, stratum, index)), text


def sample(index: int, seed: int = 0, *, stratum: str = "easy") -> tuple[str, Frame, str]:
    """Frame ``index`` of :func:`generate` alone (the same condition, picture and text)."""
    conditions = _conditions(stratum)
    condition = conditions[index % len(conditions)]
    text = next(itertools.islice(payloads(seed), index, None))
    return condition, render(condition, text, _rng(seed, stratum, index)), text


# Approach clips: the code moves in, wobbles and stops, as a patient holds it up.

CLIP_CONDITIONS = (
    "plain",
    "dim",
    "moire_defocus",
    "glare",
    "shadow_jpeg",
    "steep_tilt",
    "small",
    "curved",
)
"""Conditions of the approach clips; the movement adds its own motion blur to each."""

CLIP_FPS = 30.0
CLIP_SECONDS = 2.5


@dataclass(frozen=True)
class Clip:
    """One generated approach clip: ``frames()`` renders its frames lazily (a reader that stops
    early never pays for the rest); ``arrive_s`` is when the code stops moving in."""

    condition: str
    text: str
    seed: tuple[int, ...]
    fps: float = CLIP_FPS
    seconds: float = CLIP_SECONDS

    @property
    def frame_count(self) -> int:
        return round(self.fps * self.seconds)

    @property
    def module_px(self) -> float:
        """Frame pixels per module of the clip's code once it has arrived (its size over its
        modules, quiet zone included)."""
        rng = np.random.default_rng(self.seed)
        lobby(rng)  # the clip's first draws, as _clip_frames makes them
        shown, scale = _clip_shown(self.condition, self.text, rng)
        return float(shown.qr[2] * scale / qr_modules(self.text).shape[0])

    def frames(self) -> Iterator[Frame]:
        return _clip_frames(self, np.random.default_rng(self.seed))


def approach_clips(n: int, seed: int = 0) -> Iterator[Clip]:
    """``n`` approach clips cycling through :data:`CLIP_CONDITIONS`."""
    texts = payloads(seed + 1)
    for index, condition in zip(range(n), itertools.cycle(CLIP_CONDITIONS), strict=False):
        yield Clip(condition, next(texts), (seed, 77, index))


@dataclass(frozen=True)
class _Path:
    """Where a clip's object is at time t: eased in from ``start`` to ``end`` by ``arrive``
    seconds, then a wobble fading with ``decay`` seconds and a hand's tremor."""

    start: npt.NDArray[np.float64]
    end: npt.NDArray[np.float64]
    arrive: float
    amplitude: float
    hz: float
    decay: float
    turn: float
    sway: float
    phase: float

    def at(self, t: float, rng: Rng) -> tuple[npt.NDArray[np.float64], float]:
        if t < self.arrive:
            u = t / self.arrive
            return self.start + (self.end - self.start) * (1 - (1 - u) ** 3), self.turn
        s = t - self.arrive
        fade = np.exp(-s / self.decay)
        swing = 2 * np.pi * self.hz * s
        wobble = self.amplitude * fade * np.array([np.sin(swing), np.sin(swing / 2)])
        tremor = rng.normal(0, 0.7, 2)  # a hand is never quite still
        return self.end + wobble + tremor, self.turn + self.sway * fade * np.sin(swing + self.phase)


def _clip_path(rng: Rng) -> _Path:
    end = np.array([rng.uniform(0.4, 0.6) * WIDTH, rng.uniform(0.42, 0.58) * HEIGHT])
    heading = rng.uniform(-2.4, -0.7)  # from below, or from the lower left or right
    start = end - np.array([np.cos(heading), np.sin(heading)]) * rng.uniform(500, 800)
    return _Path(
        start=start,
        end=end,
        arrive=rng.uniform(0.3, 0.6),
        amplitude=rng.uniform(8, 25),
        hz=rng.uniform(1.5, 3.0),
        decay=rng.uniform(0.4, 1.0),
        turn=rng.uniform(-0.3, 0.3),
        sway=np.radians(rng.uniform(1, 3)),
        phase=rng.uniform(0, 2 * np.pi),
    )


def _clip_shown(condition: str, text: str, rng: Rng) -> tuple[Shown, float]:
    """What the clip's patient holds, and at what scale."""
    if condition in ("moire_defocus", "glare", "steep_tilt"):
        shown = _shown_phone(text, rng)
    elif condition == "curved":
        shown = curved(_shown_card(text, rng), rng)
    else:
        shown = _shown_either(text, rng)
    if condition == "small":
        return shown, rng.uniform(80, 120) / shown.qr[2]
    return shown, _fit_scale(shown, rng)


@dataclass(frozen=True)
class _Light:
    """A clip's light and lens, the same on every frame (``seed`` redraws the same moiré,
    glare and shadow; ``bank`` holds the grain for a dim clip)."""

    condition: str
    exposure: float
    lux: float
    seed: int
    radius: float
    quality: int
    bank: npt.NDArray[np.float32] | None

    def apply(self, placed: Placed, frame: Frame, shift: tuple[float, float], rng: Rng) -> Frame:
        effects = np.random.default_rng(self.seed)
        if self.condition == "dim":
            return dim_light(frame, rng, self.lux, bank=self.bank)
        if self.condition == "moire_defocus":
            soft = blur_with(frame, disc_kernel(self.radius), placed.qr)
            return screen_moire(soft, placed.mask, effects, offset=shift)
        if self.condition == "glare":
            return glare_band(frame, placed.qr, effects)
        if self.condition == "shadow_jpeg":
            return jpeg_at(hard_shadow(frame, placed.qr, effects), self.quality)
        if self.condition == "small":
            return as_frame(cv2.GaussianBlur(frame, (0, 0), 0.7))
        return frame


def _clip_light(condition: str, rng: Rng) -> _Light:
    dim = condition == "dim"
    return _Light(
        condition=condition,
        exposure=0.9 if dim else rng.uniform(0.3, 0.6),  # the shutter's share of a frame
        lux=rng.uniform(20, 60),
        seed=int(rng.integers(0, 2**31)),
        radius=rng.uniform(1.5, 3.5),
        quality=int(rng.integers(8, 20)),
        bank=rng.standard_normal((HEIGHT + 48, WIDTH + 48, 3), dtype=np.float32) if dim else None,
    )


def _clip_frames(clip: Clip, rng: Rng) -> Iterator[Frame]:
    """The frames of ``clip``: a lobby, the object sliding in from below or a side with an
    ease-out over 0.3–0.6 s, a fading wobble (translation and turn), motion blur along the
    movement for the exposure time, and the condition's light and lens on every frame."""
    scene = lobby(rng)
    shown, scale = _clip_shown(clip.condition, clip.text, rng)
    h, w = shown.patch.shape[:2]
    tilt = rng.uniform(30, 45) if clip.condition == "steep_tilt" else rng.uniform(0, 12)
    axis = rng.uniform(0, np.pi)
    path, light = _clip_path(rng), _clip_light(clip.condition, rng)
    before, _ = path.at(0.0, rng)
    for index in range(clip.frame_count):
        centre, angle = path.at(index / clip.fps, rng)
        where = (float(centre[0]), float(centre[1]))
        quad = tilted_quad(w * scale, h * scale, where, tilt, axis=axis, turn=angle)
        placed = put(scene, shown, quad, masked=clip.condition == "moire_defocus")
        frame = placed.frame
        travel, before = centre - before, centre
        length = float(np.hypot(*travel)) * light.exposure
        if length >= 1.5:
            direction = float(np.degrees(np.arctan2(travel[1], travel[0])))
            frame = blur_with(frame, line_kernel(min(length, 60.0), direction), quad)
        shift = (float(centre[0] - path.end[0]), float(centre[1] - path.end[1]))
        yield light.apply(placed, frame, shift, rng)
