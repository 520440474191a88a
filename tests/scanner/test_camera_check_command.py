"""``kiosk-admin camera-check`` through the real command line (a folder stands in for a webcam;
the webcam's own report is tested through a fake capture device in test_webcam.py)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

CONFIG = Path(__file__).resolve().parents[2] / "config.toml"
RunCli = Callable[..., subprocess.CompletedProcess[bytes]]


def test_camera_check_reports_the_frame_a_file_camera_delivers(
    tmp_path: Path, run_cli: RunCli
) -> None:
    folder = tmp_path / "frames"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), np.full((48, 64, 3), 90, np.uint8))
    env = {"KIOSK_CONFIG": str(CONFIG), "KIOSK_CAMERA_DEVICE": str(folder)}
    result = run_cli(["camera-check", "--json"], cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr.decode()
    described = json.loads(result.stdout.decode("utf-8"))
    assert described == {"device": str(folder), "state": "ok", "kind": "file", "frame": [64, 48]}
    result = run_cli(["camera-check"], cwd=tmp_path, env=env)
    assert result.stdout.decode("utf-8").strip() == f"camera {folder}: file: 64×48"


def test_camera_check_fails_when_no_frame_comes(tmp_path: Path, run_cli: RunCli) -> None:
    env = {"KIOSK_CONFIG": str(CONFIG), "KIOSK_CAMERA_DEVICE": "/dev/video-none"}
    result = run_cli(["camera-check", "--json", "--wait", "0.3"], cwd=tmp_path, env=env)
    assert result.returncode == 1
    described = json.loads(result.stdout.decode("utf-8").splitlines()[-1])
    assert (described["kind"], described["frame"], described["state"]) == ("webcam", None, "lost")
