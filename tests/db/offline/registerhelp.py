"""A kiosk's register (its series prefix's claim) over central and its journal, for tests."""

from __future__ import annotations

from db.offline.register import KioskRegister
from db.store import SqlStore
from db.store.register import register_store

HOLD_DAYS = 30  # how long a silent kiosk keeps its prefix in these tests


def kiosk_register(
    central: SqlStore, journal: SqlStore, kiosk_id: str, *, prefix: str = "A", version: str = "test"
) -> KioskRegister:
    """``kiosk_id``'s register of ``prefix`` on ``central``, its copy kept in ``journal``."""
    return KioskRegister(
        register_store(central),
        register_store(journal),
        kiosk_id=kiosk_id,
        prefix=prefix,
        version=version,
        hold_days=HOLD_DAYS,
    )
