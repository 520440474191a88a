"""Approach clips of chip-ID cards and VNeID-style phone screens, for the parity benchmark.

Written apart from ``scanner/scenes.py`` (as ``field_scenes.py`` is), with its own optics: a
pinhole camera (1280 × 720, 70° across) films a card or a phone that a hand brings in from
the side of the view, stops, and holds with a tremor, at 30 frames a second. What makes these
clips hard is what the issue found the stream reader lost:

- **moiré**: a picture of a card shown on a phone (patients often show the photo they keep of
  their card), or the VNeID app's QR: the screen's red, green and blue subpixels are in the
  texture, so a sensor that samples them every 2–4 subpixels makes beats across the code;
  a printed card has a fine guilloché under its QR that does the same at a distance;
- **the old and the new chip card**: the CCCD QR of 7 fields (front, small) and the căn cước's
  longer QR (back, more modules);
- **approach motion**: a blur along the motion while the hand moves, the autofocus lagging the
  distance, a tremor once held.

Each frame is rendered at three times the camera's resolution over the object, sampled, and
averaged down three times (a sensor pixel integrating over its area, no optical low-pass):
the aliasing that makes moiré comes from that sampling, not from a pattern painted on.
Then the lens (a Gaussian), the sensor (photon and read noise at the lobby's light) and the
webcam's MJPEG. Deterministic by seed. The payloads are synthetic people
(:mod:`kiosk.synthetic`), never real ones.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt
import qrcode
import qrcode.constants

from kiosk import synthetic
from scanner.decode.zxing import ZxingDecoder
from scanner.loop import ClipRead, read_clip
from scanner.ports import Decoded, Frame, as_frame

WIDTH, HEIGHT = 1280, 720
FOCAL_PX = WIDTH / 2 / math.tan(math.radians(35))
"""The pinhole's focal length in pixels: 70° across the 1280 px frame."""
FPS = 30.0
SS = 3
"""Supersampling over the object: samples per sensor pixel, each way."""

Rng = np.random.Generator
Floats = npt.NDArray[np.float32]

CONDITIONS = (
    "cccd_old_photo_on_phone",  # a photo of the front, on a phone: moiré
    "cccd_new_photo_on_phone",  # the căn cước's back, on a phone: moiré, more modules
    "vneid_screen",  # the VNeID app's QR: moiré, a bright screen in a dim lobby
    "cccd_old_card",  # the card itself: guilloché under the code
    "cccd_new_card",  # the căn cước itself
    "vneid_screen_far",  # the app held far: small modules and moiré
    "cccd_old_photo_close",  # the photo on a phone held close: the pixel grid beats hardest
)


@dataclass(frozen=True)
class ParityClip:
    """One clip: what it shows, the text in its code, and its frames (rendered on demand)."""

    index: int
    condition: str
    text: str
    seed: int
    seconds: float = 2.5
    fps: float = FPS

    @property
    def name(self) -> str:
        return f"{self.index:03d}-{self.condition}"

    def frames(self) -> Iterator[Frame]:
        return _render(self)


def parity_clips(n: int, seed: int = 29) -> Iterator[ParityClip]:
    """``n`` clips, the conditions cycled, each with its own synthetic person."""
    for index in range(n):
        condition = CONDITIONS[index % len(CONDITIONS)]
        person = synthetic.person(index, seed)
        text = new_card_text(person) if "new" in condition else synthetic.cccd_payload(person)
        if condition.startswith("vneid"):
            text = new_card_text(person) if index % 2 else synthetic.cccd_payload(person)
        yield ParityClip(index, condition, text, seed)


def new_card_text(person: synthetic.SyntheticPerson) -> str:
    """The căn cước's QR (issued since 1 July 2024): the 7 CCCD fields, the old ID number among
    them, then more (here: the place of origin, the expiry date and two names of kin)."""
    fields = synthetic.cccd_payload(person).split("|")
    fields[1] = f"{int(person.id_number[3:]) % 10**9:09d}"  # a former 9-digit CMND
    expiry = person.valid_from.replace(year=person.valid_from.year + 15).strftime("%d%m%Y")
    return "|".join([*fields, "Xã Tân Phú, Tỉnh Đồng Nai", expiry, "Nguyễn Văn An", "Trần Thị Bé"])


