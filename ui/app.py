"""``kiosk``: the composition root of the full-screen app (and of its demo).

``kiosk [--config PATH] [--demo] [--headless --patients N] [--portrait]``

- plain: the configured webcam, database, gateway and printer, full screen;
- ``--demo``: a simulated camera cycling through synthetic patients' QR codes, a fresh SQLite
  cache in ``<data_dir>/demo`` filled with their cards, slips as files, no online check (the
  simulator's population is not the demo's patients) but the insurance simulator's feed behind
  the admin screen's sync;
- ``--demo --headless --patients N``: drives N synthetic patients through the real window
  offscreen, writes their slips, prints one summary line, exits 0 (1 if any patient failed).
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from kiosk import __version__
from kiosk.clock import Clock, SystemClock, local_day
from kiosk.config import CONFIG_SEARCH, Config, ConfigError, load_config
from kiosk.outcome import Outcome, Status
from kiosk.ports import StaffAccount, StoreError
from kiosk.staff_auth import hash_pin
from kiosk.synthetic import bhyt_payload, card_record, people

log = logging.getLogger("kiosk")


@dataclass
class Parts:
    """Everything the window needs, built from the configuration."""

    config: Config
    clock: Clock
    service: Any
    store: Any
    staff: Any
    admin: Any
    scan: Any
    camera: Any
    closers: list[Callable[[], None]] = field(default_factory=list)


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="kiosk", description="The check-in kiosk.")
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    parser.add_argument(
        "--config", type=Path, default=None, help=f"config file (default: {CONFIG_SEARCH})"
    )
    parser.add_argument("--demo", action="store_true", help="simulated camera and patients")
    parser.add_argument("--headless", action="store_true", help="with --demo: no screen")
    parser.add_argument("--patients", type=int, default=5, help="with --headless: how many")
    parser.add_argument("--portrait", action="store_true", help="a 1080x1920 window")
    args = parser.parse_args(argv)
    if args.headless and not args.demo:
        parser.error("--headless needs --demo")
    if args.patients < 1:
        parser.error("--patients must be at least 1")
    return args


def _log_to_file(config: Config) -> Path:
    folder = config.kiosk.data_dir / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "kiosk.log"
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=5_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # urllib3 logs every request line at DEBUG, and the gateway protocol puts the token and the
    # password's MD5 in the query string: keep those lines out of the logs whatever the level.
    logging.getLogger("urllib3").setLevel(logging.INFO)
    return path


DEMO_STAFF_NAME = "Quản trị demo"
DEMO_STAFF_PIN = "246810"  # the demo's own throw-away database only; never a real account


def demo_config(config: Config) -> Config:
    """The configuration with the demo's own database, file printer and data folder."""
    folder = config.kiosk.data_dir / "demo"
    return replace(
        config,
        database=replace(config.database, url=f"sqlite:///{folder / 'kiosk.db'}"),
        printer=replace(config.printer, kind="file", output_dir=folder / "slips"),
        insurance=replace(config.insurance, gateway_url=""),
        camera=replace(config.camera, device="demo", fps=10, decode_fps=10, confirm_reads=2),
    )


def demo_frames(texts: Sequence[str], *, shown: int = 12, gap: int = 5) -> list[Any]:
    """Camera frames: each QR held up for ``shown`` frames, then ``gap`` frames of lobby."""
    from scanner.ports import as_frame
    from scanner.scenes import qr_image

    blank = np.full((720, 1280, 3), (96, 104, 112), np.uint8)
    frames: list[Any] = []
    for text in texts:
        qr = qr_image(text, 380)
        frame = blank.copy()
        h, w = qr.shape[:2]
        y, x = (720 - h) // 2, (1280 - w) // 2
        frame[y : y + h, x : x + w] = qr[..., None] if qr.ndim == 2 else qr
        frames.extend([as_frame(frame)] * shown)
        frames.extend([as_frame(blank)] * gap)
    return frames


