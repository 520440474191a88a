"""Slip printers behind the :class:`~kiosk.ports.SlipPrinter` port, and the factory from config.

- :class:`FilePrinter` writes PNG and PDF files (the demo, and hospitals that print from a PC).
- :class:`SystemPrinter` hands the slip to the system spooler with ``lp`` (CUPS).
- :class:`ArchivingPrinter` keeps a PNG copy of every slip, then prints with another printer.
- ESC/POS thermal printers live in :mod:`kiosk.escpos_printer` (the only module using escpos).

No printer ever raises: a failure comes back as a :class:`~kiosk.ports.PrintResult` problem.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL.Image import Image

from kiosk.ports import PrintResult, SlipPrinter
from kiosk.settings import PrinterSettings

log = logging.getLogger(__name__)

DPI = 203  # thermal printers: 8 dots a millimetre


def safe_name(name: str) -> str:
    """``name`` reduced to characters that are safe in a file name on every system."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")
    return cleaned[:80] or "slip"


def _save_atomically(image: Image, path: Path, fmt: str) -> None:
    # a half-written file must never pass for a slip: write aside, then rename
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(handle)
    try:
        image.save(temp, format=fmt, resolution=DPI, dpi=(DPI, DPI))
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


class FilePrinter:
    """Writes each slip as ``NAME.png`` and ``NAME.pdf`` (72 mm wide at 203 dpi) in a folder."""

    def __init__(self, folder: Path) -> None:
        self._folder = Path(folder)

    def print_image(self, image: Image, name: str) -> PrintResult:
        stem = safe_name(name)
        png = self._folder / f"{stem}.png"
        pdf = self._folder / f"{stem}.pdf"
        try:
            self._folder.mkdir(parents=True, exist_ok=True)
            _save_atomically(image, png, "PNG")
            _save_atomically(image, pdf, "PDF")
        except (OSError, ValueError) as error:
            log.info("slip %s: cannot write to %s: %s", stem, self._folder, error)
            return PrintResult(False, "error", f"cannot write {png}: {error}")
        return PrintResult(True, path=str(png), detail=f"also {pdf.name}")


class SystemPrinter:
    """Prints through the system spooler with ``lp`` (CUPS); ``queue_name`` "" is the default."""

    def __init__(self, queue_name: str = "", timeout_s: float = 10.0) -> None:
        self._queue = queue_name
        self._timeout_s = timeout_s

    def print_image(self, image: Image, name: str) -> PrintResult:
        lp = shutil.which("lp")
        if lp is None:
            return PrintResult(
                False,
                "error",
                "the lp command is missing: install CUPS (sudo apt-get install cups-client)",
            )
        stem = safe_name(name)
        command = [lp, "-t", stem]
        if self._queue:
            command += ["-d", self._queue]
        try:
            with tempfile.TemporaryDirectory(prefix="kiosk-slip-") as folder:
                path = Path(folder) / f"{stem}.png"
                image.save(path, format="PNG", dpi=(DPI, DPI))
                # lp copies the file into the spool before it returns, so the folder may go
                done = subprocess.run(
                    [*command, str(path)],
                    capture_output=True,
                    text=True,
                    timeout=self._timeout_s,
                    check=False,
                )
        except subprocess.TimeoutExpired:
            return PrintResult(False, "timeout", f"lp did not answer within {self._timeout_s:g} s")
        except OSError as error:
            return PrintResult(False, "error", f"cannot run lp: {error}")
        if done.returncode != 0:
            message = (done.stderr or done.stdout).strip().splitlines()
            detail = message[0] if message else f"lp exited with {done.returncode}"
            problem = "offline" if re.search(r"not (responding|accepting)", detail) else "error"
            log.info("slip %s: lp failed: %s", stem, detail)
            return PrintResult(False, problem, detail)
        return PrintResult(True, detail=done.stdout.strip())


class ArchivingPrinter:
    """Keeps a PNG copy of every slip in ``folder``, then prints with ``inner``.

    The copy is written first, so it exists even when the printer fails; a copy that cannot be
    written is logged and does not stop the print.
    """

    def __init__(self, inner: SlipPrinter, folder: Path) -> None:
        self._inner = inner
        self._folder = Path(folder)

    def print_image(self, image: Image, name: str) -> PrintResult:
        path = self._folder / f"{safe_name(name)}.png"
        try:
            self._folder.mkdir(parents=True, exist_ok=True)
            _save_atomically(image, path, "PNG")
        except (OSError, ValueError) as error:
            log.warning("slip %s: archive copy failed: %s", name, error)
        try:
            return self._inner.print_image(image, name)
        except Exception as error:  # the port says never raise: hold a broken adapter to it
            log.exception("slip %s: printer raised", name)
            return PrintResult(False, "error", f"{type(error).__name__}: {error}")


def build_printer(settings: PrinterSettings) -> SlipPrinter:
    """The printer described by ``[printer]`` in config.toml."""
    from kiosk import escpos_printer as escpos

    timeout = settings.timeout_s
    printer: SlipPrinter
    if settings.kind == "file":
        printer = FilePrinter(settings.output_dir)
    elif settings.kind == "system":
        printer = SystemPrinter(settings.system_name, timeout)
    else:
        connect: escpos.Connect
        if settings.kind == "escpos-usb":
            connect = escpos.usb_connection(
                settings.usb_vendor_id, settings.usb_product_id, timeout
            )
        elif settings.kind == "escpos-network":
            connect = escpos.network_connection(settings.host, settings.port, timeout)
        elif settings.kind == "escpos-serial":
            connect = escpos.serial_connection(settings.serial_device, settings.baudrate, timeout)
        elif settings.kind == "escpos-file":
            connect = escpos.file_connection(settings.device_path)
        else:  # "dummy": encodes every slip and throws the bytes away
            connect = escpos.dummy_connection()
        printer = escpos.EscPosPrinter(connect, timeout)
    if settings.archive and settings.kind != "file":
        printer = ArchivingPrinter(printer, settings.output_dir)
    return printer