# --- the reference: zxing-cpp alone on the frames the scan loop looks at -----------------


class _Looked:
    """A decoder that reads nothing and notes which frames (by number) the scan loop asked it
    to decode."""

    def __init__(self, frames: Sequence[Frame]) -> None:
        self._frames = frames
        self._at = -1
        self.numbers: list[int] = []

    def play(self) -> Iterator[Frame]:
        for number, frame in enumerate(self._frames):
            self._at = number
            yield frame

    def decode(self, frame: Frame) -> Decoded | None:
        self.numbers.append(self._at)
        return None


def reference(frames: Sequence[Frame], fps: float, decode_fps: float) -> ClipRead:
    """What zxing-cpp alone (its defaults: one binarizer, downscaled passes, inverted codes)
    confirms on the frames the kiosk's scan loop looks at (``decode_fps`` of the clip's
    ``fps``): the first text it reads a second time, and the clip time of that frame. The
    frames looked at are the loop's own choice (a :class:`ScanLoop` on clip time)."""
    looked = _Looked(frames)
    read_clip(looked.play(), fps, looked, decode_fps=decode_fps)
    library = ZxingDecoder(binarizers=("local",))
    counts: dict[str, int] = {}
    for number in looked.numbers:
        found = library.decode(frames[number])
        if found is None:
            continue
        counts[found.text] = counts.get(found.text, 0) + 1
        if counts[found.text] == 2:
            return ClipRead(found.text, round(number * 1000 / fps, 1), number + 1)
    return ClipRead(None, None, len(frames))


# --- textures: what the camera films, in linear light (0..1), float32 BGR -----------------


def _qr_modules(text: str) -> npt.NDArray[np.bool_]:
    """The code's dark modules (True), with its quiet zone of 4, as the card writers make it
    (error correction M, byte mode)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    return np.array(code.get_matrix(), dtype=bool)


def _paste_qr(texture: Floats, modules: npt.NDArray[np.bool_], x: int, y: int, size: int) -> None:
    flat = np.where(modules, 0.04, 0.85).astype(np.float32)
    picture = cv2.resize(flat, (size, size), interpolation=cv2.INTER_NEAREST)
    texture[y : y + size, x : x + size] = np.asarray(picture, np.float32)[:, :, None]


def _card(text: str, new: bool, rng: Rng) -> tuple[Floats, float, tuple[int, int, int]]:
    """A chip-ID card at 20 texels a millimetre (85.6 × 54 mm), its width in metres, and where
    its QR is (x, y, size in texels). The old card's QR is on the front, top right, 17 mm; the
    căn cước's on the back, 24 mm."""
    per_mm = 20
    w, h = int(85.6 * per_mm), int(54 * per_mm)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    # pale blue-green print, with a guilloché of fine waves (0.3 mm apart)
    waves = 0.5 + 0.5 * np.sin(2 * np.pi * (yy / (0.3 * per_mm) + 3 * np.sin(xx / (9 * per_mm))))
    base = np.stack([0.78 + 0.05 * waves, 0.80 + 0.06 * waves, 0.70 + 0.04 * waves], axis=2)
    texture = base.astype(np.float32)
    # lines of text and a photo, as grey blocks
    for row in range(6):
        y0 = int((18 + row * 5.5) * per_mm)
        length = int(rng.uniform(25, 45) * per_mm)
        texture[y0 : y0 + int(2.2 * per_mm), 28 * per_mm : 28 * per_mm + length] *= 0.35
    texture[14 * per_mm : 46 * per_mm, 4 * per_mm : 25 * per_mm] *= 0.55
    size = (24 if new else 17) * per_mm
    x = w - size - (5 if new else 3) * per_mm
    y = 3 * per_mm if not new else 15 * per_mm
    _paste_qr(texture, _qr_modules(text), x, y, size)
    return texture, 0.0856, (x, y, size)