def build_parts(config: Config, *, demo: bool, patients: int, headless: bool = False) -> Parts:
    """Wire the real adapters (or the demo's) for the window."""
    from db.wiring import build_service
    from kiosk.payload import is_card_payload
    from scanner.decoders import build_decoder
    from scanner.factory import build_camera
    from scanner.file_camera import FolderCamera
    from scanner.loop import ScanLoop
    from ui.admin_tools import KioskAdminTools

    clock = SystemClock()
    if demo:
        folder = config.kiosk.data_dir / "demo"
        shutil.rmtree(folder, ignore_errors=True)
        (folder / "slips").mkdir(parents=True)
        # cards valid on the hospital's today, whatever the date the demo is run on
        today = local_day(clock, config.kiosk.zone)
        persons = list(people(max(3 * patients, 12), seed=0, today=today))
        wiring = build_service(config, clock, use_gateway=False)
        wiring.store.import_cards([card_record(p) for p in persons])
        # a throw-away admin account so the demo's staff and admin screens can be tried
        wiring.store.add_staff(StaffAccount(DEMO_STAFF_NAME, "admin", hash_pin(DEMO_STAFF_PIN)))
        log.warning("demo: staff mode PIN is %s (long-press the hospital name)", DEMO_STAFF_PIN)
        texts = [bhyt_payload(p) for p in persons]
        if headless:
            # the smoke test needs patients the rules accept: ask the rules, not a copy of them
            texts = [t for t in texts if wiring.service.assess(t).status is Status.ACCEPTED]
        camera: Any = FolderCamera(demo_frames(texts[:patients]), 10, clock)
    else:
        wiring = build_service(config, clock)
        camera = build_camera(config.camera, clock)
    scan = ScanLoop(
        camera,
        build_decoder(config.decoder),
        clock,
        decode_fps=config.camera.decode_fps,
        confirm_reads=config.camera.confirm_reads,
        cooldown_s=config.camera.cooldown_s,
        accept=is_card_payload,
    )
    closers: list[Callable[[], None]] = []
    feed = _demo_feed(config, clock, closers) if demo else None
    admin = KioskAdminTools(
        config=config,
        clock=clock,
        store=wiring.store,
        printer=wiring.printer,
        camera=camera,
        feed=feed,
    )
    return Parts(
        config, clock, wiring.service, wiring.store, wiring.store, admin, scan, camera, closers
    )


def _demo_feed(config: Config, clock: Clock, closers: list[Callable[[], None]]) -> Any:
    """The insurance simulator's card feed, for the admin screen's sync in the demo."""
    from db import insurance_sim
    from db.insurance_client import FeedClient

    try:
        server, url = insurance_sim.start_simulator(cards=20_000, seed=1)
    except OSError as error:
        log.warning("demo: no insurance simulator (%s): sync is off", error)
        return None

    def stop() -> None:
        server.shutdown()
        server.server_close()

    closers.append(stop)
    settings = replace(config.insurance, username=insurance_sim.DEFAULT_USERNAME)
    env = {
        settings.password_env: insurance_sim.DEFAULT_PASSWORD,
        settings.officer_name_env: insurance_sim.DEFAULT_OFFICER_NAME,
        settings.officer_id_env: insurance_sim.DEFAULT_OFFICER_ID,
    }
    return lambda: FeedClient.from_settings(settings, clock=clock, url=url, env=env)


