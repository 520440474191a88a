"""Independent "field" stratum for the decode benchmark: a QR scene generator written apart.

Everything here was written without looking at scanner/scenes.py and shares no code with it
(numpy, OpenCV and qrcode only, nothing from ``scanner``): a decoder chain tuned on frames of
its own generator could be reading that generator's habits rather than cameras, and a second
renderer with its own physics is a check on that. Keep it apart: do not import from ``scanner``
here, and do not copy from scenes.py.

Frames are 1280x720 BGR of a phone screen or a printed card (BHYT / CCCD layouts) showing a QR
code held up in a hospital lobby. Payloads are synthetic BHYT, CCCD and VssID texts built from
random name parts and places (no real people). Every frame draws, unless its condition fixes
it: phone or card (even odds), ECC M (3 in 4) or Q, a code 80-350 px wide, tilt 0-50 deg, roll
+-40 deg, focal length 900-1100 px with mild barrel distortion, auto exposure to a 100-135
mean, shot noise at 6-12 e-/DN plus 0.8-2 DN read noise, lens blur sigma 0.35-0.6 px, a
vignette of 10-35 % at the corners, sharpening and MJPEG quality 72-92. The 16 conditions,
cycled in this order:

- ``motion_phone_light`` / ``motion_phone_dark`` / ``motion_card``: motion blur along a
  random curved, unevenly paced hand path of 5-25 px (the background moves 20-60 % of that);
  light-mode app, dark-mode app (dark tile, or an inverted code in 3 of 10), printed card.
- ``moire_defocus``: a phone's RGB sub-pixel stripes at 0.8-2.5 camera px per screen px, tilt
  up to 30 deg, roll +-10 deg, defocus disc of radius 1.5-4 px.
- ``moire_card_image``: the same screen showing a gallery photo of a card (JPEG 70-91 inside
  the photo), defocus radius 0-1.2 px in 6 of 10 frames.
- ``dim_light``: exposed to a 25-60 mean then digitally gained to 95-125, gamma 2.2-2.6,
  0.5-4 e-/DN, 2-5 DN read noise, chroma noise reduction (luma too in half the frames).
- ``shadow_jpeg``: a hard-edged hand or head shadow over 20-80 % of the code, 40-70 % deep,
  JPEG quality 10-30.
- ``glare``: a specular band or oval highlight over one finder, 1-5x room white.
- ``card_angle``: card tilted 35-55 deg, lens blur sigma 0.8-1.3 px.
- ``jpeg_card``: card, JPEG quality 8-20.
- ``curved_card``: card bent as a cylinder until the code's edges bow 3-8 % of its side.
- ``creased_card``: card folded 6-20 deg along a line through the code, one side darker
  (0.7-0.88) or lighter (1.1-1.25), a dark or light crease line.
- ``small_far``: code 70-110 px, lens blur sigma 0.6-0.9 px, 3-6 e-/DN, JPEG quality 60-85.
- ``dim_motion``: dim light as above with 5-15 px of motion blur.
- ``defocus_only``: code 180-320 px, defocus disc of radius 2-5 px.
- ``backlit``: a window behind, exposure set for a 30-70 code mean, the window at 1.5-4x full
  scale or more, a veiling glare halo and veil.

Physical model, per frame: scene radiance in linear light (room white ~1) -> per-layer optics
(object and background apart: motion kernel, defocus disc, lens Gaussian), vignette ->
exposure -> Bayer sensor with Poisson shot noise in electrons and read noise (10-bit DN) ->
demosaic -> ISP (digital gain, white balance, gamma, noise reduction, sharpening) -> 8 bit ->
JPEG. ``clean=True`` renders the same geometry and content with every degradation switched
off, a sanity check that the undegraded frames decode.

For scale: zxing-cpp alone (``read_barcodes`` with its defaults) reads about 45 % of 240
frames at seed 7 (109), and about 81 % of the same scenes rendered clean (194).

Write a set to disk for inspection (PNGs and labels.json)::

    python -m tests.bench.field_scenes --out DIR [--n 240] [--seed 7] [--clean]
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Protocol, TypeVar, cast

import cv2
import numpy as np
import numpy.typing as npt
import qrcode
from qrcode.constants import (
    ERROR_CORRECT_M,
    ERROR_CORRECT_Q,
)

Array = npt.NDArray[Any]
Frame = npt.NDArray[np.uint8]
Rng = np.random.Generator
Scalar = float | Sequence[float]
Box = tuple[float, float, float, float]
Light = Callable[[Array, Array], Array]
T = TypeVar("T")

W, H = 1280, 720
CX, CY = (W - 1) / 2.0, (H - 1) / 2.0

CONDITIONS: tuple[str, ...] = (
    "motion_phone_light",
    "motion_phone_dark",
    "motion_card",
    "moire_defocus",
    "moire_card_image",
    "dim_light",
    "shadow_jpeg",
    "glare",
    "card_angle",
    "jpeg_card",
    "curved_card",
    "creased_card",
    "small_far",
    "dim_motion",
    "defocus_only",
    "backlit",
)
"""The frame conditions, cycled in this order by generate()."""

_CARD_CONDS = {"motion_card", "card_angle", "jpeg_card", "curved_card", "creased_card"}
_PHONE_CONDS = {"motion_phone_light", "motion_phone_dark", "moire_defocus", "moire_card_image"}
_MOIRE_CONDS = ("moire_defocus", "moire_card_image")
_MOTION_CONDS = ("motion_phone_light", "motion_phone_dark", "motion_card", "dim_motion")

LUT8 = ((np.arange(256) / 255.0) ** 2.2).astype(np.float32)  # display uint8 -> linear


def _uni(rng: Rng, a: float, b: float) -> float:
    return float(rng.uniform(a, b))


def _pick(rng: Rng, seq: Sequence[T]) -> T:
    return seq[int(rng.integers(len(seq)))]


# ============================================================================ payloads
# Name parts and places are drawn at random: every person a payload describes is made up.
SURNAMES = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
    "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trương", "Đinh", "Lâm", "Mai", "Tạ", "Châu",
]  # fmt: skip
MID_M = [
    "Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Gia", "Hoàng", "Xuân", "Ngọc",
    "Anh", "Duy", "Trọng",
]  # fmt: skip
MID_F = [
    "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Mỹ", "Kim", "Phương", "Bảo", "Khánh", "Thùy",
    "Diệu",
]  # fmt: skip
GIVEN_M = [
    "An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Khoa", "Long", "Nam",
    "Phúc", "Quân", "Sơn", "Tài", "Thắng", "Toàn", "Trung", "Tuấn", "Việt", "Khải", "Lộc",
]  # fmt: skip
GIVEN_F = [
    "Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hương", "Lan", "Linh", "Mai", "Nga",
    "Ngân", "Nhung", "Oanh", "Phượng", "Thảo", "Trang", "Uyên", "Vy", "Yến", "Xuân", "Huệ",
]  # fmt: skip
STREETS = [
    "Lê Lợi", "Nguyễn Huệ", "Trần Hưng Đạo", "Hai Bà Trưng", "Lý Thường Kiệt",
    "Điện Biên Phủ", "Cách Mạng Tháng Tám", "Nguyễn Thị Minh Khai", "Võ Văn Tần",
    "Phan Đình Phùng", "Hoàng Diệu", "Bạch Đằng", "Quang Trung", "Nguyễn Trãi", "Lê Duẩn",
    "Phạm Ngũ Lão", "Hùng Vương", "Trường Chinh", "Âu Cơ", "Lạc Long Quân",
]  # fmt: skip
Province = tuple[str, str, str, list[tuple[str, str, list[str]]]]
# (2-digit code, 3-digit CCCD code, name, [(district code, district name, [wards])])
PROVINCES: list[Province] = [
    ("79", "079", "TP Hồ Chí Minh", [
        ("760", "Quận 1", ["Phường Bến Nghé", "Phường Bến Thành", "Phường Đa Kao",
                           "Phường Cầu Ông Lãnh"]),
        ("770", "Quận 3", ["Phường Võ Thị Sáu", "Phường 5", "Phường 9", "Phường 14"]),
        ("765", "Quận Bình Thạnh", ["Phường 1", "Phường 12", "Phường 25", "Phường 26"]),
        ("764", "Quận Gò Vấp", ["Phường 3", "Phường 10", "Phường 16"]),
        ("785", "Huyện Bình Chánh", ["Xã Vĩnh Lộc A", "Xã Bình Hưng", "Thị trấn Tân Túc"])]),
    ("01", "001", "Hà Nội", [
        ("001", "Quận Ba Đình", ["Phường Phúc Xá", "Phường Kim Mã", "Phường Ngọc Hà"]),
        ("005", "Quận Cầu Giấy", ["Phường Dịch Vọng", "Phường Quan Hoa", "Phường Yên Hòa"]),
        ("008", "Quận Hoàng Mai", ["Phường Định Công", "Phường Tương Mai"]),
        ("277", "Huyện Thanh Trì", ["Xã Tam Hiệp", "Xã Tứ Hiệp"])]),
    ("48", "048", "Đà Nẵng", [
        ("490", "Quận Hải Châu", ["Phường Thạch Thang", "Phường Hòa Cường Bắc"]),
        ("492", "Quận Sơn Trà", ["Phường An Hải Bắc", "Phường Mân Thái"])]),
    ("92", "092", "Cần Thơ", [
        ("916", "Quận Ninh Kiều", ["Phường An Hòa", "Phường Xuân Khánh", "Phường Hưng Lợi"])]),
    ("31", "031", "Hải Phòng", [
        ("303", "Quận Lê Chân", ["Phường An Biên", "Phường Dư Hàng"])]),
    ("75", "075", "Tỉnh Đồng Nai", [
        ("731", "Thành phố Biên Hòa", ["Phường Tân Phong", "Phường Hố Nai",
                                       "Phường Long Bình"])]),
    ("74", "074", "Tỉnh Bình Dương", [
        ("718", "Thành phố Thủ Dầu Một", ["Phường Phú Cường", "Phường Hiệp Thành"]),
        ("725", "Thành phố Dĩ An", ["Phường Dĩ An", "Phường Đông Hòa"])]),
    ("56", "056", "Tỉnh Khánh Hòa", [
        ("568", "Thành phố Nha Trang", ["Phường Lộc Thọ", "Phường Vĩnh Hải"])]),
    ("40", "040", "Tỉnh Nghệ An", [
        ("412", "Thành phố Vinh", ["Phường Hưng Bình", "Phường Lê Mao"]),
        ("426", "Huyện Diễn Châu", ["Xã Diễn Kỷ", "Thị trấn Diễn Châu"])]),
    ("89", "089", "Tỉnh An Giang", [
        ("883", "Thành phố Long Xuyên", ["Phường Mỹ Bình", "Phường Mỹ Long"]),
        ("887", "Huyện Chợ Mới", ["Xã Kiến An", "Xã Long Điền A"])]),
]  # fmt: skip
BHYT_PREFIX = [
    "DN", "HC", "CH", "HT", "TB", "NN", "CN", "HS", "SV", "GD", "TE", "NO", "HN", "CK", "DT",
    "XB",
]  # fmt: skip


def _digits(rng: Rng, n: int) -> str:
    return "".join(str(int(d)) for d in rng.integers(0, 10, n))


def _hex(rng: Rng, n: int) -> str:
    return "".join("0123456789abcdef"[int(d)] for d in rng.integers(0, 16, n))


def _date(rng: Rng, y0: int, y1: int) -> tuple[int, int, int]:
    return int(rng.integers(1, 29)), int(rng.integers(1, 13)), int(rng.integers(y0, y1 + 1))


def _person(rng: Rng) -> tuple[bool, str]:
    male = rng.random() < 0.5
    sur = _pick(rng, SURNAMES)
    mid = _pick(rng, MID_M if male else MID_F)
    giv = _pick(rng, GIVEN_M if male else GIVEN_F)
    if rng.random() < 0.3:
        mid = mid + " " + _pick(rng, MID_M if male else MID_F)
    return male, f"{sur} {mid} {giv}"


def _address(rng: Rng, prov: Province, level: int) -> tuple[str, str]:
    _, _, pname, dists = prov
    dcode, dname, wards = _pick(rng, dists)
    ward = _pick(rng, wards)
    if level == 0:
        if rng.random() < 0.7:
            head = f"{int(rng.integers(1, 400))} Đường {_pick(rng, STREETS)}"
        else:
            head = f"Tổ {int(rng.integers(1, 30))}, Khu phố {int(rng.integers(1, 12))}"
        return f"{head}, {ward}, {dname}, {pname}", dcode
    if level == 1:
        return f"{ward}, {dname}, {pname}", dcode
    if level == 2:
        return f"{dname}, {pname}", dcode
    return pname, dcode


def _payload_bhyt(rng: Rng) -> str:
    for _ in range(200):
        male, name = _person(rng)
        prov = _pick(rng, PROVINCES)
        p2 = prov[0]
        code = _pick(rng, BHYT_PREFIX) + str(int(rng.integers(1, 6))) + p2 + p2 + _digits(rng, 8)
        d, m, y = _date(rng, 1940, 2018)
        level = int(rng.integers(0, 4))
        addr, _ = _address(rng, prov, level)
        hosp = int(rng.integers(1, 300))
        yv = int(rng.integers(2022, 2026))
        di, mi, _ = _date(rng, 2020, 2020)
        # the fields are drawn in list order: keep it (the seed's frames depend on it)
        fields = [
            code,
            name.encode("utf-8").hex(),
            f"{d:02d}/{m:02d}/{y}",
            "1" if male else "2",
            addr.encode("utf-8").hex(),
            f"{p2} - {hosp:03d}",
            f"01/01/{yv}",
            "-",
            f"{di:02d}/{mi:02d}/{yv}",
            f"{p2}{hosp:03d}{_digits(rng, int(rng.integers(6, 10)))}",
            "-",
            str(int(rng.integers(1, 6))),
            f"01/01/{yv + 5}",
            _hex(rng, int(rng.integers(12, 21))),
            "$",
        ]
        s = "|".join(fields)
        if 100 <= len(s) <= 200:
            return s
    raise RuntimeError("bhyt payload")


def _payload_cccd(rng: Rng) -> str:
    for _ in range(200):
        male, name = _person(rng)
        prov = _pick(rng, PROVINCES)
        d, m, y = _date(rng, 1940, 2008)
        century = 0 if y < 2000 else 2
        g = century + (0 if male else 1)
        cid = prov[1] + str(g) + f"{y % 100:02d}" + _digits(rng, 6)
        old = _digits(rng, 9) if rng.random() < 0.6 else ""
        addr, _ = _address(rng, prov, int(rng.integers(0, 2)))
        di, mi, yi = _date(rng, 2021, 2024)
        s = "|".join(
            [
                cid,
                old,
                name,
                f"{d:02d}{m:02d}{y}",
                "Nam" if male else "Nữ",
                addr,
                f"{di:02d}{mi:02d}{yi}",
            ]
        )
        if 80 <= len(s) <= 150:
            return s
    raise RuntimeError("cccd payload")


def _payload_vssid(rng: Rng) -> str:
    for _ in range(200):
        bh = _pick(rng, PROVINCES)[0] + _digits(rng, 8)
        kind = int(rng.integers(0, 5))
        if kind == 0:
            s = f"VSSID:{bh}:{_hex(rng, int(rng.integers(8, 17))).upper()}"
        elif kind == 1:
            s = f"https://vssid.vn/xacthuc?ma={bh}&t={_hex(rng, int(rng.integers(6, 13)))}"
        elif kind == 2:
            d, m, y = _date(rng, 2024, 2026)
            place = f"{_pick(rng, PROVINCES)[0]}{int(rng.integers(1, 300)):03d}"
            s = f"{bh}|{d:02d}/{m:02d}/{y}|{place}"
        elif kind == 3:
            s = f"BHXH{bh}{_digits(rng, 8)}{_hex(rng, 4).upper()}"
        else:
            prefix = f"{_pick(rng, BHYT_PREFIX)}{int(rng.integers(1, 6))}{bh[:2]}"
            s = f"{prefix}{bh}|{_hex(rng, int(rng.integers(8, 24)))}"
        if 20 <= len(s) <= 60:
            return s
    raise RuntimeError("vssid payload")


def _make_qr(text: str, ecc: int) -> npt.NDArray[np.bool_]:
    q = qrcode.QRCode(version=None, error_correction=ecc, box_size=1, border=0)
    q.add_data(text)
    q.make(fit=True)
    return np.array(q.get_matrix(), dtype=bool)


# ============================================================================ drawing helpers
WORDS = [
    "KHOA", "KHAM", "BENH", "TIEP", "DON", "QUAY", "SO", "THU", "PHI", "BHYT", "XET",
    "NGHIEM", "NOI", "NGOAI", "NHI", "SAN", "CAP", "CUU", "LAY", "MAU", "TAI", "MUI", "HONG",
    "RANG", "MAT", "vui", "long", "xep", "hang", "theo", "thu", "tu", "Huong", "dan", "dang",
    "ky", "kham", "benh", "Ho", "ten", "Ngay", "sinh", "Gioi", "tinh", "Ma", "the", "Noi",
    "KCB", "ban", "dau", "Gia", "tri", "den", "Dia", "chi", "Quoc", "tich", "Viet", "Nam",
]  # fmt: skip


def _rand_words(rng: Rng, n: int) -> str:
    out = []
    for _ in range(n):
        if rng.random() < 0.18:
            out.append(_digits(rng, int(rng.integers(2, 9))))
        else:
            out.append(_pick(rng, WORDS))
    return " ".join(out)


def _put_text_fit(
    img: Array,
    text: str,
    org: tuple[float, float],
    height: float,
    color: Scalar,
    *,
    max_w: float | None = None,
    thick: int | None = None,
) -> None:
    """Hershey text with cap height ~height px; truncated to max_w."""
    if height < 2:
        return
    scale = height / 22.0
    th = max(1, round(height / 9)) if thick is None else thick
    if max_w is not None:
        (tw, _), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, th)
        if tw > max_w:
            n = max(1, int(len(text) * max_w / tw))
            text = text[:n]
    cv2.putText(
        img,
        text,
        (int(org[0]), int(org[1])),
        cv2.FONT_HERSHEY_SIMPLEX,
        scale,
        color,
        th,
        cv2.LINE_AA,
    )


def _text_block(
    img: Array,
    rng: Rng,
    box: Box,
    color: Scalar,
    line_h: int,
    *,
    spacing: float = 1.7,
    words: tuple[int, int] = (2, 6),
) -> None:
    """Lines of random words filling box (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box
    y = y0 + line_h
    while y < y1:
        _put_text_fit(
            img,
            _rand_words(rng, int(rng.integers(*words))),
            (x0, y),
            line_h,
            color,
            max_w=x1 - x0,
        )
        y += max(1, int(line_h * spacing * _uni(rng, 0.9, 1.2)))


def _rounded_rect(img: Array, box: Box, r: float, color: Scalar) -> None:
    x0, y0, x1, y1 = (int(v) for v in box)
    ri = int(max(0, r))
    ri = min(ri, (x1 - x0) // 2, (y1 - y0) // 2)
    if ri <= 0:
        cv2.rectangle(img, (x0, y0), (x1 - 1, y1 - 1), color, -1)
        return
    cv2.rectangle(img, (x0 + ri, y0), (x1 - 1 - ri, y1 - 1), color, -1)
    cv2.rectangle(img, (x0, y0 + ri), (x1 - 1, y1 - 1 - ri), color, -1)
    for cx, cy in (
        (x0 + ri, y0 + ri),
        (x1 - 1 - ri, y0 + ri),
        (x0 + ri, y1 - 1 - ri),
        (x1 - 1 - ri, y1 - 1 - ri),
    ):
        cv2.circle(img, (cx, cy), ri, color, -1, cv2.LINE_AA)


def _fast_blur(img: Array, sigma: float) -> Array:
    """Gaussian blur; large sigmas via a downsampled pyramid level."""
    if sigma <= 4:
        return cv2.GaussianBlur(img, (0, 0), sigma)
    f = int(sigma / 2)
    h, w = img.shape[:2]
    sm = cv2.resize(img, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA)
    sm = cv2.GaussianBlur(sm, (0, 0), sigma / f)
    return cv2.resize(sm, (w, h), interpolation=cv2.INTER_LINEAR)


def _smooth_noise(rng: Rng, shape: tuple[int, int], cells: int, lo: float, hi: float) -> Array:
    """A smooth random field over shape (h, w) varying over about cells px, in [lo, hi]."""
    h, w = shape
    g = rng.uniform(lo, hi, (max(2, h // cells + 2), max(2, w // cells + 2))).astype(np.float32)
    return cv2.resize(g, (w, h), interpolation=cv2.INTER_CUBIC)


def _draw_qr(
    img: Array,
    qrm: Array,
    origin: tuple[int, int],
    m: int,
    *,
    dark: Sequence[int],
    light: Sequence[int],
) -> None:
    n = qrm.shape[0]
    x0, y0 = origin
    block = np.where(qrm[..., None], np.array(dark, np.uint8), np.array(light, np.uint8))
    block = np.repeat(np.repeat(block, m, axis=0), m, axis=1)
    img[y0 : y0 + n * m, x0 : x0 + n * m] = block


def _qr_points(x0: float, y0: float, m: float, n: int) -> tuple[Array, Array]:
    """QR corner + finder-centre points in continuous texture coords (pixel centres at ints)."""
    a = np.array([x0 - 0.5, y0 - 0.5])
    side = n * m
    corners = a + np.array([[0, 0], [side, 0], [side, side], [0, side]], float)
    f = 3.5 * m
    finders = a + np.array([[f, f], [side - f, f], [f, side - f]], float)
    return corners, finders


SKIN = [
    (120, 150, 200), (105, 140, 190), (140, 170, 215), (95, 125, 175), (130, 165, 225),
    (80, 110, 160),
]  # fmt: skip


def _draw_finger(
    canvas: Array,
    p1: Sequence[float],
    p2: Sequence[float],
    width: float,
    color: Iterable[float],
) -> None:
    q1 = (int(p1[0]), int(p1[1]))
    q2 = (int(p2[0]), int(p2[1]))
    w = max(2, int(width))
    colors = list(color)
    dark = (*(int(c * 0.75) for c in colors), 255)
    col = (*(int(c) for c in colors), 255)
    hi = (*(int(min(255, c * 1.08)) for c in colors), 255)
    # darker rim, body, lighter ridge (a crude cylinder shading)
    cv2.line(canvas, q1, q2, dark, w, cv2.LINE_AA)
    cv2.circle(canvas, q2, w // 2, dark, -1, cv2.LINE_AA)
    cv2.line(canvas, q1, q2, col, max(1, int(w * 0.8)), cv2.LINE_AA)
    cv2.circle(canvas, q2, max(1, int(w * 0.4)), col, -1, cv2.LINE_AA)
    cv2.line(canvas, q1, q2, hi, max(1, int(w * 0.3)), cv2.LINE_AA)


def _seg_rect_clear(
    p1: Sequence[float], p2: Sequence[float], width: float, rect: Box, pad: float
) -> bool:
    """True if the capsule p1-p2 stays clear of rect (x0,y0,x1,y1) grown by pad."""
    grow = pad + width / 2
    x0, y0, x1, y1 = rect[0] - grow, rect[1] - grow, rect[2] + grow, rect[3] + grow
    for t in np.linspace(0, 1, 24):
        x = p1[0] + (p2[0] - p1[0]) * t
        y = p1[1] + (p2[1] - p1[1]) * t
        if x0 < x < x1 and y0 < y < y1:
            return False
    return True


# ============================================================================ card texture
@dataclass
class _Card:
    """A flat card image and where its QR sits on it."""

    img: Array
    w: int
    h: int
    corners: Array
    finders: Array
    qrect: tuple[int, int, int, int]
    mm_per_px: float
    qr_left: bool


@dataclass
class _Canvas:
    """An object's RGBA texture (card or phone with hands), emissive mask and QR points."""

    tex: Array
    emis: Array | None
    corners: Array
    finders: Array
    mm_per_px: float
    center: tuple[float, float]
    size: tuple[int, int]
    origin: tuple[int, int]
    screen_rect: tuple[int, int, int, int] | None = None


BHYT_STOCK = [
    (250, 250, 252), (244, 248, 250), (236, 244, 250), (240, 246, 240), (245, 245, 238),
]  # fmt: skip


def _card_background(rng: Rng, kind: str, cw: int, ch: int, u: float) -> tuple[Array, Array, Any]:
    """Card stock with a tint gradient and a guilloche pattern: (img, base colour, header)."""
    if kind == "bhyt":
        base = np.array(_pick(rng, BHYT_STOCK), float)
        head_col = _pick(
            rng, [(170, 100, 25), (150, 90, 10), (140, 120, 20), (60, 130, 40), (160, 110, 60)]
        )
    else:
        base = np.array(
            _pick(rng, [(240, 235, 228), (245, 238, 236), (235, 240, 245), (238, 232, 240)]),
            float,
        )
        head_col = _pick(rng, [(80, 80, 200), (120, 120, 220), (170, 120, 70), (140, 150, 210)])
    base = base + rng.normal(0, 4, 3)
    yy = np.linspace(0, 1, ch, dtype=np.float32)[:, None, None]
    xx = np.linspace(0, 1, cw, dtype=np.float32)[None, :, None]
    tint = np.array(_pick(rng, [(0, -12, -20), (-15, -5, 0), (-10, 0, -15), (0, 0, 0)]), np.float32)
    img = base[None, None, :] + tint[None, None, :] * (0.5 * xx + 0.5 * yy)
    img = np.clip(img, 0, 255).astype(np.uint8)
    # guilloche-ish security pattern
    gcol = tuple(int(c) for c in np.clip(base - _uni(rng, 10, 30), 0, 255))
    for _ in range(int(rng.integers(8, 20))):
        amp = _uni(rng, 0.02, 0.08) * ch
        lam = _uni(rng, 0.15, 0.5) * cw
        ph = _uni(rng, 0, 6.28)
        off = _uni(rng, 0, ch)
        xs = np.arange(0, cw, max(1, cw // 200))
        ys = off + amp * np.sin(2 * np.pi * xs / lam + ph)
        pts = np.stack([xs, ys], 1).astype(np.int32)
        cv2.polylines(img, [pts], False, gcol, max(1, int(u * 0.15)), cv2.LINE_AA)
    return img, base, head_col


def _bhyt_header(
    rng: Rng,
    img: Array,
    head_col: Scalar,
    *,
    qr_left: bool,
    hh: int,
    tile: int,
    pad: int,
) -> int:
    """The insurance card's header band (beside the QR when both do not fit); returns QR y."""
    ch, cw = img.shape[:2]
    fits = tile + pad <= ch - hh - pad
    hx0, hx1 = 0, cw
    if not fits:
        if qr_left:
            hx0 = tile + 2 * pad
        else:
            hx1 = cw - tile - 2 * pad
    cv2.rectangle(img, (hx0, 0), (hx1, hh), head_col, -1)
    tcol = (255, 255, 255)
    x_text = hx0 + 2 * pad + hh * 0.8
    w_text = hx1 - hx0 - 3 * pad - hh
    _put_text_fit(
        img, "BAO HIEM XA HOI VIET NAM", (x_text, hh * 0.42), hh * 0.22, tcol, max_w=w_text
    )
    _put_text_fit(img, "THE BAO HIEM Y TE", (x_text, hh * 0.85), hh * 0.28, tcol, max_w=w_text)
    cv2.circle(
        img,
        (int(hx0 + pad + hh * 0.4), int(hh * 0.5)),
        int(hh * 0.33),
        (40, 40, 200),
        -1,
        cv2.LINE_AA,
    )
    ty0 = hh + pad if fits else pad
    qy = (
        int(rng.integers(ty0, max(ty0 + 1, ch - pad - tile + 1)))
        if fits
        else int(rng.integers(pad, max(pad + 1, ch - pad - tile + 1)))
    )
    return int(min(qy, ch - tile))


def _cccd_header(
    rng: Rng,
    img: Array,
    head_col: Sequence[int],
    base: Array,
    *,
    qr_left: bool,
    hh: int,
    tile: int,
    pad: int,
    u: float,
) -> int:
    """The citizen card's header text band, QR at the top on one side; returns QR y."""
    ch, cw = img.shape[:2]
    band = tuple(int(c) for c in np.clip(np.array(head_col) * 0.25 + base * 0.75, 0, 255))
    cv2.rectangle(img, (0, 0), (cw, hh), band, -1)
    hx0 = 0 if not qr_left else tile + 2 * pad
    hx1 = cw if qr_left else cw - tile - 2 * pad
    x_text = hx0 + pad + hh * 0.9
    w_text = hx1 - hx0 - hh - 2 * pad
    _put_text_fit(
        img,
        "CONG HOA XA HOI CHU NGHIA VIET NAM",
        (x_text, hh * 0.4),
        hh * 0.2,
        head_col,
        max_w=w_text,
    )
    _put_text_fit(
        img, "CAN CUOC CONG DAN", (x_text, hh * 0.85), hh * 0.3, (40, 40, 180), max_w=w_text
    )
    emblem = (int(hx0 + pad + hh * 0.45), int(hh * 0.5))
    cv2.circle(img, emblem, int(hh * 0.38), (30, 40, 190), -1, cv2.LINE_AA)
    cv2.circle(img, emblem, int(hh * 0.15), (40, 200, 230), -1, cv2.LINE_AA)
    qy = pad + int(rng.integers(0, max(1, int(0.5 * u) + 1)))
    return int(min(qy, ch - tile))


def _filled_ellipse(
    img: Array,
    centre: tuple[int, int],
    axes: tuple[int, int],
    colour: int | tuple[int, ...],
    *,
    upper_half: bool = False,
) -> None:
    """An upright ellipse (or its upper half: hair, shoulders), filled and anti-aliased."""
    cv2.ellipse(img, centre, axes, 0, 180 if upper_half else 0, 360, colour, -1, cv2.LINE_AA)


def _card_photo(
    rng: Rng,
    img: Array,
    *,
    qr_left: bool,
    qx: int,
    tile: int,
    hh: int,
    pad: int,
) -> tuple[int, int]:
    """The holder's photo opposite the QR when it fits; returns the text column (x0, x1)."""
    ch, cw = img.shape[:2]
    pw = int(cw * _uni(rng, 0.2, 0.26))
    ph = int(pw * 4 / 3)
    px = cw - pad - pw if qr_left else pad
    py = min(ch - ph - pad, hh + pad * 2)
    if (
        px + pw <= cw
        and py > 0
        and ((qr_left and px > qx + tile + pad) or ((not qr_left) and px + pw < qx - pad))
    ):
        pb = tuple(int(c) for c in rng.integers(150, 220, 3))
        cv2.rectangle(img, (px, py), (px + pw, py + ph), pb, -1)
        skin = _pick(rng, SKIN)
        clothes = _pick(rng, [(40, 40, 40), (200, 200, 200), (120, 60, 30)])
        _filled_ellipse(
            img,
            (px + pw // 2, py + ph * 9 // 10),
            (pw * 9 // 20, ph // 4),
            clothes,
            upper_half=True,
        )
        _filled_ellipse(img, (px + pw // 2, py + ph * 2 // 5), (pw // 4, ph // 4), skin)
        _filled_ellipse(
            img, (px + pw // 2, py + ph * 2 // 7), (pw // 4, ph // 7), (25, 25, 30), upper_half=True
        )
        tx0 = px + pw + pad if not qr_left else qx + tile + pad
        tx1 = qx - pad if not qr_left else px - pad
    else:
        tx0 = pad if not qr_left else qx + tile + pad
        tx1 = qx - pad if not qr_left else cw - pad
    return tx0, tx1


def _make_card_image(rng: Rng, qrm: Array, m: int, kind: str, *, qfrac: float, qz: int) -> _Card:
    """Flat card image (BGR uint8), plus QR placement.  kind: 'bhyt' | 'cccd'."""
    n = qrm.shape[0]
    qpx = n * m
    cw = round(qpx / qfrac)
    ch = round(cw * 54.0 / 85.6)
    u = cw / 85.6  # px per mm
    qzp = round(qz * m)
    tile = qpx + 2 * qzp
    pad = round(max(2.0 * u, 1))
    img, base, head_col = _card_background(rng, kind, cw, ch, u)
    qr_left = bool(rng.random() < 0.5)
    hh = round(ch * _uni(rng, 0.17, 0.24))
    if kind == "bhyt":
        qy = _bhyt_header(rng, img, head_col, qr_left=qr_left, hh=hh, tile=tile, pad=pad)
    else:
        qy = _cccd_header(rng, img, head_col, base, qr_left=qr_left, hh=hh, tile=tile, pad=pad, u=u)
    qx = pad if qr_left else cw - pad - tile
    qx = max(0, qx)
    # white tile + modules (printed black, slight dot-gain blur later)
    tile_col = tuple(int(c) for c in np.clip(base + 6, 0, 255))
    cv2.rectangle(img, (qx, qy), (qx + tile - 1, qy + tile - 1), tile_col, -1)
    dark = tuple(int(v) for v in rng.integers(15, 45, 3))
    _draw_qr(img, qrm, (qx + qzp, qy + qzp), m, dark=dark, light=tile_col)
    tx0, tx1 = _card_photo(rng, img, qr_left=qr_left, qx=qx, tile=tile, hh=hh, pad=pad)
    if kind == "cccd" and rng.random() < 0.7:
        # gold chip
        cx0 = int(tx0 + _uni(rng, 0.0, 0.2) * max(1, tx1 - tx0))
        cy0 = int(ch * 0.55)
        cwid = int(11 * u)
        cv2.rectangle(img, (cx0, cy0), (cx0 + cwid, cy0 + int(9 * u)), (70, 170, 210), -1)
        cv2.line(
            img,
            (cx0 + cwid // 2, cy0),
            (cx0 + cwid // 2, cy0 + int(9 * u)),
            (50, 120, 160),
            max(1, int(u * 0.3)),
        )
        tx0 = cx0 + cwid + pad
    tcol = _pick(rng, [(20, 20, 20), (90, 40, 10), (40, 40, 110)])
    ty0 = max(hh + pad, qy if kind == "cccd" and qy > hh else hh + pad)
    _text_block(
        img,
        rng,
        (tx0, ty0, tx1, ch - pad),
        tcol,
        max(2, int(2.2 * u * _uni(rng, 0.8, 1.2))),
        words=(2, 5),
    )
    # print softness (dye-sub / inkjet)
    s = 0.08 * m
    if s > 0.25:
        img = cv2.GaussianBlur(img, (0, 0), s)
    corners, finders = _qr_points(qx + qzp, qy + qzp, m, n)
    return _Card(
        img=img,
        w=cw,
        h=ch,
        corners=corners,
        finders=finders,
        qrect=(qx, qy, qx + tile, qy + tile),
        mm_per_px=85.6 / cw,
        qr_left=qr_left,
    )


def _make_card_canvas(rng: Rng, card: _Card, *, fingers: bool = True) -> _Canvas:
    """The card on a transparent margin, with fingers behind it and a thumb over it."""
    cw, ch = card.w, card.h
    mmpp = card.mm_per_px
    mg = round(24 / mmpp)
    ht, wt = ch + 2 * mg, cw + 2 * mg
    can = np.zeros((ht, wt, 4), np.uint8)
    skin = np.array(_pick(rng, SKIN), float) + rng.normal(0, 6, 3)
    fw = 16 / mmpp
    qr = card.qrect
    qr_c = (qr[0] + mg, qr[1] + mg, qr[2] + mg, qr[3] + mg)
    if fingers:
        # fingers behind the card peeking out of one edge
        side = int(rng.integers(0, 4))
        # sides 0 and 1 are the top and bottom edges, 2 and 3 the left and right ones
        across = side in (0, 1)
        near = side in (0, 2)
        along, depth = (cw, ch) if across else (ch, cw)
        for _ in range(int(rng.integers(0, 3))):
            at = mg + _uni(rng, 0.15, 0.85) * along
            inside = mg + (depth * 0.3 if near else depth * 0.7)
            out = mg - _uni(rng, 4, 14) / mmpp if near else mg + depth + _uni(rng, 4, 14) / mmpp
            tip = at + _uni(rng, -8, 8) / mmpp
            base, end = ((at, inside), (tip, out)) if across else ((inside, at), (out, tip))
            _draw_finger(can, base, end, fw * _uni(rng, 0.85, 1.1), skin * 0.92)
    # card with rounded corners
    r = round(3.2 / mmpp)
    mask = np.zeros((ch, cw), np.uint8)
    _rounded_rect(mask, (0, 0, cw, ch), r, 255)
    sub = can[mg : mg + ch, mg : mg + cw]
    a = mask > 127
    np.copyto(sub[..., :3], card.img, where=a[..., None])
    np.copyto(sub[..., 3], np.uint8(255), where=a)
    if fingers and rng.random() < 0.85:
        # thumb over the card, from outside, avoiding QR + quiet zone
        for _ in range(12):
            corner = int(rng.integers(0, 4))
            cxp = mg + (0 if corner in (0, 3) else cw)
            cyp = mg + (0 if corner in (0, 1) else ch)
            ang = math.atan2(mg + ch / 2 - cyp, mg + cw / 2 - cxp) + _uni(rng, -0.5, 0.5)
            length = _uni(rng, 14, 26) / mmpp
            p_out = (cxp - math.cos(ang) * 20 / mmpp, cyp - math.sin(ang) * 20 / mmpp)
            p_in = (cxp + math.cos(ang) * length, cyp + math.sin(ang) * length)
            if _seg_rect_clear(p_out, p_in, fw * 1.2, qr_c, 1.5 / mmpp):
                _draw_finger(can, p_out, p_in, fw * _uni(rng, 1.1, 1.3), skin)
                break
    return _Canvas(
        tex=can,
        emis=None,
        corners=card.corners + mg,
        finders=card.finders + mg,
        mm_per_px=mmpp,
        center=(mg + cw / 2 - 0.5, mg + ch / 2 - 0.5),
        size=(cw, ch),
        origin=(mg, mg),
    )


# ============================================================================ phone texture
APP_COLS = [
    (192, 110, 20), (180, 90, 0), (200, 130, 40), (150, 100, 10), (60, 60, 200), (120, 150, 30),
]  # fmt: skip


def _make_screen(
    rng: Rng,
    size: tuple[int, int],
    qrm: Array,
    k: int,
    *,
    mode: str,
    qz: int,
    qy_frac: float,
) -> tuple[Array, Array, Array]:
    """Screen content (size (ws, hs), BGR uint8) of an app page, QR on an integer pixel grid."""
    ws, hs = size
    n = qrm.shape[0]
    qpx = n * k
    dark = mode != "light"
    page = np.array((255, 255, 255) if not dark else (int(rng.integers(14, 36)),) * 3, float)
    if not dark and rng.random() < 0.4:
        page = np.array(_pick(rng, [(248, 246, 244), (250, 244, 238), (244, 244, 244)]), float)
    img = np.empty((hs, ws, 3), np.uint8)
    img[:] = page.astype(np.uint8)
    app = np.array(_pick(rng, APP_COLS), float)
    if dark:
        app = app * _uni(rng, 0.35, 0.6)
    sb = int(hs * 0.032)
    hb = int(hs * _uni(rng, 0.055, 0.075))
    txt_main = (30, 30, 30) if not dark else (225, 225, 225)
    txt_sub = (110, 110, 110) if not dark else (150, 150, 150)
    if rng.random() < 0.6:
        img[: sb + hb] = app.astype(np.uint8)
        stc = (255, 255, 255)
    else:
        img[sb : sb + hb] = app.astype(np.uint8)
        stc = txt_main
    clock = f"{int(rng.integers(6, 18))}:{int(rng.integers(0, 60)):02d}"
    _put_text_fit(img, clock, (ws * 0.05, sb * 0.75), sb * 0.5, stc)
    cv2.rectangle(
        img, (int(ws * 0.86), int(sb * 0.3)), (int(ws * 0.93), int(sb * 0.7)), stc, max(1, sb // 12)
    )
    battery = int(ws * (0.87 + 0.055 * _uni(rng, 0.2, 1)))
    cv2.rectangle(img, (int(ws * 0.865), int(sb * 0.35)), (battery, int(sb * 0.65)), stc, -1)
    title = _pick(rng, ["THE BHYT", "VssID", "Ma QR", "The BHYT dien tu", "BHXH so", "VNeID"])
    _put_text_fit(
        img, title, (ws * 0.2, sb + hb * 0.65), hb * 0.35, (255, 255, 255), max_w=ws * 0.6
    )
    cv2.arrowedLine(
        img,
        (int(ws * 0.1), int(sb + hb / 2)),
        (int(ws * 0.05), int(sb + hb / 2)),
        (255, 255, 255),
        max(1, hb // 14),
        tipLength=0.6,
    )
    # card panel behind the QR
    qzp = qz * k
    tile = qpx + 2 * qzp
    qx = (ws - tile) // 2 + int(rng.integers(-max(1, ws // 60), max(2, ws // 60)))
    qx = int(np.clip(qx, 0, ws - tile))
    qy = int(sb + hb + qy_frac * hs)
    qy = int(np.clip(qy, sb + hb + 2, hs - tile - 2))
    if rng.random() < 0.6:
        pc = page + (np.array((-12, -6, 0)) if not dark else np.array((14, 14, 14)))
        _rounded_rect(
            img,
            (ws * 0.04, qy - hs * 0.05, ws * 0.96, qy + tile + hs * 0.12),
            ws * 0.04,
            tuple(int(c) for c in np.clip(pc, 0, 255)),
        )
    _put_text_fit(
        img,
        _rand_words(rng, 3).upper(),
        (ws * 0.08, qy - hs * 0.018),
        hs * 0.014,
        txt_main,
        max_w=ws * 0.84,
    )
    if mode == "dark_inv":
        light_mod = tuple(int(v) for v in rng.integers(200, 245, 1).repeat(3))
        bgq = tuple(int(c) for c in img[min(hs - 1, qy + tile // 2), max(0, qx - 1)])
        cv2.rectangle(img, (qx, qy), (qx + tile - 1, qy + tile - 1), bgq, -1)
        # inverted: "dark" modules light, light modules = page
        _draw_qr(img, qrm, (qx + qzp, qy + qzp), k, dark=light_mod, light=bgq)
    else:
        wt = (255, 255, 255)
        rr = int(k * _uni(rng, 0, 1.2)) if qz >= 2 else 0
        _rounded_rect(img, (qx, qy, qx + tile, qy + tile), rr, wt)
        _draw_qr(img, qrm, (qx + qzp, qy + qzp), k, dark=(0, 0, 0), light=wt)
    # text lines & a button below
    y = qy + tile + int(hs * 0.03)
    _text_block(
        img,
        rng,
        (int(ws * 0.08), y, int(ws * 0.92), min(hs - int(hs * 0.12), y + int(hs * 0.18))),
        txt_sub,
        max(2, int(hs * 0.013)),
        words=(2, 5),
    )
    by = int(hs * _uni(rng, 0.82, 0.88))
    _rounded_rect(
        img, (ws * 0.1, by, ws * 0.9, by + hs * 0.05), hs * 0.02, tuple(int(c) for c in app)
    )
    _put_text_fit(
        img,
        _pick(rng, ["LUU ANH", "CHIA SE", "DONG", "XAC NHAN"]),
        (ws * 0.38, by + hs * 0.033),
        hs * 0.014,
        (255, 255, 255),
    )
    corners, finders = _qr_points(qx + qzp, qy + qzp, k, n)
    return img, corners, finders


def _make_photo_screen(
    rng: Rng, size: tuple[int, int], card: _Card, *, c_frac: float, dark_ui: bool
) -> tuple[Array, Array, Array]:
    """Screen of a gallery app showing a photo of a card.  Returns img, QR corners/finders."""
    ws, hs = size
    ph_w = int(ws * c_frac / _uni(rng, 0.72, 0.9))  # photo width on screen
    ph_w = min(ph_w, ws)
    ph_h = int(ph_w * 3 / 4)
    # the photo itself at 1.5x its on-screen size, then resampled
    zoom = 1.5
    pw, phh = int(ph_w * zoom), int(ph_h * zoom)
    table = np.array(
        _pick(rng, [(60, 90, 130), (120, 120, 120), (40, 60, 90), (170, 170, 165)]), np.float32
    )
    photo: Array = (
        table[None, None, :] * _smooth_noise(rng, (phh, pw), max(8, pw // 6), 0.8, 1.15)[..., None]
    )
    photo = np.clip(photo + rng.normal(0, 3, photo.shape).astype(np.float32), 0, 255).astype(
        np.uint8
    )
    cw_target = c_frac * ws * zoom
    sc = cw_target / card.w
    ang = math.radians(_uni(rng, -6, 6))
    ca, sa = math.cos(ang), math.sin(ang)
    cxp, cyp = pw / 2 + _uni(rng, -0.04, 0.04) * pw, phh / 2 + _uni(rng, -0.04, 0.04) * phh
    src = np.array([[0, 0], [card.w, 0], [card.w, card.h], [0, card.h]], np.float32) - 0.5
    pts = []
    persp = _uni(rng, -0.06, 0.06)
    for x, y in src:
        xx, yy = (x - card.w / 2) * sc, (y - card.h / 2) * sc
        xx *= 1 + persp * (yy / (card.h * sc))
        pts.append([cxp + ca * xx - sa * yy, cyp + sa * xx + ca * yy])
    dst = np.array(pts, np.float32)
    hom = cv2.getPerspectiveTransform(src, dst)
    cmask = np.zeros((card.h, card.w), np.uint8)
    _rounded_rect(cmask, (0, 0, card.w, card.h), int(3.2 / card.mm_per_px), 255)
    warped = cv2.warpPerspective(
        card.img, hom, (pw, phh), flags=cv2.INTER_AREA if sc < 1 else cv2.INTER_LINEAR
    )
    wm = (
        cv2.warpPerspective(cmask, hom, (pw, phh), flags=cv2.INTER_LINEAR).astype(np.float32)[
            ..., None
        ]
        / 255
    )
    # photo lighting: slight vignette/gradient
    photo = (photo * (1 - wm) + warped * wm * _uni(rng, 0.85, 1.0)).astype(np.float32)
    photo *= _smooth_noise(rng, (phh, pw), max(8, pw // 3), 0.85, 1.05)[..., None]
    photo = np.clip(photo, 0, 255).astype(np.uint8)
    photo = cv2.GaussianBlur(photo, (0, 0), _uni(rng, 0.4, 1.0) * zoom)
    photo = _jpeg(photo, int(rng.integers(70, 92)))
    photo_s = cv2.resize(photo, (ph_w, ph_h), interpolation=cv2.INTER_AREA)
    img = np.zeros((hs, ws, 3), np.uint8)
    bg = 0 if dark_ui else 250
    img[:] = bg
    ox = (ws - ph_w) // 2
    oy = int((hs - ph_h) * _uni(rng, 0.42, 0.5))
    img[oy : oy + ph_h, ox : ox + ph_w] = photo_s
    ui = (230, 230, 230) if dark_ui else (40, 40, 40)
    date = f"{int(rng.integers(1, 28))} thg {int(rng.integers(1, 13))}"
    _put_text_fit(img, date, (ws * 0.15, hs * 0.07), hs * 0.016, ui)
    for i in range(4):
        cv2.circle(
            img,
            (int(ws * (0.15 + 0.23 * i)), int(hs * 0.94)),
            int(hs * 0.012),
            ui,
            max(1, hs // 400),
            cv2.LINE_AA,
        )

    def on_screen(p: Array) -> Array:
        p = np.asarray(p, np.float64) + 0.5
        q = cv2.perspectiveTransform(p[None].astype(np.float64), hom)[0]
        return np.asarray((q / zoom) + np.array([ox, oy]) - 0.5)

    return img, on_screen(card.corners), on_screen(card.finders)


def _make_phone_canvas(
    rng: Rng, screen: Array, corners: Array, finders: Array, *, fingers: bool = True
) -> _Canvas:
    """The phone (body, screen, camera hole) held in a hand, on a transparent margin."""
    hs, ws = screen.shape[:2]
    bs = round(ws * _uni(rng, 0.025, 0.055))
    bt = round(ws * _uni(rng, 0.04, 0.16))
    bw, bh = ws + 2 * bs, hs + 2 * bt
    mmpp = _uni(rng, 68, 77) / bw
    mg = round(26 / mmpp)
    ht, wt = bh + 2 * mg, bw + 2 * mg
    can = np.zeros((ht, wt, 4), np.uint8)
    emis = np.zeros((ht, wt), np.uint8)
    skin = np.array(_pick(rng, SKIN), float) + rng.normal(0, 6, 3)
    fw = 16 / mmpp
    sx0, sy0 = mg + bs, mg + bt
    qr_c = (
        corners[:, 0].min() + sx0,
        corners[:, 1].min() + sy0,
        corners[:, 0].max() + sx0,
        corners[:, 1].max() + sy0,
    )
    body = tuple(
        int(v)
        for v in _pick(
            rng, [(20, 20, 22), (35, 35, 38), (180, 180, 185), (60, 50, 45), (110, 80, 60)]
        )
    )
    # fingers wrapped behind, on one side
    side = int(rng.integers(0, 2))
    if fingers:
        nf = int(rng.integers(2, 5))
        y0 = mg + bh * _uni(rng, 0.45, 0.65)
        for i in range(nf):
            y = y0 + i * fw * 1.05
            if y > mg + bh - fw * 0.3:
                break
            xe = mg - _uni(rng, 3, 10) / mmpp if side == 0 else mg + bw + _uni(rng, 3, 10) / mmpp
            xi = mg + bw * 0.3 if side == 0 else mg + bw * 0.7
            _draw_finger(
                can,
                (xi, y),
                (xe, y - _uni(rng, 0, 6) / mmpp),
                fw * _uni(rng, 0.85, 1.05),
                skin * 0.9,
            )
    r = round(8.5 / mmpp)
    mask = np.zeros((bh, bw), np.uint8)
    _rounded_rect(mask, (0, 0, bw, bh), r, 255)
    cv2.copyTo(np.full((bh, bw, 4), (*body, 255), np.uint8), mask, can[mg : mg + bh, mg : mg + bw])
    smask = np.zeros((hs, ws), np.uint8)
    _rounded_rect(smask, (0, 0, ws, hs), round((5.0 if bt < ws * 0.07 else 0.5) / mmpp), 255)
    cv2.copyTo(cv2.cvtColor(screen, cv2.COLOR_BGR2BGRA), smask, can[sy0 : sy0 + hs, sx0 : sx0 + ws])
    emis[sy0 : sy0 + hs, sx0 : sx0 + ws] = smask
    # front camera dot / speaker slit
    if bt > ws * 0.07:
        cv2.rectangle(
            can,
            (int(mg + bw * 0.4), int(mg + bt * 0.45)),
            (int(mg + bw * 0.6), int(mg + bt * 0.55)),
            (10, 10, 10, 255),
            -1,
        )
    else:
        hole = (int(sx0 + ws / 2), int(sy0 + hs * 0.018))
        cv2.circle(can, hole, max(2, int(ws * 0.018)), (5, 5, 5, 255), -1)
        cv2.circle(emis, hole, max(2, int(ws * 0.018)), 0, -1)
    if fingers and rng.random() < 0.7:
        # thumb on the other side, over the bezel/screen edge but clear of the QR
        for _ in range(10):
            y = mg + bh * _uni(rng, 0.5, 0.9)
            if side == 0:
                p_out = (mg + bw + 18 / mmpp, y + _uni(rng, 5, 15) / mmpp)
                p_in = (mg + bw - _uni(rng, 3, 12) / mmpp, y)
            else:
                p_out = (mg - 18 / mmpp, y + _uni(rng, 5, 15) / mmpp)
                p_in = (mg + _uni(rng, 3, 12) / mmpp, y)
            if _seg_rect_clear(p_out, p_in, fw * 1.25, qr_c, 2 / mmpp):
                _draw_finger(can, p_out, p_in, fw * _uni(rng, 1.15, 1.3), skin)
                fm = np.zeros((ht, wt, 4), np.uint8)
                _draw_finger(fm, p_out, p_in, fw * 1.3, (255, 255, 255))
                emis[fm[..., 3] > 0] = 0
                break
    off = np.array([sx0, sy0], float)
    return _Canvas(
        tex=can,
        emis=emis,
        corners=corners + off,
        finders=finders + off,
        mm_per_px=mmpp,
        center=(mg + bw / 2 - 0.5, mg + bh / 2 - 0.5),
        size=(bw, bh),
        origin=(mg, mg),
        screen_rect=(sx0, sy0, ws, hs),
    )


# ============================================================================ geometry
def _rodrigues(v: Array) -> Array:
    rot, _ = cv2.Rodrigues(np.asarray(v, np.float64).reshape(3, 1))
    return np.asarray(rot)


def _rot_z(a: float) -> Array:
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1.0]])


class _Cam:
    """Pinhole camera at the frame centre with one radial distortion term."""

    def __init__(self, f: float, k1: float) -> None:
        self.f, self.k1 = f, k1
        self.matrix = np.array([[f, 0, CX], [0, f, CY], [0, 0, 1.0]])

    def distort(self, x: Array, y: Array) -> tuple[Array, Array]:
        xn, yn = (x - CX) / self.f, (y - CY) / self.f
        s = 1 + self.k1 * (xn * xn + yn * yn)
        return CX + xn * s * self.f, CY + yn * s * self.f

    def undistort(self, x: Array, y: Array) -> tuple[Array, Array]:
        xd, yd = (x - CX) / self.f, (y - CY) / self.f
        xu, yu = xd, yd
        for _ in range(4):
            s = 1 + self.k1 * (xu * xu + yu * yu)
            xu, yu = xd / s, yd / s
        return CX + xu * self.f, CY + yu * self.f


def _plane_h(cam: _Cam, rot: Array, trans: Array, mmpp: float, qc: Array) -> Array:
    r1, r2 = rot[:, 0], rot[:, 1]
    t = trans - mmpp * (r1 * qc[0] + r2 * qc[1])
    m = np.column_stack([r1 * mmpp, r2 * mmpp, t])
    hom = cam.matrix @ m
    return np.asarray(hom / hom[2, 2])


def _apply_h(hom: Array, x: Array, y: Array) -> tuple[Array, Array]:
    h = [float(v) for v in hom.ravel()]
    den = h[6] * x + h[7] * y + h[8]
    return (h[0] * x + h[1] * y + h[2]) / den, (h[3] * x + h[4] * y + h[5]) / den


class _Surface(Protocol):
    def depth(self, pts: Array) -> Array: ...

    def fwd(self, pts: Array) -> Array: ...

    def inv(self, xu: Array, yu: Array) -> tuple[Array, Array, Array | None]: ...


class _FlatSurf:
    """A flat object: texture (px) -> camera through a homography."""

    def __init__(self, cam: _Cam, rot: Array, trans: Array, mmpp: float, qc: Array) -> None:
        self.cam, self.rot, self.trans, self.mmpp, self.qc = cam, rot, trans, mmpp, qc
        self.hom = _plane_h(cam, rot, trans, mmpp, qc)
        self.hom_inv = np.linalg.inv(self.hom)

    def depth(self, pts: Array) -> Array:
        p = np.column_stack(
            [
                (pts[:, 0] - self.qc[0]) * self.mmpp,
                (pts[:, 1] - self.qc[1]) * self.mmpp,
                np.zeros(len(pts)),
            ]
        )
        return np.asarray((p @ self.rot.T + self.trans)[:, 2])

    def fwd(self, pts: Array) -> Array:
        x, y = _apply_h(self.hom, pts[:, 0], pts[:, 1])
        return np.column_stack([x, y])

    def inv(self, xu: Array, yu: Array) -> tuple[Array, Array, Array | None]:
        tx, ty = _apply_h(self.hom_inv, xu, yu)
        return tx, ty, None


class _CylSurf:
    """Card bent as a cylinder: generator axis in the card plane (direction a), curved along e."""

    def __init__(
        self,
        cam: _Cam,
        rot: Array,
        trans: Array,
        mmpp: float,
        qc: Array,
        *,
        c_tex: tuple[float, float],
        e: float,
        s: float,
        kappa: float,
        shade_g: float,
    ) -> None:
        self.cam, self.rot, self.trans, self.mmpp, self.qc = cam, rot, trans, mmpp, qc
        self.c = ((c_tex[0] - qc[0]) * mmpp, (c_tex[1] - qc[1]) * mmpp)
        self.e = (math.cos(e), math.sin(e))
        self.a = (-self.e[1], self.e[0])
        self.s, self.k, self.g = s, kappa, shade_g

    def local3d(self, pts: Array) -> Array:
        x = (pts[:, 0] - self.qc[0]) * self.mmpp - self.c[0]
        y = (pts[:, 1] - self.qc[1]) * self.mmpp - self.c[1]
        xi = x * self.e[0] + y * self.e[1]
        eta = x * self.a[0] + y * self.a[1]
        k = self.k
        px = np.sin(k * xi) / k
        pz = self.s * (1 - np.cos(k * xi)) / k
        xb = self.c[0] + self.e[0] * px + self.a[0] * eta
        yb = self.c[1] + self.e[1] * px + self.a[1] * eta
        return np.column_stack([xb, yb, pz])

    def depth(self, pts: Array) -> Array:
        return np.asarray((self.local3d(pts) @ self.rot.T + self.trans)[:, 2])

    def fwd(self, pts: Array) -> Array:
        pc = self.local3d(pts) @ self.rot.T + self.trans
        return np.column_stack(
            [self.cam.f * pc[:, 0] / pc[:, 2] + CX, self.cam.f * pc[:, 1] / pc[:, 2] + CY]
        )

    def inv(self, xu: Array, yu: Array) -> tuple[Array, Array, Array | None]:
        rot, trans = self.rot, self.trans
        dxc = (xu - CX) / self.cam.f
        dyc = (yu - CY) / self.cam.f
        o = -rot.T @ trans
        d0 = rot[0, 0] * dxc + rot[1, 0] * dyc + rot[2, 0]
        d1 = rot[0, 1] * dxc + rot[1, 1] * dyc + rot[2, 1]
        d2 = rot[0, 2] * dxc + rot[1, 2] * dyc + rot[2, 2]
        ox, oy, oz = o[0] - self.c[0], o[1] - self.c[1], o[2]
        e, a = self.e, self.a
        xo = ox * e[0] + oy * e[1]
        eo = ox * a[0] + oy * a[1]
        xd = d0 * e[0] + d1 * e[1]
        ed = d0 * a[0] + d1 * a[1]
        rho = 1.0 / self.k
        zc = self.s * rho
        # ray-cylinder intersection: qa t^2 + qb t + qc0 = 0
        qa = xd * xd + d2 * d2
        qb = 2 * (xo * xd + (oz - zc) * d2)
        qc0 = xo * xo + (oz - zc) ** 2 - rho * rho
        disc = qb * qb - 4 * qa * qc0
        sq = np.sqrt(np.maximum(disc, 0))
        best_t = np.full(xu.shape, np.inf, np.float64)
        best_phi = np.zeros(xu.shape, np.float64)
        for sgn in (-1, 1):
            t = (-qb + sgn * sq) / (2 * qa)
            xi = xo + t * xd
            z = oz + t * d2
            phi = np.arctan2(self.k * xi, 1 - self.s * self.k * z)
            ok = (disc >= 0) & (t > 0) & (np.abs(phi) < 1.5) & (t < best_t)
            best_t = np.where(ok, t, best_t)
            best_phi = np.where(ok, phi, best_phi)
        valid = np.isfinite(best_t)
        t = np.where(valid, best_t, 0)
        eta = eo + t * ed
        xf = best_phi / self.k
        xw = self.c[0] + e[0] * xf + a[0] * eta
        yw = self.c[1] + e[1] * xf + a[1] * eta
        tx = np.where(valid, xw / self.mmpp + self.qc[0], -1e5)
        ty = np.where(valid, yw / self.mmpp + self.qc[1], -1e5)
        shade = (1 + self.g * np.sin(best_phi)).astype(np.float32)
        return tx, ty, shade


class _CreaseSurf:
    """Card folded along a line (tex point F, unit dir d): side B turned by alpha about the fold."""

    def __init__(
        self,
        cam: _Cam,
        rot: Array,
        trans: Array,
        mmpp: float,
        qc: Array,
        *,
        fold_point: Array,
        fold_dir: Array,
        alpha: float,
        shade_b: float,
        line_w: float,
        line_f: float,
    ) -> None:
        self.cam, self.mmpp, self.qc = cam, mmpp, qc
        self.fold = np.asarray(fold_point, float)
        self.d = np.asarray(fold_dir, float)
        d = fold_dir
        self.side_a = _FlatSurf(cam, rot, trans, mmpp, qc)
        p0 = np.array([(fold_point[0] - qc[0]) * mmpp, (fold_point[1] - qc[1]) * mmpp, 0.0])
        rf = _rodrigues(np.array([d[0], d[1], 0.0]) * alpha)
        rot_b = rot @ rf
        trans_b = trans + rot @ (p0 - rf @ p0)
        self.side_b = _FlatSurf(cam, rot_b, trans_b, mmpp, qc)
        self.shade_b, self.lw, self.lf = shade_b, line_w, line_f
        # which side is nearer the camera where they overlap
        probe = self.fold + np.array([d[1], -d[0]]) * 50  # a point on side B (side < 0)
        self.b_front = bool(self.side_b.depth(probe[None])[0] < self.side_a.depth(probe[None])[0])

    def side(self, x: Array, y: Array) -> Array:
        return np.asarray((x - self.fold[0]) * self.d[1] - (y - self.fold[1]) * self.d[0])

    def depth(self, pts: Array) -> Array:
        s = self.side(pts[:, 0], pts[:, 1])
        return np.where(s >= 0, self.side_a.depth(pts), self.side_b.depth(pts))

    def fwd(self, pts: Array) -> Array:
        s = self.side(pts[:, 0], pts[:, 1])
        return np.where((s >= 0)[:, None], self.side_a.fwd(pts), self.side_b.fwd(pts))

    def inv(self, xu: Array, yu: Array) -> tuple[Array, Array, Array | None]:
        ax, ay, _ = self.side_a.inv(xu, yu)
        bx, by, _ = self.side_b.inv(xu, yu)
        sa = self.side(ax, ay) >= 0
        sb = self.side(bx, by) < 0
        use_b = (~sa & sb) | (sa & sb & self.b_front)
        tx = np.where(use_b, bx, ax)
        ty = np.where(use_b, by, ay)
        dist = np.abs(self.side(tx, ty))
        line = 1 + (self.lf - 1) * np.clip(1.5 - dist / self.lw, 0, 1)
        shade = (np.where(use_b, self.shade_b, 1.0) * line).astype(np.float32)
        return tx, ty, shade


def _sample_pose(
    rng: Rng,
    cam: _Cam,
    code_px: float,
    wqr_mm: float,
    *,
    tilt_rng: tuple[float, float],
    roll_rng: tuple[float, float],
) -> tuple[Array, Array, dict[str, float]]:
    """A random pose putting a code of code_px px somewhere in the frame."""
    tilt = math.radians(_uni(rng, *tilt_rng))
    roll = math.radians(_uni(rng, *roll_rng))
    phi = _uni(rng, 0, 2 * math.pi)
    rot = _rot_z(roll) @ _rodrigues(np.array([math.cos(phi), math.sin(phi), 0]) * tilt)
    z0 = cam.f * wqr_mm / code_px
    mx, my = 0.72 * code_px + 12, 0.72 * code_px + 12
    px = _uni(rng, mx, W - mx) if W - 2 * mx > 0 else W / 2
    py = _uni(rng, my, H - my) if H - 2 * my > 0 else H / 2
    trans = z0 * np.array([(px - CX) / cam.f, (py - CY) / cam.f, 1.0])
    pose = {
        "tilt": math.degrees(tilt),
        "roll": math.degrees(roll),
        "axis": math.degrees(phi),
        "Z": z0,
    }
    return rot, trans, pose


def _frame_points(cam: _Cam, surf: _Surface, pts: Array) -> Array:
    p = surf.fwd(np.asarray(pts, float))
    x, y = cam.distort(p[:, 0], p[:, 1])
    return np.column_stack([x, y])


def _qr_bow(cam: _Cam, surf: _Surface, corners: Array) -> float:
    """Max deviation of the projected QR edges from their chords, relative to mean edge length."""
    devs, lens = [], []
    for i in range(4):
        a, b = corners[i], corners[(i + 1) % 4]
        t = np.linspace(0, 1, 25)[:, None]
        p = _frame_points(cam, surf, a + (b - a) * t)
        c0, c1 = p[0], p[-1]
        length = np.linalg.norm(c1 - c0) + 1e-9
        n = np.array([-(c1 - c0)[1], (c1 - c0)[0]]) / length
        devs.append(np.abs((p - c0) @ n).max())
        lens.append(length)
    return float(max(devs) / np.mean(lens))


# ============================================================================ kernels
def _disc_kernel(r: float) -> Array:
    r = max(r, 0.3)
    s = 8
    rad = math.ceil(r) + 1
    n = 2 * rad + 1
    g = (np.arange(n * s) + 0.5) / s - n / 2
    xg, yg = np.meshgrid(g, g)
    m = ((xg * xg + yg * yg) <= r * r).astype(np.float32)
    k = cv2.resize(m, (n, n), interpolation=cv2.INTER_AREA)
    return np.asarray(k / k.sum())


def _trajectory(rng: Rng) -> Array:
    """Random smooth camera/hand trajectory (4-point cubic Bezier) with non-uniform speed."""
    ang = _uni(rng, 0, 2 * math.pi)
    pts = [np.zeros(2)]
    for _ in range(3):
        ang += rng.normal(0, 0.8)
        pts.append(pts[-1] + _uni(rng, 0.4, 1.4) * np.array([math.cos(ang), math.sin(ang)]))
    ctrl = np.array(pts)
    t = np.linspace(0, 1, 600)
    p = _uni(rng, 0.45, 2.2)  # accelerating / decelerating
    tau = t**p if rng.random() < 0.5 else 1 - (1 - t) ** p
    if rng.random() < 0.3:  # jerk: a short pause somewhere in the exposure
        c = _uni(rng, 0.2, 0.8)
        tau = np.where(tau < c, tau, c + (tau - c) * _uni(rng, 0.3, 1.0))
    return np.asarray(
        ((1 - tau) ** 3)[:, None] * ctrl[0]
        + (3 * (1 - tau) ** 2 * tau)[:, None] * ctrl[1]
        + (3 * (1 - tau) * tau**2)[:, None] * ctrl[2]
        + (tau**3)[:, None] * ctrl[3]
    )


def _traj_kernel(path: Array, length: float) -> Array:
    seg = np.linalg.norm(np.diff(path, axis=0), axis=1).sum()
    pts = (path - path.mean(0)) * (length / max(seg, 1e-6))
    rad = math.ceil(np.abs(pts).max()) + 2
    n = 2 * rad + 1
    k = np.zeros((n, n), np.float32)
    x = pts[:, 0] + rad
    y = pts[:, 1] + rad
    x0 = np.floor(x).astype(int)
    y0 = np.floor(y).astype(int)
    fx, fy = x - x0, y - y0
    for dx, dy, w in (
        (0, 0, (1 - fx) * (1 - fy)),
        (1, 0, fx * (1 - fy)),
        (0, 1, (1 - fx) * fy),
        (1, 1, fx * fy),
    ):
        np.add.at(k, (y0 + dy, x0 + dx), w.astype(np.float32))
    return np.asarray(k / k.sum())


# ============================================================================ background
WALLS = [
    (215, 222, 225), (200, 215, 220), (190, 210, 200), (225, 225, 215), (205, 200, 195),
    (230, 230, 230), (180, 200, 215),
]  # fmt: skip
FURN = [
    (150, 90, 30), (130, 130, 130), (60, 140, 200), (90, 90, 90), (40, 100, 180), (60, 60, 160),
    (170, 150, 110), (80, 120, 60),
]  # fmt: skip

SHIRTS = [
    (200, 200, 200), (150, 60, 30), (40, 40, 40), (60, 60, 160), (210, 180, 150), (90, 140, 80),
    (220, 220, 240), (120, 80, 150),
]  # fmt: skip


def _draw_shirt(rng: Rng, h: int, w: int) -> Array:
    kind = int(rng.integers(0, 4))
    c1 = np.array(_pick(rng, SHIRTS), np.float32)
    c2 = np.array(
        _pick(rng, [(250, 250, 250), (30, 30, 30), (40, 40, 170), (160, 110, 40), (90, 160, 220)]),
        np.float32,
    )
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ang = _uni(rng, -0.3, 0.3)
    u = xx * math.cos(ang) + yy * math.sin(ang)
    v = -xx * math.sin(ang) + yy * math.cos(ang)
    if kind == 0:  # plaid
        p1, p2 = _uni(rng, 10, 45), _uni(rng, 10, 45)
        m = 0.5 * (
            (np.sin(2 * np.pi * u / p1) > _uni(rng, -0.3, 0.5)).astype(np.float32)
            + (np.sin(2 * np.pi * v / p2) > _uni(rng, -0.3, 0.5)).astype(np.float32)
        )
    elif kind == 1:  # stripes
        p = _uni(rng, 5, 22)
        m = (np.sin(2 * np.pi * v / p) > _uni(rng, -0.5, 0.5)).astype(np.float32)
    elif kind == 2:  # small print
        m = (rng.random((h // 6 + 1, w // 6 + 1)) < 0.15).astype(np.float32)
        m = cv2.resize(m, (w, h), interpolation=cv2.INTER_NEAREST)
    else:  # plain
        m = np.zeros((h, w), np.float32)
    img = c1[None, None] * (1 - m[..., None]) + c2[None, None] * m[..., None]
    folds = _smooth_noise(rng, (h, w), int(rng.integers(90, 220)), 0.8, 1.05)
    return np.asarray(np.clip(img * folds[..., None], 0, 255).astype(np.uint8))


def _lobby_room(rng: Rng, img: Array, hdr: Array) -> int:
    """Wall, floor with tile seams, ceiling light panels (in place); returns the horizon row."""
    wall = np.array(_pick(rng, WALLS), np.float32) + rng.normal(0, 8, 3)
    hz = int(H * _uni(rng, 0.5, 0.85))
    yy = np.linspace(0, 1, H, dtype=np.float32)[:, None, None]
    xx = np.linspace(0, 1, W, dtype=np.float32)[None, :, None]
    g = wall * (1 + _uni(rng, -0.2, 0.1) * yy + _uni(rng, -0.15, 0.15) * xx)
    img[:] = np.clip(g, 0, 255).astype(np.uint8)
    floor = np.array(
        _pick(rng, [(150, 160, 165), (120, 130, 140), (180, 180, 175), (100, 110, 120)]),
        np.float32,
    )
    img[hz:] = np.clip(floor[None, None] * (0.85 + 0.2 * yy[hz:]), 0, 255).astype(np.uint8)
    for _ in range(int(rng.integers(3, 9))):  # floor tiles seams (perspective lines)
        x = int(_uni(rng, -W, 2 * W))
        cv2.line(
            img,
            (W // 2 + (x - W // 2) // 6, hz),
            (x, H),
            tuple(int(c * 0.8) for c in floor),
            1,
            cv2.LINE_AA,
        )
    if hz > 0:
        cv2.line(img, (0, hz), (W, hz), tuple(int(c * 0.7) for c in wall), int(rng.integers(2, 8)))
    # ceiling light panels (HDR)
    if rng.random() < 0.6:
        for _ in range(int(rng.integers(1, 4))):
            x0 = int(_uni(rng, 0, W - 200))
            w_ = int(_uni(rng, 100, 300))
            h_ = int(_uni(rng, 10, 40))
            y0 = int(_uni(rng, 0, 60))
            cv2.rectangle(img, (x0, y0), (x0 + w_, y0 + h_), (250, 250, 250), -1)
            hdr[y0 : y0 + h_, x0 : x0 + w_] = _uni(rng, 3, 8)
    return hz


def _window(rng: Rng, img: Array, hdr: Array) -> tuple[Array, Array, Array]:
    """A bright window with mullions (in place): returns (window mask, hdr, img as drawn)."""
    side = int(rng.integers(0, 3))
    if side == 0:
        x0, x1 = 0, int(W * _uni(rng, 0.45, 0.75))
    elif side == 1:
        x0, x1 = int(W * _uni(rng, 0.25, 0.55)), W
    else:
        x0, x1 = int(W * _uni(rng, 0.0, 0.2)), int(W * _uni(rng, 0.8, 1.0))
    y0, y1 = 0, int(H * _uni(rng, 0.55, 0.9))
    sky = np.array(_pick(rng, [(250, 240, 225), (245, 245, 245), (255, 235, 200)]), np.float32)
    ww = x1 - x0
    hh = y1 - y0
    ext = (
        sky[None, None]
        * (1 - 0.15 * np.linspace(0, 1, hh, dtype=np.float32)[:, None, None])
        * np.ones((1, ww, 1), np.float32)
    )
    for _ in range(int(rng.integers(2, 6))):  # buildings/trees outside (much dimmer)
        bx = int(_uni(rng, 0, ww))
        bw_ = int(_uni(rng, 60, 250))
        by = int(hh * _uni(rng, 0.3, 0.8))
        ext[by:, bx : bx + bw_] *= _uni(rng, 0.25, 0.6)
    img[y0:y1, x0:x1] = np.clip(ext, 0, 255).astype(np.uint8)
    win = np.zeros((H, W), np.float32)
    win[y0:y1, x0:x1] = 1
    # mullions
    mc = tuple(int(c) for c in rng.integers(30, 90, 3))
    mt = int(rng.integers(8, 24))
    for _ in range(int(rng.integers(1, 4))):
        x = int(_uni(rng, x0, x1))
        cv2.rectangle(img, (x - mt // 2, y0), (x + mt // 2, y1), mc, -1)
        win[y0:y1, max(0, x - mt // 2) : x + mt // 2 + 1] = 0
    cv2.rectangle(img, (x0, y1 - mt), (x1, y1), mc, -1)
    win[max(0, y1 - mt) : y1 + 1, x0:x1] = 0
    hdr = np.where(win > 0, _uni(rng, 7, 25), hdr).astype(np.float32)
    return win, hdr, img.copy()


def _furniture(rng: Rng, img: Array, hz: int) -> None:
    """Chair rows, counters, pillars, plants (in place)."""
    for _ in range(int(rng.integers(2, 7))):
        col = np.array(_pick(rng, FURN), np.float32) * _uni(rng, 0.7, 1.1)
        x0 = int(_uni(rng, -100, W))
        y0 = int(_uni(rng, hz - 200, hz + 60))
        w_ = int(_uni(rng, 80, 500))
        h_ = int(_uni(rng, 50, 220))
        cv2.rectangle(img, (x0, y0), (x0 + w_, y0 + h_), tuple(int(c) for c in col), -1)
        if rng.random() < 0.6:  # chair row: seat backs
            n = int(rng.integers(2, 7))
            for j in range(n):
                cx = x0 + int((j + 0.5) * w_ / n)
                cv2.rectangle(
                    img,
                    (cx - w_ // (3 * n), y0 - h_ // 2),
                    (cx + w_ // (3 * n), y0),
                    tuple(int(c * 0.85) for c in col),
                    -1,
                )
        cv2.line(img, (x0, y0 + h_), (x0 + w_, y0 + h_), (30, 30, 30), 3)


def _posters(rng: Rng, img: Array, hdr: Array, hz: int) -> None:
    """Posters and signs with text-like noise, some of them lit (in place)."""
    for _ in range(int(rng.integers(1, 5))):
        x0 = int(_uni(rng, 0, W - 150))
        y0 = int(_uni(rng, 20, max(30, hz - 150)))
        w_ = int(_uni(rng, 120, 380))
        h_ = int(_uni(rng, 80, 260))
        dark_sign = rng.random() < 0.3
        bgc = (30, 30, 30) if dark_sign else tuple(int(c) for c in rng.integers(200, 255, 3))
        cv2.rectangle(img, (x0, y0), (x0 + w_, y0 + h_), bgc, -1)
        if rng.random() < 0.6:
            cv2.rectangle(
                img,
                (x0, y0),
                (x0 + w_, y0 + h_ // 5),
                tuple(int(c) for c in rng.integers(20, 200, 3)),
                -1,
            )
        tc = (60, 230, 250) if dark_sign else tuple(int(c) for c in rng.integers(0, 90, 3))
        _text_block(
            img,
            rng,
            (x0 + 8, y0 + h_ // 5 + 4, x0 + w_ - 8, y0 + h_ - 6),
            tc,
            int(_uni(rng, 6, 16)),
        )
        if dark_sign:
            hdr[max(0, y0) : y0 + h_, max(0, x0) : x0 + w_] = _uni(rng, 1.0, 2.5)


def _patient(rng: Rng, img: Array, hdr: Array, obj_xy: Array) -> None:
    """The patient: torso with shirt texture behind the object, head above (in place)."""
    ox, oy = obj_xy
    tw = int(_uni(rng, 500, 950))
    tcx = int(ox + _uni(rng, -180, 180))
    ttop = int(oy + _uni(rng, -250, 120))
    x0, x1 = max(0, tcx - tw // 2), min(W, tcx + tw // 2)
    y0 = max(0, ttop)
    pmask = np.zeros((H, W), np.uint8)
    if not (x1 > x0 and y0 < H):
        return
    _filled_ellipse(pmask, (tcx, ttop + tw // 5), (tw // 2, tw // 5), 255, upper_half=True)
    cv2.rectangle(pmask, (tcx - tw // 2, ttop + tw // 5), (tcx + tw // 2, H), 255, -1)
    py0 = max(0, min(H - 1, ttop))
    px0, px1 = max(0, tcx - tw // 2), min(W, tcx + tw // 2 + 1)
    shirt = _draw_shirt(rng, H - py0, px1 - px0)
    m = pmask[py0:, px0:px1] > 127
    np.copyto(img[py0:, px0:px1], shirt, where=m[..., None])
    m = pmask > 127
    hdr[m] = 1.0
    hr = int(tw * _uni(rng, 0.17, 0.22))
    hc = (int(tcx + _uni(rng, -30, 30)), int(ttop - hr * 0.9))
    if hc[1] + hr > 0:
        skin = _pick(rng, SKIN)
        hm = np.zeros((H, W), np.uint8)
        cv2.rectangle(hm, (hc[0] - hr // 3, hc[1]), (hc[0] + hr // 3, ttop + 10), 255, -1)
        _filled_ellipse(hm, hc, (int(hr * 0.8), hr), 255)
        img[hm > 127] = skin
        _filled_ellipse(
            img,
            (hc[0], hc[1] - hr // 4),
            (int(hr * 0.85), int(hr * 0.8)),
            (20, 20, 25),
            upper_half=True,
        )
        hdr[hm > 127] = 1.0


def _make_background(rng: Rng, obj_xy: Array, *, backlit: bool) -> tuple[Array, Array | None]:
    """Lobby background.  Returns linear float32 HxWx3 radiance, plus window mask (or None)."""
    img = np.empty((H, W, 3), np.uint8)
    hdr = np.ones((H, W), np.float32)
    hz = _lobby_room(rng, img, hdr)
    win = img_win = None
    if backlit:
        win, hdr, img_win = _window(rng, img, hdr)
    _furniture(rng, img, hz)
    _posters(rng, img, hdr, hz)
    _patient(rng, img, hdr, obj_xy)
    if win is not None:  # whatever was drawn in front of the window is not window
        same = (img == img_win).all(axis=2)
        win *= same
        hdr = np.where(same | (win > 0), hdr, np.where(hdr > 2.6, 1.0, hdr)).astype(np.float32)
    lin: Array = cv2.LUT(img, LUT8)
    illum = _smooth_noise(rng, (H, W), int(rng.integers(250, 500)), 0.8, 1.1)
    lin *= (illum * hdr)[..., None]
    return lin, win


# ============================================================================ object render
def _object_bbox(
    cam: _Cam, surf: _Surface, tex_shape: tuple[int, ...], pad: int
) -> tuple[int, int, int, int]:
    h, w = tex_shape[:2]
    t = np.linspace(0, 1, 40)
    e = (
        np.concatenate(
            [
                np.column_stack([t * w, 0 * t]),
                np.column_stack([t * w, 0 * t + h]),
                np.column_stack([0 * t, t * h]),
                np.column_stack([0 * t + w, t * h]),
            ]
        )
        - 0.5
    )
    p = _frame_points(cam, surf, e)
    p = p[np.isfinite(p).all(1)]
    x0 = int(max(0, math.floor(p[:, 0].min()) - pad))
    y0 = int(max(0, math.floor(p[:, 1].min()) - pad))
    x1 = int(min(W, math.ceil(p[:, 0].max()) + pad + 1))
    y1 = int(min(H, math.ceil(p[:, 1].max()) + pad + 1))
    return x0, y0, x1, y1


def _box_periodic(u: Array, w: Array, a: float, b: float) -> Array:
    """Mean over [u-w/2, u+w/2] of the 1-periodic indicator of [a, b)."""

    def cumulative(x: Array) -> Array:
        fl = np.floor(x)
        return np.asarray(fl * (b - a) + np.clip(x - fl - a, 0, b - a))

    return (cumulative(u + w / 2) - cumulative(u - w / 2)) / w


def _coarse_maps(
    cam: _Cam,
    surf: _Surface,
    light: Light,
    *,
    origin: tuple[int, int],
    size: tuple[int, int],
    ss: int,
    step: int = 8,
) -> dict[str, Array]:
    """Evaluate the smooth frame->texture mapping on a coarse grid and upsample (bilinear).

    origin is the bbox's top left in the frame, size its (w, h) at ss x supersampling.
    Returns dict of full-resolution (h, w) float32 maps."""
    x0, y0 = origin
    wss, hss = size
    cw = -(-wss // step) + 2
    ch = -(-hss // step) + 2
    jx = step * (np.arange(cw, dtype=np.float64) - 1) + (step - 1) / 2.0
    jy = step * (np.arange(ch, dtype=np.float64) - 1) + (step - 1) / 2.0
    xs, ys = np.meshgrid(x0 - 0.5 + (jx + 0.5) / ss, y0 - 0.5 + (jy + 0.5) / ss)
    xu, yu = cam.undistort(xs, ys)
    out = {"light": light(xs, ys)}
    if isinstance(surf, _CreaseSurf):
        out["ax"], out["ay"], _ = surf.side_a.inv(xu, yu)
        out["bx"], out["by"], _ = surf.side_b.inv(xu, yu)
    else:
        out["tx"], out["ty"], sh = surf.inv(xu, yu)
        if sh is not None:
            out["shade"] = sh
    res = {}
    for k, v in out.items():
        # difference maps for footprints (per ss pixel) are derived from the coarse grid too
        big = cv2.resize(
            np.ascontiguousarray(v, dtype=np.float32),
            (cw * step, ch * step),
            interpolation=cv2.INTER_LINEAR,
        )
        res[k] = big[step : step + hss, step : step + wss]
        if k in ("tx", "ty", "ax", "ay", "bx", "by"):
            gxv = np.abs(np.diff(v, axis=1)) / step
            gyv = np.abs(np.diff(v, axis=0)) / step
            fp = np.zeros_like(v)
            fp[:, :-1] += gxv
            fp[:, -1] += gxv[:, -1]
            fp[:-1, :] += gyv
            fp[-1, :] += gyv[-1, :]
            fp_big = cv2.resize(
                fp.astype(np.float32), (cw * step, ch * step), interpolation=cv2.INTER_LINEAR
            )
            res[k + "_fp"] = fp_big[step : step + hss, step : step + wss]
    if isinstance(surf, _CreaseSurf):
        ax, ay, bx, by = res["ax"], res["ay"], res["bx"], res["by"]
        sa = surf.side(ax, ay) >= 0
        sb = surf.side(bx, by) < 0
        use_b = (~sa & sb) | (sa & sb & surf.b_front)
        res["tx"] = np.where(use_b, bx, ax)
        res["ty"] = np.where(use_b, by, ay)
        res["tx_fp"] = np.where(use_b, res["bx_fp"], res["ax_fp"])
        res["ty_fp"] = np.where(use_b, res["by_fp"], res["ay_fp"])
        dist = np.abs(surf.side(res["tx"], res["ty"]))
        line = 1 + (surf.lf - 1) * np.clip(1.5 - dist / surf.lw, 0, 1)
        res["shade"] = (np.where(use_b, surf.shade_b, 1.0) * line).astype(np.float32)
    return res


def _stripe_lookup(
    u: Array,
    w: Array,
    a: float,
    b: float,
    *,
    nphase: int = 128,
    nw: int = 64,
    wmax: float = 2.0,
) -> Array:
    """box_periodic(u, w, a, b) through a tabulated (width x phase) bilinear lookup (fast)."""
    ph = (np.arange(nphase, dtype=np.float64) / nphase)[None, :]
    ww = (np.arange(nw, dtype=np.float64) / (nw - 1) * wmax)[:, None]
    table = _box_periodic(ph + 0 * ww, np.maximum(ww, 1e-3) + 0 * ph, a, b).astype(np.float32)
    mx = (u - np.floor(u)) * nphase
    my = np.clip(w, 1e-3, wmax) * ((nw - 1) / wmax)
    return cv2.remap(
        table,
        mx.astype(np.float32),
        my.astype(np.float32),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_WRAP,
    )


@dataclass
class _Moire:
    """A display's RGB stripe sub-pixels, for screens filmed close enough to alias."""

    gap: float
    duty: float
    order: tuple[int, int, int]
    ratio: float


def _render_object(
    obj: _Canvas,
    cam: _Cam,
    surf: _Surface,
    bbox: tuple[int, int, int, int],
    light: Light,
    *,
    screen_rad: float,
    moire: _Moire | None,
    ss_blur: Array | None,
    ss: int,
) -> tuple[Array, Array, Array | None]:
    """Rasterise the object into the frame bbox at ss x supersampling.

    Returns premultiplied linear radiance (h,w,3), alpha (h,w), screen mask (h,w) at 1x."""
    x0, y0, x1, y1 = bbox
    w1, h1 = x1 - x0, y1 - y0
    mp = _coarse_maps(cam, surf, light, origin=(x0, y0), size=(w1 * ss, h1 * ss), ss=ss)
    tx, ty = mp["tx"], mp["ty"]
    tex = obj.tex
    rgba = cv2.remap(
        tex, tx, ty, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0)
    )
    a: Array = rgba[..., 3].astype(np.float32) * (1 / 255.0)
    refl = cv2.LUT(np.ascontiguousarray(rgba[..., :3]), LUT8)
    lt = mp["light"]
    e: Array | None
    if obj.emis is not None:
        e = cv2.remap(
            obj.emis, tx, ty, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0
        ).astype(np.float32) * (1 / 255.0)
        if moire is not None:
            refl = _subpixels(tex, mp, refl, e, moire)
        illum = lt * (1 - e) + screen_rad * e
    else:
        e = None
        illum = lt
    if "shade" in mp:
        illum = illum * mp["shade"]
    prem = refl * (illum * a)[..., None]
    if ss_blur is not None:
        prem = cv2.filter2D(prem, -1, ss_blur, borderType=cv2.BORDER_CONSTANT)
    prem = cv2.resize(prem, (w1, h1), interpolation=cv2.INTER_AREA)
    a = cv2.resize(a, (w1, h1), interpolation=cv2.INTER_AREA)
    e = (
        cv2.resize(e * (rgba[..., 3] > 0), (w1, h1), interpolation=cv2.INTER_AREA)
        if e is not None
        else None
    )
    if ss_blur is not None:
        k1: Array = cv2.resize(
            ss_blur,
            (max(1, ss_blur.shape[1] // ss) | 1, max(1, ss_blur.shape[0] // ss) | 1),
            interpolation=cv2.INTER_AREA,
        )
        k1 /= k1.sum()
        a = cv2.filter2D(a, -1, k1, borderType=cv2.BORDER_CONSTANT)
        if e is not None:
            e = cv2.filter2D(e, -1, k1, borderType=cv2.BORDER_CONSTANT)
    return prem, a, e


def _subpixels(tex: Array, mp: dict[str, Array], refl: Array, e: Array, moire: _Moire) -> Array:
    """Procedural RGB-stripe sub-pixel structure of the display, box-prefiltered per sample."""
    tx, ty = mp["tx"], mp["ty"]
    ix = np.floor(tx + 0.5)
    iy = np.floor(ty + 0.5)
    content = cv2.remap(tex[..., :3], ix, iy, cv2.INTER_NEAREST, borderMode=cv2.BORDER_REPLICATE)
    clin = cv2.LUT(content, LUT8)
    u = tx + 0.5
    v = ty + 0.5
    wu = mp["tx_fp"] + 1e-3
    wv = mp["ty_fp"] + 1e-3
    g, duty = moire.gap, moire.duty
    rowm = _stripe_lookup(v, wv, (1 - duty) / 2, (1 + duty) / 2) * (1.0 / (duty * (1 / 3 - g)))
    sub = np.empty_like(clin)
    for pos, chn in enumerate(moire.order):  # BGR channel index for stripe positions 0,1,2
        stripe = _stripe_lookup(u, wu, pos / 3 + g / 2, (pos + 1) / 3 - g / 2)
        sub[..., chn] = clin[..., chn] * stripe * rowm
    es = e[..., None]
    return np.asarray(refl * (1 - es) + sub * es)


# ============================================================================ camera / ISP
def _mosaic(img: Array) -> Array:
    m = np.empty(img.shape[:2], img.dtype)
    m[0::2, 0::2] = img[0::2, 0::2, 2]  # R
    m[0::2, 1::2] = img[0::2, 1::2, 1]  # G
    m[1::2, 0::2] = img[1::2, 0::2, 1]  # G
    m[1::2, 1::2] = img[1::2, 1::2, 0]  # B
    return m


@functools.cache
def _bayer_code() -> int:
    """Find the OpenCV demosaic code matching our mosaic layout (R at even row/even col)."""
    img = np.zeros((8, 8, 3), np.uint16)
    img[..., 2] = 4000
    mos = _mosaic(img.astype(np.float32)).astype(np.uint16)
    for code in (
        cv2.COLOR_BayerBG2BGR,
        cv2.COLOR_BayerRG2BGR,
        cv2.COLOR_BayerGB2BGR,
        cv2.COLOR_BayerGR2BGR,
    ):
        out = cv2.cvtColor(mos, code)
        if out[4, 4, 2] > 3000 and out[4, 4, 0] < 500:
            return int(code)
    raise RuntimeError("bayer")


@functools.cache
def _centre_weight() -> Array:
    """Auto exposure's metering weights on the 160x90 thumbnail: centre-weighted."""
    yy, xx = np.mgrid[0:90, 0:160].astype(np.float32)
    return np.asarray(np.exp(-(((xx - 79.5) / 60) ** 2 + ((yy - 44.5) / 35) ** 2)) + 0.35)


def _disp_mean(lum: Array, exposure: float, gamma: float, weights: Array | None = None) -> float:
    v = 255.0 * np.clip(lum * exposure, 0, 1) ** (1 / gamma)
    if weights is None:
        return float(v.mean())
    return float((v * weights).sum() / weights.sum())


def _solve_exposure(
    lum: Array, target: float, gamma: float = 2.2, weights: Array | None = None
) -> float:
    lo, hi = -12.0, 8.0
    for _ in range(40):
        mid = (lo + hi) / 2
        if _disp_mean(lum, math.exp(mid), gamma, weights) < target:
            lo = mid
        else:
            hi = mid
    return math.exp((lo + hi) / 2)


def _jpeg(img: Array, quality: int) -> Frame:
    """img through OpenCV's JPEG encoder and decoder at quality."""
    _, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    out = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    if out is None:  # typing only: a buffer OpenCV just encoded decodes
        raise RuntimeError("JPEG round trip failed")
    return np.asarray(out, np.uint8)


def _luminance(img: Array) -> Array:
    return np.asarray(img[..., 0] * 0.114 + img[..., 1] * 0.587 + img[..., 2] * 0.299)


def _camera_pipeline(rng: Rng, comp: Array, params: dict[str, Any], code_mask: Array) -> Frame:
    """comp: linear scene radiance after optics.  Returns uint8 BGR image."""
    bayer = _bayer_code()
    cweight = _centre_weight()
    small = _luminance(cv2.resize(comp, (160, 90), interpolation=cv2.INTER_AREA))
    mode = params["exposure"]
    gamma = 2.2
    if mode == "ae":
        exposure = _solve_exposure(small, params["ae_target"], 2.2, cweight)
    elif mode == "dim":
        exposure = _solve_exposure(small, params["dim_mean"], 2.2, None)
    else:  # code-area target (backlit)
        lum = _luminance(comp)[code_mask]
        exposure = _solve_exposure(lum[:: max(1, lum.size // 20000)], params["code_mean"], 2.2)
    wb = [float(v) for v in params["wb"]]
    if params.get("clean"):
        raw = np.clip(comp * np.float32(exposure * 1023.0), 0, 1023)
        dem16 = np.round(raw * 16).astype(np.uint16)
    else:
        m = _mosaic(comp) * np.float32(exposure * 1023.0)
        k = np.float32(params["e_per_dn"])
        el = np.clip(m, 0, 1023 * 1.02) * k  # electrons
        shot = np.sqrt(el) * rng.standard_normal(m.shape, dtype=np.float32)
        low = el < 40  # exact Poisson where it matters
        if low.any():
            ell = el[low]
            shot[low] = rng.poisson(ell).astype(np.float32) - ell
        noisy = (el + shot) / k + np.float32(params["read_noise"]) * rng.standard_normal(
            m.shape, dtype=np.float32
        )
        noisy = np.clip(noisy, 0, 1023)
        dem16 = cv2.cvtColor(np.round(noisy * 16).astype(np.uint16), bayer)
    dg = 1.0
    if mode == "dim":
        gamma = params["dim_gamma"]
        sm = (
            cv2.resize(dem16, (160, 90), interpolation=cv2.INTER_AREA).astype(np.float32)
            * np.array(wb, np.float32)
            / (16 * 1023.0)
        )
        dg = _solve_exposure(_luminance(sm), params["dim_target"], gamma, cweight)
    lut = (255.0 * (np.arange(65536, dtype=np.float64) / 65535.0) ** (1.0 / gamma)).astype(
        np.float32
    )
    sc = dg * 65535.0 / (16 * 1023.0)
    # a per-channel scalar, which OpenCV takes and its stubs do not list
    idx = cv2.multiply(dem16, (wb[0] * sc, wb[1] * sc, wb[2] * sc, 0), dtype=cv2.CV_16U)  # type: ignore[call-overload]  # a 4-scalar: cv2's stubs want a Mat
    out = lut[idx]
    if not params.get("clean"):
        out = _isp(out, params)
    img: Frame = np.clip(out + 0.5, 0, 255).astype(np.uint8)
    if not params.get("clean") and params.get("jpeg"):
        img = _jpeg(img, int(params["jpeg"]))
    return img


def _isp(out: Array, params: dict[str, Any]) -> Array:
    """The webcam's noise reduction (when asked) and unsharp mask on luma."""
    if params.get("nr"):
        ycc = cv2.cvtColor(np.clip(out, 0, 255).astype(np.uint8), cv2.COLOR_BGR2YCrCb).astype(
            np.float32
        )
        s = params["nr"]
        ycc[..., 1] = cv2.GaussianBlur(ycc[..., 1], (0, 0), s)
        ycc[..., 2] = cv2.GaussianBlur(ycc[..., 2], (0, 0), s)
        if params.get("luma_nr"):
            ycc[..., 0] = cv2.bilateralFilter(ycc[..., 0], 5, params["luma_nr"], 3)
        out = cv2.cvtColor(np.clip(ycc, 0, 255).astype(np.uint8), cv2.COLOR_YCrCb2BGR).astype(
            np.float32
        )
    luma = _luminance(out)
    d = luma - cv2.GaussianBlur(luma, (0, 0), params["sharp_sigma"])
    return np.asarray(out + params["sharp_amount"] * d[..., None])


# ============================================================================ effects
def _smoothstep(e0: float, e1: float, x: Array) -> Array:
    t = np.clip((x - e0) / (e1 - e0), 0, 1)
    return np.asarray(t * t * (3 - 2 * t))


def _glare_field(
    rng: Rng, bbox: tuple[int, int, int, int], finders_f: Array, code_px: float
) -> Array:
    """A specular band or oval highlight over one finder, in the bbox (room white = 1)."""
    x0, y0, x1, y1 = bbox
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    fin = finders_f[int(rng.integers(3))]
    fx, fy = fin[0] + _uni(rng, -0.04, 0.04) * code_px, fin[1] + _uni(rng, -0.04, 0.04) * code_px
    if rng.random() < 0.55:
        th = _uni(rng, 0, math.pi)
        nx, ny = -math.sin(th), math.cos(th)
        d = (xx - fx) * nx + (yy - fy) * ny
        t = (xx - fx) * ny - (yy - fy) * nx
        w = _uni(rng, 0.03, 0.25) * code_px
        soft = _uni(rng, 0.3, 1.2) * w
        prof = 1 - _smoothstep(w, w + soft, np.abs(d))
        length = _uni(rng, 0.8, 3.0) * code_px
        t0 = _uni(rng, -0.3, 0.3) * length
        fade = 1 - _smoothstep(0.35 * length, 0.5 * length, np.abs(t - t0))
        g = prof * fade
    else:
        a = _uni(rng, 0.08, 0.4) * code_px
        b = a * _uni(rng, 0.4, 1.0)
        th = _uni(rng, 0, math.pi)
        c, s = math.cos(th), math.sin(th)
        u = ((xx - fx) * c + (yy - fy) * s) / a
        v = (-(xx - fx) * s + (yy - fy) * c) / b
        q = np.sqrt(u * u + v * v)
        g = 1 - _smoothstep(_uni(rng, 0.3, 0.7), _uni(rng, 1.0, 1.6), q)
    return np.asarray(g.astype(np.float32) * _uni(rng, 1.0, 5.0))


def _shadow_mask(rng: Rng, code_poly: Array, code_px: float) -> Array:
    """Hard-edged hand/head shadow covering 20-80% of the code.  Full-frame float mask."""
    cm = np.zeros((H, W), np.uint8)
    cv2.fillPoly(cm, [np.round(code_poly).astype(np.int32)], 1)
    carea = max(1, int(cm.sum()))
    ctr = code_poly.mean(0)
    best: tuple[Array, float] | None = None  # the try nearest half coverage, failing 20-80 %
    for _ in range(40):
        m = np.zeros((H, W), np.uint8)
        ang = _uni(rng, 0, 2 * math.pi)
        dirv = np.array([math.cos(ang), math.sin(ang)])
        if rng.random() < 0.5:  # head
            r = _uni(rng, 0.9, 2.5) * code_px
            off = _uni(rng, 0.6, 1.3) * r
            c = ctr + dirv * off
            cv2.ellipse(
                m,
                (int(c[0]), int(c[1])),
                (int(r * 0.8), int(r)),
                math.degrees(ang),
                0,
                360,
                1,
                -1,
                cv2.LINE_8,
            )
        else:  # hand: palm + fingers pointing toward the code
            pw = _uni(rng, 0.5, 1.4) * code_px
            c = ctr + dirv * _uni(rng, 0.7, 1.6) * pw
            cv2.ellipse(
                m,
                (int(c[0]), int(c[1])),
                (int(pw * 0.55), int(pw * 0.5)),
                math.degrees(ang),
                0,
                360,
                1,
                -1,
            )
            perp = np.array([-dirv[1], dirv[0]])
            for j in range(4):
                base = c - dirv * pw * 0.3 + perp * (j - 1.5) * pw * 0.25
                tip = base - dirv * pw * _uni(rng, 0.5, 0.9) + perp * _uni(rng, -0.1, 0.1) * pw
                cv2.line(
                    m,
                    (int(base[0]), int(base[1])),
                    (int(tip[0]), int(tip[1])),
                    1,
                    max(2, int(pw * 0.17)),
                )
        cov = float((m & cm).sum()) / carea
        if 0.2 <= cov <= 0.8:
            best = (m, cov)
            break
        if best is None or abs(cov - 0.5) < abs(best[1] - 0.5):
            best = (m, cov)
    assert best is not None  # the first try always sets it
    sm = best[0].astype(np.float32)
    return cv2.GaussianBlur(sm, (0, 0), _uni(rng, 0.5, 1.5))


# ============================================================================ frame
def _layered_blur(img: Array, k: Array | None) -> Array:
    if k is None:
        return img
    return cv2.filter2D(img, -1, k, borderType=cv2.BORDER_REFLECT)


@dataclass
class _Content:
    """What the frame shows: object kind, app mode, card layout, payload and its QR matrix."""

    objkind: str
    mode: str
    card_kind: str
    text: str
    ecc: int
    qrm: npt.NDArray[np.bool_]


def _choose_content(rng: Rng, cond: str) -> _Content:
    if cond in _CARD_CONDS:
        objkind = "card"
    elif cond in _PHONE_CONDS:
        objkind = "phone"
    else:
        objkind = "phone" if rng.random() < 0.5 else "card"
    if cond == "motion_phone_light":
        mode = "light"
    elif cond == "motion_phone_dark":
        mode = "dark_tile" if rng.random() < 0.7 else "dark_inv"
    else:
        mode = (
            "light" if rng.random() < 0.65 else ("dark_tile" if rng.random() < 0.7 else "dark_inv")
        )
    card_kind = "bhyt" if rng.random() < 0.55 else "cccd"
    if objkind == "card" or cond == "moire_card_image":
        text = _payload_bhyt(rng) if card_kind == "bhyt" else _payload_cccd(rng)
    else:
        r = rng.random()
        text = (
            _payload_bhyt(rng)
            if r < 0.45
            else (_payload_vssid(rng) if r < 0.8 else _payload_cccd(rng))
        )
    ecc = ERROR_CORRECT_M if rng.random() < 0.75 else ERROR_CORRECT_Q
    return _Content(objkind, mode, card_kind, text, ecc, _make_qr(text, ecc))


def _geometry_ranges(rng: Rng, cond: str) -> tuple[float, tuple[float, float], tuple[float, float]]:
    """Code size in the frame (px) and the tilt and roll ranges (deg) for the condition."""
    code_px = _uni(rng, 80, 350)
    tilt_rng, roll_rng = (0.0, 50.0), (-40.0, 40.0)
    if cond == "small_far":
        code_px = _uni(rng, 70, 110)
    elif cond == "defocus_only":
        code_px = _uni(rng, 180, 320)
    elif cond == "card_angle":
        tilt_rng = (35.0, 55.0)
    elif cond in _MOIRE_CONDS:
        tilt_rng, roll_rng = (0.0, 30.0), (-10.0, 10.0)
    return code_px, tilt_rng, roll_rng


def _phone_screen(
    rng: Rng, size: tuple[int, int], content: _Content, k: int
) -> tuple[Array, Array, Array]:
    """The phone's screen showing ``content``'s code at ``k`` px a module, with a quiet zone
    of 2 to 4 modules and the code's top 8 to 25 % down: (screen, QR corners, finders)."""
    return _make_screen(
        rng,
        size,
        content.qrm,
        k,
        mode=content.mode,
        qz=int(rng.integers(2, 5)),
        qy_frac=_uni(rng, 0.08, 0.25),
    )


def _moire_phone(
    rng: Rng, cond: str, content: _Content
) -> tuple[Array, Array, Array, float, _Moire]:
    """A screen filmed close enough for its sub-pixels to alias (moire_* conditions).

    Returns the screen, its QR corners and finders, the code's size in the frame, the
    sub-pixel structure."""
    qrm = content.qrm
    n = qrm.shape[0]
    ratio = None
    k = 0
    cfr = 0.0
    q_px: float = 0.0
    for _ in range(200):
        ws = int(rng.integers(480, 1081))
        hs = int(ws * _uni(rng, 1.95, 2.2))
        r_ = _uni(rng, 0.8, 2.5)  # camera px per screen px
        if cond == "moire_defocus":
            qf = _uni(rng, 0.5, 0.75)
            k = max(2, round(ws * qf / n))
            q_px = n * k
        else:
            cfr = _uni(rng, 0.75, 0.95)
            qf = _uni(rng, 0.25, 0.40)
            q_px = ws * cfr * qf
        if 80 <= r_ * q_px <= 350:
            ratio = r_
            break
    if ratio is None:
        ratio = float(np.clip(215.0 / q_px, 0.8, 2.5))
    if cond == "moire_defocus":
        screen, cor, fin = _phone_screen(rng, (ws, hs), content, k)
    else:
        m_c = 6
        card = _make_card_image(
            rng, qrm, m_c, content.card_kind, qfrac=qf, qz=int(rng.integers(2, 5))
        )
        screen, cor, fin = _make_photo_screen(
            rng, (ws, hs), card, c_frac=cfr, dark_ui=bool(rng.random() < 0.7)
        )
    qm = float(np.mean([np.linalg.norm(cor[(i + 1) % 4] - cor[i]) for i in range(4)]))
    moire = _Moire(
        gap=_uni(rng, 0.02, 0.08),
        duty=_uni(rng, 0.75, 0.95),
        order=(2, 1, 0) if rng.random() < 0.8 else (0, 1, 2),
        ratio=ratio,
    )
    return screen, cor, fin, ratio * qm, moire


def _make_object(
    rng: Rng, cond: str, content: _Content, code_px: float, ss: int
) -> tuple[_Canvas, float, float, _Moire | None]:
    """The card or phone: canvas, QR width on it (px), code size in the frame, sub-pixels."""
    qrm = content.qrm
    n = qrm.shape[0]
    if content.objkind == "card":
        m = int(np.clip(math.ceil(code_px * ss / n * 1.0), 3, 10))
        card = _make_card_image(
            rng, qrm, m, content.card_kind, qfrac=_uni(rng, 0.25, 0.40), qz=int(rng.integers(2, 5))
        )
        return _make_card_canvas(rng, card), n * m, code_px, None
    moire = None
    if cond in _MOIRE_CONDS:
        screen, cor, fin, code_px, moire = _moire_phone(rng, cond, content)
    else:
        k = int(np.clip(math.ceil(code_px * ss / n * 1.0), 3, 12))
        qf = _uni(rng, 0.5, 0.75)
        ws = round(n * k / qf)
        hs = int(ws * _uni(rng, 1.95, 2.2))
        screen, cor, fin = _phone_screen(rng, (ws, hs), content, k)
    obj = _make_phone_canvas(rng, screen, cor, fin)
    qr_w_px = float(np.mean([np.linalg.norm(cor[(i + 1) % 4] - cor[i]) for i in range(4)]))
    return obj, qr_w_px, code_px, moire


def _curved_card_surface(
    rng: Rng,
    cam: _Cam,
    rot: Array,
    trans: Array,
    obj: _Canvas,
    *,
    pose: dict[str, float],
) -> _CylSurf | None:
    """The card bent until its code's edges bow by a drawn target; None when it cannot."""
    mmpp = obj.mm_per_px
    qc = obj.corners.mean(0)
    s_ = 1 if rng.random() < 0.6 else -1
    ang = (0.0 if rng.random() < 0.6 else math.pi / 2) + _uni(rng, -0.15, 0.15)
    tq = _uni(rng, 0.4, 1.0)
    cx_ = obj.center[0] + (qc[0] - obj.center[0]) * tq
    cy_ = obj.center[1] + (qc[1] - obj.center[1]) * tq
    target = _uni(rng, 0.03, 0.08)
    ox_, oy_ = obj.origin
    cw_, ch_ = obj.size
    ev = np.array([math.cos(ang), math.sin(ang)])
    far = (
        max(
            abs((np.array([ox_ + i * cw_, oy_ + j * ch_]) - (cx_, cy_)) @ ev)
            for i in (0, 1)
            for j in (0, 1)
        )
        * mmpp
    )
    kmax = 1.45 / far
    g = _uni(rng, -0.2, 0.2)

    def bent(kk: float) -> _CylSurf:
        return _CylSurf(
            cam, rot, trans, mmpp, qc, c_tex=(cx_, cy_), e=ang, s=s_, kappa=kk, shade_g=g
        )

    if _qr_bow(cam, bent(kmax), obj.corners) < target:
        return None
    lo, hi = 1e-5, kmax
    for _ in range(30):  # bisect the curvature for the target bow
        mid = (lo + hi) / 2
        if _qr_bow(cam, bent(mid), obj.corners) < target:
            lo = mid
        else:
            hi = mid
    pose["bow"] = target
    pose["bend_radius_mm"] = 1 / hi
    return bent(hi)


def _creased_card_surface(
    rng: Rng,
    cam: _Cam,
    rot: Array,
    trans: Array,
    obj: _Canvas,
    *,
    qr_w_px: float,
    n: int,
    pose: dict[str, float],
) -> _CreaseSurf:
    """The card folded along a line through its code."""
    c = obj.corners
    t1, t2 = _uni(rng, 0.25, 0.75), _uni(rng, 0.25, 0.75)
    fold = c[0] + (c[1] - c[0]) * t1 + (c[3] - c[0]) * t2
    th = _uni(rng, 0, math.pi)
    d = np.array([math.cos(th), math.sin(th)])
    alpha = math.radians(_uni(rng, 6, 20)) * (1 if rng.random() < 0.5 else -1)
    shade_b = _uni(rng, 0.7, 0.88) if rng.random() < 0.6 else _uni(rng, 1.1, 1.25)
    qm = qr_w_px / n
    surf = _CreaseSurf(
        cam,
        rot,
        trans,
        obj.mm_per_px,
        obj.corners.mean(0),
        fold_point=fold,
        fold_dir=d,
        alpha=alpha,
        shade_b=shade_b,
        line_w=qm * _uni(rng, 0.2, 0.6),
        line_f=_uni(rng, 1.25, 1.6) if rng.random() < 0.5 else _uni(rng, 0.55, 0.8),
    )
    pose["fold_deg"] = math.degrees(alpha)
    return surf


def _place_object(
    rng: Rng,
    cam: _Cam,
    cond: str,
    obj: _Canvas,
    *,
    code_px: float,
    qr_w_px: float,
    n: int,
    tilt_rng: tuple[float, float],
    roll_rng: tuple[float, float],
) -> tuple[_Surface, dict[str, float]]:
    """Pose (and bend or fold) the object so that it is in front of the camera and its QR,
    with a module's margin, inside the frame; after 60 tries the last candidate stands."""
    mmpp = obj.mm_per_px
    qc = obj.corners.mean(0)
    wqr_mm = qr_w_px * mmpp
    cand: _Surface | None = None
    for _ in range(60):
        rot, trans, pose = _sample_pose(
            rng, cam, code_px, wqr_mm, tilt_rng=tilt_rng, roll_rng=roll_rng
        )
        if cond == "curved_card":
            bent = _curved_card_surface(rng, cam, rot, trans, obj, pose=pose)
            if bent is None:
                continue
            cand = bent
        elif cond == "creased_card":
            cand = _creased_card_surface(rng, cam, rot, trans, obj, qr_w_px=qr_w_px, n=n, pose=pose)
        else:
            cand = _FlatSurf(cam, rot, trans, mmpp, qc)
        # all corners of the object in front of the camera; QR (+1 module) fully in the frame
        h_, w_ = obj.tex.shape[:2]
        tc = np.array([[0, 0], [w_, 0], [w_, h_], [0, h_]], float)
        if cand.depth(tc).min() < 25:
            continue
        grow = (obj.corners - qc) * (1 + 2.0 / n) + qc
        fc = _frame_points(cam, cand, grow)
        if (
            fc[:, 0].min() < 3
            or fc[:, 1].min() < 3
            or fc[:, 0].max() > W - 4
            or fc[:, 1].max() > H - 4
        ):
            continue
        return cand, pose
    if cand is None:
        raise RuntimeError(f"no pose for a {cond} frame")
    return cand, pose


def _sensor_params(rng: Rng, cond: str, *, clean: bool) -> tuple[dict[str, Any], float, float]:
    """Exposure, sensor, ISP and JPEG parameters; the lens blur sigma; the screen radiance."""
    params: dict[str, Any] = {
        "exposure": "ae",
        "ae_target": _uni(rng, 100, 135),
        "e_per_dn": _uni(rng, 6, 12),
        "read_noise": _uni(rng, 0.8, 2.0),
        "wb": (_uni(rng, 0.92, 1.08), 1.0, _uni(rng, 0.92, 1.08)),
        "sharp_amount": _uni(rng, 0.2, 0.8),
        "sharp_sigma": _uni(rng, 0.8, 1.4),
        "jpeg": int(rng.integers(72, 93)),
        "clean": clean,
    }
    lens_sigma = _uni(rng, 0.35, 0.6)
    screen_rad = _uni(rng, 1.2, 2.3)
    if cond in ("dim_light", "dim_motion"):
        params.update(
            exposure="dim",
            dim_mean=_uni(rng, 25, 60),
            dim_target=_uni(rng, 95, 125),
            dim_gamma=_uni(rng, 2.2, 2.6),
            e_per_dn=_uni(rng, 2000, 6000) / 1023 / _uni(rng, 1.5, 4.0),
            read_noise=_uni(rng, 2, 5),
            nr=_uni(rng, 1.5, 3.0),
            luma_nr=(_uni(rng, 8, 20) if rng.random() < 0.5 else 0),
        )
        screen_rad = _uni(rng, 1.8, 3.5)
    return params, lens_sigma, screen_rad


def _blur_kernels(rng: Rng, cond: str, params: dict[str, Any]) -> tuple[Array | None, Array | None]:
    """Motion or defocus kernels for the object and (less) for the background."""
    k_obj = k_bg = None
    if cond in _MOTION_CONDS:
        length = _uni(rng, 5, 25) if cond != "dim_motion" else _uni(rng, 5, 15)
        path = _trajectory(rng)
        k_obj = _traj_kernel(path, length)
        k_bg = _traj_kernel(path, length * _uni(rng, 0.2, 0.6))
        params["motion_px"] = length
    if cond == "defocus_only":
        r = _uni(rng, 2, 5)
        k_obj = _disc_kernel(r)
        k_bg = _disc_kernel(r * _uni(rng, 0.1, 0.4))
        params["defocus_r"] = r
    return k_obj, k_bg


def _moire_blur(
    rng: Rng, cond: str, params: dict[str, Any], moire: _Moire, ss: int
) -> tuple[float, Array]:
    """Lens sigma and the supersampled lens (+ defocus) kernel for a sub-pixel screen."""
    lens_sigma = _uni(rng, 0.25, 0.45)  # sharp enough for the sub-pixel grid to reach the sensor
    gk: Array = cv2.getGaussianKernel(
        int(2 * math.ceil(3 * lens_sigma * ss) + 1), lens_sigma * ss
    ).astype(np.float32)
    gk = gk @ gk.T
    if cond == "moire_defocus":
        r = _uni(rng, 1.5, 4.0)
    else:
        r = _uni(rng, 0.0, 1.2) if rng.random() < 0.6 else 0.0
    params["defocus_r"] = r
    if r > 0.3:
        dk = _disc_kernel(r * ss)
        n = dk.shape[0] + gk.shape[0] - 1
        big = np.zeros((n, n), np.float32)
        o = gk.shape[0] // 2
        big[o : o + dk.shape[0], o : o + dk.shape[0]] = dk
        gk = cast(Array, cv2.filter2D(big, -1, gk, borderType=cv2.BORDER_CONSTANT))
        gk /= gk.sum()
    params["moire_ratio"] = moire.ratio
    return lens_sigma, gk


@dataclass
class _Optics:
    """Per-frame optics: lens blur, object and background kernels, screen radiance."""

    lens_sigma: float
    k_obj: Array | None
    k_bg: Array | None
    screen_rad: float
    ss_blur: Array | None


def _degradations(
    rng: Rng, cond: str, *, clean: bool, ss: int, moire: _Moire | None
) -> tuple[dict[str, Any], _Optics]:
    """Everything the condition does to the frame after the geometry, drawn in a fixed order."""
    params, lens_sigma, screen_rad = _sensor_params(rng, cond, clean=clean)
    k_obj, k_bg = _blur_kernels(rng, cond, params)
    ss_blur = None
    if moire is not None:
        lens_sigma, ss_blur = _moire_blur(rng, cond, params, moire, ss)
    if cond == "card_angle":
        lens_sigma = _uni(rng, 0.8, 1.3)
    if cond == "small_far":
        lens_sigma = _uni(rng, 0.6, 0.9)
        params.update(
            e_per_dn=_uni(rng, 3, 6),
            read_noise=_uni(rng, 1.5, 3.0),
            jpeg=int(rng.integers(60, 86)),
        )
    if cond == "backlit":
        params.update(
            exposure="code",
            code_mean=_uni(rng, 30, 70),
            e_per_dn=_uni(rng, 3, 6),
            read_noise=_uni(rng, 1.5, 3.0),
        )
        screen_rad = _uni(rng, 1.0, 1.8)
    if cond == "shadow_jpeg":
        params["jpeg"] = int(rng.integers(10, 31))
    if cond == "jpeg_card":
        params["jpeg"] = int(rng.integers(8, 21))
    params["lens_sigma"] = lens_sigma
    return params, _Optics(lens_sigma, k_obj, k_bg, screen_rad, ss_blur)


@dataclass
class _Layers:
    """The frame before optics: background radiance, window, object layer and where it is."""

    bg: Array
    win: Array | None
    prem: Array
    alpha: Array
    bbox: tuple[int, int, int, int]
    code_mask: Array
    code_radiance: float


def _object_layer(
    rng: Rng,
    cond: str,
    *,
    clean: bool,
    cam: _Cam,
    surf: _Surface,
    obj: _Canvas,
    code_f: Array,
    finders_f: Array,
    code_px: float,
    ss: int,
    moire: _Moire | None,
    optics: _Optics,
    params: dict[str, Any],
) -> _Layers:
    """Background and the lit object with its screen reflection, window, shadow and glare."""
    ocenter = code_f.mean(0)
    bg, win = _make_background(rng, ocenter, backlit=cond == "backlit")
    ill0 = _uni(rng, 0.75, 1.15)
    gxv, gyv = _uni(rng, -0.25, 0.25) / code_px, _uni(rng, -0.25, 0.25) / code_px

    def light(x: Array, y: Array) -> Array:
        lit = ill0 * (1 + gxv * (x - ocenter[0]) + gyv * (y - ocenter[1]))
        return np.asarray(np.clip(lit, 0.4 * ill0, 1.6 * ill0))

    pad = 2
    if optics.k_obj is not None:
        pad += optics.k_obj.shape[0] // 2 + 1
    if optics.ss_blur is not None:
        pad += optics.ss_blur.shape[0] // ss + 1
    bbox = _object_bbox(cam, surf, obj.tex.shape, pad)
    prem, a, e = _render_object(
        obj,
        cam,
        surf,
        bbox,
        light,
        screen_rad=optics.screen_rad if not clean else 1.3,
        moire=moire if not clean else None,
        ss_blur=optics.ss_blur if not clean else None,
        ss=ss,
    )
    x0, y0, x1, y1 = bbox
    if obj.emis is not None and e is not None:
        # glass reflection of the room (what is in front of the phone: a blurred, mirrored room)
        src = _fast_blur(np.ascontiguousarray(bg[::-1, ::-1]), _uni(rng, 12, 30))
        prem += src[y0:y1, x0:x1] * (e * _uni(rng, 0.015, 0.05))[..., None]
    code_mask = np.zeros((H, W), np.uint8)
    cv2.fillPoly(code_mask, [np.round(code_f).astype(np.int32)], 1)
    lc = 0.0
    if win is not None and not clean:
        # backlight: predict the exposure that puts the code at its target level and make sure
        # the window clips well above full scale at that exposure
        cmb = code_mask[y0:y1, x0:x1] > 0
        lc = max(float(_luminance(prem)[cmb].mean()), 1e-6)
        e_est = (params["code_mean"] / 255.0) ** 2.2 / lc
        wl_ = _luminance(bg)[win > 0]
        sky = float(np.percentile(wl_, 40))
        fac = max(1.0, _uni(rng, 1.5, 4.0) / (e_est * sky))
        bg = bg * (1 + (fac - 1) * win)[..., None]
        params["window_over"] = round(e_est * sky * fac, 2)
    if not clean and cond == "shadow_jpeg":
        sm = _shadow_mask(rng, code_f, code_px)[y0:y1, x0:x1]
        d = _uni(rng, 0.4, 0.7)
        prem *= (1 - d * sm)[..., None]
        params["shadow_depth"] = d
    if not clean and cond == "glare":
        g = _glare_field(rng, bbox, finders_f, code_px)
        tint = np.array([_uni(rng, 0.95, 1.05), 1.0, _uni(rng, 0.95, 1.05)], np.float32)
        prem += (g * a)[..., None] * tint[None, None]
    return _Layers(bg, win, prem, a, bbox, code_mask, lc)


def _apply_optics(
    rng: Rng,
    layers: _Layers,
    optics: _Optics,
    *,
    clean: bool,
    moire: _Moire | None,
    ocenter: Array,
) -> Array:
    """Blur the object and background layers apart, composite, add window veil and vignette."""
    k_obj, k_bg = (None, None) if clean else (optics.k_obj, optics.k_bg)
    bg, win, prem, a = layers.bg, layers.win, layers.prem, layers.alpha
    x0, y0, x1, y1 = layers.bbox
    obj_l = np.zeros((H, W, 3), np.float32)
    a_l = np.zeros((H, W), np.float32)
    if k_obj is not None:  # the bbox is padded by the kernel radius; outside it the layer is empty
        prem = cv2.filter2D(prem, -1, k_obj, borderType=cv2.BORDER_CONSTANT)
        a = cv2.filter2D(a, -1, k_obj, borderType=cv2.BORDER_CONSTANT)
    obj_l[y0:y1, x0:x1] = prem
    a_l[y0:y1, x0:x1] = a
    bgb = _layered_blur(bg, k_bg)
    comp: Array = bgb * (1 - a_l)[..., None] + obj_l
    if moire is not None and not clean:
        # object already had lens blur at ss; blur only the background part
        bgl = cv2.GaussianBlur(bgb, (0, 0), optics.lens_sigma) * (1 - a_l)[..., None]
        comp = bgl + obj_l
    else:
        comp = cast(Array, cv2.GaussianBlur(comp, (0, 0), optics.lens_sigma))
    if win is not None and not clean:
        # veiling glare from the window: a broad halo plus a uniform veil, scaled to the code
        # radiance
        lc = layers.code_radiance
        wl = _fast_blur(bg * win[..., None], _uni(rng, 40, 120))
        cy_, cx_ = int(np.clip(ocenter[1], 0, H - 1)), int(np.clip(ocenter[0], 0, W - 1))
        at_code = max(float(_luminance(wl[cy_ : cy_ + 1, cx_ : cx_ + 1])[0, 0]), 1e-6)
        comp += wl * (_uni(rng, 0.1, 0.5) * lc / at_code) + np.float32(_uni(rng, 0.02, 0.1) * lc)
    vg = _uni(rng, 0.1, 0.35)
    yy, xx = np.ogrid[0:H, 0:W]
    rr = (((xx - CX) / CX) ** 2).astype(np.float32) + (((yy - CY) / CY) ** 2).astype(np.float32)
    comp *= (1 - np.float32(vg / 2) * rr)[..., None]
    return np.asarray(comp)


class FieldFrame(NamedTuple):
    """One rendered frame: the image, the QR's text, its parameters, the code's corners."""

    image: Frame
    text: str
    meta: dict[str, Any]
    corners: Array


def render_frame(idx: int, cond: str, seed: int, *, clean: bool = False) -> FieldFrame:
    """Render frame idx of a set in condition cond; the same (seed, idx, cond) gives the same
    frame whatever else is rendered, and clean=True drops every degradation."""
    # every draw of the frame comes from this one stream, in a fixed order: reordering any
    # draw changes the frames a seed gives
    rng = np.random.default_rng([seed, idx, 0x51E1D])
    content = _choose_content(rng, cond)
    n = content.qrm.shape[0]
    cam = _Cam(_uni(rng, 900, 1100), _uni(rng, -0.08, 0.0))
    code_px, tilt_rng, roll_rng = _geometry_ranges(rng, cond)
    # supersample where modules are small or the screen's sub-pixels must be resolved
    ss = 2 if (cond in _MOIRE_CONDS or code_px / n < 4.5) else 1
    obj, qr_w_px, code_px, moire = _make_object(rng, cond, content, code_px, ss)
    surf, pose = _place_object(
        rng,
        cam,
        cond,
        obj,
        code_px=code_px,
        qr_w_px=qr_w_px,
        n=n,
        tilt_rng=tilt_rng,
        roll_rng=roll_rng,
    )
    code_f = _frame_points(cam, surf, obj.corners)
    finders_f = _frame_points(cam, surf, obj.finders)
    params, optics = _degradations(rng, cond, clean=clean, ss=ss, moire=moire)
    layers = _object_layer(
        rng,
        cond,
        clean=clean,
        cam=cam,
        surf=surf,
        obj=obj,
        code_f=code_f,
        finders_f=finders_f,
        code_px=code_px,
        ss=ss,
        moire=moire,
        optics=optics,
        params=params,
    )
    comp = _apply_optics(rng, layers, optics, clean=clean, moire=moire, ocenter=code_f.mean(0))
    if clean:
        params.update(exposure="ae")
    img = _camera_pipeline(rng, comp.astype(np.float32), params, layers.code_mask > 0)
    lum = _luminance(img.astype(np.float32))
    meta = {
        "S": round(float(code_px), 1),
        "N": int(n),
        "ecc": "M" if content.ecc == ERROR_CORRECT_M else "Q",
        "obj": content.objkind,
        "mode": content.mode if content.objkind == "phone" else content.card_kind,
        "code_mean": round(float(lum[layers.code_mask > 0].mean()), 1),
        "frame_mean": round(float(lum.mean()), 1),
        "pose": {k_: round(float(v), 3) for k_, v in pose.items()},
        "params": {
            k_: (round(v, 3) if isinstance(v, float) else v)
            for k_, v in params.items()
            if k_ not in ("wb", "clean")
        },
    }
    return FieldFrame(img, content.text, meta, code_f)


def generate(n: int, seed: int = 7, *, clean: bool = False) -> Iterator[tuple[str, Frame, str]]:
    """Yield n frames as (condition, BGR uint8 1280x720 frame, QR text), cycling CONDITIONS.

    Deterministic for a seed; clean=True renders the same scenes without degradations."""
    for idx in range(n):
        cond = CONDITIONS[idx % len(CONDITIONS)]
        frame = render_frame(idx, cond, seed, clean=clean)
        yield cond, frame.image, frame.text


def main(argv: Sequence[str] | None = None) -> None:
    """Write a set to --out: NNNN_<condition>.png per frame and labels.json (file, text)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    ap.add_argument("--out", required=True)
    ap.add_argument("--n", type=int, default=240)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--clean", action="store_true", help="disable all degradations (sanity check)")
    ap.add_argument("--only", default=None, help="comma list of conditions to render")
    ap.add_argument("--first", type=int, default=0)
    ap.add_argument("--meta", action="store_true", help="also write meta.json with parameters")
    args = ap.parse_args(argv)
    cv2.setNumThreads(1)  # a shared machine; the frames are the same with any thread count
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    only = set(args.only.split(",")) if args.only else None
    labels, metas = [], []
    t0 = time.time()
    for i in range(args.first, args.n):
        cond = CONDITIONS[i % len(CONDITIONS)]
        if only and cond not in only:
            continue
        frame = render_frame(i, cond, args.seed, clean=args.clean)
        fn = f"{i:04d}_{cond}.png"
        cv2.imwrite(str(out / fn), frame.image, [cv2.IMWRITE_PNG_COMPRESSION, 1])
        labels.append({"file": fn, "condition": cond, "text": frame.text})
        metas.append({"file": fn, **frame.meta})
    with (out / "labels.json").open("w", encoding="utf-8") as f:
        json.dump(labels, f, ensure_ascii=False, indent=1)
    if args.meta:
        with (out / "meta.json").open("w", encoding="utf-8") as f:
            json.dump(metas, f, ensure_ascii=False, indent=1)
    print(f"wrote {len(labels)} frames to {out} in {time.time() - t0:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
