"""The lobby's tables (migration 0009_lobby): wrong birth years counted per code and day across
kiosks, the patients' calls for staff, and their retention."""

from __future__ import annotations

from datetime import date, timedelta

from db.store import SqlStore
from db.store.engine import create_kiosk_engine
from db.store.lobby import LobbyStore
from kiosk.guesses import WrongYears
from tests.builders import ZONE

DAY = date(2026, 11, 25)


def _other_kiosk(store: SqlStore) -> SqlStore:
    """A second kiosk's store: its own engine on the same database."""
    url = store.engine.url.render_as_string(hide_password=False)
    return SqlStore(create_kiosk_engine(url), zone=ZONE)


def test_wrong_years_are_counted_per_code_and_day_by_every_kiosk(store: SqlStore) -> None:
    counter: WrongYears = store
    other = _other_kiosk(store)
    try:
        assert counter.wrong_years("0123456789", DAY) == 0
        assert counter.note_wrong_year("0123456789", DAY, "KIOSK-01") == 1
        assert other.note_wrong_year("0123456789", DAY, "KIOSK-02") == 2
        assert other.wrong_years("0123456789", DAY) == 2
        assert store.wrong_years("0123456789", DAY + timedelta(days=1)) == 0
        assert store.wrong_years("0123456780", DAY) == 0
    finally:
        other.dispose()
    with store.engine.connect() as conn:  # no number in the table: only its hash
        from sqlalchemy import text

        kept = conn.execute(text("SELECT code_hash FROM wrong_years")).scalars().all()
    assert kept
    assert all("0123456789" not in k for k in kept)


def test_a_help_call_names_the_kiosk_and_screen_and_old_days_are_purged(store: SqlStore) -> None:
    lobby: LobbyStore = store
    first = lobby.raise_help_call("KIOSK-01", "birth_year", DAY - timedelta(days=1))
    second = lobby.raise_help_call("KIOSK-02", "reception", DAY)
    assert second != first
    assert lobby.open_help_calls(DAY) == [(second, "KIOSK-02", "reception")]
    lobby.note_wrong_year("0123456789", DAY - timedelta(days=1), "KIOSK-01")
    assert lobby.purge_lobby_before(DAY) == 2
    assert lobby.open_help_calls(DAY - timedelta(days=1)) == []
    assert lobby.open_help_calls(DAY) == [(second, "KIOSK-02", "reception")]