class HeadlessRun:
    """Answers the window's questions the way a cooperative patient would, and keeps score."""

    def __init__(self, window: Any, patients: int) -> None:
        self.window = window
        self.patients = patients
        self.outcomes: list[Outcome] = []
        window.flow.confirm.connect(lambda _a: window.flow.answer(True))
        window.flow.choose_clinic.connect(lambda clinics: window.flow.choose(clinics[0].code))
        window.outcome_shown.connect(self._shown)

    def _shown(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)
        checkin = outcome.checkin
        log.info(
            "demo patient %d: %s %s", len(self.outcomes), outcome.status,
            f"{checkin.clinic_code} #{checkin.queue_number}" if checkin else outcome.reason,
        )  # fmt: skip
        if len(self.outcomes) >= self.patients:
            from PySide6.QtWidgets import QApplication

            # exit(), not quit(): quit() asks the windows to close, and the kiosk refuses
            QApplication.exit(0)

    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status is not Status.ACCEPTED or not o.printed]

    def summary(self, slips: Path) -> str:
        numbers = ", ".join(
            f"{o.checkin.clinic_code} {o.checkin.queue_number}" for o in self.outcomes if o.checkin
        )
        missing = self.patients - len(self.outcomes)
        return (
            f"kiosk demo: {len(self.outcomes) - len(self.failed())}/{self.patients} patients "
            f"checked in ({numbers}); {len(self.failed()) + missing} failed; slips in {slips}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``kiosk``."""
    args = _parse(argv)
    if args.headless:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    try:
        config = load_config(args.config)
    except ConfigError as error:
        print(f"kiosk: config error: {error}", file=sys.stderr)
        return 2
    if args.demo:
        config = demo_config(config)
    log_path = _log_to_file(config)

    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from ui.window import KioskWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    try:
        parts = build_parts(config, demo=args.demo, patients=args.patients, headless=args.headless)
    except StoreError as error:
        print(f"kiosk: database: {error}", file=sys.stderr)
        if args.demo:
            return 1
        opened = wait_for_database(config)
        if opened is None:
            return 1
        parts = opened
    window = KioskWindow(
        config=parts.config,
        clock=parts.clock,
        service=parts.service,
        staff_auth=_staff_auth(parts),
        admin=parts.admin,
        scan_source=parts.scan,
        version=__version__,
        log_path=str(log_path),
        beep=not args.headless,
    )
    run = HeadlessRun(window, args.patients) if args.headless else None
    if args.portrait or args.headless:
        window.fit_to(*((1080, 1920) if args.portrait else (1920, 1080)))
        window.show()
    else:
        screen = QGuiApplication.primaryScreen()
        if screen is not None:  # lay out for the screen's shape before taking its size
            window.fit_to(screen.size().width(), screen.size().height())
        window.showFullScreen()
    window.start()
    if run is not None:
        # a patient takes well under a second; a stuck run must still end
        QTimer.singleShot(int((30 + 5 * args.patients) * 1000), lambda: app.exit(1))
    app.exec()
    window.allow_close()
    window.shutdown()
    for close in parts.closers:
        close()
    parts.store.dispose()
    if run is None:
        return 0
    print(run.summary(config.printer.output_dir))
    return 0 if len(run.outcomes) == args.patients and not run.failed() else 1


def wait_for_database(config: Config, retry_s: float = 10.0) -> Parts | None:
    """Show "out of service" on the kiosk screen and retry until the database opens.

    A lobby screen must never be blank or show a desktop: while the database cannot be reached
    at start-up, patients are sent to reception, and the kiosk starts by itself once it can.
    Returns None when the window is closed by the system (shutdown) before that.
    """
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtWidgets import QLabel

    from ui.i18n import tr

    sign = QLabel(f"{tr('out_of_service', 'vi')}\n\n{tr('out_of_service', 'en')}")
    sign.setAlignment(Qt.AlignmentFlag.AlignCenter)
    sign.setStyleSheet("font-size: 56px; font-weight: bold; color: #9a3412; background: #f5f7fb;")
    sign.setWindowFlag(Qt.WindowType.FramelessWindowHint)
    sign.showFullScreen()
    opened: list[Parts] = []
    loop = QEventLoop()

    def attempt() -> None:
        try:
            opened.append(build_parts(config, demo=False, patients=0))
        except StoreError as error:
            log.warning("database still unavailable: %s", error)
            return
        loop.quit()

    timer = QTimer()
    timer.timeout.connect(attempt)
    timer.start(int(retry_s * 1000))
    sign.destroyed.connect(loop.quit)
    loop.exec()
    timer.stop()
    sign.close()
    return opened[0] if opened else None


def _staff_auth(parts: Parts) -> Any:
    from kiosk.staff_auth import StaffAuth

    s = parts.config.staff
    return StaffAuth(
        parts.staff,
        parts.clock,
        max_failures=s.max_pin_failures,
        lockout_minutes=s.lockout_minutes,
        logout_after_s=s.logout_after_s,
    )


if __name__ == "__main__":
    sys.exit(main())
