"""A kiosk process of the fleet as the harness holds it: start, ask, kill, start again.

One :class:`KioskHandle` per kiosk. Its lock serialises what is said to the kiosk (a patient's
request, a status query, a fault that must not land mid-request); a reader thread turns the
kiosk's stdout into a queue, so a kiosk that dies (SIGKILL) or hangs is seen at once, never
waited on for ever.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 90.0  # a loaded CI machine imports slowly
REPLY_TIMEOUT_S = 60.0

Reply = dict[str, Any]


@dataclass(frozen=True)
class KioskSpec:
    """Where one kiosk's parts live."""

    name: str
    prefix: str
    central_url: str  # through this kiosk's fault proxy
    journal: Path
    his_url: str
    slips: Path
    log: Path
    scale: float

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "tests.fleet.kiosk_process",
            "--kiosk", self.name,
            "--prefix", self.prefix,
            "--central", self.central_url,
            "--journal", str(self.journal),
            "--his-url", self.his_url,
            "--slips", str(self.slips),
            "--scale", str(self.scale),
        ]  # fmt: skip


class KioskHandle:
    """One kiosk process; restarted with the same journal and slip log after a kill."""

    def __init__(self, spec: KioskSpec) -> None:
        self.spec = spec
        self.lock = threading.RLock()
        self._process: subprocess.Popen[str] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self.starts = 0
        self.kills = 0
        self.start_failures = 0
        self.down = False  # it would not start again: the harness stopped trying

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def alive(self) -> bool:
        process = self._process
        return process is not None and process.poll() is None

    def start(self) -> bool:
        """Start the process and wait for its ``ready`` line; False when it would not start."""
        with self.lock:
            self._reap()
            env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
            log: IO[str]
            with self.spec.log.open("a", encoding="utf-8") as log:
                process = subprocess.Popen(
                    self.spec.command(),
                    cwd=ROOT,
                    env=env,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    text=True,
                    encoding="utf-8",
                )
            self._process = process
            self._lines = queue.Queue()
            assert process.stdout is not None
            threading.Thread(
                target=_read_lines, args=(process.stdout, self._lines), daemon=True
            ).start()
            self.starts += 1
            try:
                first = self._lines.get(timeout=START_TIMEOUT_S)
            except queue.Empty:
                first = None
            if first is None or not json.loads(first).get("ready"):
                self.start_failures += 1
                self._kill_now()
                return False
            return True

    def ensure(self, attempts: int = 3) -> bool:
        """Running, or started again (the kiosk's service manager restarts a dead kiosk)."""
        with self.lock:
            if self.alive:
                return True
            if self.down:
                return False
            for _ in range(attempts):
                if self.start():
                    return True
            self.down = True
            return False

    def call(self, request: Reply, timeout_s: float = REPLY_TIMEOUT_S) -> Reply | None:
        """Send one request and wait for its answer; None when the kiosk died (or hung, and
        was killed) before answering."""
        with self.lock:
            process = self._process
            if process is None or process.poll() is not None or process.stdin is None:
                return None
            try:
                process.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
                process.stdin.flush()
            except OSError:
                return None
            try:
                line = self._lines.get(timeout=timeout_s)
            except queue.Empty:
                self._kill_now()
                return None
            if line is None:
                self._reap()
                return None
            answer: Reply = json.loads(line)
            return answer

    def kill(self) -> bool:
        """SIGKILL the process now, whatever it is doing (not under the lock: a request in
        flight dies with it); True when there was one to kill."""
        process = self._process
        if process is None or process.poll() is not None:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGKILL)
        self.kills += 1
        return True

    def wait_dead(self, timeout_s: float = 30.0) -> bool:
        process = self._process
        if process is None:
            return True
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return False
        return True

    def stop(self) -> None:
        """End the process: stdin closed (a clean exit), else killed."""
        with self.lock:
            process = self._process
            if process is None:
                return
            if process.poll() is None and process.stdin is not None:
                with contextlib.suppress(OSError):
                    process.stdin.close()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self._kill_now()
            self._reap()

    def _kill_now(self) -> None:
        process = self._process
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGKILL)
        self._reap()

    def _reap(self) -> None:
        process = self._process
        if process is None:
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


def _read_lines(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    try:
        for line in stream:
            if line.strip():
                lines.put(line)
    except (OSError, ValueError):
        pass
    lines.put(None)


def wait_until(check: Any, timeout_s: float, every_s: float = 0.05) -> bool:
    """Poll ``check()`` until it is true or ``timeout_s`` passed (a bounded wait for a state
    another process reaches, never a fixed sleep standing in for an event)."""
    deadline = time.monotonic() + timeout_s
    while True:
        if check():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(every_s)
