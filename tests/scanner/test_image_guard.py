"""Image bombs: every one refused from its first bytes or its header, in little memory.

Each bomb goes through the real ``kiosk-admin decode --json`` in a child process whose peak
memory (its maximum resident set) a parent process in between reports: the bomb must be
refused with a clear message and the child must stay under 100 MB (the command's own
libraries take about 65 MB of it).
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from scanner import image_guard
from scanner.cameras.files import FolderCamera, open_clip
from scanner.image_guard import ImageRefusedError, kind_of, read_image
from tests.conftest import REPO_ROOT
from tests.fakes import FakeClock
from tests.scanner.image_cap_config import config_with_image_cap

PEAK_MB = 100

_MEASURED = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True)
sys.stdout.buffer.write(done.stdout)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024, done.returncode)
"""


def _decode_measured(image: Path, cwd: Path) -> tuple[dict[str, object], int, int]:
    """``kiosk-admin decode --json IMAGE`` in a child: its JSON line, exit code and peak MB."""
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    command = [sys.executable, "-m", "db.cli", "decode", "--json", str(image)]
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, *command],
        cwd=cwd,
        env=env,
        capture_output=True,
        timeout=120,
        check=True,
    )
    *lines, last = done.stdout.decode("utf-8").splitlines()
    peak_mb, code = (int(v) for v in last.split())
    return json.loads(lines[0]), code, peak_mb


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png_bomb(path: Path) -> None:
    """A PNG declaring 50,000 × 50,000 (2.5 Gpx, 7.5 GB as RGB) in a few kilobytes of
    zeros that really do inflate to its first rows."""
    header = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\0" * (1 + 3 * 50_000) * 40, 9)
    idat = _chunk(b"IDAT", rows)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + idat + _chunk(b"IEND", b""))


def jpeg_liar(path: Path) -> None:
    """A real small JPEG whose frame header (SOF) is rewritten to claim 65,000 × 65,000."""
    ok, encoded = cv2.imencode(".jpg", np.full((64, 64, 3), 128, np.uint8))
    assert ok
    data = bytearray(encoded.tobytes())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 65_000, 65_000)
    path.write_bytes(bytes(data))


def hdr_bomb(path: Path) -> None:
    """A Radiance .hdr of 10,000 × 8,000 (80 Mpx, 1.3 GB as float RGB): run-length rows of
    about 640 bytes, 5 MB in all (as the issue's)."""
    width, height = 10_000, 8_000

    def run_of(value: int) -> bytes:  # one channel of a row: runs of at most 127
        full, rest = divmod(width, 127)
        return bytes((255, value)) * full + (bytes((128 + rest, value)) if rest else b"")

    row = struct.pack(">BBH", 2, 2, width) + run_of(100) * 3 + run_of(128)
    head = f"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y {height} +X {width}\n".encode()
    path.write_bytes(head + row * height)


def tiff_bomb(path: Path) -> None:
    """A little-endian TIFF declaring 100,000 × 100,000 grey pixels in one strip."""
    entries = [
        (256, 4, 1, 100_000),  # ImageWidth
        (257, 4, 1, 100_000),  # ImageLength
        (258, 3, 1, 8),  # BitsPerSample
        (259, 3, 1, 1),  # no compression
        (262, 3, 1, 1),  # BlackIsZero
        (273, 4, 1, 8 + 2 + 9 * 12 + 4),  # StripOffsets: just after the directory
        (277, 3, 1, 1),  # SamplesPerPixel
        (278, 4, 1, 100_000),  # RowsPerStrip
        (279, 4, 1, 10_000_000_000 % 2**32),  # StripByteCounts
    ]
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        packed = struct.pack("<I", value) if kind == 4 else struct.pack("<HH", value, 0)
        ifd += struct.pack("<HHI", tag, kind, count) + packed
    path.write_bytes(b"II*\0" + struct.pack("<I", 8) + ifd + b"\0\0\0\0" + b"\0" * 4096)


def gif_bomb(path: Path) -> None:
    """A GIF89a of 2,000 frames on a 6,000 × 6,000 screen (36 Mpx: under the cap, so its
    size alone would pass), each frame one pixel: 2,000 full screens for a decoder that
    composes every frame, in 50 kB."""
    out = bytearray(b"GIF89a" + struct.pack("<HHBBB", 6_000, 6_000, 0x80, 0, 0))
    out += b"\0\0\0\xff\xff\xff"  # two colours
    frame = b"\x21\xf9\x04\x00\x00\x00\x00\x00"  # graphic control: no delay
    frame += b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0)
    frame += b"\x02\x02\x44\x01\x00"  # LZW: clear, pixel 0, end
    out += frame * 2_000 + b"\x3b"
    path.write_bytes(bytes(out))


