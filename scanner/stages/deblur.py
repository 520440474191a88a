"""Undoing the smear of a code swung up to the camera: the blur's length and direction measured
on the region, a Wiener deconvolution, and the stage that puts them in the decoder chain.

Measured on the hard stratum's smeared frames (tests/bench/bench_decode.py): the cepstrum's
estimate on a downscaled region (3 px steps) read 47 of 80; measuring the smear directly and
deconvolving at full size reads 66 of 80 (a grainy region smoothed first).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from scanner.decode.regions import Regions, to_grey
from scanner.ports import Box, Decoded, Decoder, Frame, as_frame
from scanner.stages.base import RegionStage

MOTION_PROMINENCE = 8.0
"""How far (in standard deviations) the cepstrum's deepest dip must stand out for a region to
count as blurred along a line: motion-blurred codes 8–23 (mostly above 13; a smear along the
code's own rows or columns is the weakest), plaid 5–7, defocus, moiré and grain 2.5–7."""


MOTION_PROMINENCE_BLIND = 8.0
"""The prominence asked of a region zxing did not sight. Such a region has already passed
:data:`MOTION_SOFTNESS` and :data:`MOTION_EVENNESS` (plaid, the cepstrum's old false alarm,
no longer reaches it), so the bar is the sighted one."""


_CEPSTRUM_PX = 256
_CEPSTRUM_WINDOW = cv2.createHanningWindow((_CEPSTRUM_PX, _CEPSTRUM_PX), cv2.CV_32F)
_RADIUS = np.hypot(*np.mgrid[-128:128, -128:128].astype(np.float32))
_RING = (_RADIUS >= 4) & (_RADIUS <= 36)


def motion_of(grey: Frame) -> tuple[float, float, float]:
    """The linear motion blur in a region, from its cepstrum: (length px, angle degrees,
    prominence). A blur of length L puts periodic zeros in the spectrum, hence a sharp
    negative peak L pixels from the cepstrum's centre along the motion; its depth in standard
    deviations of the ring 4–36 px is the prominence (about 2 ms on a 256×256 crop)."""
    h, w = grey.shape[:2]
    return _dips(_cepstrum(grey), min(1.0, _CEPSTRUM_PX / max(h, w)), 1)[0]


def motions_of(grey: Frame, count: int = 3) -> list[tuple[float, float, float]]:
    """The ``count`` deepest dips of the cepstrum as :func:`motion_of` reads them, deepest
    first: a code's own module pitch dips too (along its rows and columns), sometimes deeper
    than the motion, so a reader tries a few."""
    n = _CEPSTRUM_PX
    h, w = grey.shape[:2]
    factor = min(1.0, n / max(h, w))
    return _dips(_cepstrum(grey), factor, count)


def _cepstrum(grey: Frame) -> npt.NDArray[np.float32]:
    n = _CEPSTRUM_PX
    h, w = grey.shape[:2]
    factor = min(1.0, n / max(h, w))
    small = (
        grey
        if factor == 1.0
        else cv2.resize(grey, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    )
    sh, sw = small.shape[:2]
    padded = cv2.copyMakeBorder(
        small.astype(np.float32), 0, n - sh, 0, n - sw, cv2.BORDER_REFLECT_101
    )
    padded = (padded - float(padded.mean())) * _CEPSTRUM_WINDOW
    spectrum = cv2.dft(padded, flags=cv2.DFT_COMPLEX_OUTPUT)
    log_magnitude = np.log(cv2.magnitude(spectrum[..., 0], spectrum[..., 1]) + 1e-2)
    out: npt.NDArray[np.float32] = np.fft.fftshift(
        cv2.dft(log_magnitude, flags=cv2.DFT_COMPLEX_OUTPUT)[..., 0]
    )
    return out


def _dips(
    cepstrum: npt.NDArray[np.float32], factor: float, count: int
) -> list[tuple[float, float, float]]:
    n = _CEPSTRUM_PX
    ring = cepstrum[_RING]
    mean, spread = float(ring.mean()), float(ring.std()) or 1.0
    search = np.where(_RING, cepstrum, np.inf)
    found: list[tuple[float, float, float]] = []
    for _ in range(count):
        iy, ix = np.unravel_index(int(np.argmin(search)), search.shape)
        dy, dx = int(iy) - n // 2, int(ix) - n // 2
        value = float(search[iy, ix])
        if not math.isfinite(value):
            break
        prominence = (mean - value) / spread
        found.append((math.hypot(dx, dy) / factor, math.degrees(math.atan2(dy, dx)), prominence))
        for sy, sx in ((dy, dx), (-dy, -dx)):  # a dip and its mirror twin, with their slopes
            cy, cx = n // 2 + sy, n // 2 + sx
            search[max(0, cy - 2) : cy + 3, max(0, cx - 2) : cx + 3] = np.inf
    return found


def line_psf(length: float, angle_deg: float) -> npt.NDArray[np.float32]:
    """The point spread of a straight motion of ``length`` px at ``angle_deg`` (sums to 1)."""
    size = max(3, math.ceil(length) | 1)
    kernel = np.zeros((size, size), np.float32)
    c = size // 2
    dx = math.cos(math.radians(angle_deg)) * length / 2
    dy = math.sin(math.radians(angle_deg)) * length / 2
    start = (round((c - dx) * 16), round((c - dy) * 16))
    end = (round((c + dx) * 16), round((c + dy) * 16))
    cv2.line(kernel, start, end, 1.0, 1, cv2.LINE_AA, shift=4)
    total = float(kernel.sum())
    if total <= 0:
        kernel[c, c], total = 1.0, 1.0
    out: npt.NDArray[np.float32] = kernel / total
    return out


def gaussian_psf(sigma: float) -> npt.NDArray[np.float32]:
    """The point spread of a lens slightly out of focus, or of a webcam's own softening: a
    Gaussian of ``sigma`` px (sums to 1)."""
    size = 2 * math.ceil(3 * sigma) + 1
    line = cv2.getGaussianKernel(size, sigma, cv2.CV_32F)
    out: npt.NDArray[np.float32] = np.asarray(line @ line.T, np.float32)
    return out


def disc_psf(radius: float) -> npt.NDArray[np.float32]:
    """The point spread of a lens out of focus: a disc of ``radius`` px with an anti-aliased
    edge (sums to 1)."""
    r = math.ceil(radius)
    y, x = np.mgrid[-r : r + 1, -r : r + 1].astype(np.float32)
    disc = np.clip(radius + 0.5 - np.sqrt(x * x + y * y), 0, 1)
    return np.asarray(disc / disc.sum(), np.float32)


def wiener(grey: Frame, psf: npt.NDArray[np.float32], noise: float = 0.01) -> Frame:
    """``grey`` deconvolved by ``psf`` (Wiener, noise-to-signal ``noise``), borders reflected
    so that the frame's edge does not ring into the code. An empty picture is returned as it
    is: OpenCV's reflected border never returns on one."""
    h, w = grey.shape[:2]
    if h == 0 or w == 0:
        return grey
    pad = psf.shape[0]
    height = cv2.getOptimalDFTSize(h + 2 * pad)
    width = cv2.getOptimalDFTSize(w + 2 * pad)
    padded = cv2.copyMakeBorder(
        grey.astype(np.float32), pad, height - h - pad, pad, width - w - pad, cv2.BORDER_REFLECT
    )
    kernel = np.zeros((height, width), np.float32)
    kh, kw = psf.shape
    kernel[:kh, :kw] = psf
    kernel = np.roll(kernel, (-(kh // 2), -(kw // 2)), axis=(0, 1))
    k = cv2.dft(kernel, flags=cv2.DFT_COMPLEX_OUTPUT)
    g = cv2.dft(padded, flags=cv2.DFT_COMPLEX_OUTPUT)
    power = k[..., 0] ** 2 + k[..., 1] ** 2 + np.float32(noise)
    restored = np.asarray(cv2.mulSpectrums(g, k, 0, conjB=True), np.float32) / power[..., None]
    out = cv2.idft(restored, flags=cv2.DFT_REAL_OUTPUT | cv2.DFT_SCALE)
    return as_frame(np.clip(out[pad : pad + h, pad : pad + w], 0, 255))


def motion_blur_of(grey: Frame) -> tuple[float, float]:
    """A region's linear motion blur as (length px, angle degrees), measured directly.

    The direction is first where the picture changes least: the smallest axis of the
    gradients' structure tensor (a code alone has as many edges across as along; a smear
    wipes out the ones along the motion). The length is where the derivative along that
    direction best cancels itself: a smear of length L turns each edge into a step up and a
    step down L px apart, a deep negative autocorrelation at lag L. The direction is then
    refined to where that dip is deepest (the tensor leans towards a phone's outline and the
    code's own rows). The lag spans the line's anti-aliased ends too, so it reads about a
    pixel longer than :func:`line_psf`'s length. Measured on generated swung codes: within
    3° and about 1.3 px (the cepstrum's step on a downscaled region is 3 px, and a
    deconvolution 2 px or 4° off no longer reads).
    """
    h, w = grey.shape[:2]
    side = min(h, w, _MOTION_WINDOW_PX)  # the middle, where the code is; and cheaper
    y0, x0 = (h - side) // 2, (w - side) // 2
    g: npt.NDArray[np.float32] = np.asarray(
        cv2.GaussianBlur(grey[y0 : y0 + side, x0 : x0 + side].astype(np.float32), (0, 0), 1.0),
        np.float32,
    )
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3)
    xx, xy, yy = float((gx * gx).mean()), float((gx * gy).mean()), float((gy * gy).mean())
    first = (math.degrees(0.5 * math.atan2(2 * xy, xx - yy)) + 90.0) % 180.0
    best = (0.0, 0.0, first)
    for turn in _ANGLE_STEPS:
        lag, depth = _smear(g, first + turn)
        if depth < best[1]:
            best = (lag, depth, first + turn)
    return best[0], best[2] % 180.0


_MOTION_WINDOW_PX = 384
_ANGLE_STEPS = (0.0, -2.0, 2.0, -4.0, 4.0, -6.0, 6.0, -8.0, 8.0)


def _smear(g: npt.NDArray[np.float32], angle: float) -> tuple[float, float]:
    """(lag, depth): the deepest negative autocorrelation of the derivative along ``angle``."""
    h, w = g.shape[:2]
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)  # the motion made horizontal
    level = cv2.warpAffine(g, turn, (w, h), flags=cv2.INTER_LINEAR)
    m = int(min(h, w) * 0.15)  # the turned corners are empty
    step = np.diff(level[m : h - m, m : w - m], axis=1)
    if step.size == 0:  # a sliver of a region: nothing to measure
        return 0.0, 0.0
    step -= step.mean()
    rows, cols = step.shape
    top = min(_MAX_MOTION_PX, cols // 2)
    if top < 5:
        return 0.0, 0.0
    # Every row's autocorrelation at once, summed: through the power spectrum (Wiener–Khinchin).
    n = cv2.getOptimalDFTSize(2 * cols)
    padded = cv2.copyMakeBorder(step, 0, 0, 0, n - cols, cv2.BORDER_CONSTANT, value=0)
    spectrum = cv2.dft(padded, flags=cv2.DFT_ROWS | cv2.DFT_COMPLEX_OUTPUT)
    power = (spectrum[..., 0] ** 2 + spectrum[..., 1] ** 2).sum(axis=0, dtype=np.float64)
    total = np.fft.ifft(power).real[:top]
    per_pair = total / (rows * (cols - np.arange(top)))  # the mean product at each lag
    corr = per_pair[2:] / (per_pair[0] or 1.0)
    k = int(np.argmin(corr))
    offset = 0.0
    if 0 < k < corr.size - 1:  # the dip's bottom between samples (a parabola through three)
        before, at, after = corr[k - 1], corr[k], corr[k + 1]
        curve = before - 2 * at + after
        offset = 0.5 * (before - after) / curve if curve > 0 else 0.0
    return k + 2 + offset, float(corr[k])


_MAX_MOTION_PX = 48
"""The longest smear measured: a hand's swing in one 33 ms exposure at arm's length."""

MOTION_TRIES = ((-1.25, 0.0), (-0.5, 0.0), (-2.0, 0.0), (-1.25, 2.0), (-1.25, -2.0))
"""(length, angle) corrections tried in turn on :func:`motion_blur_of`'s estimate: the lag
reads about 1.25 px long (the line's ends), and the angle is within ±5°; a Wiener filter
restores a readable code only about ±1 px and ±3° from the truth."""


class MotionDeblur(RegionStage):
    """For a code smeared by motion (a phone swung up to the camera): the blur's length and
    direction measured on the region (:func:`motion_blur_of`), undone by a Wiener filter, read
    by zxing.

    The region's cepstrum decides whether it is smeared along a line at all (a cheap gate:
    plaid, moiré and grain do not pass it); the deconvolution then works on the region at up
    to ``max_px`` a side: full size for a phone at arm's length (modules of 5–7 px smeared by
    25 px do not survive a downscale). It also looks at frames in which zxing saw nothing
    (:meth:`decode_unsighted`): a swung code is often not even sighted; there it costs the
    contour finder and a sharpness measure (about 1 ms), and the cepstrum only for a blurred
    region. A grainy region (a dim lobby) is smoothed first and deconvolved more gently:
    the filter would otherwise lift the grain above the code.
    """

    name = "deblur"

    def __init__(self, inner: Decoder, *, max_px: int = 900) -> None:
        self._inner = inner
        self._max_px = max_px

    def decode_unsighted(self, grey: Frame, regions: Regions) -> Decoded | None:
        """Only the likeliest candidate region, and only when it is blurred and its cepstrum
        shows a line: cheap on frames without a code."""
        boxes = [b for b in regions.boxes(1) if regions.blurred(b)]
        if not boxes:
            return None
        # One correction only: a striped shirt passes every test above, and five full-size
        # Wiener filters on it cost 200 ms a frame; on the hard stratum every smeared code
        # read where zxing saw nothing was read by the first correction.
        return self.decode_in(
            grey, boxes, prominence=MOTION_PROMINENCE_BLIND, tries=MOTION_TRIES[:1]
        )

    def decode_in(
        self,
        frame: Frame,
        boxes: Sequence[Box],
        *,
        prominence: float = MOTION_PROMINENCE,
        tries: Sequence[tuple[float, float]] = MOTION_TRIES,
    ) -> Decoded | None:
        grey = to_grey(frame)
        for x, y, w, h in boxes:
            crop = grey[y : y + h, x : x + w]
            # The deepest dip of the cepstrum must stand out: the region is smeared on a line.
            dips = [d for d in motions_of(crop) if d[0] >= 3]
            if not dips or dips[0][2] < prominence:
                continue
            scale = min(1.0, self._max_px / max(w, h, 1))
            work = crop
            if scale < 1.0:
                work = as_frame(
                    cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
                )
            length, angle = motion_blur_of(work)
            if length < 3:
                continue
            found = self._restore(work, length, angle, tries)
            if found is not None:
                corners = tuple((x + cx / scale, y + cy / scale) for cx, cy in found.corners)
                return Decoded(found.text, found.raw, corners, self.name)
        return None

    def _restore(
        self, grey: Frame, length: float, angle: float, tries: Sequence[tuple[float, float]]
    ) -> Decoded | None:
        noise = 0.003
        if grain(grey) >= GRAINY:
            grey, noise = as_frame(cv2.GaussianBlur(grey, (0, 0), 1.0)), 0.01
        for more, turn in tries:
            found = self._inner.decode(wiener(grey, line_psf(length + more, angle + turn), noise))
            if found is not None:
                return found
        return None


GRAINY = 2.5
"""The :func:`grain` above which a region is smoothed before deconvolution. Measured on
generated regions: smeared codes in good light 0–0.3, the same at 20–60 lux 4–11."""

_GRAIN_MASK = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)


def grain(grey: Frame) -> float:
    """The sensor noise's standard deviation in grey levels (Immerkær's mask, which cancels
    every smooth picture, and the median of its response, which ignores the code's edges).

    :func:`sensor_noise` cannot tell a code's own fine detail from grain; this can, about
    1 ms on a 500×500 region.
    """
    response = cv2.filter2D(grey.astype(np.float32), -1, _GRAIN_MASK)
    return float(np.median(np.abs(response))) * 1.4826 / 6.0
