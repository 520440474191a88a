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
import gc
import logging
import logging.handlers
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk import __version__
from kiosk.clock import Clock, SystemClock
from kiosk.config import CONFIG_SEARCH
from kiosk.outcome import Status
from kiosk.ports import OnlineCardCheck, SlipPrinter, StoreError
from kiosk.settings import Config
from ui.demo import demo_database_line, demo_feed, headless_run, prepare_demo
from ui.start_config import start_config

if TYPE_CHECKING:  # the window, the database and the camera load when the kiosk starts
    from db.offline.failover import FailoverStore
    from db.offline.register import KioskRegister
    from db.store import SqlStore
    from kiosk.checkin import CheckInService
    from kiosk.ports import StaffDirectory
    from kiosk.reception import TicketDesk
    from kiosk.staff_auth import StaffAuth
    from kiosk.voice import Speaker
    from scanner.loop import ScanLoop
    from scanner.ports import Camera
    from ui.admin_tools import KioskAdminTools
    from ui.background import Background
    from ui.window import KioskWindow

log = logging.getLogger("kiosk")


@dataclass
class Parts:
    """Everything the window needs, built from the configuration."""

    config: Config
    clock: Clock
    service: CheckInService
    store: SqlStore
    staff: StaffDirectory
    admin: KioskAdminTools
    scan: ScanLoop
    camera: Camera
    closers: list[Callable[[], None]] = field(default_factory=list)
    expected: list[Status] = field(default_factory=list)  # the demo patients' outcomes, in turn
    journal: SqlStore | None = None  # the offline journal's store, with a server database
    tickets: TicketDesk | None = None  # "Đến quầy": the desk's list and the reception ticket
    failover: FailoverStore | None = None  # central, else the journal (a server database)
    register: KioskRegister | None = None  # this kiosk in the central kiosk register


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
    parser.add_argument(
        "--pace", action="store_true", help="with --headless: skip the human-speed pauses"
    )
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


def build_parts(
    config: Config,
    *,
    demo: bool,
    patients: int,
    headless: bool = False,
    pace: bool = False,
    printer: SlipPrinter | None = None,
    online: OnlineCardCheck | None = None,
) -> Parts:
    """Wire the real adapters (or the demo's) for the window.

    ``pace``: the demo camera hands out frames as fast as the scan loop asks (the soak).
    ``printer`` and ``online`` replace the configured ones (the soak's fault injection).
    """
    from db.wiring import build_service
    from kiosk.payload import is_card_payload
    from kiosk.reception import TicketDesk
    from kiosk.reception_ticket import TicketRenderer
    from scanner.decode.chain import build_decoder
    from scanner.factory import build_camera
    from scanner.image_guard import set_pixel_cap
    from scanner.loop import ScanLoop
    from scanner.stream import StreamDecoder
    from ui.admin_tools import KioskAdminTools

    # A folder or file camera reads pictures: the same size cap as `kiosk-admin decode`.
    set_pixel_cap(config.decoder.max_image_mpx)
    clock = SystemClock()
    expected: list[Status] = []
    if demo:
        wiring, camera, expected = prepare_demo(
            config, clock, patients=patients, headless=headless, pace=pace,
            printer=printer, online=online,
        )  # fmt: skip
    else:
        wiring = build_service(config, clock, version=__version__)
        camera = build_camera(config.camera, clock)
    scan = ScanLoop(
        camera,
        StreamDecoder(build_decoder(config.decoder)),  # reads across frames, not one at a time
        clock,
        decode_fps=30 if pace else config.camera.decode_fps,
        confirm_reads=config.camera.confirm_reads,
        cooldown_s=config.camera.cooldown_s,
        accept=is_card_payload,
    )
    closers: list[Callable[[], None]] = []
    if wiring.failover is not None:
        # Central and the journal: refresh the card replica, then replay the journal whenever
        # central is back, in the background.
        from db.offline.replay import start_replay_thread
        from db.offline.replica import refresh_replica

        failover = wiring.failover
        closers.append(
            start_replay_thread(
                failover,
                clock,
                refresh=lambda: refresh_replica(failover.central, failover.journal, clock),
            )
        )
    staff: StaffDirectory = wiring.store
    if wiring.failover is not None:
        # Staff sign in against a copy of the directory while central is down.
        from db.offline.staff_copy import OfflineStaff, start_staff_copy_thread

        hours = config.staff.offline_copy_hours
        closers.append(start_staff_copy_thread(wiring.failover, clock, copy_hours=hours))
        staff = OfflineStaff(wiring.failover, clock, copy_hours=hours)
    feed = demo_feed(config, clock, closers) if demo else None
    admin = KioskAdminTools(
        config=config,
        clock=clock,
        store=wiring.store,
        printer=wiring.printer,
        camera=camera,
        feed=feed,
        version=__version__,
        register=wiring.register,
    )
    # the list lives in central (wiring.store): with central down the ticket prints unnumbered
    tickets = TicketDesk(
        wiring.store,
        printer=wiring.printer,
        render=TicketRenderer(config).render,
        clock=clock,
        zone=config.kiosk.zone,
        kiosk_id=config.kiosk.id,
    )
    return Parts(
        config, clock, wiring.service, wiring.store, staff, admin, scan, camera, closers,
        expected,
        wiring.failover.journal if wiring.failover is not None else None,
        tickets,
        wiring.failover,
        wiring.register,
    )  # fmt: skip