BOMBS: dict[str, tuple[Callable[[Path], None], str]] = {
    "bomb.png": (png_bomb, "image too large (over 40 Mpx"),
    "lying.jpg": (jpeg_liar, "image too large (over 40 Mpx"),
    "bomb.hdr": (hdr_bomb, "not a readable image (only PNG, JPEG, WebP, BMP)"),
    "bomb.tiff": (tiff_bomb, "not a readable image (only PNG, JPEG, WebP, BMP)"),
    "bomb.gif": (gif_bomb, "not a readable image (only PNG, JPEG, WebP, BMP)"),
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_each_bomb_is_refused_in_little_memory(name: str, tmp_path: Path) -> None:
    make, message = BOMBS[name]
    bomb = tmp_path / name
    make(bomb)
    line, code, peak_mb = _decode_measured(bomb, cwd=tmp_path)
    assert code == 1
    assert line["texts"] == []
    assert str(line["error"]).startswith(message), line
    assert " / " in str(line["error"])  # and in Vietnamese
    assert peak_mb < PEAK_MB, f"{name}: {peak_mb} MB"


def test_a_bomb_named_like_a_png_is_judged_by_its_content(tmp_path: Path) -> None:
    disguised = tmp_path / "card.png"
    hdr_bomb(disguised)
    with pytest.raises(ImageRefusedError, match="only PNG, JPEG, WebP, BMP"):
        read_image(disguised)
    png = tmp_path / "photo.dat"  # and a real PNG under any name is read
    cv2.imwrite(str(png.with_suffix(".png")), np.full((20, 30, 3), 7, np.uint8))
    png.with_suffix(".png").rename(png)
    assert read_image(png).shape == (20, 30, 3)


def test_the_accepted_formats_by_their_first_bytes(tmp_path: Path) -> None:
    picture = np.zeros((12, 16, 3), np.uint8)
    picture[:, :, 2] = 200  # red in BGR: the channel order survives the read
    for suffix in (".png", ".jpg", ".webp", ".bmp"):
        path = tmp_path / f"p{suffix}"
        cv2.imwrite(str(path), picture)
        assert kind_of(path.read_bytes()[:16]) is not None, suffix
        frame = read_image(path)
        assert frame.shape == (12, 16, 3)
        assert abs(int(frame[6, 8, 2]) - 200) < 12, suffix
        assert int(frame[6, 8, 0]) < 12, suffix
    assert kind_of(b"GIF89a\0\0\0\0\0\0") is None
    assert kind_of(b"II*\0\x08\0\0\0\0\0\0\0") is None


def test_no_size_in_the_header_is_refused(tmp_path: Path) -> None:
    cut = tmp_path / "cut.png"
    cut.write_bytes(b"\x89PNG\r\n\x1a\n\0\0")  # the magic, then nothing
    with pytest.raises(ImageRefusedError, match="no size in its PNG header"):
        read_image(cut)
    with pytest.raises(ImageRefusedError, match="no such file"):
        read_image(tmp_path / "nope.png")


def test_the_cap_is_pillows_and_opencvs_own_limit(tmp_path: Path) -> None:
    """With ``max_image_mpx = 2`` in the config, ``kiosk-admin decode`` loads OpenCV after
    setting the cap: a 3 Mpx picture is refused by OpenCV itself in that process too."""
    config = config_with_image_cap(tmp_path, 2)
    big, small = tmp_path / "big.png", tmp_path / "small.png"
    cv2.imwrite(str(big), np.zeros((1500, 2000, 3), np.uint8))
    cv2.imwrite(str(small), np.zeros((100, 100, 3), np.uint8))
    script = f"""
import contextlib, io, sys
from db.cli import main
from PIL import Image
with contextlib.redirect_stdout(io.StringIO()) as out:
    main(["--config", {str(config)!r}, "decode", "--json", {str(big)!r}])
print(out.getvalue().strip())
import cv2
print(Image.MAX_IMAGE_PIXELS)
try:
    print(cv2.imread({str(big)!r}) is None)
except cv2.error:
    print("cv2 refused")
print(cv2.imread({str(small)!r}).shape)
"""
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    env.pop("OPENCV_IO_MAX_IMAGE_PIXELS", None)
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=120,
        check=True,
    )
    line, pillow, opencv, shape = done.stdout.decode("utf-8").splitlines()
    assert json.loads(line)["error"].startswith("image too large (over 2 Mpx")
    assert pillow == "2000000"
    assert opencv in ("cv2 refused", "True")
    assert shape == "(100, 100, 3)"


def test_frame_folders_and_folder_cameras_refuse_bombs_too(tmp_path: Path) -> None:
    clip = tmp_path / "clip"
    clip.mkdir()
    cv2.imwrite(str(clip / "000.png"), np.zeros((40, 40, 3), np.uint8))
    png_bomb(clip / "001.png")
    frames, _ = open_clip(clip)
    assert next(frames).shape == (40, 40, 3)
    with pytest.raises(ValueError, match="image too large"):
        next(frames)
    camera = FolderCamera([clip / "001.png"], fps=10, clock=FakeClock())
    with pytest.raises(ValueError, match="image too large"):
        camera.read()


def test_the_cap_follows_the_setting(tmp_path: Path) -> None:
    picture = tmp_path / "p.png"
    cv2.imwrite(str(picture), np.zeros((1000, 1500, 3), np.uint8))  # 1.5 Mpx
    with pytest.raises(ImageRefusedError, match="over 1 Mpx"):
        read_image(picture, max_px=1_000_000)
    assert read_image(picture).shape == (1000, 1500, 3)
    before = image_guard.pixel_cap()
    try:
        image_guard.set_pixel_cap(1)
        assert os.environ["OPENCV_IO_MAX_IMAGE_PIXELS"] == "1000000"
        with pytest.raises(ImageRefusedError, match="over 1 Mpx"):
            read_image(picture)
    finally:
        image_guard.set_pixel_cap(before // 1_000_000)
