"""OpenCVCamera's lost / reconnect behaviour, driven by a fake capture device."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import cv2

from kiosk.config import CameraSettings
from scanner.cameras.webcam import OpenCVCamera, device_of, fourcc_text
from scanner.factory import describe_camera, summary_line
from scanner.ports import CameraState
from tests.fakes import FakeDevice


def _until(condition: Callable[[], bool], timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return False


@contextmanager
def _running(device: FakeDevice, settings: CameraSettings | None = None) -> Iterator[OpenCVCamera]:
    """A camera on the fake device that retries within tens of milliseconds; closed after."""
    camera = OpenCVCamera(
        0,
        settings or CameraSettings(),
        capture_factory=device.factory,
        first_retry_s=0.02,
        max_retry_s=0.05,
    )
    try:
        yield camera
    finally:
        camera.close()


def test_delivers_the_newest_frame_once_and_asks_for_a_one_frame_buffer() -> None:
    device = FakeDevice()
    with _running(device) as camera:
        assert _until(lambda: camera.state is CameraState.OK)
        assert _until(lambda: device.frame_number > 5)
        frame = camera.read()
        assert frame is not None
        assert frame.dtype.name == "uint8"
        settings = device.captures[0].settings
        assert settings[cv2.CAP_PROP_BUFFERSIZE] == 1
        assert settings[cv2.CAP_PROP_FRAME_WIDTH] == 1280
        assert settings[cv2.CAP_PROP_FRAME_HEIGHT] == 720


def test_read_after_read_returns_none_until_a_new_frame_arrives() -> None:
    device = FakeDevice()
    with _running(device) as camera:
        assert _until(lambda: camera.read() is not None)
        device.plugged.clear()  # no new frames from now on
        assert _until(lambda: camera.state is CameraState.LOST)
        assert camera.read() is None


def test_unplugged_camera_is_lost_then_ok_again_when_back() -> None:
    device = FakeDevice()
    with _running(device) as camera:
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


def test_a_camera_missing_at_start_is_lost_and_found_later() -> None:
    device = FakeDevice(plugged=False)
    with _running(device) as camera:
        assert camera.state is CameraState.LOST
        assert camera.read() is None
        device.plugged.set()
        assert _until(lambda: camera.state is CameraState.OK)
    assert camera.state is CameraState.LOST


def test_device_of_config_text() -> None:
    assert device_of("0") == 0
    assert device_of("/dev/video2") == "/dev/video2"


def test_camera_settings_are_asked_of_the_device_and_what_it_accepted_is_reported() -> None:
    # A webcam that tops out at 1280×720 and 30 fps and has no autofocus control.
    device = FakeDevice(
        refuses=[cv2.CAP_PROP_AUTOFOCUS],
        defaults={cv2.CAP_PROP_AUTOFOCUS: 0.0},
        clamp={
            cv2.CAP_PROP_FRAME_WIDTH: lambda v: min(v, 1280),
            cv2.CAP_PROP_FRAME_HEIGHT: lambda v: min(v, 720),
            cv2.CAP_PROP_FPS: lambda v: min(v, 30),
        },
    )
    asked = CameraSettings(
        width=1920, height=1080, fps=60, autofocus=True, auto_exposure=False, exposure=80
    )
    with _running(device, asked) as camera:
        assert _until(lambda: camera.report() is not None)
        settings = device.captures[0].settings
        assert fourcc_text(settings[cv2.CAP_PROP_FOURCC]) == "MJPG"
        assert settings[cv2.CAP_PROP_AUTO_EXPOSURE] == 1  # V4L2 manual exposure
        assert settings[cv2.CAP_PROP_EXPOSURE] == 80
        assert cv2.CAP_PROP_FOCUS not in settings  # autofocus asked: no fixed focus
        report = camera.report()
        assert report is not None
        assert report["asked"] == {
            "fourcc": "MJPG",
            "width": 1920,
            "height": 1080,
            "fps": 60,
            "autofocus": True,
            "focus": 0,
            "auto_exposure": False,
            "exposure": 80,
        }
        accepted = report["accepted"]
        assert isinstance(accepted, dict)
        assert (accepted["width"], accepted["height"], accepted["fps"]) == (1280, 720, 30)
        assert (accepted["auto_exposure"], accepted["exposure"]) == (False, 80)
        assert report["differs"] == ["autofocus", "fps", "height", "width"]
        line = summary_line({"kind": "webcam", **report})
        assert line.startswith("MJPG 1280×720 at 30 fps, focus fixed at")
        assert "not as configured: autofocus, fps, height, width" in line


def test_a_fixed_focus_is_set_with_autofocus_off() -> None:
    device = FakeDevice()
    asked = CameraSettings(autofocus=False, focus=120)
    with _running(device, asked) as camera:
        assert _until(lambda: camera.report() is not None)
        settings = device.captures[0].settings
        assert (settings[cv2.CAP_PROP_AUTOFOCUS], settings[cv2.CAP_PROP_FOCUS]) == (0, 120)
        assert settings[cv2.CAP_PROP_AUTO_EXPOSURE] == 3  # V4L2 automatic (aperture priority)
        report = camera.report()
        assert report is not None
        assert report["differs"] == []
        described = describe_camera(camera, "0", None)
        assert described["kind"] == "webcam"
        assert summary_line(described) == (
            "MJPG 1280×720 at 30 fps, focus fixed at 120.0, exposure auto"
        )