def _screen(content: Floats, subpixels: int = 3) -> Floats:
    """A picture as a phone's LCD shows it: each screen pixel three texels of red, green and
    blue stripes, with a dark gap between pixel rows (the grid the camera beats against)."""
    big = cv2.resize(
        content,
        (content.shape[1] * subpixels, content.shape[0] * subpixels),
        interpolation=cv2.INTER_NEAREST,
    )
    mask = np.zeros((subpixels, subpixels, 3), np.float32)
    for channel in range(3):  # BGR: blue stripe on the right
        mask[:, 2 - channel, channel] = 3.0
    mask[subpixels - 1, :, :] *= 0.3
    tiles = np.tile(mask, (content.shape[0], content.shape[1], 1))
    return np.asarray(big * tiles * 1.15, np.float32)


def _phone(text: str, kind: str, rng: Rng) -> tuple[Floats, float]:
    """A phone (70 × 150 mm, a 720 × 1560 screen with a bezel) showing the VNeID app's QR
    or a photo of a chip card, and its width in metres."""
    sw, sh = 720, 1560
    screen = np.full((sh, sw, 3), 0.92, np.float32)
    if kind == "vneid":
        screen[:180] = (0.16, 0.16, 0.72)  # the app's red header (BGR)
        screen[200:260, 60:660] = 0.45  # a line of text
        size = 520
        _paste_qr(screen, _qr_modules(text), (sw - size) // 2, 420, size)
        screen[1000:1040, 120:600] = 0.5
    else:  # a photo of the card, zoomed in on its QR (as a patient shows it)
        card, _, (x, y, size) = _card(text, new=kind == "new", rng=rng)
        margin = int(size * rng.uniform(0.25, 0.6))
        card = card[max(0, y - margin) : y + size + margin, max(0, x - margin) : x + size + margin]
        photo = cv2.resize(
            card, (sw, int(sw * card.shape[0] / card.shape[1])), interpolation=cv2.INTER_AREA
        )
        top = (sh - photo.shape[0]) // 2
        screen[:] = 0.08
        screen[top : top + photo.shape[0]] = photo
    lit = _screen(screen)
    bezel = 40  # texels around the screen
    phone = np.full((lit.shape[0] + 2 * bezel, lit.shape[1] + 2 * bezel, 3), 0.03, np.float32)
    phone[bezel:-bezel, bezel:-bezel] = lit
    return phone, 0.070


# --- the camera --------------------------------------------------------------------------


def _lobby(rng: Rng, light: float) -> Floats:
    """A dim lobby: a wall brighter towards the top, doors and notices, softly out of focus."""
    yy = np.linspace(1.0, 0.6, HEIGHT, dtype=np.float32)[:, None, None]
    wall = np.ones((HEIGHT, WIDTH, 3), np.float32) * yy * np.array([0.55, 0.6, 0.65], np.float32)
    for _ in range(6):
        x, y = int(rng.uniform(0, WIDTH - 200)), int(rng.uniform(0, HEIGHT - 250))
        w, h = int(rng.uniform(80, 300)), int(rng.uniform(120, 400))
        wall[y : y + h, x : x + w] *= np.float32(rng.uniform(0.4, 1.3, 3))
    return np.asarray(cv2.GaussianBlur(wall, (0, 0), 4) * light, np.float32)


def _rotation(yaw: float, pitch: float, roll: float) -> npt.NDArray[np.float64]:
    cy, sy, cp, sp, cr, sr = (
        math.cos(yaw),
        math.sin(yaw),
        math.cos(pitch),
        math.sin(pitch),
        math.cos(roll),
        math.sin(roll),
    )
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rx = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
    rz = np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]])
    return np.asarray(rz @ rx @ ry, np.float64)


