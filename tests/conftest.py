"""Fixtures shared by every test package."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

REPO_ROOT = Path(__file__).resolve().parent.parent

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Property tests explore new examples on every run at a desk (that is how they find faults:
# a hang in the refocus stage came up on the third run). The CI gate (.ci/run) runs them
# derandomized: the same examples every run, so a pass there is not a matter of luck.
settings.register_profile("ci", derandomize=True, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


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


@pytest.fixture
def notify_socket() -> Iterator[tuple[socket.socket, str]]:
    """A datagram socket where systemd's would be (a short path: AF_UNIX limits its length)."""
    path = f"/tmp/kiosk-notify-{uuid.uuid4().hex[:8]}.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(5)
    try:
        yield sock, path
    finally:
        sock.close()
        Path(path).unlink(missing_ok=True)
