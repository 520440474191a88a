"""The ``kiosk`` entry point: config errors, the headless demo, and the real wiring end to end
(a QR frame from a file camera through the real scan loop, decoder, rules and SQLite store)."""

from __future__ import annotations

import json
import os
import shlex
import stat
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from pytestqt.qtbot import QtBot

from db.wiring import Wiring, build_service
from kiosk.config import Config, load_config
from kiosk.payload import is_card_payload
from kiosk.ports import StaffAccount
from kiosk.staff_auth import MemoryStaffDirectory, StaffAuth, hash_pin
from kiosk.synthetic import bhyt_payload, card_record, people
from scanner.cameras.files import FolderCamera
from scanner.decode.chain import build_decoder
from scanner.loop import ScanLoop
from tests.db.clihelp import ROOT, new_user_environment, run_python
from tests.fakes import FakeAdmin, FakePrinter, NoonClock
from ui.window import KioskWindow

RunCli = Callable[..., subprocess.CompletedProcess[bytes]]


def run_kiosk(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_python(
        ["-m", "ui.app", *args],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **env},
        umask=0o022,  # a usual login umask: the kiosk must narrow it itself
    )


def test_a_config_error_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text((ROOT / "config.toml").read_text().replace("idle_timeout_s = 30", "idle = 3"))
    result = run_kiosk(["--config", str(bad)], {})
    assert result.returncode == 2
    assert result.stderr.strip() == "kiosk: config error: kiosk.idle: unknown setting"


