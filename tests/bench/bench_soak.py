"""A day in the lobby: thousands of patients through the real window, with its resources held flat.

Runs the kiosk's real window offscreen (``QT_QPA_PLATFORM=offscreen``) with the demo's camera,
patients and file printer, the insurance simulator answering the online checks over HTTP on
127.0.0.1, and faults injected along the way: the printer fails for a patient now and then,
and the camera is unplugged for a second and a half. Every second patient sent to reception
is checked in there by the demo's receptionist (PIN pad, look-up, override on the staff
screen: ``reception_overrides`` in the output). Every patient taps "Xong" at once
(``--pace``, the default, skips the human-speed pauses so 2,000 patients fit in half an hour).

Every ``--every`` patients it samples resident memory, the Python heap (tracemalloc), the
window's Qt object count, threads (Python and native), open file descriptors, the longest
event-loop stall since the last sample, and the database size. The reference is the run's own
first samples: growth is measured from patient 200 (after warm-up) to the last.

    python -m tests.bench.bench_soak [--patients 2000] [--every 100] [--no-pace] [--offline]

Goals past warm-up: resident memory grows <= 20 MB; threads and file descriptors end where
they were; Qt objects stay flat; the longest stall stays < 100 ms. The last line of output is
one JSON object.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import threading
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]

from PySide6.QtCore import QElapsedTimer, QObject, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from db.insurance import simulator as insurance_sim  # noqa: E402
from db.wiring import build_online_check  # noqa: E402
from kiosk.clock import SystemClock, local_day  # noqa: E402
from kiosk.config import load_config  # noqa: E402
from kiosk.outcome import Outcome  # noqa: E402
from kiosk.ports import PrintResult, SlipPrinter  # noqa: E402
from kiosk.printers import FilePrinter  # noqa: E402
from kiosk.synthetic import SyntheticPerson  # noqa: E402
from ui.app import build_parts, build_window, tune_for_the_day  # noqa: E402
from ui.demo import DemoReception, HeadlessRun, cast_size, demo_cast, demo_config  # noqa: E402
from ui.window import KioskWindow  # noqa: E402

WARM_UP = 200
PRINTER_FAULT_EVERY = 500  # the printer fails for one patient in every this many
CAMERA_LOSS_EVERY = 500  # ... and the camera is unplugged once in every this many
CAMERA_LOSS_MS = 1500


class FlakyPrinter:
    """The demo's file printer, failing the next slip whenever :meth:`fail_next` was called."""

    def __init__(self, inner: SlipPrinter) -> None:
        self._inner = inner
        self._fail = threading.Event()
        self.failures = 0

    def fail_next(self) -> None:
        self._fail.set()

    def print_image(self, image: Any, name: str) -> PrintResult:
        if self._fail.is_set():
            self._fail.clear()
            self.failures += 1
            return PrintResult(False, "paper_out", "soak: injected paper out")
        return self._inner.print_image(image, name)


