"""Columns that several migrations declare alike, defined once.

FROZEN: the migrations are the historical record of the schema, and a change here would
change what an old migration builds on a new database. A function here never changes once a
migration calls it: not a name, a type, a length, a default nor the order of its columns. A
new shape is a new function (a new migration calls that one); an unused one may stay.

Each call makes new ``Column`` objects: a column belongs to one table.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


def big_id() -> sa.Column[Any]:
    """An autoincrementing 64-bit ``id``: BIGINT on PostgreSQL, the rowid alias INTEGER on
    SQLite (the primary key is declared by the table)."""
    return sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        autoincrement=True,
        nullable=False,
    )


def audit_columns() -> list[sa.Column[Any]]:
    """An audit row: when, who, which action on which record, and the record before and
    after (audit_log in 0001; the journal's staff_actions in 0015)."""
    return [
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=128), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
    ]