# How long a Python thread may keep the interpreter lock while another waits for it.
GIL_SWITCH_S = 0.0005


def tune_for_the_day() -> None:
    """Set the interpreter up for a long day behind a window, once start-up is done.

    - Start-up's objects leave the garbage collector's full passes for good: the window, its
      screens, the libraries and (in the demo) the cast live until the kiosk closes, yet a full
      (generation-2) collection walked them all on the GUI thread: 85–260 ms of frozen
      preview, a few times an hour.
    - The GUI thread gets the interpreter lock sooner: every Qt event passes through the
      window's Python event filters, so with the default 5 ms switch interval a busy worker
      (decoding, the gateway, the database) made it wait up to 5 ms an event, and a screen
      change of a few hundred events froze for 100 ms and more. At 0.5 ms the worst stall of
      700 soak patients fell from 118 to 79 ms at the same throughput.

    Both measured with ``python -m tests.bench.bench_soak``.
    """
    gc.collect()
    gc.freeze()
    sys.setswitchinterval(GIL_SWITCH_S)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``kiosk``."""
    # Before any file or folder exists (logs, the database, slips): owner only. They hold
    # patients' names and numbers, and the kiosk account is not the only one on the machine.
    os.umask(0o077)
    args = _parse(argv)
    if args.headless:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    config = start_config(args.config, demo=args.demo, program="kiosk")
    if config is None:
        return 2
    log_path = _log_to_file(config)

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ui.audio import build_speaker

    app = QApplication.instance() or QApplication(sys.argv[:1])
    try:
        parts = build_parts(
            config, demo=args.demo, patients=args.patients, headless=args.headless, pace=args.pace
        )
    except StoreError as error:
        print(f"kiosk: database: {error}", file=sys.stderr)
        if args.demo:
            return 1
        opened = wait_for_database(config)
        if opened is None:
            return 1
        parts = opened
    retention = _start_retention(parts)
    window = build_window(
        parts,
        version=__version__,
        log_path=str(log_path),
        beep=not args.headless,
        speaker=build_speaker(parts.config.audio, app),
        pace=args.pace,
    )
    run = (
        headless_run(window, args.patients, parts.expected, parts.camera, pace=args.pace)
        if args.headless
        else None
    )
    _show(window, args)
    window.start()
    background = build_background(parts, __version__)
    background.start()
    if run is not None:
        # a patient takes well under a second; a stuck run must still end
        QTimer.singleShot(int((30 + 5 * args.patients) * 1000), lambda: app.exit(1))
    tune_for_the_day()
    app.exec()
    retention.stop()
    background.stop()
    window.allow_close()
    window.shutdown()
    for close in parts.closers:
        close()
    parts.store.dispose()
    if run is None:
        return 0
    print(demo_database_line(config, args.config))
    print(run.summary(config.printer.output_dir))
    return 0 if len(run.outcomes) == args.patients and not run.failed() else 1


def build_window(
    parts: Parts,
    *,
    version: str,
    log_path: str = "",
    beep: bool = True,
    speaker: Speaker | None = None,
    pace: bool = False,
) -> KioskWindow:
    """The kiosk's window over ``parts``, with staff sign-in as the config sets it.

    ``pace``: no pause on a read code before the check starts (the soak and ``--pace``).
    """
    from ui.window import READ_HOLD_MS, KioskWindow

    return KioskWindow(
        config=parts.config,
        clock=parts.clock,
        service=parts.service,
        staff_auth=_staff_auth(parts),
        admin=parts.admin,
        scan_source=parts.scan,
        version=version,
        log_path=log_path,
        beep=beep,
        speaker=speaker,
        read_hold_ms=0 if pace else READ_HOLD_MS,
        help_calls=parts.store,  # central: a patient's call for staff reaches the desk
        tickets=parts.tickets,
    )


def _show(window: KioskWindow, args: argparse.Namespace) -> None:
    """Full screen on the kiosk's display; a fixed size offscreen or in portrait."""
    from PySide6.QtGui import QGuiApplication

    if args.portrait or args.headless:
        window.fit_to(*((1080, 1920) if args.portrait else (1920, 1080)))
        window.show()
        return
    screen = QGuiApplication.primaryScreen()
    if screen is not None:  # lay out for the screen's shape before taking its size
        window.fit_to(screen.size().width(), screen.size().height())
    window.showFullScreen()


