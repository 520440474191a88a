"""Threads as thin shells around synchronous steps; results come back through Qt signals.

- :class:`TaskRunner` runs plain functions (assess, check in, print, staff look-ups, sync) one
  after another on its own ``QThread`` and delivers each result on the GUI thread.
- :class:`ScanWorker` runs ``ScanSource.step()`` in a loop on its own ``QThread`` and emits
  preview frames and confirmed payloads.

The GUI thread only ever waits for a signal; it never calls a slow step itself.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtGui import QImage

from ui.ports import ScanSource

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[str], None]


class _TaskWorker(QObject):
    """Lives on the runner's thread; runs each submitted function there."""

    # the result travels in a 1-tuple: PySide6 miscounts references to a bare None sent
    # through an ``object`` signal, which crashes the interpreter later
    finished = Signal(int, object, str)  # task id, (result,), error ("" when none)

    @Slot(int, object)
    def run(self, task_id: int, fn: Callable[[], Any]) -> None:
        try:
            result = fn()
        except Exception as error:  # a task must never take the thread down
            log.exception("background task failed")
            self.finished.emit(task_id, (None,), f"{type(error).__name__}: {error}")
            return
        self.finished.emit(task_id, (result,), "")


class Epoch:
    """A controller's count of moves on (back to the start, a logout): a task's result belongs
    to the count it was submitted under, and :class:`TaskRunner` drops it once the count has
    moved on. Each controller holds its own, so one moving on drops none of the other's."""

    def __init__(self) -> None:
        self.count = 0

    def advance(self) -> None:
        """Whatever is still running was asked for before now: drop its result."""
        self.count += 1


class TaskRunner(QObject):
    """A serial background executor whose callbacks run on the GUI thread.

    The stale-result guard lives here: a task submitted with an :class:`Epoch` delivers its
    result (or its failure) only if that epoch has not advanced since; a late one is dropped.
    """

    _submit = Signal(int, object)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName(name)
        self._worker = _TaskWorker()
        self._worker.moveToThread(self._thread)
        self._submit.connect(self._worker.run)
        self._worker.finished.connect(self._on_finished)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, tuple[Done, Failed | None, Epoch | None, int]] = {}
        self._thread.start()

    def submit(
        self,
        fn: Callable[[], Any],
        done: Done,
        failed: Failed | None = None,
        *,
        epoch: Epoch | None = None,
    ) -> None:
        """Run ``fn()`` off the GUI thread; then ``done(result)`` or ``failed(message)`` on it,
        unless ``epoch`` has advanced in between (the controller moved on: the result is
        stale and dropped)."""
        task_id = next(self._ids)
        self._callbacks[task_id] = (done, failed, epoch, epoch.count if epoch else 0)
        self._submit.emit(task_id, fn)

    @property
    def busy(self) -> bool:
        return bool(self._callbacks)

    @Slot(int, object, str)
    def _on_finished(self, task_id: int, boxed: tuple[object], error: str) -> None:
        done, failed, epoch, count = self._callbacks.pop(task_id, (None, None, None, 0))
        if epoch is not None and epoch.count != count:
            log.debug("a late result was dropped (its controller moved on)")
            return
        if error:
            if failed is not None:
                failed(error)
            else:
                log.error("background task failed: %s", error)
        elif done is not None:
            done(boxed[0])

    def stop(self) -> None:
        """Let the running task finish, then end the thread."""
        self._thread.quit()
        self._thread.wait(10_000)


class LoopWorker(QObject):
    """A loop on a ``QThread`` of its own: :meth:`turn` again and again until :meth:`stop`.

    The shell of the scan loop and of the kiosk's background duties; subclasses write
    :meth:`turn` (one step and any wait after it) and say how long :meth:`stop` may wait.
    """

    stop_wait_ms = 5000

    def __init__(self, name: str) -> None:
        super().__init__()
        self._thread = QThread()
        self._thread.setObjectName(name)
        self.moveToThread(self._thread)
        self._thread.started.connect(self.run)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """End the loop after the step under way (if any) returns."""
        self._thread.requestInterruption()
        self._cut_wait_short()
        self._thread.quit()
        self._thread.wait(self.stop_wait_ms)

    def _cut_wait_short(self) -> None:
        """Wake the loop from a wait between steps (a loop that never waits has none)."""

    @Slot()
    def run(self) -> None:
        thread = QThread.currentThread()
        while not thread.isInterruptionRequested():
            self.turn()

    def turn(self) -> None:
        """One step of the loop, on its thread, and any wait before the next."""
        raise NotImplementedError