def _corners(
    width_m: float,
    aspect: float,
    centre: tuple[float, float],
    distance: float,
    turn: tuple[float, float, float],
) -> npt.NDArray[np.float32]:
    """The object's four corners in frame pixels: a plane ``width_m`` wide at ``distance``
    metres, its centre seen at ``centre`` (pixels), turned by yaw, pitch and roll."""
    half_w, half_h = width_m / 2, width_m * aspect / 2
    local = np.array(
        [[-half_w, -half_h, 0], [half_w, -half_h, 0], [half_w, half_h, 0], [-half_w, half_h, 0]]
    )
    cx = (centre[0] - WIDTH / 2) * distance / FOCAL_PX
    cy = (centre[1] - HEIGHT / 2) * distance / FOCAL_PX
    world = local @ _rotation(*turn).T + np.array([cx, cy, distance])
    x = FOCAL_PX * world[:, 0] / world[:, 2] + WIDTH / 2
    y = FOCAL_PX * world[:, 1] / world[:, 2] + HEIGHT / 2
    return np.stack([x, y], axis=1).astype(np.float32)


def _film(
    frame: Floats,
    texture: Floats,
    corners: npt.NDArray[np.float32],
    smear: tuple[float, float],
    focus_sigma: float,
) -> None:
    """The object over ``frame``: sampled SS× over its bounding box, averaged down (the sensor
    pixel's area), smeared along the motion, defocused, and laid over the lobby."""
    x0, y0 = np.floor(corners.min(axis=0)).astype(int) - 8
    x1, y1 = np.ceil(corners.max(axis=0)).astype(int) + 8
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, WIDTH), min(y1, HEIGHT)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return
    th, tw = texture.shape[:2]
    source = np.array([[0, 0], [tw, 0], [tw, th], [0, th]], np.float32)
    target = np.asarray((corners - np.array([x0, y0], np.float32)) * SS, np.float32)
    homography = cv2.getPerspectiveTransform(source, target)
    size = ((x1 - x0) * SS, (y1 - y0) * SS)
    fine = cv2.warpPerspective(texture, homography, size, flags=cv2.INTER_LINEAR)
    alpha = np.zeros((size[1], size[0]), np.float32)
    cv2.fillConvexPoly(alpha, np.round(target * 16).astype(np.int32), 1.0, cv2.LINE_AA, 4)
    patch = cv2.resize(fine, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA)
    cover = cv2.resize(alpha, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA)[:, :, None]
    kernel = _smear_kernel(*smear)
    if kernel is not None:
        patch = cv2.filter2D(patch, -1, kernel)
        cover = cv2.filter2D(cover, -1, kernel)[:, :, None]
    if focus_sigma > 0.3:
        patch = cv2.GaussianBlur(patch, (0, 0), focus_sigma)
        cover = cv2.GaussianBlur(cover, (0, 0), focus_sigma)[:, :, None]
    region = frame[y0:y1, x0:x1]
    region[:] = region * (1 - cover) + patch


def _smear_kernel(dx: float, dy: float) -> Floats | None:
    """A line of the motion during the exposure (pixels), normalised; None when under a pixel."""
    length = math.hypot(dx, dy)
    if length < 1.0:
        return None
    n = math.ceil(length) | 1
    kernel = np.zeros((n, n), np.float32)
    centre = n // 2
    for t in np.linspace(-0.5, 0.5, 4 * n):
        kernel[round(float(centre + t * dy)), round(float(centre + t * dx))] += 1
    return np.asarray(kernel / kernel.sum(), np.float32)


def _sensor(frame: Floats, gain: float, rng: Rng) -> Frame:
    """Photon noise (a variance proportional to the light at ``gain``), read noise, the gamma
    of the camera, and its MJPEG at quality 80."""
    light = np.maximum(frame, 0, dtype=np.float32)
    spread = cv2.sqrt(light * np.float32(gain) + np.float32(4 * gain * gain))
    noise = rng.standard_normal(frame.shape, dtype=np.float32)
    noisy = np.clip(light + noise * spread, 0, 1)
    shown = cv2.pow(noisy, 1 / 2.2) * np.float32(255)
    ok, data = cv2.imencode(".jpg", shown.astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 80])
    assert ok
    decoded = cv2.imdecode(data, cv2.IMREAD_COLOR)
    assert decoded is not None
    return as_frame(decoded)


