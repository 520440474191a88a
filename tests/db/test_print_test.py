"""``kiosk-admin print-test`` with the real CLI: a test page on the file printer, and failures."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from tests.fakes import unused_port

RunCli = Callable[..., subprocess.CompletedProcess[bytes]]


def test_print_test_writes_the_page_with_the_file_printer(
    run_cli: RunCli, repo_root: Path, tmp_path: Path
) -> None:
    shutil.copy(repo_root / "config.toml", tmp_path / "config.toml")
    done = run_cli(
        ["--config", str(tmp_path / "config.toml"), "print-test"],
        cwd=tmp_path,
        env={"KIOSK_PRINTER_DOTS": "384"},
    )
    assert done.returncode == 0, done.stderr.decode()
    page = tmp_path / "data" / "slips" / "print-test.png"
    assert str(page) in done.stdout.decode()
    assert (tmp_path / "data" / "slips" / "print-test.pdf").is_file()
    with Image.open(page) as image:
        assert image.width == 384
        # the ruler runs from edge to edge: ink in the first and the last column
        pixels = image.convert("L").load()
        assert pixels is not None
        assert any(pixels[0, y] == 0 for y in range(image.height))
        assert any(pixels[383, y] == 0 for y in range(image.height))


def test_print_test_fails_with_one_line_when_the_printer_is_offline(
    run_cli: RunCli, repo_root: Path, tmp_path: Path
) -> None:
    port = unused_port()
    done = run_cli(
        ["--config", str(repo_root / "config.toml"), "print-test"],
        cwd=tmp_path,
        env={
            "KIOSK_PRINTER_KIND": "escpos-network",
            "KIOSK_PRINTER_HOST": "127.0.0.1",
            "KIOSK_PRINTER_PORT": str(port),
        },
    )
    assert done.returncode == 1
    lines = done.stderr.decode().strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("kiosk-admin print-test: test page not printed")
    assert "offline" in lines[0]


def test_print_test_names_the_font_setting_when_the_font_is_missing(
    run_cli: RunCli, repo_root: Path, tmp_path: Path
) -> None:
    done = run_cli(
        ["--config", str(repo_root / "config.toml"), "print-test"],
        cwd=tmp_path,
        env={"KIOSK_PRINTER_FONT_PATH": str(tmp_path / "missing.ttf")},
    )
    assert done.returncode == 1
    assert "printer.font_path" in done.stderr.decode()