@dataclass
class RosterPopulation:
    """The simulator's card source for the soak: exactly the demo's cached patients.

    The simulated gateway looks cards up by card, BHXH or CCCD number and answers "valid"
    when name and birth date match, as the real one does for a patient in its records.
    """

    people: list[SyntheticPerson]

    def __post_init__(self) -> None:
        self._index: dict[str, int] = {}
        for i, p in enumerate(self.people):
            for code in (p.card_number, p.bhxh_number, p.id_number):
                if code:
                    self._index[code.upper()] = i

    def index_of(self, code: str) -> int | None:
        return self._index.get(code.strip().upper())

    def current(self, i: int) -> dict[str, Any] | None:
        p = self.people[i]
        return {
            "maThe": p.card_number,
            "hoTen": p.name,
            "ngaySinh": p.birth.display(),
            "gioiTinh": "Nam" if p.gender.value == "male" else "Nữ",
            "diaChi": p.address,
            "maDKBD": p.facility_code,
            "gtTheTu": p.valid_from.strftime("%d/%m/%Y"),
            "gtTheDen": p.valid_to.strftime("%d/%m/%Y"),
            "ngayDu5Nam": "",
            "maSoBHXH": p.bhxh_number,
            "maTheMoi": "",
            "gtTheTuMoi": "",
            "gtTheDenMoi": "",
            "maDKBDMoi": "",
        }

    def gateway_code(self, i: int) -> str:
        return "000"


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class StallMeter(QObject):
    """The longest gap between event-loop turns beyond a 10 ms timer's own period."""

    PERIOD_MS = 10

    def __init__(self) -> None:
        super().__init__()
        self._clock = QElapsedTimer()
        self._clock.start()
        self._last = 0
        self.worst_ms = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(self.PERIOD_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    def _tick(self) -> None:
        now = self._clock.elapsed()
        if self._last:
            self.worst_ms = max(self.worst_ms, float(now - self._last - self.PERIOD_MS))
        self._last = now

    def take(self) -> float:
        """The worst stall since the last call, and start a new period."""
        worst, self.worst_ms = self.worst_ms, 0.0
        return max(0.0, worst)

    def skip(self) -> None:
        """Do not count the time since the last tick (the benchmark's own sampling)."""
        self._last = self._clock.elapsed()


class Soak:
    """Drives the run: fault injection on the way, a sample every ``every`` patients."""

    def __init__(self, window: KioskWindow, parts: Any, printer: FlakyPrinter, args: Any) -> None:
        self.window, self.parts, self.printer, self.args = window, parts, printer, args
        self.samples: list[dict[str, float]] = []
        self.stalls = StallMeter()
        self.started = time.monotonic()
        self.db_path = Path(str(parts.config.database.url).removeprefix("sqlite:///"))

    def on_outcome(self, turn: int, outcome: Outcome) -> None:
        camera = self.parts.camera
        camera.step_away()
        if turn % PRINTER_FAULT_EVERY == PRINTER_FAULT_EVERY // 2:
            self.printer.fail_next()
        if turn % CAMERA_LOSS_EVERY == 0:
            camera.lose()
            QTimer.singleShot(CAMERA_LOSS_MS, camera.restore)
        if turn % self.args.every == 0 or turn == self.args.patients:
            self.sample(turn)

    def sample(self, turn: int) -> None:
        # the stall is read first, and the sampling itself (a full collection, /proc reads) is
        # not counted as the app's: it runs on the GUI thread but is the benchmark's own work
        stall = self.stalls.take()
        gc.collect()
        db_bytes = sum(
            p.stat().st_size for p in (self.db_path, Path(f"{self.db_path}-wal")) if p.exists()
        )
        row = {
            "patient": turn,
            "seconds": round(time.monotonic() - self.started, 1),
            "rss_mb": round(_rss_mb(), 1),
            "heap_mb": round(tracemalloc.get_traced_memory()[0] / 2**20, 2),
            "qt_objects": len(self.window.findChildren(QObject)),
            "threads": threading.active_count(),
            "native_threads": sum(1 for _ in Path("/proc/self/task").iterdir()),
            "fds": sum(1 for _ in Path("/proc/self/fd").iterdir()),
            "stall_ms": round(stall, 1),
            "db_mb": round(db_bytes / 2**20, 2),
        }
        self.samples.append(row)
        print(json.dumps(row), flush=True)
        self.stalls.skip()


def _growth(samples: list[dict[str, float]], key: str) -> float | None:
    base = next((s for s in samples if s["patient"] >= WARM_UP), None)
    if base is None or not samples:
        return None
    return round(samples[-1][key] - base[key], 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--every", type=int, default=100)
    parser.add_argument("--pace", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument(
        "--offline", action="store_true", help="no online checks (no insurance simulator)"
    )
    args = parser.parse_args()
    tracemalloc.start(1)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    folder = Path(tempfile.mkdtemp(prefix="kiosk-soak-"))
    config = demo_config(
        load_config(ROOT / "config.toml", env={"KIOSK_KIOSK_DATA_DIR": str(folder)})
    )
    printer = FlakyPrinter(FilePrinter(config.printer.output_dir))
    sim: Any = None
    online = None
    if not args.offline:
        # the simulated gateway knows exactly the demo's cached patients
        today = local_day(SystemClock(), config.kiosk.zone)
        cast = demo_cast(2 * cast_size(args.patients), today)  # as many as the demo may cast
        state = insurance_sim.SimState(
            # the simulator's lookups, on a roster instead of its generated population
            RosterPopulation(cast.cached),  # type: ignore[arg-type]  # same lookups
            insurance_sim.Faults(),
        )
        sim, url = insurance_sim.start_simulator(state=state)
        env = {
            "KIOSK_SOAK_GATEWAY_PASSWORD": insurance_sim.DEFAULT_PASSWORD,
            "KIOSK_SOAK_OFFICER_NAME": insurance_sim.DEFAULT_OFFICER_NAME,
            "KIOSK_SOAK_OFFICER_ID": insurance_sim.DEFAULT_OFFICER_ID,
        }
        os.environ.update(env)
        settings = replace(
            config.insurance,
            gateway_url=url,
            username=insurance_sim.DEFAULT_USERNAME,
            password_env="KIOSK_SOAK_GATEWAY_PASSWORD",
            officer_name_env="KIOSK_SOAK_OFFICER_NAME",
            officer_id_env="KIOSK_SOAK_OFFICER_ID",
            allow_http=True,  # the simulator on 127.0.0.1
        )
        # the kiosk's own wiring: a token kept ready, the circuit breaker in front
        online = build_online_check(replace(config, insurance=settings), SystemClock())
    parts = build_parts(
        config,
        demo=True,
        patients=args.patients,
        headless=True,
        pace=args.pace,
        printer=printer,
        online=online,
    )
    window = build_window(parts, version="soak", beep=False, pace=args.pace)
    soak = Soak(window, parts, printer, args)
    reception = DemoReception(window, parts.camera)
    run = HeadlessRun(window, args.patients, None, on_outcome=soak.on_outcome, reception=reception)
    window.fit_to(1920, 1080)
    window.show()
    window.start()
    soak.sample(0)
    QTimer.singleShot(int((60 + 3 * args.patients) * 1000), lambda: app.exit(1))
    tune_for_the_day()
    started = time.monotonic()
    app.exec()
    seconds = time.monotonic() - started
    window.allow_close()
    window.shutdown()
    for close in parts.closers:
        close()
    if sim is not None:
        sim.shutdown()
        sim.server_close()
    parts.store.dispose()

    samples = soak.samples
    past = [s for s in samples if s["patient"] >= WARM_UP]
    growth = {
        key: _growth(samples, key)
        for key in ("rss_mb", "heap_mb", "qt_objects", "threads", "native_threads", "fds", "db_mb")
    }
    worst_stall = max((s["stall_ms"] for s in past), default=None)
    goals = {
        "rss_growth_le_20mb": growth["rss_mb"] is not None and growth["rss_mb"] <= 20,
        # the OS's count: Python's grows by one when a Qt thread first logs (a _DummyThread)
        "threads_flat": growth["native_threads"] == 0,
        "fds_flat": growth["fds"] == 0,
        "qt_objects_flat": growth["qt_objects"] == 0,
        "stall_lt_100ms": worst_stall is not None and worst_stall < 100,
    }
    summary = {
        "bench": "soak",
        "patients": args.patients,
        "seen": len(run.outcomes),
        "outcomes": dict(Counter(o.status.value for o in run.outcomes)),
        "reception_overrides": dict(Counter(o.status.value for o in reception.overrides)),
        "reception_given_up": reception.given_up,
        "printer_failures_injected": printer.failures,
        "online": not args.offline,
        "pace": args.pace,
        "seconds": round(seconds, 1),
        "per_patient_ms": round(1000 * seconds / max(1, len(run.outcomes)), 1),
        "growth_from_patient_200": growth,
        "worst_stall_ms_past_warm_up": worst_stall,
        "goals_met": goals,
        "series": samples,
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0 if len(run.outcomes) == args.patients else 1


if __name__ == "__main__":
    sys.exit(main())