def _render(clip: ParityClip) -> Iterator[Frame]:
    rng = np.random.default_rng((clip.seed, clip.index))
    condition = clip.condition
    if condition.startswith("vneid"):
        texture, width_m = _phone(clip.text, "vneid", rng)
    elif "photo" in condition:
        texture, width_m = _phone(clip.text, "new" if "new" in condition else "old", rng)
    else:
        texture, width_m, _ = _card(clip.text, "new" in condition, rng)
    aspect = texture.shape[0] / texture.shape[1]
    light = float(rng.uniform(0.35, 0.8))  # the lobby's exposure
    glow = 1.0 if "card" in condition else float(rng.uniform(1.1, 1.5))  # a lit screen
    lobby = _lobby(rng, light)
    gain = float(rng.uniform(0.002, 0.006))  # higher: fewer photons, more grain
    # the hold: how wide the object ends up in the frame (pixels)
    if condition.startswith("vneid"):
        hold_px = rng.uniform(130, 180) if condition.endswith("far") else rng.uniform(250, 360)
    elif condition.endswith("photo_on_phone"):
        hold_px = rng.uniform(280, 380)  # the phone showing a photo of the card
    elif condition.endswith("photo_close"):
        hold_px = rng.uniform(520, 760)  # its screen's pixels 0.7-1 sensor pixel apart
    else:
        hold_px = rng.uniform(400, 580)  # the card itself, held closer
    end_distance = FOCAL_PX * width_m / hold_px
    start_distance = end_distance * rng.uniform(1.8, 2.6)
    end = (WIDTH / 2 + rng.uniform(-120, 120), HEIGHT / 2 + rng.uniform(-60, 60))
    side = rng.choice([-1.0, 1.0])
    start = (end[0] + side * rng.uniform(350, 600), end[1] + rng.uniform(80, 250))
    arrive = rng.uniform(0.5, 1.0)  # seconds until the hand stops
    turn0 = (rng.uniform(-0.35, 0.35), rng.uniform(-0.3, 0.3), rng.uniform(-0.25, 0.25))
    tremor = [(rng.uniform(3, 9), rng.uniform(0, 2 * math.pi)) for _ in range(3)]
    shake_px = rng.uniform(1.0, 4.0)
    exposure = rng.uniform(0.3, 0.6)  # of the frame time
    focus_at = start_distance
    lit = np.asarray(texture * np.float32(glow * light * 1.2), np.float32)
    previous: tuple[float, float] | None = None
    for number in range(round(clip.seconds * clip.fps)):
        t = number / clip.fps
        s = min(1.0, t / arrive)
        ease = s * s * (3 - 2 * s)
        cx = start[0] + (end[0] - start[0]) * ease
        cy = start[1] + (end[1] - start[1]) * ease
        distance = start_distance + (end_distance - start_distance) * ease
        wobble = [shake_px * math.sin(2 * math.pi * f * t + p) for f, p in tremor]
        cx, cy = cx + wobble[0], cy + wobble[1]
        turn = (turn0[0], turn0[1] + 0.01 * wobble[2], turn0[2] + 0.005 * wobble[2])
        corners = _corners(width_m, aspect, (cx, cy), distance, turn)
        here = (cx, cy)
        moved = (0.0, 0.0) if previous is None else (here[0] - previous[0], here[1] - previous[1])
        previous = here
        # the autofocus follows the distance a few frames late
        focus_at += (distance - focus_at) * 0.35
        defocus = 0.5 + 40.0 * abs(1 / distance - 1 / focus_at) * (width_m / 0.07)
        frame = lobby.copy()
        _film(
            frame,
            lit,
            corners,
            (moved[0] * exposure, moved[1] * exposure),
            defocus,
        )
        yield _sensor(frame, gain, rng)
