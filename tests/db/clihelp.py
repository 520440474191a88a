"""Run the real ``kiosk-admin`` as a new user would: an empty folder, no config file anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_admin(
    args: list[str], folder: Path, *python_options: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real CLI in an empty folder, with no config file anywhere it looks."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    environment.update(
        PYTHONPATH=str(ROOT),
        XDG_CONFIG_HOME=str(folder / "xdg-config"),
        XDG_DATA_HOME=str(folder / "xdg-data"),
        **(env or {}),
    )
    return subprocess.run(
        [sys.executable, *python_options, "-m", "db.cli", *args],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
