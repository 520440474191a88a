"""The offline journal's file: a cache of the kiosk, never a reason for it to stop.

At start-up (:func:`db.store.open.open_journal`) a journal SQLite cannot read ("file is not a
database", a malformed image) is moved aside, renamed with a UTC timestamp (its ``-wal`` and
``-shm`` files with it), and a new one is built; a missing one is built anew. Each is one log
line. Check-ins the old file held that central did not have yet stay in the file set aside
(``kiosk-admin replay`` can be pointed at it with ``database.offline_url``).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

# SQLite's primary result codes of a file that is not (or no longer) a database
_CORRUPT_CODES = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def journal_path(url: str) -> Path | None:
    """The journal's file, or None for a journal that is not an SQLite file."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database).expanduser()


def is_corrupt(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) is SQLite saying the file is not a database."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sqlite3.DatabaseError):
            code = getattr(current, "sqlite_errorcode", None)
            if code is not None and code & 0xFF in _CORRUPT_CODES:
                return True
        orig = getattr(current, "orig", None)
        current = orig if isinstance(orig, BaseException) else current.__cause__
    return False


def move_aside(path: Path, now: datetime) -> Path:
    """Rename the journal (and its ``-wal`` and ``-shm``) to ``<name>.corrupt-<UTC time>``;
    returns the new name of the main file."""
    stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.rename(aside.with_name(aside.name + suffix))
    path.rename(aside)
    return aside