def build_background(parts: Parts, version: str) -> Background:
    """The kiosk's background duties: HIS delivery, ``status.json`` and the kiosk register's
    health record (every ``kiosk.health_interval_s``), systemd's watchdog."""
    from db.his.delivery import RetryPolicy, deliver_pending
    from db.wiring import build_his_sender
    from kiosk.health import SystemdNotifier
    from ui.background import Background
    from ui.kiosk_printing import POLL_S as PRINT_POLL_S
    from ui.kiosk_printing import KioskPrinting

    config, clock, store = parts.config, parts.clock, parts.store
    sender = build_his_sender(config)
    policy = RetryPolicy.from_settings(config.his)
    # central's outbox and, with a server database, the offline journal's
    sources = [store.outbox] + ([parts.journal.outbox] if parts.journal is not None else [])

    def deliver() -> Any:
        assert sender is not None
        return deliver_pending(sources, sender, clock, policy)

    write_health = health_duty(
        config,
        clock,
        store,
        camera=parts.camera,
        version=version,
        failover=parts.failover,
        register=parts.register,
    )

    # the desk's requests to print a slip on this kiosk
    printing = KioskPrinting(store, parts.service, config.kiosk.id, clock)
    return Background(
        deliver=deliver if sender is not None else None,
        deliver_interval_s=config.his.interval_s,
        write_health=write_health,
        notifier=SystemdNotifier(),
        duties=[("print-requests", printing.step, PRINT_POLL_S)],
        health_interval_s=config.kiosk.health_interval_s,
    )


def health_duty(
    config: Config,
    clock: Clock,
    store: SqlStore,
    *,
    camera: Camera | None,
    version: str,
    failover: FailoverStore | None = None,
    register: KioskRegister | None = None,
) -> Callable[[], Path]:
    """The health duty's one step: this kiosk's health report into ``status.json`` and, as
    its register row's health record, into the central kiosk register."""
    from db.offline.register import health_of
    from kiosk.health import write_status
    from ui.admin_tools import build_health

    def write_health() -> Path:
        report = build_health(
            config=config,
            clock=clock,
            store=store,
            camera=camera,
            version=version,
            failover=failover,
            register=register,
        )
        written = write_status(config.kiosk.data_dir, report)
        if register is not None:
            register.register(health_of(report))
        return written

    return write_health


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


def _start_retention(parts: Parts) -> Any:
    """Purge what is past its retention period now, then once a day (a Qt timer)."""
    from PySide6.QtCore import QTimer

    from kiosk.retention import PURGE_EVERY_S, Retention

    also = [parts.journal] if parts.journal is not None else []
    retention = Retention(parts.config, parts.clock, parts.store, also)
    retention.run()
    timer = QTimer()
    timer.setInterval(PURGE_EVERY_S * 1000)
    timer.timeout.connect(retention.run)
    timer.start()
    return timer


def _staff_auth(parts: Parts) -> StaffAuth:
    from kiosk.staff_auth import StaffAuth

    s = parts.config.staff
    return StaffAuth(
        parts.staff,
        parts.clock,
        max_failures=s.max_pin_failures,
        lockout_minutes=s.lockout_minutes,
        logout_after_s=s.logout_after_s,
        where=parts.config.kiosk.id,
        origin="kiosk",
        window_minutes=s.failure_window_minutes,
        kiosk_lock_failures=s.kiosk_lock_failures,
        pad_max_failures=s.pad_max_failures,
    )


if __name__ == "__main__":
    sys.exit(main())
