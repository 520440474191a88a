"""Run this checkout's programs in a child Python, for what only a fresh interpreter shows
(imports, exit status, signals), and a new user's environment for them (no ``KIOSK_``
setting, XDG folders in a test's folder). The CLI itself runs in-process in the other tests:
the ``run_cli`` fixture (tests/conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def run_python(
    args: list[str], *, cwd: Path, env: dict[str, str] | None = None, **options: Any
) -> subprocess.CompletedProcess[str]:
    """``python args`` with this checkout importable, text output captured, two minutes at most.

    ``env`` is the whole environment (the current one when None); ``options`` go to
    ``subprocess.run`` as they are (``umask`` for one)."""
    environment = {**(os.environ if env is None else env), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        **options,
    )


def new_user_environment(home: Path) -> dict[str, str]:
    """This environment as a new user's: no ``KIOSK_`` setting, XDG folders under ``home``."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    environment.update(
        XDG_CONFIG_HOME=str(home / "xdg-config"), XDG_DATA_HOME=str(home / "xdg-data")
    )
    return environment
