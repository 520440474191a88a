"""The journal's bookkeeping errors: a database error of the offline journal leaves the store
as plain :class:`kiosk.ports.StoreError` in our words.

Unlike :func:`db.errors.store_errors`, no refusal of a row's data is told apart: the journal
is the kiosk's own file, and whatever goes wrong with it is an outage of the journal, never
one patient's error (a bare ``sqlite3`` error passes through, as it always has).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import SQLAlchemyError

from db.errors import describe_error
from kiosk.ports import StoreError


@contextmanager
def journal_errors() -> Iterator[None]:
    """Turn an SQLAlchemy error raised inside into :class:`StoreError` with
    :func:`describe_error`'s message; anything else passes through untouched."""
    try:
        yield
    except SQLAlchemyError as error:
        raise StoreError(describe_error(error)) from error
