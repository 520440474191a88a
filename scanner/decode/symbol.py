"""What the zxing and zbar adapters share in turning a library's symbol into a
:class:`~scanner.ports.Decoded`: its bytes as text, its corners in order."""

from __future__ import annotations

import math
from collections.abc import Sequence

from scanner.ports import Corners


def text_of(raw: bytes) -> str:
    """The text in a QR's raw bytes: UTF-8 (BHYT, CCCD), else Shift-JIS, else Latin-1.

    zbar guesses the encoding itself and may pick Shift-JIS for UTF-8 Vietnamese; reading the
    bytes ourselves with UTF-8 first keeps names like "Nguyễn Văn Đức" intact.
    """
    for encoding in ("utf-8", "shift_jis"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def clockwise(points: Sequence[tuple[float, float]]) -> Corners:
    """Corner points ordered clockwise on screen, starting at the one nearest the top left."""
    if not points:
        return ()
    cx = sum(p[0] for p in points) / len(points)
    cy = sum(p[1] for p in points) / len(points)
    ordered = sorted(points, key=lambda p: math.atan2(p[1] - cy, p[0] - cx))
    start = min(range(len(ordered)), key=lambda i: ordered[i][0] + ordered[i][1])
    return tuple((float(x), float(y)) for x, y in ordered[start:] + ordered[:start])
