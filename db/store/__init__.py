"""The kiosk's database adapter, split by aggregate behind one :class:`SqlStore`.

========================  ==========================================================
``sql_store``             :class:`SqlStore`: the three aggregates over one database,
                          plus ``kiosk-admin status``
``cards``                 card cache, bulk writes, first load, sync state
``checkins``              check-ins, queue numbers, print state, audit, retention
``staff``                 staff accounts and sign-in attempts
``database``              what they share: engine, clock, zone, transactions
``dialect``               every SQLite / PostgreSQL difference, chosen once
``register``              the kiosk register (prefix claims, last seen, health records)
========================  ==========================================================

Card rows are encoded and decoded by :class:`db.store.card_columns.CardRow` only; every database
error leaves as :class:`StoreError` through :func:`db.errors.store_errors`.
"""

from db.errors import describe_error, store_errors
from db.store.card_columns import CARD_COLUMNS
from db.store.cards import CardConflictError, PageCounts, SyncState
from db.store.checkins import audit_json, checkin_from_row, checkin_values
from db.store.sql_store import SqlStore, StoreStatus
from kiosk.ports import StoreError

__all__ = [
    "CARD_COLUMNS",
    "CardConflictError",
    "PageCounts",
    "SqlStore",
    "StoreError",
    "StoreStatus",
    "SyncState",
    "audit_json",
    "checkin_from_row",
    "checkin_values",
    "describe_error",
    "store_errors",
]
