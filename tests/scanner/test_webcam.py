"""OpenCVCamera's lost / reconnect behaviour, driven by a fake capture device."""

from __future__ import annotations

import time
from collections.abc import Callable

import cv2
from scanner_fakes import FakeDevice

from scanner.ports import CameraState
from scanner.webcam import OpenCVCamera, device_of


def _until(condition: Callable[[], bool], timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return False


def _camera(device: FakeDevice) -> OpenCVCamera:
    return OpenCVCamera(
        0, 1280, 720, 30, capture_factory=device.factory, first_retry_s=0.02, max_retry_s=0.05
    )


def test_delivers_the_newest_frame_once_and_asks_for_a_one_frame_buffer() -> None:
    device = FakeDevice()
    camera = _camera(device)
    try:
        assert _until(lambda: camera.state is CameraState.OK)
        assert _until(lambda: device.frame_number > 5)
        frame = camera.read()
        assert frame is not None
        assert frame.dtype.name == "uint8"
        settings = device.captures[0].settings
        assert settings[cv2.CAP_PROP_BUFFERSIZE] == 1
        assert settings[cv2.CAP_PROP_FRAME_WIDTH] == 1280
        assert settings[cv2.CAP_PROP_FRAME_HEIGHT] == 720
    finally:
        camera.close()


def test_read_after_read_returns_none_until_a_new_frame_arrives() -> None:
    device = FakeDevice()
    camera = _camera(device)
    try:
        assert _until(lambda: camera.read() is not None)
        device.plugged.clear()  # no new frames from now on
        assert _until(lambda: camera.state is CameraState.LOST)
        assert camera.read() is None
    finally:
        camera.close()


def test_unplugged_camera_is_lost_then_ok_again_when_back() -> None:
    device = FakeDevice()
    camera = _camera(device)
    try:
        assert _until(lambda: camera.state is CameraState.OK)
        device.plugged.clear()
        assert _until(lambda: camera.state is CameraState.LOST)
        opens_while_lost = device.opens
        started = time.monotonic()
        assert camera.read() is None
        assert time.monotonic() - started < 0.05  # read() never waits for the device
        assert _until(lambda: device.opens >= opens_while_lost + 2)  # keeps trying
        device.plugged.set()
        assert _until(lambda: camera.state is CameraState.OK)
        assert _until(lambda: camera.read() is not None)
        assert all(c.released for c in device.captures[:-1])
    finally:
        camera.close()


def test_a_camera_missing_at_start_is_lost_and_found_later() -> None:
    device = FakeDevice(plugged=False)
    camera = _camera(device)
    try:
        assert camera.state is CameraState.LOST
        assert camera.read() is None
        device.plugged.set()
        assert _until(lambda: camera.state is CameraState.OK)
    finally:
        camera.close()
    assert camera.state is CameraState.LOST


def test_device_of_config_text() -> None:
    assert device_of("0") == 0
    assert device_of("/dev/video2") == "/dev/video2"
