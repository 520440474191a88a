"""The daily report's reads: one local day's check-ins and outcome tallies.

The arithmetic is :mod:`db.report.figures`; these are its two queries. They take an engine (the
report reads any kiosk or central database, without building a whole :class:`SqlStore`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Engine, func, select

from db.errors import store_errors
from db.models import checkins, outcome_tallies


def day_rows(engine: Engine, day: date) -> tuple[list[Any], list[Any], bool]:
    """The day's live check-ins (clinic, created_at, status[, offline]) and its outcome
    tallies (hour, status, count), and whether the rows carry the offline flag.

    Raises :class:`StoreError` when the database cannot be read.
    """
    # Written by whichever check-ins table this database has: one with an offline flag counts
    # offline check-ins apart.
    offline_column = checkins.c.get("offline")
    columns = [checkins.c.clinic_code, checkins.c.created_at, checkins.c.status]
    if offline_column is not None:
        columns.append(offline_column)
    rows_stmt = select(*columns).where(checkins.c.local_day == day, checkins.c.cancelled.is_(False))
    tally_stmt = (
        select(outcome_tallies.c.hour, outcome_tallies.c.status, func.sum(outcome_tallies.c.count))
        .where(outcome_tallies.c.local_day == day)
        .group_by(outcome_tallies.c.hour, outcome_tallies.c.status)
    )
    with store_errors(), engine.connect() as conn:
        rows = list(conn.execute(rows_stmt).all())
        tallies = list(conn.execute(tally_stmt).all())
    return rows, tallies, offline_column is not None
