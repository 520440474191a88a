"""Background duties of a running kiosk: HIS delivery, the health file and systemd's watchdog.

- :class:`PeriodicWorker` is a thin ``QThread`` shell that calls one synchronous step every few
  seconds (the outbox's ``deliver_pending``, the health report's write) and hands each result
  to the GUI thread through a signal. Tests call the steps directly.
- :class:`Background` starts them for the app: the outbox worker (when a HIS is configured),
  the ``status.json`` writer (and the kiosk register's health record) every
  ``kiosk.health_interval_s`` (30 s), and the watchdog ping, sent from the GUI thread so
  that a frozen screen stops the pings and systemd restarts the kiosk.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.health import SystemdNotifier
from ui.workers import LoopWorker

log = logging.getLogger(__name__)

HEALTH_INTERVAL_S = 30.0


class PeriodicWorker(LoopWorker):
    """Calls ``step()`` on its own thread every ``interval_s`` seconds until stopped.

    Signals:
        stepped(object): the step's result, in a 1-tuple (PySide6 mishandles a bare None
            sent through an ``object`` signal).
    """

    stepped = Signal(object)
    stop_wait_ms = 30_000

    def __init__(self, name: str, step: Callable[[], Any], interval_s: float) -> None:
        super().__init__(name)
        self._step = step
        self._interval = interval_s
        self._wake = threading.Event()

    def poke(self) -> None:
        """Run the next step now instead of at the end of the wait."""
        self._wake.set()

    def _cut_wait_short(self) -> None:
        self._wake.set()

    def turn(self) -> None:
        try:
            result = self._step()
        except Exception:  # a failing step must not end the duty for good
            log.exception("%s step failed", self._thread.objectName())
        else:
            self.stepped.emit((result,))
        self._wake.wait(self._interval)
        self._wake.clear()


class Background(QObject):
    """The running kiosk's background duties; :meth:`stop` ends them before the app exits."""

    def __init__(
        self,
        *,
        deliver: Callable[[], Any] | None,
        deliver_interval_s: float,
        write_health: Callable[[], Any],
        notifier: SystemdNotifier,
        health_interval_s: float = HEALTH_INTERVAL_S,
        duties: Sequence[tuple[str, Callable[[], Any], float]] = (),
        parent: QObject | None = None,
    ) -> None:
        """``duties``: further periodic steps, each (name, step, interval in seconds): the
        desk's print requests (:mod:`ui.kiosk_printing`)."""
        super().__init__(parent)
        self.notifier = notifier
        self.workers: list[PeriodicWorker] = []
        if deliver is not None:
            self.workers.append(PeriodicWorker("outbox", deliver, deliver_interval_s))
        for name, step, interval_s in duties:
            self.workers.append(PeriodicWorker(name, step, interval_s))
        self.workers.append(PeriodicWorker("health", write_health, health_interval_s))
        self._watchdog = QTimer(self)
        # Ping at a third of systemd's deadline: two late pings in a row are still in time.
        every_s = (notifier.watchdog_s or 30.0) / 3
        self._watchdog.setInterval(max(1000, int(every_s * 1000)))
        self._watchdog.timeout.connect(notifier.watchdog)

    def start(self) -> None:
        for worker in self.workers:
            worker.start()
        if self.notifier.enabled:
            self.notifier.ready("kiosk running")
            self._watchdog.start()

    def stop(self) -> None:
        self._watchdog.stop()
        self.notifier.stopping()
        for worker in self.workers:
            worker.stop()
