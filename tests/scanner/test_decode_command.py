"""``kiosk-admin decode`` on real image files, through the real command line."""

from __future__ import annotations

import json
import struct
import subprocess
import zlib
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from scanner import scenes
from scanner.ports import Frame, as_frame
from tests.scanner.image_cap_config import config_with_image_cap

RunCli = Callable[..., subprocess.CompletedProcess[bytes]]
TEXT = "079190001234||Lê Thị Hồng Nhung|15081990|Nữ|Số 12 Nguyễn Đình Chiểu, Quận 3|10052021"


def _card(text: str) -> Frame:
    """The QR of ``text`` on a white card 40 px wider on each side."""
    return np.pad(scenes.qr_image(text, 300), 40, constant_values=255)


def test_decode_prints_one_json_line_per_image(tmp_path: Path, run_cli: RunCli) -> None:
    card = tmp_path / "card.png"
    blank = tmp_path / "blank.jpg"
    cv2.imwrite(str(card), _card(TEXT))
    cv2.imwrite(str(blank), np.full((100, 100, 3), 255, np.uint8))
    result = run_cli(["decode", "--json", "--reveal", str(card), str(blank)], cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    lines = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert [line["image"] for line in lines] == [str(card), str(blank)]
    assert lines[0]["texts"] == [TEXT]
    assert lines[1]["texts"] == []
    assert all(isinstance(line["ms"], float) for line in lines)


def test_unreadable_images_get_a_message_and_exit_1(tmp_path: Path, run_cli: RunCli) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a png")
    card = tmp_path / "card.png"
    cv2.imwrite(str(card), _card(TEXT))
    result = run_cli(
        ["decode", "--reveal", str(broken), str(tmp_path / "nope.png"), str(card)], cwd=tmp_path
    )
    assert result.returncode == 1
    out = result.stdout.decode("utf-8").splitlines()
    assert out[0].startswith(f"{broken}: error: not a readable image (only PNG, JPEG, WebP, BMP)")
    assert out[1].startswith(f"{tmp_path / 'nope.png'}: error: no such file / ")
    assert TEXT in out[2]


def test_the_text_is_masked_unless_revealed(tmp_path: Path, run_cli: RunCli) -> None:
    card = tmp_path / "card.png"
    cv2.imwrite(str(card), _card(TEXT))
    for args in (["decode", str(card)], ["decode", "--json", str(card)]):
        result = run_cli(args, cwd=tmp_path)
        assert result.returncode == 0, result.stderr.decode()
        out = result.stdout.decode("utf-8")
        for secret in ("079190001234", "Nhung", "15081990", "Nguyễn Đình Chiểu"):
            assert secret not in out
        assert "************||****" in out  # the shape stays: fields and separators


def _png_header_only(path: Path, width: int, height: int) -> None:
    """A PNG whose header declares ``width`` x ``height`` and whose pixels are a stub."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    stub = zlib.compress(b"\0" * 64)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", stub) + chunk(b"IEND", b"")
    )


def test_an_oversized_image_is_refused_from_its_header(tmp_path: Path, run_cli: RunCli) -> None:
    huge = tmp_path / "huge.png"
    _png_header_only(huge, 12_000, 12_000)  # 144 Mpx declared in a few bytes
    result = run_cli(["decode", "--json", str(huge)], cwd=tmp_path)
    assert result.returncode == 1
    assert json.loads(result.stdout)["error"].startswith("image too large (over 40 Mpx")
    # the limit is a setting
    config = config_with_image_cap(tmp_path, 200)
    allowed = run_cli(["--config", str(config), "decode", "--json", str(huge)], cwd=tmp_path)
    assert "too large" not in allowed.stdout.decode()


def _clip_frames(text: str) -> list[np.ndarray]:
    """Half a second of empty lobby, then the card held still."""
    card = scenes.bgr(as_frame(cv2.resize(_card(text), (640, 380))))
    empty = np.full_like(card, 180)
    return [empty] * 15 + [card] * 30


def test_stream_reads_a_folder_of_frames_at_the_given_rate(tmp_path: Path, run_cli: RunCli) -> None:
    folder = tmp_path / "clip"
    folder.mkdir()
    for index, frame in enumerate(_clip_frames(TEXT)):
        cv2.imwrite(str(folder / f"{index:03d}.png"), frame)
    masked = run_cli(["decode", "--stream", str(folder), "--json"], cwd=tmp_path)
    assert masked.returncode == 0, masked.stderr.decode()
    assert "Nhung" not in masked.stdout.decode("utf-8")  # personal data only with --reveal
    assert json.loads(masked.stdout)["text"].startswith("************||")
    result = run_cli(["decode", "--stream", str(folder), "--json", "--reveal"], cwd=tmp_path)
    line = json.loads(result.stdout.decode("utf-8"))
    assert list(line) == ["clip", "text", "ms_to_read", "frames"]
    # 30 fps by default, decoded 10 times a second: read at frame 15, confirmed at frame 18.
    assert line == {"clip": str(folder), "text": TEXT, "ms_to_read": 600.0, "frames": 19}
    slow = run_cli(["decode", "--stream", str(folder), "--fps", "15", "--json"], cwd=tmp_path)
    assert json.loads(slow.stdout.decode("utf-8"))["ms_to_read"] == 1200.0


def test_stream_reads_a_video_at_its_own_rate_and_reports_an_unread_clip(
    tmp_path: Path, run_cli: RunCli
) -> None:
    video = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter.fourcc(*"MJPG"), 20, (640, 380))
    for frame in _clip_frames(TEXT):
        writer.write(frame)
    writer.release()
    result = run_cli(["decode", "--stream", str(video), "--json", "--reveal"], cwd=tmp_path)
    line = json.loads(result.stdout.decode("utf-8"))
    assert (line["text"], line["ms_to_read"]) == (TEXT, 900.0)  # frame 18 at 20 fps
    blank = tmp_path / "blank"
    blank.mkdir()
    for index in range(5):
        cv2.imwrite(str(blank / f"{index}.png"), np.full((100, 100, 3), 200, np.uint8))
    result = run_cli(["decode", "--stream", str(blank), "--json"], cwd=tmp_path)
    assert result.returncode == 0
    line = json.loads(result.stdout.decode("utf-8"))
    assert line == {"clip": str(blank), "text": None, "ms_to_read": None, "frames": 5}


def test_stream_errors_name_the_clip_and_no_input_is_a_usage_error(
    tmp_path: Path, run_cli: RunCli
) -> None:
    result = run_cli(["decode", "--stream", str(tmp_path / "nope.mp4"), "--json"], cwd=tmp_path)
    assert result.returncode == 1
    line = json.loads(result.stdout.decode("utf-8"))
    assert (line["text"], line["frames"], line["error"]) == (None, 0, "no such file or folder")
    result = run_cli(["decode"], cwd=tmp_path)
    assert result.returncode == 2
    assert b"--stream CLIP" in result.stderr