class ScanWorker(LoopWorker):
    """Runs the scan loop off the GUI thread.

    Signals:
        frame_ready(QImage, object, QImage): a preview frame (already copied), the QR corners
            (a tuple of points, empty when no QR is seen; never None, see _TaskWorker) and the
            frame averaged down for the preview's blur (computed here, off the GUI thread).
        scanned(str): a confirmed payload text.
        sighted(bool): a code is in view but not read (yet): time to say "hold still"; True
            when it is too far away to read: time to say "bring it closer".
        camera_state(str): "ok" or "lost", emitted when it changes.
    """

    frame_ready = Signal(QImage, object, QImage)
    scanned = Signal(str)
    sighted = Signal(bool)
    camera_state = Signal(str)

    def __init__(self, source: ScanSource, min_period_s: float = 1 / 30) -> None:
        super().__init__("scan")
        self._source = source
        self._min_period = min_period_s
        self._state = ""
        self._forget = threading.Event()

    def forget(self) -> None:
        """Ask the loop (on its own thread) to forget the last card, e.g. after an idle reset."""
        self._forget.set()

    def turn(self) -> None:
        started = time.monotonic()
        if self._forget.is_set():
            self._forget.clear()
            self._source.forget()
        try:
            step = self._source.step()
        except Exception:  # a broken camera adapter must not end scanning for good
            log.exception("scan step failed")
            time.sleep(0.5)
            return
        if step.camera != self._state:
            self._state = step.camera
            self.camera_state.emit(step.camera)
        if step.frame is not None:
            corners = tuple(step.corners) if step.corners else ()
            frame = step.frame
            self.frame_ready.emit(to_qimage(frame), corners, to_qimage(coarse(frame)))
        if step.payload is not None:
            self.scanned.emit(step.payload)
        elif code_in_view(step):
            self.sighted.emit(bool(getattr(step, "far", False)))
        # a fake or file camera returns at once: keep the loop at camera pace
        rest = self._min_period - (time.monotonic() - started)
        if rest > 0:
            time.sleep(rest)


BLUR = 24  # the preview's blur: one averaged pixel per BLUR x BLUR square of the camera


def coarse(frame: Any, block: int = BLUR) -> Any:
    """The frame averaged over ``block`` x ``block`` squares (a blur no text survives)."""
    array = np.asarray(frame)
    h, w = array.shape[0] // block, array.shape[1] // block
    if h == 0 or w == 0:
        return array
    # rows first, then columns: two cheap sums instead of one over a 4-axis view
    rows = array[: h * block, : w * block].reshape(h, block, w * block, *array.shape[2:])
    summed = rows.sum(axis=1, dtype=np.uint32)
    cells = summed.reshape(h, w, block, *array.shape[2:]).sum(axis=2, dtype=np.uint32)
    return (cells // (block * block)).astype(np.uint8)


def code_in_view(step: Any) -> bool:
    """The step saw a code it has not read (yet).

    The scan loop's own verdict when its step says so (a ``sighted`` attribute); otherwise a
    code outlined without a payload: not yet confirmed, or seen but not decoded.
    """
    said = getattr(step, "sighted", None)
    if said is not None:
        return bool(said)
    return bool(step.corners) and step.payload is None


def to_qimage(frame: Any) -> QImage:
    """A deep copy of an OpenCV image (BGR, BGRA or grey numpy array) as a QImage."""
    array = np.ascontiguousarray(frame)
    if array.dtype != np.uint8:
        array = array.astype(np.uint8)
    height, width = array.shape[:2]
    if array.ndim == 2:
        fmt = QImage.Format.Format_Grayscale8
    elif array.shape[2] == 4:
        fmt = QImage.Format.Format_ARGB32
    else:
        fmt = QImage.Format.Format_BGR888
    image = QImage(array.data, width, height, int(array.strides[0]), fmt)
    if fmt is QImage.Format.Format_BGR888:
        # a copy in the 32-bit form Qt paints as it is: a 24-bit picture would be converted on
        # every paint, on the GUI thread (~2.5 ms a 720p frame against ~0.4 ms)
        return image.convertToFormat(QImage.Format.Format_RGB32)
    return image.copy()  # the array's memory goes away with the worker's next frame
