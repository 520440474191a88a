"""The progress bar of the long ``kiosk-admin`` commands (``sync``, ``import``) on a terminal."""

from __future__ import annotations

import time
from typing import TextIO

BAR_WIDTH = 30  # characters of the bar itself, between its brackets


class ProgressLine:
    """One terminal line redrawn in place: a bar when the share done is known, then a text.

    ``every_s`` limits the redraws (a fast import reports thousands of batches); the last report
    is always drawn. The line is padded to the longest text so far, so a shorter text leaves no
    characters of a longer one behind.
    """

    def __init__(self, stream: TextIO, *, every_s: float = 0.0) -> None:
        self._stream = stream
        self._every_s = every_s
        self._started = time.monotonic()
        self._drawn_at: float | None = None
        self._width = 0

    def seconds(self) -> float:
        """Time since the line was created (for a rate)."""
        return max(time.monotonic() - self._started, 1e-6)

    def show(self, text: str, share: float | None = None, *, last: bool = False) -> None:
        """Redraw the line with ``text``, after a bar filled to ``share`` (0 to 1) when given."""
        now = time.monotonic()
        if not last and self._drawn_at is not None and now - self._drawn_at < self._every_s:
            return
        self._drawn_at = now
        if share is not None:
            filled = int(BAR_WIDTH * min(max(share, 0.0), 1.0))
            text = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {text}"
        self._width = max(self._width, len(text))
        self._stream.write("\r" + text.ljust(self._width))
        self._stream.flush()

    def finish(self) -> None:
        """End the line (when anything was drawn), so what follows starts on a line of its own."""
        if self._width:
            self._stream.write("\n")
            self._stream.flush()
