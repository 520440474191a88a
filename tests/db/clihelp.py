"""Run this checkout's programs in a child Python, for what only a fresh interpreter shows
(imports, exit status, signals), and a new user's environment for them (no ``KIOSK_``
setting, XDG folders in a test's folder). The CLI itself runs in-process in the other tests:
the ``run_cli`` fixture (tests/conftest.py)."""

from __future__ import annotations

import importlib
import json
import multiprocessing
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def cli_json(result: subprocess.CompletedProcess[bytes], exit_code: int = 0) -> dict[str, object]:
    """The JSON summary a ``kiosk-admin … --json`` run printed last, once it is checked that
    the run exited with ``exit_code``."""
    assert result.returncode == exit_code, result.stderr.decode()
    data: dict[str, object] = json.loads(result.stdout.decode().strip().splitlines()[-1])
    return data


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


# Modules a killable ``kiosk-admin`` child needs, imported once by the fork server
_PRELOADED = ["db.cli", "db.commands.sync", "db.store.cards", "tests.db.clihelp"]


@dataclass(frozen=True)
class KillAt:
    """Where a child kills itself: the ``nth`` time ``module``'s ``fault_point`` hook is called
    with ``point`` (a named moment the product code marks for the kill tests)."""

    module: str
    point: str
    nth: int = 1


def start_cli_child(
    args: list[str], env: dict[str, str], kill_at: KillAt | None = None
) -> BaseProcess:
    """``kiosk-admin args`` started in a child process, output thrown away, to be SIGKILLed
    (by the caller, or by the child itself at ``kill_at``).

    The child is forked from a server that has already imported the CLI (multiprocessing's
    "forkserver": one fresh, single-threaded interpreter started once per test process), so
    each start costs milliseconds instead of an interpreter's start-up and imports. It is a
    real process all the same: a kill stops it between any two instructions."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOADED)
    child = context.Process(target=_run_cli_child, args=(args, env, kill_at), daemon=True)
    child.start()
    return child


def _run_cli_child(args: list[str], env: dict[str, str], kill_at: KillAt | None) -> None:
    from db.cli import main

    if kill_at is not None:
        calls = 0

        def kill_here(point: str) -> None:
            nonlocal calls
            calls += point == kill_at.point
            if calls == kill_at.nth:
                os.kill(os.getpid(), signal.SIGKILL)

        setattr(importlib.import_module(kill_at.module), "fault_point", kill_here)  # noqa: B010
    os.environ.clear()
    os.environ.update(env)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    sys.exit(main(args))


def new_user_environment(home: Path) -> dict[str, str]:
    """This environment as a new user's: no ``KIOSK_`` setting, XDG folders under ``home``."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    environment.update(
        XDG_CONFIG_HOME=str(home / "xdg-config"), XDG_DATA_HOME=str(home / "xdg-data")
    )
    return environment
