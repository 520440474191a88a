"""Waiting for the queue to change: PostgreSQL's LISTEN/NOTIFY, or polling an SQLite file.

Migration 0007 makes PostgreSQL NOTIFY the channel :data:`CHANNEL` whenever a call step or a
check-in is written (a trigger, so every writer — kiosks, kiosk-admin, other kiosk-web
processes — wakes every board). SQLite has no such thing: its watch asks
:meth:`CallingStore.version` every ``interval_s``. Both answer :meth:`QueueWatch.wait`, called
from one background thread of each kiosk-web process.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from datetime import date
from typing import Protocol

import psycopg
from sqlalchemy import Engine

from db.store.calling import CallingStore
from kiosk.ports import StoreError

log = logging.getLogger(__name__)

CHANNEL = "kiosk_queue"  # as migration 0007's trigger function says it


class QueueWatch(Protocol):
    """Blocks until the queue may have changed."""

    def wait(self, timeout_s: float) -> bool:
        """True when something changed (or may have: a reconnect), False after ``timeout_s``
        of quiet."""
        ...

    def close(self) -> None: ...


class PollWatch:
    """SQLite: compares the store's version every ``interval_s``."""

    def __init__(
        self, calls: CallingStore, today: Callable[[], date], interval_s: float = 0.25
    ) -> None:
        self._calls = calls
        self._today = today
        self._interval_s = interval_s
        self._seen: tuple[int, int, int] | None = None
        self._failing = False
        self._closed = threading.Event()

    def wait(self, timeout_s: float) -> bool:
        waited = 0.0
        while not self._closed.is_set():
            version: tuple[int, int, int] | None
            try:
                version = self._calls.version(self._today())
            except StoreError as error:  # a locked file: try again at the next tick
                if not self._failing:  # once per outage, not four times a second
                    log.warning("queue poll failed: %s", error)
                self._failing = True
                version = self._seen  # unchanged
            else:
                self._failing = False
            if version != self._seen:
                self._seen = version
                return True
            if waited >= timeout_s:
                return False
            self._closed.wait(self._interval_s)
            waited += self._interval_s
        return False

    def close(self) -> None:
        self._closed.set()


class ListenWatch:
    """PostgreSQL: one connection LISTENing on :data:`CHANNEL` (reconnects by itself)."""

    def __init__(self, engine: Engine, retry_s: float = 1.0) -> None:
        url = engine.url.set(drivername="postgresql")
        self._dsn = url.render_as_string(hide_password=False)
        self._retry_s = retry_s
        self._conn: psycopg.Connection[tuple[object, ...]] | None = None
        self._closed = threading.Event()

    def _connect(self) -> psycopg.Connection[tuple[object, ...]]:
        conn = psycopg.connect(self._dsn, autocommit=True, connect_timeout=3)
        conn.execute(f"LISTEN {CHANNEL}")
        return conn

    def wait(self, timeout_s: float) -> bool:
        if self._closed.is_set():
            return False
        if self._conn is None:
            try:
                self._conn = self._connect()
            except psycopg.Error as error:
                log.warning("queue LISTEN: %s", type(error).__name__)
                self._closed.wait(self._retry_s)
                return False
            return True  # (re)connected: whatever happened meanwhile was missed
        try:
            heard = list(self._conn.notifies(timeout=timeout_s, stop_after=1))
        except psycopg.Error as error:
            log.warning("queue LISTEN lost: %s", type(error).__name__)
            self._drop()
            return True
        return bool(heard)

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(psycopg.Error):
                conn.close()

    def close(self) -> None:
        self._closed.set()
        self._drop()


def watch_for(calls: CallingStore, today: Callable[[], date]) -> QueueWatch:
    """The watch that suits ``calls``' database."""
    if calls.engine.dialect.name == "postgresql":
        return ListenWatch(calls.engine)
    return PollWatch(calls, today)
