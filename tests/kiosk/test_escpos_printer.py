"""ESC/POS printing: the raster bytes decode back to the slip, and every failure is a value."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest
from escpos.printer import Dummy
from PIL import Image

from kiosk.escpos_printer import (
    EscPosPrinter,
    dummy_connection,
    encode_image,
    file_connection,
    network_connection,
    serial_connection,
    usb_connection,
)
from kiosk.slip_layout import layout_slip
from kiosk.slip_render import render_slip
from tests.builders import ZONE
from tests.fakes import (
    PRINTER_OK,
    STATUS_ONLINE,
    STATUS_PAPER,
    FakeNetworkPrinter,
    failing_escpos_device,
    unused_port,
)
from tools.slip_gallery import CLINIC, HOSPITAL, sample_checkin

OK_STATUS = PRINTER_OK
PAPER_OUT = b"\x72"  # fixed bits plus paper-end bits 5 and 6
OFFLINE = b"\x1a"  # fixed bits plus bit 3: offline


def parse_escpos(data: bytes) -> tuple[Image.Image, list[bytes]]:
    """Read a job back: the raster images stacked top to bottom, and the other commands.

    Only the commands the adapter is expected to send are understood; anything else fails.
    """
    pos = 0
    rows: list[np.ndarray] = []
    commands: list[bytes] = []
    width = None
    while pos < len(data):
        if data.startswith(b"\x1b@", pos):  # ESC @ initialise
            commands.append(b"\x1b@")
            pos += 2
        elif data.startswith(b"\x1dv0", pos):  # GS v 0 m xL xH yL yH d1...dk
            mode = data[pos + 3]
            x_bytes = data[pos + 4] + 256 * data[pos + 5]
            height = data[pos + 6] + 256 * data[pos + 7]
            assert mode == 0, "normal density expected"
            start = pos + 8
            end = start + x_bytes * height
            assert end <= len(data), "raster data cut short"
            raster = np.frombuffer(data[start:end], dtype=np.uint8).reshape(height, x_bytes)
            bits = np.unpackbits(raster, axis=1)  # 1 = a dot is burnt (black)
            assert width in (None, bits.shape[1])
            width = bits.shape[1]
            rows.append(bits)
            commands.append(b"\x1dv0")
            pos = end
        elif data.startswith(b"\x1bd", pos):  # ESC d n: print and feed n lines
            commands.append(data[pos : pos + 3])
            pos += 3
        elif data.startswith(b"\x1dV", pos):  # GS V m: cut
            length = 4 if data[pos + 2] in (65, 66) else 3
            commands.append(data[pos : pos + length])
            pos += length
        elif data.startswith(b"\x10\x04", pos):  # DLE EOT n: real-time status
            commands.append(data[pos : pos + 3])
            pos += 3
        else:
            raise AssertionError(f"unexpected byte {data[pos]:#04x} at {pos}")
    assert rows, "no raster image in the job"
    bits = np.vstack(rows)
    image = Image.fromarray(np.where(bits == 1, 0, 255).astype(np.uint8), "L").convert("1")
    return image, commands


def slip_image(dots: int, name: str = "Nguyễn Thị Ẩn Ưng Đặng Ỹ") -> Image.Image:
    slip = layout_slip(sample_checkin(name, number=321), CLINIC, HOSPITAL, ZONE)
    return render_slip(slip, dots)


def same_pixels(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and bool(
        (np.asarray(a.convert("L")) == np.asarray(b.convert("L"))).all()
    )


@pytest.mark.parametrize("dots", [576, 384])
def test_the_raster_decodes_back_to_the_slip_pixel_for_pixel(dots: int) -> None:
    image = slip_image(dots)
    sink: list[bytes] = []
    result = EscPosPrinter(dummy_connection(sink), timeout_s=10).print_image(image, "ci-1")
    assert result.ok, result
    printed, commands = parse_escpos(sink[0])
    assert same_pixels(printed, image)
    assert commands[0] == b"\x1b@"
    assert b"\x1dV\x00" in commands, "no full cut"
    assert commands.index(b"\x1dV\x00") > max(i for i, c in enumerate(commands) if c == b"\x1dv0")


def test_the_comparison_notices_a_changed_pixel() -> None:
    image = slip_image(384)
    data = bytearray(encode_image(image))
    header = data.index(b"\x1dv0")
    data[header + 8 + 5 * 48 + 10] ^= 0x01  # one dot in row 5
    printed, _ = parse_escpos(bytes(data))
    assert not same_pixels(printed, image)


def test_encoding_with_a_plain_dummy_matches_the_adapter() -> None:
    image = slip_image(576)
    reference = Dummy()
    reference.image(image, impl="bitImageRaster")
    printed, _ = parse_escpos(encode_image(image))
    expected, _ = parse_escpos(reference.output)
    assert same_pixels(printed, expected)


def test_a_device_file_receives_the_job(tmp_path: Path) -> None:
    image = slip_image(384)
    target = tmp_path / "lp0"
    target.touch()
    result = EscPosPrinter(file_connection(str(target)), timeout_s=10).print_image(image, "x")
    assert result.ok, result
    printed, commands = parse_escpos(target.read_bytes())
    assert same_pixels(printed, image)
    assert b"\x1dV\x00" in commands


def test_a_missing_device_file_is_offline(tmp_path: Path) -> None:
    result = EscPosPrinter(file_connection(str(tmp_path / "no" / "lp0")), 5).print_image(
        slip_image(384), "x"
    )
    assert (result.ok, result.problem) == (False, "offline")


@pytest.fixture
def network_printer() -> Iterator[FakeNetworkPrinter]:
    server = FakeNetworkPrinter()
    yield server
    server.close()


def test_a_network_printer_gets_the_raster_after_a_status_check(
    network_printer: FakeNetworkPrinter,
) -> None:
    image = slip_image(576)
    printer = EscPosPrinter(network_connection("127.0.0.1", network_printer.port, 5), 10)
    result = printer.print_image(image, "ci-2")
    assert result.ok, result
    network_printer.close()
    printed, commands = parse_escpos(bytes(network_printer.received))
    assert same_pixels(printed, image)
    assert commands[:2] == [STATUS_ONLINE, STATUS_PAPER]
    assert b"\x1dV\x00" in commands


@pytest.mark.parametrize(
    ("online", "paper", "problem"),
    [(OK_STATUS, PAPER_OUT, "paper_out"), (OFFLINE, OK_STATUS, "offline")],
)
def test_a_printer_that_reports_trouble_gets_no_raster(
    online: bytes, paper: bytes, problem: str
) -> None:
    server = FakeNetworkPrinter(online=online, paper=paper)
    try:
        printer = EscPosPrinter(network_connection("127.0.0.1", server.port, 5), 10)
        result = printer.print_image(slip_image(384), "ci-3")
    finally:
        server.close()
    assert (result.ok, result.problem) == (False, problem)
    assert b"\x1dv0" not in server.received


def test_nobody_listening_is_offline() -> None:
    port = unused_port()
    result = EscPosPrinter(network_connection("127.0.0.1", port, 2), 5).print_image(
        slip_image(384), "ci-4"
    )
    assert (result.ok, result.problem) == (False, "offline")
    assert "\n" not in result.detail


def test_a_printer_that_hangs_times_out() -> None:
    release = threading.Event()

    def connect() -> object:
        release.wait(10)
        raise ConnectionError("gave up")

    try:
        result = EscPosPrinter(connect, timeout_s=0.2).print_image(slip_image(384), "ci-5")
    finally:
        release.set()
    assert (result.ok, result.problem) == (False, "timeout")


def test_a_timeout_error_while_printing_is_a_timeout() -> None:
    slow = failing_escpos_device(TimeoutError("write timed out"))
    result = EscPosPrinter(slow, timeout_s=5).print_image(slip_image(384), "ci-6")
    assert (result.ok, result.problem) == (False, "timeout")


@pytest.mark.parametrize(
    ("error", "problem"),
    [(BrokenPipeError("gone"), "offline"), (ValueError("odd"), "error")],
)
def test_errors_while_printing_become_problems(error: Exception, problem: str) -> None:
    broken = failing_escpos_device(error)
    result = EscPosPrinter(broken, timeout_s=5).print_image(slip_image(384), "ci-7")
    assert (result.ok, result.problem) == (False, problem)


def test_a_printer_that_cannot_report_status_still_prints() -> None:
    sink: list[bytes] = []
    result = EscPosPrinter(dummy_connection(sink), 5).print_image(slip_image(384), "ci-8")
    assert result.ok
    _, commands = parse_escpos(sink[0])
    assert not any(c.startswith(b"\x10\x04") for c in commands)  # Dummy cannot answer: not asked


def test_missing_usb_support_names_the_fix() -> None:
    from escpos.printer import usb

    if usb.is_usable():
        pytest.skip("pyusb is installed here")
    result = EscPosPrinter(usb_connection(0x0416, 0x5011), 5).print_image(slip_image(384), "u")
    assert (result.ok, result.problem) == (False, "error")
    assert "pip install pyusb" in result.detail


def test_missing_serial_support_names_the_fix() -> None:
    from escpos.printer import serial

    if serial.is_usable():
        pytest.skip("pyserial is installed here")
    result = EscPosPrinter(serial_connection("/dev/ttyUSB9"), 5).print_image(slip_image(384), "s")
    assert (result.ok, result.problem) == (False, "error")
    assert "pip install pyserial" in result.detail


def test_a_network_printer_without_a_host_names_the_setting() -> None:
    result = EscPosPrinter(network_connection("", 9100), 5).print_image(slip_image(384), "n")
    assert (result.ok, result.problem) == (False, "error")
    assert "printer.host" in result.detail


def test_slips_that_differ_encode_to_their_own_pixels() -> None:
    a = sample_checkin("Lê Văn Tám")
    b = sample_checkin("Lê Văn Tám", checkin_id="ci-other")
    b = replace(b, created_at=datetime(2026, 11, 26, 2, 0, tzinfo=UTC))
    assert a.local_day == date(2026, 11, 25)
    images = [render_slip(layout_slip(c, CLINIC, HOSPITAL, ZONE), 384) for c in (a, b)]
    decoded = [parse_escpos(encode_image(i))[0] for i in images]
    assert same_pixels(decoded[0], images[0])
    assert same_pixels(decoded[1], images[1])
    assert not same_pixels(decoded[0], decoded[1])