def _headless_lines(data_dir: Path, *options: str) -> list[str]:
    """The shipped config's headless demo with its data in ``data_dir``: what it printed."""
    result = run_kiosk(
        ["--config", str(ROOT / "config.toml"), "--demo", "--headless", *options],
        {"KIOSK_KIOSK_DATA_DIR": str(data_dir)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()


def _headless_demo(data_dir: Path, *options: str) -> str:
    """The shipped config's headless demo with its data in ``data_dir``: its summary line."""
    return _headless_lines(data_dir, *options)[-1]


@pytest.mark.slow
def test_headless_demo_checks_in_and_prints_every_patient(tmp_path: Path, run_cli: RunCli) -> None:
    # two patients: each lingers 1.5 s on its result, as at a real kiosk
    *_, where, summary = _headless_lines(tmp_path, "--patients", "2")
    assert summary.startswith("kiosk demo: 2/2 patients as expected (2 accepted;")
    assert "numbers NOI 1, NOI 2)" in summary
    slips = sorted((tmp_path / "demo" / "slips").glob("*.png"))
    assert len(slips) == 2
    # every folder and file it made is its owner's only, logs included (they are made first)
    made = [tmp_path / "logs", tmp_path / "logs" / "kiosk.log", tmp_path / "demo", *slips]
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in made}
    assert modes == {p.name: 0o700 if p.is_dir() else 0o600 for p in made}
    # it says where its database is, and the exact command that reports on it
    url = f"sqlite:///{tmp_path / 'demo' / 'kiosk.db'}"
    command = f"KIOSK_DATABASE_URL={url} kiosk-admin --config {ROOT / 'config.toml'} report"
    assert where == f"kiosk demo: database {url}; its report: {command}"
    words = shlex.split(command)  # run as a shell would: NAME=value words, then the command
    at = words.index("kiosk-admin")
    env = {"KIOSK_KIOSK_DATA_DIR": str(tmp_path)}
    for word in words[:at]:
        name, value = word.split("=", 1)
        env[name] = value
    report = run_cli(words[at + 1 :], env=env)
    assert report.returncode == 0, report.stderr.decode()
    assert f"database: {url}" in report.stdout.decode()
    assert ": 2 check-ins" in report.stdout.decode()


@pytest.mark.slow
def test_paced_headless_demo_sends_the_patient_unknown_to_the_cache_to_reception(
    tmp_path: Path,
) -> None:
    summary = _headless_demo(tmp_path, "--pace", "--patients=10")
    assert summary.startswith("kiosk demo: 10/10 patients as expected (9 accepted, 1 needs_")
    # the demo's receptionist signs in, looks the card up and overrides: a tenth number and slip
    assert "; 1/1 checked in by reception;" in summary
    assert len(list((tmp_path / "demo" / "slips").glob("*.png"))) == 10


@pytest.fixture
def real(tmp_path: Path) -> Iterator[tuple[Config, Wiring]]:
    config = load_config(
        ROOT / "config.toml",
        env={
            "KIOSK_KIOSK_DATA_DIR": str(tmp_path),
            "KIOSK_DATABASE_URL": f"sqlite:///{tmp_path / 'kiosk.db'}",
            "KIOSK_INSURANCE_GATEWAY_URL": "",
        },
    )
    wiring = build_service(config, _clock(), printer=FakePrinter(), use_gateway=False)
    yield config, wiring
    wiring.store.dispose()


def _clock() -> NoonClock:
    return NoonClock()


@pytest.mark.slow
def test_the_demo_runs_from_an_empty_folder_with_no_config_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_python(
        ["-m", "ui.app", "--demo", "--headless", "--patients", "2"],
        cwd=empty,
        env={**new_user_environment(tmp_path), "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith("kiosk demo: 2/2 patients as expected (2 accepted;")
    assert "numbers KB 1, KB 2)" in summary
    data = tmp_path / "xdg-data" / "kiosk" / "data"
    assert len(list((data / "demo" / "slips").glob("*.png"))) == 2
    assert (data / "logs" / "kiosk.log").is_file()
    assert list(empty.iterdir()) == []


def test_a_qr_frame_from_a_camera_reaches_number_1(
    qtbot: QtBot, real: tuple[Config, Wiring]
) -> None:
    config, wiring = real
    person = next(p for p in people(10, seed=5) if wiring.store.find_card(p.bhxh_number) is None)
    wiring.store.import_cards([card_record(person)])
    qr = np.asarray(
        zxingcpp.create_barcode(bhyt_payload(person), zxingcpp.BarcodeFormat.QRCode).to_image(
            scale=5
        )
    )
    frame = np.full((720, 1280, 3), 110, np.uint8)
    h, w = qr.shape[:2]
    frame[60 : 60 + h, 400 : 400 + w] = qr[..., None]
    clock = _clock()
    loop = ScanLoop(
        FolderCamera([frame], 20, clock),
        build_decoder(config.decoder),
        clock,
        decode_fps=20,
        confirm_reads=2,
        cooldown_s=8,
        accept=is_card_payload,
    )
    staff = _one_staff()
    window = KioskWindow(
        config=config,
        clock=clock,
        service=wiring.service,
        staff_auth=StaffAuth(staff, clock),
        admin=FakeAdmin(),
        scan_source=loop,
        beep=False,
    )
    # the real clock: from 07:00 in Hồ Chí Minh City several clinics are open and the patient
    # picks one
    window.flow.choose_clinic.connect(lambda clinics: window.flow.choose(clinics[0].code))
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    # the real clock: several clinics may be open at this hour, the first one is chosen
    window.flow.choose_clinic.connect(lambda clinics: window.flow.choose(clinics[0].code))
    try:
        with qtbot.waitSignal(window.outcome_shown, timeout=10_000) as blocker:
            window.start()
        outcome = blocker.args[0]
        assert outcome.status.value == "accepted", outcome
        assert window.accepted.number.text() == "1"
        assert outcome.printed is True
        stored = wiring.store.list_checkins(outcome.checkin.local_day)
        assert [c.queue_number for c in stored] == [1]
    finally:
        window.allow_close()
        window.shutdown()


def _one_staff() -> MemoryStaffDirectory:
    return MemoryStaffDirectory(
        [StaffAccount("Lan", "staff", hash_pin("135791", n=2**10), code="101")]
    )


def test_staff_override_with_the_real_service_writes_an_audit_row(
    qtbot: QtBot, real: tuple[Config, Wiring]
) -> None:
    config, wiring = real
    clock = _clock()
    window = KioskWindow(
        config=config,
        clock=clock,
        service=wiring.service,
        staff_auth=StaffAuth(_one_staff(), clock),
        admin=FakeAdmin(),
        beep=False,
    )
    qtbot.addWidget(window)
    window.show()
    window.start()
    try:
        window.staff_auth.login("101", "135791")
        window.open_staff()
        unknown = next(people(1, seed=99))  # no card in the cache
        window.staff.scan_button.click()
        window.on_scan(bhyt_payload(unknown))
        qtbot.waitUntil(window.staff.override_button.isEnabled, timeout=5000)
        window.staff.reason.setText("Thẻ mới, chưa đồng bộ")
        window.staff.override_button.click()
        qtbot.waitUntil(lambda: window.staff.rows.count() == 1, timeout=5000)
        rows = wiring.store.audit_entries()
        override = [r for r in rows if r["action"] == "override"]
        assert len(override) == 1
        assert override[0]["actor"] == "Lan"
        assert json.loads(override[0]["after"])["override_reason"] == "Thẻ mới, chưa đồng bộ"
    finally:
        window.allow_close()
        window.shutdown()


def test_demo_admin_tools_sync_from_the_simulator_and_print_a_test_page(tmp_path: Path) -> None:
    from ui.app import build_parts
    from ui.demo import demo_config

    config = demo_config(
        load_config(ROOT / "config.toml", env={"KIOSK_KIOSK_DATA_DIR": str(tmp_path)})
    )
    parts = build_parts(config, demo=True, patients=2)
    try:
        before = parts.admin.cache_status()
        assert before.last_sync is None
        seen: list[tuple[int, int]] = []
        summary = parts.admin.sync(lambda done, total: seen.append((done, total)), lambda: False)
        assert summary.startswith("sync done: +20000")
        assert seen[-1] == (20000, 20000)
        after = parts.admin.cache_status()
        assert after.cards == before.cards + 20000
        assert after.last_sync is not None
        # the admin screen's tiles read the same health report as status.json
        assert before.health is not None
        assert before.health.cache_age_h is None
        assert after.health is not None
        assert after.health.database == "central"
        assert after.health.cache_age_h is not None
        assert after.health.cache_age_h < 1
        assert parts.admin.printer_test().startswith("test page printed (file)")
        assert (tmp_path / "demo" / "slips" / "print-test.png").exists()
        # the next run starts from the cursor: nothing new
        assert parts.admin.sync(lambda d, t: None, lambda: False).startswith("sync done: +0 ")
    finally:
        for close in parts.closers:
            close()
        parts.store.dispose()


def test_the_kiosk_caps_the_pictures_its_cameras_read_at_the_setting(tmp_path: Path) -> None:
    """A folder or file camera reads pictures from disk: the kiosk sets the same cap as
    ``kiosk-admin decode`` (``decoder.max_image_mpx``) before its camera reads one."""
    from scanner import image_guard
    from ui.app import build_parts
    from ui.demo import demo_config

    config = demo_config(
        load_config(
            ROOT / "config.toml",
            env={"KIOSK_KIOSK_DATA_DIR": str(tmp_path), "KIOSK_DECODER_MAX_IMAGE_MPX": "3"},
        )
    )
    before = image_guard.pixel_cap()
    parts = build_parts(config, demo=True, patients=1)
    try:
        assert image_guard.pixel_cap() == 3_000_000
    finally:
        image_guard.set_pixel_cap(before // 1_000_000)
        for close in parts.closers:
            close()
        parts.store.dispose()
