"""A fleet of three kiosks in the register, for the /fleet tests and the docs' screenshot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from db.models import kiosk_register
from db.store.register import Health, register_store
from tests.ui.web.webhelp import Site

HOLD = timedelta(days=30)


def _health(state: str, **changes: Any) -> Health:
    values: dict[str, Any] = {
        "state": state,
        "camera": "ok",
        "printer": "printed",
        "outbox_pending": 0,
        "outbox_failed": 0,
        "journal_outbox_pending": 0,
        "journal_outbox_failed": 0,
        "offline_pending": 0,
        "held": 0,
        "cache_age_h": 2.0,
        "last_checkin": datetime(2026, 11, 25, 2, 0, tzinfo=UTC),
        "detail": "",
    }
    values.update(changes)
    return Health(**values)


def fleet_of_three(site: Site) -> None:
    """KIOSK-01 offline with a backlog, KIOSK-02 down (its prefix is KIOSK-01's), KIOSK-03
    online but unseen for 10 minutes."""
    register = register_store(site.store)
    register.claim(
        "KIOSK-01",
        "A",
        "1.4.0",
        hold=HOLD,
        health=_health(
            "offline", offline_pending=5, journal_outbox_pending=7, outbox_pending=3,
            printer="failed",
        ),
    )  # fmt: skip
    register.claim("KIOSK-02", "A", "1.4.0", hold=HOLD, health=_health("down", camera="lost"))
    register.claim("KIOSK-03", "C", "1.3.9", hold=HOLD, health=_health("online"))
    seen = register.entry("KIOSK-03")
    assert seen is not None
    with site.store.engine.begin() as conn:
        conn.execute(
            update(kiosk_register)
            .where(kiosk_register.c.kiosk_id == "KIOSK-03")
            .values(last_seen=seen.last_seen - timedelta(minutes=10))
        )
