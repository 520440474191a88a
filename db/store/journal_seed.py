"""Where a rebuilt journal's offline numbers start, so it never prints a label again.

A journal moved aside (:mod:`db.store.journal_file`) may have printed offline labels today
that central has not seen yet; its counters are lost with it. A new journal counting from 1
again would hand the next patients those same labels. So the kiosk's offline counters of
today never start below:

- ``REBUILD_OFFSET`` x the number of journals of this kiosk moved aside today (read from the
  moved-aside files' names), for every configured clinic; and
- central's highest number of this kiosk's series per clinic today (its own series numbers and
  the printed labels central keeps as aliases), whenever central answers at start-up.

Both are "at least" rules (a counter already higher stays), so applying them again is
harmless: the kiosk applies them at every start, which also covers a kiosk killed between
the rebuild and its first check-in.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select

from db.errors import store_errors
from db.models import checkins, queue_counters
from db.store.dialect import dialect_for
from db.store.sql_store import SqlStore

#: Offline labels one journal file is assumed never to exceed per clinic and day: the n-th
#: journal of a day (n - 1 moved aside) numbers from ``REBUILD_OFFSET`` x (n - 1) + 1.
REBUILD_OFFSET = 500

_ASIDE = ".corrupt-"
_STAMP = "%Y%m%dT%H%M%S%fZ"


def rebuilds_on(path: Path, day: date, zone: ZoneInfo) -> int:
    """How many journals at ``path`` were moved aside on the local ``day``."""
    count = 0
    prefix = path.name + _ASIDE
    if not path.parent.is_dir():
        return 0
    for entry in path.parent.iterdir():
        stamp = entry.name[len(prefix) :] if entry.name.startswith(prefix) else ""
        if not stamp or stamp.endswith(("-wal", "-shm")):
            continue
        try:
            moved = datetime.strptime(stamp, _STAMP).replace(tzinfo=UTC)
        except ValueError:
            continue  # not a name move_aside gives
        if moved.astimezone(zone).date() == day:
            count += 1
    return count


def central_highest(central: SqlStore, series: str, day: date) -> dict[str, int]:
    """Central's highest number of the offline ``series`` per clinic on ``day``: its rows in
    that series and the printed labels (``<series>-<n>``) it keeps as aliases."""
    highest: dict[str, int] = {}
    if not series:
        return highest
    with store_errors(), central.engine.connect() as conn:
        numbered = conn.execute(
            select(checkins.c.clinic_code, func.max(checkins.c.queue_number))
            .where(checkins.c.local_day == day, checkins.c.series == series)
            .group_by(checkins.c.clinic_code)
        ).all()
        aliases = conn.execute(
            select(checkins.c.clinic_code, checkins.c.printed_label).where(
                checkins.c.local_day == day,
                checkins.c.printed_label.like(f"{series}-%"),
            )
        ).all()
    for clinic, number in numbered:
        if number is not None:
            highest[clinic] = max(highest.get(clinic, 0), int(number))
    for clinic, label in aliases:
        tail = str(label)[len(series) + 1 :]
        if tail.isdigit():
            highest[clinic] = max(highest.get(clinic, 0), int(tail))
    return highest


def raise_counters(journal: SqlStore, day: date, floors: Iterable[tuple[str, int]]) -> None:
    """Make each clinic's counter of ``day`` in the journal at least its floor (the next
    offline number is then above it)."""
    wanted = [(clinic, floor) for clinic, floor in floors if floor > 0]
    if not wanted:
        return
    insert = dialect_for(journal.engine).insert
    with store_errors(), journal.engine.begin() as conn:
        for clinic, floor in wanted:
            conn.execute(
                insert(queue_counters)
                .values(clinic=clinic, day=day, last=floor)
                .on_conflict_do_update(
                    index_elements=["clinic", "day"],
                    set_={
                        "last": case(
                            (queue_counters.c.last > floor, queue_counters.c.last), else_=floor
                        )
                    },
                )
            )
