"""``kiosk-admin`` lists its commands without importing them, and a light command stays light."""

from __future__ import annotations

import importlib
import logging
import os
import pkgutil
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from db import commands
from db.cli import COMMANDS, load_command
from db.commands import Command
from kiosk import __version__
from tests.db.clihelp import new_user_environment, run_python

HEAVY = ("cv2", "zxingcpp", "PySide6")
RunCli = Callable[..., CompletedProcess[bytes]]


def run_admin_process(args: list[str], folder: Path, *python_options: str) -> CompletedProcess[str]:
    """The real ``kiosk-admin`` in a fresh interpreter, as a new user in an empty folder: for
    what only a child shows (which modules a command imports, the interpreter's exit status).
    Every other CLI test runs it in-process (the ``run_cli`` fixture)."""
    return run_python(
        [*python_options, "-m", "db.cli", *args], cwd=folder, env=new_user_environment(folder)
    )


def imported(importtime_log: str) -> set[str]:
    """The top-level packages named in ``python -X importtime`` output."""
    names = set()
    for line in importtime_log.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def test_every_command_module_is_listed_and_loads() -> None:
    defining = set()
    for info in pkgutil.iter_modules(commands.__path__):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        if hasattr(module, "COMMAND"):
            defining.add(module.__name__)
    assert sorted(entry.module for entry in COMMANDS.values()) == sorted(defining)
    for name in COMMANDS:
        assert isinstance(load_command(name), Command)
    assert list(COMMANDS) == sorted(COMMANDS)


@pytest.mark.parametrize("args", [["status"], ["staff", "list"]])
def test_status_and_staff_list_load_no_camera_decoder_or_qt(
    tmp_path: Path, args: list[str]
) -> None:
    result = run_admin_process(args, tmp_path, "-X", "importtime")
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = imported(result.stderr)
    assert "db" in loaded  # the log is the one asked for
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_the_top_level_help_lists_every_command_without_importing_one(tmp_path: Path) -> None:
    result = run_admin_process(["--help"], tmp_path, "-X", "importtime")
    assert result.returncode == 0
    listed = " ".join(result.stdout.split())  # argparse wraps the summaries
    for name, entry in COMMANDS.items():
        assert f" {name} {entry.summary} " in listed
    modules = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert not {m for m in modules if m.startswith("db.commands.")}
    assert imported(result.stderr).isdisjoint(HEAVY)


def test_a_command_s_own_help_and_a_wrong_name(tmp_path: Path) -> None:
    # A child: argparse's usage errors end the interpreter with status 2.
    helped = run_admin_process(["staff", "--help"], tmp_path)
    assert helped.returncode == 0
    assert "usage: kiosk-admin staff" in helped.stdout
    assert "passwd" in helped.stdout
    wrong = run_admin_process(["stauts"], tmp_path)
    assert wrong.returncode == 2
    assert "invalid choice: 'stauts'" in wrong.stderr
    bad_option = run_admin_process(["status", "--bogus"], tmp_path)
    assert bad_option.returncode == 2
    assert "unrecognized arguments: --bogus" in bad_option.stderr


def test_options_keep_their_place_around_the_command_name(tmp_path: Path, run_cli: RunCli) -> None:
    # --config before or after the command name; "--" keeps a dash-led text a text
    config = tmp_path / "site.toml"
    config.write_text('[kiosk]\nid = "SITE-9"\n', encoding="utf-8")
    for args in (
        ["--config", str(config), "config", "show"],
        ["config", "--config", str(config), "show"],
    ):
        result = run_cli(args, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert b'id = "SITE-9"' in result.stdout
    parsed = run_cli(["parse", "--", "-not-a-card"], cwd=tmp_path)
    assert b"unrecognized arguments" not in parsed.stderr


def test_both_programs_show_the_one_version(tmp_path: Path, run_cli: RunCli) -> None:
    admin = run_cli(["--version"], cwd=tmp_path)
    assert admin.stdout.decode().strip() == f"kiosk-admin {__version__}"
    kiosk = run_python(["-m", "ui.app", "--version"], cwd=tmp_path)
    assert kiosk.returncode == 0, kiosk.stderr
    assert kiosk.stdout.strip() == f"kiosk {__version__}"
    from importlib.metadata import version

    assert version("clinic-checkin-kiosk") == __version__


def test_importing_changes_no_logging_the_entry_point_quiets_urllib3(tmp_path: Path) -> None:
    # urllib3's request lines carry the gateway token: the CLI keeps them out even with -v,
    # but merely importing the client must leave logging to whoever embeds it
    script = (
        "import logging, sys\n"
        "import db.insurance.gateway\n"
        "print(logging.getLogger('urllib3').level)\n"
        "from db.cli import main\n"
        "main(['-v', 'parse', '--json', 'not a card'])\n"
        "print(logging.getLogger('urllib3').level)\n"
    )
    result = run_python(["-c", script], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert (lines[0], lines[-1]) == (str(logging.NOTSET), str(logging.INFO))


def test_the_in_process_runner_puts_the_process_back(tmp_path: Path, run_cli: RunCli) -> None:
    # main() narrows the umask, sets up logging and reads the environment: each in-process
    # run must leave this process as it found it, or one test leaks into the next.
    environ, cwd, handlers = dict(os.environ), Path.cwd(), logging.getLogger().handlers[:]
    umask = os.umask(0o022)
    os.umask(umask)
    result = run_cli(["-v", "parse", "--json", "not a card"], cwd=tmp_path, env={"KIOSK_X": "1"})
    assert result.returncode == 1  # not a card, said on the captured stderr
    assert b"not a BHYT or CCCD QR" in result.stderr
    assert dict(os.environ) == environ
    assert Path.cwd() == cwd
    assert logging.getLogger().handlers == handlers
    assert logging.getLogger("urllib3").level == logging.NOTSET
    now = os.umask(0o022)
    os.umask(now)
    assert now == umask
