"""Folder and video-file cameras play at the set rate and return None between frames."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.config import CameraSettings
from scanner.cameras.files import FolderCamera, VideoFileCamera
from scanner.factory import build_camera
from scanner.ports import CameraState
from tests.fakes import FakeClock


def _frames(n: int) -> list[np.ndarray]:
    return [np.full((48, 64, 3), 40 * i, np.uint8) for i in range(n)]


def test_folder_camera_plays_sorted_images_at_fps_and_loops(tmp_path: Path) -> None:
    for i, image in enumerate(_frames(3)):
        cv2.imwrite(str(tmp_path / f"{i:02d}.png"), image)
    (tmp_path / "notes.txt").write_text("not an image")
    clock = FakeClock()
    camera = FolderCamera(tmp_path, fps=10, clock=clock)
    seen = []
    for _ in range(16):  # 0.8 s at 50 ms per call: 8 frames, the rest None
        frame = camera.read()
        if frame is not None:
            seen.append(int(frame[0, 0, 0]))
        clock.advance(seconds=0.05)
    assert seen == [0, 40, 80, 0, 40, 80, 0, 40]
    camera.close()
    assert camera.read() is None
    assert camera.state is CameraState.LOST


def test_folder_camera_without_loop_stops_and_empty_folder_is_an_error(tmp_path: Path) -> None:
    clock = FakeClock()
    camera = FolderCamera(_frames(2), fps=1, clock=clock, loop=False)
    got = []
    for _ in range(4):
        got.append(camera.read())
        clock.advance(seconds=1)
    assert [g is not None for g in got] == [True, True, False, False]
    with pytest.raises(ValueError, match="no images"):
        FolderCamera(tmp_path, fps=1, clock=clock)


def test_video_file_camera_plays_and_loops(tmp_path: Path) -> None:
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 10, (64, 48))
    for image in _frames(3):
        writer.write(image)
    writer.release()
    clock = FakeClock()
    camera = build_camera(CameraSettings(device=str(path), fps=5), clock)
    assert isinstance(camera, VideoFileCamera)
    levels = []
    for _ in range(10):  # 1 s in 0.1 s calls at 5 fps: a frame every other call
        frame = camera.read()
        if frame is not None:
            levels.append(round(float(frame.mean()) / 40))
        clock.advance(seconds=0.1)
    assert levels == [0, 1, 2, 0, 1]
    camera.close()
    with pytest.raises(ValueError, match="cannot open"):
        VideoFileCamera(tmp_path / "missing.avi", 5, clock)


def test_build_camera_picks_a_folder_camera_for_a_folder(tmp_path: Path) -> None:
    cv2.imwrite(str(tmp_path / "a.png"), _frames(1)[0])
    camera = build_camera(CameraSettings(device=str(tmp_path)), FakeClock())
    assert isinstance(camera, FolderCamera)
