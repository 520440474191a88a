"""Database failures in our own words: every SQLAlchemy (or bare ``sqlite3``) error leaves the
``db`` package as :class:`kiosk.ports.StoreError` with a one-line message, through
:func:`store_errors`.

A module of its own, below both the store and the outbox table, so each can use it without
importing the other.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, SQLAlchemyError, StatementError

from kiosk.ports import RecordRefusedError, StoreError


def describe_error(error: BaseException) -> str:
    """A one-line operator message for a database failure, in our own words.

    A driver's text can quote the row that failed (PostgreSQL: ``Key (card_number)=(…) already
    exists``), so only its kind, SQLSTATE and constraint name are kept; lock and connection
    failures, which happen before any row is touched, and SQLite's messages, which never quote
    a value, keep the driver's text for IT.
    """
    original = getattr(error, "orig", None) or error
    kind = type(original).__name__
    text = " ".join(str(original).split()) or kind
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered:
        return f"database is locked by another process: {text}"
    if "not null" in lowered or _sqlstate(original) == "23502":
        column = getattr(getattr(original, "diag", None), "column_name", None)
        found = _SQLITE_CONSTRAINT.search(text)
        named = column or (found.group(1) if found else "a required field")
        return f"a required field is missing ({named})"
    if isinstance(original, sqlite3.IntegrityError | IntegrityError) or _sqlstate(
        original
    ).startswith("23"):
        return f"a record conflicts with one already stored ({_constraint(original, text)})"
    if "connection" in lowered or "could not" in lowered or "timeout" in lowered:
        return f"database unreachable: {text}"
    if isinstance(original, sqlite3.Error):
        # SQLite's messages name files, tables and columns, never the values bound
        return f"database error: {text}"
    state = _sqlstate(original)
    return f"database error ({kind}{', SQLSTATE ' + state if state else ''})"


def _sqlstate(error: BaseException) -> str:
    state = getattr(error, "sqlstate", None)
    return state if isinstance(state, str) else ""


_SQLITE_CONSTRAINT = re.compile(r"constraint failed: ([\w.]+(?:, [\w.]+)*)$")


def _constraint(error: BaseException, text: str) -> str:
    diag = getattr(error, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if isinstance(name, str) and name:
        return name
    found = _SQLITE_CONSTRAINT.search(text)  # SQLite names the columns, never their values
    return found.group(1) if found else "a unique or required field"


def refuses_data(error: BaseException) -> bool:
    """True when the database answered and refused the row itself: a constraint, a value too
    long or malformed (SQLSTATE classes 22 and 23), or a value the driver could not bind. Such
    an error belongs to one record; only the rest (a lost connection, a timeout, a lock) is an
    outage."""
    if isinstance(error, IntegrityError | DataError | sqlite3.IntegrityError | sqlite3.DataError):
        return True
    if isinstance(error, StatementError) and not isinstance(error, DBAPIError):
        return True  # SQLAlchemy refused to bind a value: the row's, not the server's fault
    original = getattr(error, "orig", None) or error
    return _sqlstate(original)[:2] in ("22", "23")


@contextmanager
def store_errors(conflict: type[StoreError] = RecordRefusedError) -> Iterator[None]:
    """Turn a database error raised inside into :class:`StoreError` with
    :func:`describe_error`'s message: a uniqueness conflict into ``conflict``, any other
    refusal of the row's data into :class:`RecordRefusedError`, the rest (an outage) into plain
    StoreError; anything else passes through untouched."""
    try:
        yield
    except (IntegrityError, sqlite3.IntegrityError) as error:
        raise conflict(describe_error(error)) from error
    except (SQLAlchemyError, sqlite3.Error) as error:
        if refuses_data(error):
            raise RecordRefusedError(describe_error(error)) from error
        raise StoreError(describe_error(error)) from error
