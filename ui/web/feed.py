"""One watch of the database per kiosk-web process, fanned out to every board it serves.

A background thread waits on the :class:`db.store.notify.QueueWatch` (LISTEN on PostgreSQL,
a poll on SQLite) and bumps :attr:`QueueFeed.version` on the event loop; every board's event
stream waits for the version to move and then asks :meth:`QueueFeed.state` for its rooms,
which reads the database once per version and set of rooms, however many boards show them.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool

from db.store.notify import QueueWatch

Rooms = tuple[str, ...]
State = dict[str, object]
_CACHED_SETS = 64  # sets of rooms remembered (each board asks for one)


class QueueFeed:
    """The queue's version and each set of rooms' board at that version."""

    def __init__(self, watch: QueueWatch, compute: Callable[[Rooms], State]) -> None:
        self._watch = watch
        self._compute = compute
        self.version = 0
        self._changed: asyncio.Event | None = None
        self._cache: dict[Rooms, tuple[int, State]] = {}
        self._locks: dict[Rooms, asyncio.Lock] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        """Start watching (on the running event loop)."""
        self._loop = asyncio.get_running_loop()
        self._changed = asyncio.Event()
        self._thread = threading.Thread(target=self._run, name="queue-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._watch.close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        assert self._loop is not None
        while not self._stop.is_set():
            if self._watch.wait(5.0) and not self._stop.is_set():
                with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                    self._loop.call_soon_threadsafe(self._bump)

    def _bump(self) -> None:
        self.version += 1
        assert self._changed is not None
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_change(self, seen: int, timeout_s: float) -> None:
        """Return once :attr:`version` differs from ``seen``, or after ``timeout_s``."""
        if self.version != seen or self._changed is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout_s)

    async def state(self, rooms: Rooms) -> tuple[int, State]:
        """The board of ``rooms`` at the current version (read once per version)."""
        lock = self._locks.setdefault(rooms, asyncio.Lock())
        async with lock:
            version = self.version
            cached = self._cache.get(rooms)
            if cached is not None and cached[0] == version:
                return cached
            state = await run_in_threadpool(self._compute, rooms)
            if len(self._cache) >= _CACHED_SETS:
                self._cache.clear()
            self._cache[rooms] = (version, state)
            return version, state
