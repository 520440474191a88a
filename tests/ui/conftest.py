"""Fixtures for the window tests: a real config, synthetic cards, a window on the real service.

The service is the real ``CheckInService`` over the port fakes (``tests/ui/ui_rig.py``); the
camera loop and the admin tools, the window's own collaborators, are fakes. ``still_window`` is
instead the window ``make screenshots`` fills with each screen's longest texts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from kiosk.config import Config, load_config
from kiosk.ports import StaffAccount
from kiosk.staff_auth import MemoryStaffDirectory, StaffAuth, hash_pin
from kiosk.synthetic import SyntheticPerson, card_record, people
from tests.fakes import FakeAdmin, FakeClock, FakeScanLoop, FakeSpeaker, GatedOnlineCheck
from tests.ui.ui_rig import Rig, build_rig
from ui.ports import HelpCalls
from ui.screenshots import build_window
from ui.window import KioskWindow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def config_env() -> dict[str, str]:
    """Settings over the shipped config.toml, by environment name: a test module overrides it."""
    return {"KIOSK_KIOSK_IDLE_TIMEOUT_S": "30"}


@pytest.fixture
def config(tmp_path: Path, config_env: dict[str, str]) -> Config:
    """The shipped config.toml, its data in the test's folder, changed by ``config_env``."""
    return load_config(
        ROOT / "config.toml", env={"KIOSK_KIOSK_DATA_DIR": str(tmp_path), **config_env}
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def persons() -> list[SyntheticPerson]:
    return list(people(6, seed=3))


@pytest.fixture
def staff_directory() -> MemoryStaffDirectory:
    # Lan's is a four-digit PIN from before six digits were required: it still works
    return MemoryStaffDirectory(
        [
            StaffAccount("Lan", "staff", hash_pin("1234", n=2**10), code="101"),
            StaffAccount("Minh", "admin", hash_pin("987654", n=2**10), code="102"),
        ]
    )


@pytest.fixture
def make_window(
    qtbot: QtBot,
    config: Config,
    clock: FakeClock,
    persons: list[SyntheticPerson],
    staff_directory: MemoryStaffDirectory,
) -> Iterator[Callable[..., tuple[KioskWindow, Rig]]]:
    """A window on a new rig. The tick after a read is held ``read_hold_ms`` (0: the check
    starts at the next event-loop turn; the tests of the hold itself pass the real 600)."""
    made: list[KioskWindow] = []
    rigs: list[Rig] = []

    def make(
        *,
        clinics: int = 1,
        scan: FakeScanLoop | None = None,
        admin: FakeAdmin | None = None,
        size: tuple[int, int] = (1920, 1080),
        speaker: FakeSpeaker | None = None,
        read_hold_ms: int = 0,
        help_calls: HelpCalls | None = None,
        **rig_args: Any,
    ) -> tuple[KioskWindow, Rig]:
        rig = build_rig(
            config, clock, [card_record(p) for p in persons], clinics=clinics, **rig_args
        )
        window = KioskWindow(
            config=config,
            clock=clock,
            service=rig.service,
            staff_auth=StaffAuth(staff_directory, clock, logout_after_s=120),
            admin=admin or FakeAdmin(),
            scan_source=scan,
            version="test",
            log_path="/tmp/kiosk.log",
            beep=False,
            speaker=speaker,
            read_hold_ms=read_hold_ms,
            help_calls=help_calls,
        )
        rigs.append(rig)
        qtbot.addWidget(window)
        window.fit_to(*size)
        window.show()
        window.start()
        made.append(window)
        return window, rig

    yield make
    for rig in rigs:  # a gated gateway the test left shut must not hold the worker thread
        if isinstance(rig.online, GatedOnlineCheck):
            rig.online.gate.set()
    for window in made:
        window.allow_close()
        window.shutdown()


@pytest.fixture
def still_window(qtbot: QtBot, config: Config) -> Iterator[KioskWindow]:
    """The window of ``make screenshots`` (ui/screenshots.py), ready for its scenes."""
    window = build_window(config)
    qtbot.addWidget(window)
    yield window
    window.allow_close()
    window.shutdown()
