"""Fixtures shared by every test package."""

from __future__ import annotations

import fcntl
import io
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the tests marked ``slow`` first, in their own order, and the rest after them.

    pytest-xdist hands tests to its workers in this order: a long test that starts last keeps
    one worker busy after the others have finished, so the long ones go first and the many
    short ones fill in around them (the suite's wall time is its busiest worker's)."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def made_once(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """A folder ``make`` fills once per test run, shared by the pytest-xdist workers: the
    first worker to ask makes it (under a file lock), the others wait and read it. For
    expensive read-only inputs (the spoken prompts take seconds to write)."""
    base = factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = shared / name
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / ".made").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            (folder / ".made").touch()
    return folder


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
    home: Path | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``kiosk-admin`` (``db.cli.main``) in this process, as a new user would, and give
    back what a child process would have: exit code, stdout and stderr as bytes.

    The one CLI runner of the tests. The command sees an environment without any ``KIOSK_``
    setting, XDG folders in ``home`` (default: a throw-away folder), ``env`` on top; it runs
    in ``cwd`` (default: a throw-away folder holding a copy of the documented
    ``config.toml``, as the checkout's top did for a child), under
    ``umask`` (``main`` narrows it itself), with ``input_bytes`` on stdin. Everything it
    changes process-wide is put back: the environment, the working folder, the umask, the
    root logger's handlers and levels, ``sys.argv`` and the standard streams. ``timeout``
    is accepted for the callers' sake and not enforced. What only a fresh process shows
    (lazy imports, signals, the interpreter's exit status) is tested with a real child
    instead (``tests/db/clihelp.py: run_python``).
    """
    del timeout
    with tempfile.TemporaryDirectory(prefix="kiosk-admin-") as scratch:
        home = home or Path(scratch)
        environment = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
        environment.update(
            XDG_CONFIG_HOME=str(home / "xdg-config"), XDG_DATA_HOME=str(home / "xdg-data")
        )
        environment.update(env or {})
        if cwd is None:
            # As from the checkout's top before (``./config.toml`` is the documented one), but
            # in a folder of its own: a relative path in it lands there, not in the checkout.
            cwd = Path(scratch) / "cwd"
            cwd.mkdir()
            shutil.copy(REPO_ROOT / "config.toml", cwd / "config.toml")
        return _run_main_in_process(args, cwd, environment, input_bytes, umask)


def _run_main_in_process(
    args: list[str], cwd: Path, environment: dict[str, str], stdin: bytes | None, umask: int
) -> subprocess.CompletedProcess[bytes]:
    from db.cli import main  # the CLI loads its commands lazily; so does this runner

    out, err = io.BytesIO(), io.BytesIO()
    streams = (sys.stdin, sys.stdout, sys.stderr, sys.argv)
    saved_environ = dict(os.environ)
    saved_cwd = Path.cwd()
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    saved_urllib3 = logging.getLogger("urllib3").level
    os.environ.clear()
    os.environ.update(environment)
    os.chdir(cwd)
    saved_umask = os.umask(umask)
    root.handlers = []  # main's logging.basicConfig must take effect, writing to our stderr
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin or b""), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    sys.stderr = io.TextIOWrapper(err, encoding="utf-8", write_through=True)
    sys.argv = ["kiosk-admin", *args]
    try:
        try:
            code = main(args)
        except SystemExit as stop:  # argparse's usage errors, --help, --version
            if isinstance(stop.code, str):
                print(stop.code, file=sys.stderr)
                code = 1
            else:
                code = stop.code or 0
        except KeyboardInterrupt:
            code = 130
        sys.stdout.flush()
        sys.stderr.flush()
        return subprocess.CompletedProcess(
            ["kiosk-admin", *args], code, out.getvalue(), err.getvalue()
        )
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers = saved_handlers
        root.setLevel(saved_level)
        logging.getLogger("urllib3").setLevel(saved_urllib3)
        sys.stdin, sys.stdout, sys.stderr, sys.argv = streams
        os.umask(saved_umask)
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_environ)


@pytest.fixture
def run_cli() -> Callable[..., subprocess.CompletedProcess[bytes]]:
    """The in-process ``kiosk-admin`` runner (:func:`run_cli_command`)."""
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
