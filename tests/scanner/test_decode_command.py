"""``kiosk-admin decode`` on real image files, through the real command line."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from scanner import scenes

RunCli = Callable[..., subprocess.CompletedProcess[bytes]]
TEXT = "079190001234||Lê Thị Hồng Nhung|15081990|Nữ|Số 12 Nguyễn Đình Chiểu, Quận 3|10052021"


def test_decode_prints_one_json_line_per_image(tmp_path: Path, run_cli: RunCli) -> None:
    card = tmp_path / "card.png"
    blank = tmp_path / "blank.jpg"
    cv2.imwrite(str(card), cv2.copyMakeBorder(scenes.qr_image(TEXT, 300), 40, 40, 40, 40, 0, 255))
    cv2.imwrite(str(blank), np.full((100, 100, 3), 255, np.uint8))
    result = run_cli(["decode", "--json", str(card), str(blank)], cwd=tmp_path)
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
    cv2.imwrite(str(card), cv2.copyMakeBorder(scenes.qr_image(TEXT, 300), 40, 40, 40, 40, 0, 255))
    result = run_cli(["decode", str(broken), str(tmp_path / "nope.png"), str(card)], cwd=tmp_path)
    assert result.returncode == 1
    out = result.stdout.decode("utf-8").splitlines()
    assert out[0] == f"{broken}: error: not a readable image"
    assert out[1] == f"{tmp_path / 'nope.png'}: error: no such file"
    assert TEXT in out[2]
