"""The offline loops' one way to run in the background: a daemon thread, and a stop function."""

from __future__ import annotations

import threading
from collections.abc import Callable

#: How long stopping waits for the loop's thread to finish its step.
JOIN_TIMEOUT_S = 10


def start_loop_thread(run: Callable[[threading.Event], None], name: str) -> Callable[[], None]:
    """Start ``run(stop)`` on a daemon thread named ``name``; returns the function that sets
    ``stop`` and waits (a while) for the thread to end."""
    stop = threading.Event()
    thread = threading.Thread(target=run, args=(stop,), name=name, daemon=True)
    thread.start()

    def close() -> None:
        stop.set()
        thread.join(timeout=JOIN_TIMEOUT_S)

    return close
