"""USB 2D barcode scanners that act as a keyboard, recognised on every screen.

Such a scanner "types" the QR text a few milliseconds per character and then presses Enter. An
application-wide event filter holds back printable key presses for a moment: keys that keep
coming faster than ``max_gap_ms`` and end with Enter are a scan (emitted as :attr:`scanned`, and
swallowed so they never type into a field or trigger a shortcut); anything slower is a human,
and the held keys are replayed to where they were going.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_MODIFIERS = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


@dataclass
class _Held:
    receiver: QObject
    key: int
    modifiers: Qt.KeyboardModifier
    text: str


def _milliseconds() -> float:
    return time.monotonic() * 1000


class KeyboardWedge(QObject):
    """The event filter; install with ``app.installEventFilter(wedge)``.

    Signals:
        scanned(str): the text of one scanner burst, without the final Enter.
    """

    scanned = Signal(str)

    def __init__(
        self,
        *,
        max_gap_ms: float = 40,
        min_length: int = 8,
        now_ms: Callable[[], float] = _milliseconds,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._max_gap = max_gap_ms
        self._min_length = min_length
        self._now = now_ms
        self._held: list[_Held] = []
        self._last = 0.0
        self._replaying = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.flush)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802, PLR0911 - Qt API
        if self._replaying:
            return False
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride, QEvent.Type.KeyRelease):
            return False
        assert isinstance(event, QKeyEvent)
        if event.modifiers() & _MODIFIERS:
            return False
        is_enter = event.key() in _ENTER_KEYS
        text = event.text()
        is_char = bool(text) and text.isprintable()
        if not (is_char or (is_enter and self._held)):
            return False
        if kind == QEvent.Type.ShortcutOverride:
            # claim the key for "the widget": no shortcut fires on a scanner's character
            event.accept()
            return True
        if kind == QEvent.Type.KeyRelease:
            return True  # the press is held or replayed; its release means nothing alone
        now = self._now()
        if self._held and now - self._last > self._max_gap:
            self.flush()  # a pause: what was held was typed by a person
        if is_enter:
            return self._enter(watched, event)
        self._held.append(_Held(watched, event.key(), event.modifiers(), text))
        self._last = now
        self._timer.start(int(self._max_gap * 2))
        return True

    def _enter(self, watched: QObject, event: QKeyEvent) -> bool:
        if len(self._held) >= self._min_length:
            text = "".join(h.text for h in self._held)
            self._held.clear()
            self._timer.stop()
            self.scanned.emit(text)
            return True
        self.flush()
        return False  # a person pressed Enter: let it through after their keys

    def flush(self) -> None:
        """Replay the held keys to their receivers (a person was typing)."""
        self._timer.stop()
        held, self._held = self._held, []
        self._replaying = True
        try:
            for h in held:
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    QCoreApplication.sendEvent(
                        h.receiver, QKeyEvent(kind, h.key, h.modifiers, h.text)
                    )
        finally:
            self._replaying = False
