"""Fixtures shared by every test package."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


def run_cli_command(
    args: list[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    input_bytes: bytes | None = None,
    timeout: float = 120,
    umask: int = 0o022,
) -> subprocess.CompletedProcess[bytes]:
    """Run the real ``kiosk-admin`` (as ``python -m db.cli``) against this checkout."""
    environment = dict(os.environ)
    environment["PYTHONPATH"] = str(REPO_ROOT)
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "db.cli", *args],
        cwd=cwd or REPO_ROOT,
        env=environment,
        input=input_bytes,
        capture_output=True,
        timeout=timeout,
        check=False,
        umask=umask,  # a usual login umask: the command must narrow it itself
    )


@pytest.fixture
def run_cli() -> Callable[..., subprocess.CompletedProcess[bytes]]:
    return run_cli_command


@pytest.fixture
def postgres_url() -> str:
    """A real PostgreSQL for concurrency tests; skipped with a reason when not configured."""
    url = os.environ.get("KIOSK_TEST_DATABASE_URL")
    if not url:
        pytest.skip("KIOSK_TEST_DATABASE_URL is not set: no PostgreSQL server to test against")
    return url
