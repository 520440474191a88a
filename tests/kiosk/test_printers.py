"""File, spooler and archiving printers, and the printer built from config; none ever raises."""

from __future__ import annotations

import os
import stat
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from kiosk.config import PrinterSettings
from kiosk.escpos_printer import EscPosPrinter
from kiosk.ports import PrintResult
from kiosk.printers import ArchivingPrinter, FilePrinter, SystemPrinter, build_printer
from tests.fakes import RaisingPrinter


@pytest.fixture
def slip() -> Image.Image:
    image = Image.new("1", (384, 200), 1)
    ImageDraw.Draw(image).rectangle((20, 20, 200, 120), fill=0)
    return image


def same(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and bool(
        (np.asarray(a.convert("L")) == np.asarray(b.convert("L"))).all()
    )


def test_the_file_printer_writes_png_and_pdf(tmp_path: Path, slip: Image.Image) -> None:
    result = FilePrinter(tmp_path / "slips").print_image(slip, "ci-0001")
    assert result.ok
    png = tmp_path / "slips" / "ci-0001.png"
    assert result.path == str(png)
    with Image.open(png) as written:
        assert same(written, slip)
    pdf = (tmp_path / "slips" / "ci-0001.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    # 384 dots at 203 dpi is 136 points wide
    assert b"/MediaBox [ 0 0 136" in pdf or b"/MediaBox [0 0 136" in pdf
    assert sorted(p.name for p in (tmp_path / "slips").iterdir()) == [
        "ci-0001.pdf",
        "ci-0001.png",
    ]


def test_the_file_printer_keeps_names_inside_its_folder(tmp_path: Path, slip: Image.Image) -> None:
    result = FilePrinter(tmp_path / "out").print_image(slip, "../../etc/evil name")
    assert result.ok
    assert result.path is not None
    assert Path(result.path).parent == tmp_path / "out"


def test_a_file_printer_that_cannot_write_returns_a_problem(
    tmp_path: Path, slip: Image.Image
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    result = FilePrinter(blocker).print_image(slip, "ci-0002")
    assert (result.ok, result.problem) == (False, "error")


def fake_lp(folder: Path, body: str) -> Path:
    """An executable ``lp`` shell script in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "lp"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_the_system_printer_hands_the_png_to_lp(
    tmp_path: Path, slip: Image.Image, monkeypatch: pytest.MonkeyPatch
) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    fake_lp(
        tmp_path / "bin",
        f'echo "$@" > {spool}/args\n'
        f'for last; do :; done\ncp "$last" {spool}/job.png\n'
        'echo "request id is Thermal-7 (1 file(s))"\n',
    )
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    result = SystemPrinter("Thermal", timeout_s=10).print_image(slip, "ci-0003")
    assert result.ok, result
    assert "Thermal-7" in result.detail
    args = (spool / "args").read_text().split()
    assert args[:4] == ["-t", "ci-0003", "-d", "Thermal"]
    with Image.open(spool / "job.png") as job:
        assert same(job, slip)


@pytest.mark.parametrize(
    ("message", "problem"),
    [
        ("lp: The printer or class does not exist.", "error"),
        ("lp: Error - scheduler not responding.", "offline"),
    ],
)
def test_lp_failures_are_problems(
    tmp_path: Path,
    slip: Image.Image,
    monkeypatch: pytest.MonkeyPatch,
    message: str,
    problem: str,
) -> None:
    fake_lp(tmp_path / "bin", f'echo "{message}" >&2\nexit 1\n')
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    result = SystemPrinter("", timeout_s=10).print_image(slip, "ci-0004")
    assert result == PrintResult(False, problem, message)


def test_lp_that_hangs_times_out(
    tmp_path: Path, slip: Image.Image, monkeypatch: pytest.MonkeyPatch
) -> None:
    sleep = Path("/bin/sleep") if Path("/bin/sleep").exists() else Path("/usr/bin/sleep")
    fake_lp(tmp_path / "bin", f"exec {sleep} 10\n")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    result = SystemPrinter("", timeout_s=0.3).print_image(slip, "ci-0005")
    assert (result.ok, result.problem) == (False, "timeout")


def test_a_missing_lp_names_the_fix(
    tmp_path: Path, slip: Image.Image, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    result = SystemPrinter().print_image(slip, "ci-0006")
    assert (result.ok, result.problem) == (False, "error")
    assert "cups" in result.detail.lower()


@pytest.mark.parametrize("raises", [False, True])
def test_the_archive_copy_survives_a_failing_printer(
    tmp_path: Path, slip: Image.Image, raises: bool
) -> None:
    result = ArchivingPrinter(RaisingPrinter(raises), tmp_path / "archive").print_image(
        slip, "ci-9"
    )
    assert not result.ok
    assert result.problem == ("error" if raises else "paper_out")
    with Image.open(tmp_path / "archive" / "ci-9.png") as copy:
        assert same(copy, slip)


def test_build_printer_follows_the_settings(tmp_path: Path, slip: Image.Image) -> None:
    base = PrinterSettings(output_dir=tmp_path / "slips")
    assert isinstance(build_printer(base), FilePrinter)
    assert isinstance(build_printer(replace(base, kind="system")), SystemPrinter)
    for kind in ("escpos-usb", "escpos-network", "escpos-serial", "escpos-file", "dummy"):
        assert isinstance(build_printer(replace(base, kind=kind)), EscPosPrinter), kind
    archived = build_printer(replace(base, kind="dummy", archive=True))
    assert isinstance(archived, ArchivingPrinter)
    assert archived.print_image(slip, "ci-10").ok
    assert (tmp_path / "slips" / "ci-10.png").is_file()
    target = tmp_path / "lp0"
    target.touch()
    device = build_printer(replace(base, kind="escpos-file", device_path=str(target)))
    assert device.print_image(slip, "ci-11").ok
    assert b"\x1dv0" in target.read_bytes()
