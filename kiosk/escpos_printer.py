"""ESC/POS thermal printers through python-escpos: the only module that imports ``escpos``.

A slip goes out as one raster picture (``GS v 0``) followed by a cut, because cheap printers
garble Vietnamese in text mode. Every failure becomes a :class:`~kiosk.ports.PrintResult`
problem ("offline", "paper_out", "timeout", "error"), never an exception, so a check-in is
never lost to a printer. A missing USB or serial library is reported with the fix to apply.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from typing import Any

from PIL.Image import Image

from kiosk.ports import PrintResult

log = logging.getLogger(__name__)

# python-escpos has no type information; a connection is an ``escpos.escpos.Escpos``.
Connection = Any
Connect = Callable[[], Connection]

RT_STATUS_ONLINE = b"\x10\x04\x01"  # DLE EOT 1: printer status
RT_OFFLINE_BIT = 0x08
PAPER_OUT = 0
FRAGMENT_ROWS = 960  # rows per GS v 0 command: small enough for the buffer of cheap printers


class PrinterSetupError(Exception):
    """The printer cannot be used until something is installed or configured (the message says
    what)."""


class EscPosPrinter:
    """A :class:`~kiosk.ports.SlipPrinter` for an ESC/POS printer reached through ``connect``.

    ``connect`` opens a new connection for each job (a printer switched off and on again keeps
    working); the factories below build it for USB, network, serial and device-file printers.
    """

    def __init__(self, connect: Connect, timeout_s: float = 5.0) -> None:
        self._connect = connect
        self._timeout_s = timeout_s

    def print_image(self, image: Image, name: str) -> PrintResult:
        """Print the raster and cut; wait at most ``timeout_s``. Never raises."""
        outcome: list[PrintResult] = []
        worker = threading.Thread(
            target=lambda: outcome.append(self._job(image)),
            name=f"escpos-{name}",
            daemon=True,  # a printer that hangs must not keep the kiosk from shutting down
        )
        worker.start()
        worker.join(self._timeout_s)
        if worker.is_alive() or not outcome:
            log.info("slip %s: printer did not finish within %.1f s", name, self._timeout_s)
            return PrintResult(False, "timeout", f"no answer within {self._timeout_s:g} s")
        result = outcome[0]
        if not result.ok:
            log.info("slip %s: %s (%s)", name, result.problem, result.detail)
        return result

    def _job(self, image: Image) -> PrintResult:
        try:
            printer = self._connect()
            _ = printer.device  # python-escpos opens lazily: open now so failures show here
        except PrinterSetupError as error:
            return PrintResult(False, "error", str(error))
        except Exception as error:  # whatever the reason, the printer cannot be reached
            return PrintResult(False, "offline", _one_line(error))
        try:
            problem = _status_problem(printer)
            if problem:
                return problem
            _allow_width(printer, image.width)
            printer.hw("INIT")
            # python-escpos converts the whole image before splitting a tall one: split first
            for top in range(0, image.height, FRAGMENT_ROWS):
                fragment = image.crop((0, top, image.width, min(top + FRAGMENT_ROWS, image.height)))
                printer.image(
                    fragment, impl="bitImageRaster", center=False, fragment_height=FRAGMENT_ROWS
                )
            printer.cut()
            # paper that ran out during the job leaves a torn slip: report it
            if _paper_status(printer) == PAPER_OUT:
                return PrintResult(False, "paper_out", "the paper ran out while printing")
            return PrintResult(True)
        except Exception as error:
            return _failure(error, default="error")
        finally:
            try:
                printer.close()
            except Exception as error:  # closing a dead connection can fail too
                log.debug("closing the printer failed: %s", error)


def _one_line(error: Exception) -> str:
    return " ".join(f"{type(error).__name__}: {error}".split())


def _failure(error: Exception, default: str) -> PrintResult:
    detail = _one_line(error)
    if isinstance(error, TimeoutError) or "timeout" in type(error).__name__.lower():
        return PrintResult(False, "timeout", detail)
    if isinstance(error, ConnectionError | BrokenPipeError):
        return PrintResult(False, "offline", detail)
    return PrintResult(False, default, detail)


def _supports_reading(printer: Connection) -> bool:
    from escpos.escpos import Escpos

    return type(printer)._read is not Escpos._read


def _online_status(printer: Connection) -> bool | None:
    """True/False when the printer answers DLE EOT 1, None when it cannot say."""
    if not _supports_reading(printer):
        return None
    try:
        status = printer.query_status(RT_STATUS_ONLINE)
    except Exception as error:
        log.debug("printer status unknown: %s", error)
        return None
    if not status:
        return None
    return not (status[0] & RT_OFFLINE_BIT)


def _paper_status(printer: Connection) -> int | None:
    """2 plenty, 1 near the end, 0 out; None when the connection cannot report it."""
    if not _supports_reading(printer):
        return None
    try:
        return int(printer.paper_status())
    except Exception as error:
        log.debug("paper status unknown: %s", error)
        return None


def _status_problem(printer: Connection) -> PrintResult | None:
    if _online_status(printer) is False:
        return PrintResult(False, "offline", "the printer reports it is offline (cover open?)")
    if _paper_status(printer) == PAPER_OUT:
        return PrintResult(False, "paper_out", "the printer reports no paper")
    return None


def _allow_width(printer: Connection, width: int) -> None:
    # The default profile does not know the paper width and python-escpos then prints a notice
    # on stdout for every image; tell this connection's profile the width of our raster.
    profile = printer.profile
    media = dict(profile.profile_data.get("media", {}))
    pixels = media.get("width", {}).get("pixels")
    if not isinstance(pixels, int):
        media["width"] = {**media.get("width", {}), "pixels": width}
        profile.profile_data = {**profile.profile_data, "media": media}


def usb_connection(vendor_id: int, product_id: int, timeout_s: float = 5.0) -> Connect:
    """A USB printer by its vendor and product id (see ``lsusb``); needs pyusb and libusb."""

    def connect() -> Connection:
        from escpos.printer import usb

        if not usb.is_usable():
            raise PrinterSetupError(
                "USB printing needs pyusb: pip install pyusb (and libusb: "
                "sudo apt-get install libusb-1.0-0)"
            )
        try:
            printer = usb.Usb(vendor_id, product_id, timeout=int(timeout_s * 1000))
            printer.open()
        except Exception as error:
            if type(error).__name__ == "NoBackendError":
                raise PrinterSetupError(
                    "USB printing needs libusb: sudo apt-get install libusb-1.0-0"
                ) from None
            raise
        return printer

    return connect


def network_connection(host: str, port: int = 9100, timeout_s: float = 5.0) -> Connect:
    """A network printer on its raw port (9100)."""

    def connect() -> Connection:
        from escpos.printer import network

        if not host:
            raise PrinterSetupError("printer.host is empty: set the printer's IP address")
        # python-escpos leaks its socket when the connection is refused: connect here instead
        sock = socket.create_connection((host, port), timeout=timeout_s)
        printer = network.Network(host, port=port, timeout=timeout_s)
        printer.device = sock
        return printer

    return connect


def serial_connection(device: str, baudrate: int = 9600, timeout_s: float = 5.0) -> Connect:
    """A serial printer (``/dev/ttyUSB0``, ``COM3``); needs pyserial."""

    def connect() -> Connection:
        from escpos.printer import serial

        if not serial.is_usable():
            raise PrinterSetupError("serial printing needs pyserial: pip install pyserial")
        printer = serial.Serial(devfile=device, baudrate=baudrate, timeout=timeout_s)
        printer.open()
        return printer

    return connect


def file_connection(path: str) -> Connect:
    """A device or file the raw ESC/POS bytes are written to (``/dev/usb/lp0``)."""

    def connect() -> Connection:
        from escpos.printer import file

        printer = file.File(devfile=path, auto_flush=True)
        printer.open()
        return printer

    return connect


def dummy_connection(sink: list[bytes] | None = None) -> Connect:
    """An in-memory printer; each job's bytes are appended to ``sink`` (demos and tests)."""

    def connect() -> Connection:
        from escpos.printer import dummy

        class _Recording(dummy.Dummy):  # type: ignore[misc]
            def close(self) -> None:
                if sink is not None:
                    sink.append(self.output)

        return _Recording()

    return connect


def encode_image(image: Image) -> bytes:
    """The ESC/POS bytes of one slip (raster and cut), as sent to a printer."""
    sink: list[bytes] = []
    result = EscPosPrinter(dummy_connection(sink)).print_image(image, "encode")
    if not result.ok:
        raise RuntimeError(f"encoding failed: {result.problem} {result.detail}")
    return sink[0]
