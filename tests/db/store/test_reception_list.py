"""The desk's list of patients the kiosks send to reception (help_calls after 0014_reception):
ticket numbers per local day with no duplicate across kiosks (PostgreSQL, racing), the
masked hint only, oldest first, "Đã tiếp" once, and the lobby's retention."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import text

from db.store import SqlStore
from db.store.engine import create_kiosk_engine
from db.store.lobby import LobbyStore
from kiosk.clock import SystemClock
from kiosk.reception import ReceptionList, Referral, SentReason
from tests.builders import ZONE
from tests.db.storehelp import migrated_store, open_sqlite_store

DAY = date(2026, 11, 25)
KIOSKS = 4
EACH = 25


def test_entries_are_numbered_per_day_listed_oldest_first_and_answered_once(
    store: SqlStore,
) -> None:
    sent: ReceptionList = store
    first = sent.send_to_reception(
        "K1", "reception", DAY, Referral(SentReason.GATEWAY, "052", "L.T.Y. …6789")
    )
    help_id = store.raise_help_call("K2", "welcome", DAY)  # the toolbar's call, as it was
    other_day = store.send_to_reception("K1", "reception", DAY + timedelta(days=1))
    assert (first.ticket, other_day.ticket) == (1, 1)  # each local day starts at 1
    waiting = store.waiting_at_reception(DAY)
    assert [(e.ticket, e.kiosk_id, e.reason) for e in waiting] == [
        (1, "K1", "gateway"),
        (2, "K2", "help"),
    ]
    assert waiting[0].detail == "052"
    assert waiting[0].hint == "L.T.Y. …6789"
    assert store.reception_entry(DAY, 2) is not None
    assert store.answer_at_reception(help_id, "Lan")
    assert not store.answer_at_reception(help_id, "Minh")  # the first answer stands
    answered = store.reception_entry(DAY, 2)
    assert answered is not None
    assert answered.answered_by == "Lan"
    assert answered.answered_at is not None
    assert [e.ticket for e in store.waiting_at_reception(DAY)] == [1]
    assert store.open_help_calls(DAY) == [(first.id, "K1", "reception")]


def test_old_days_go_with_the_lobby_purge(store: SqlStore) -> None:
    lobby: LobbyStore = store
    lobby.send_to_reception(
        "K1", "reception", DAY - timedelta(days=1), Referral(SentReason.HELP, hint="A.B. …1234")
    )
    kept = lobby.send_to_reception("K1", "reception", DAY)
    assert lobby.purge_lobby_before(DAY) == 1
    assert lobby.reception_entry(DAY - timedelta(days=1), 1) is None
    assert [e.id for e in lobby.waiting_at_reception(DAY)] == [kept.id]


def test_kiosks_racing_never_print_the_same_reception_number(
    postgres_url: str, tmp_path: Path
) -> None:
    """Four kiosks, each with its own engine, take 25 tickets at once on PostgreSQL."""
    with migrated_store("postgresql", tmp_path) as store:
        url = store.engine.url.render_as_string(hide_password=False)
        kiosks = [SqlStore(create_kiosk_engine(url), zone=ZONE) for _ in range(KIOSKS)]
        start = threading.Barrier(KIOSKS)
        numbers: list[int | None] = []
        failures: list[BaseException] = []
        lock = threading.Lock()

        def run(kiosk: SqlStore, name: str) -> None:
            start.wait()
            try:
                for _ in range(EACH):
                    got = kiosk.send_to_reception(name, "reception", DAY).ticket
                    with lock:
                        numbers.append(got)
            except BaseException as error:
                failures.append(error)

        threads = [threading.Thread(target=run, args=(k, f"K{i}")) for i, k in enumerate(kiosks, 1)]
        try:
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
        finally:
            for k in kiosks:
                k.dispose()
        assert failures == []
        assert sorted(n or 0 for n in numbers) == list(range(1, KIOSKS * EACH + 1))
        with store.engine.connect() as conn:
            rows = conn.execute(text("SELECT count(DISTINCT ticket) FROM help_calls")).scalar()
        assert rows == KIOSKS * EACH


def test_kiosk_admin_purge_removes_the_entries_of_days_before_today(
    run_cli: Callable[..., subprocess.CompletedProcess[bytes]], tmp_path: Path
) -> None:
    store = open_sqlite_store(tmp_path)
    today = SystemClock().now().astimezone(ZONE).date()
    try:
        store.send_to_reception(
            "K1",
            "reception",
            today - timedelta(days=1),
            Referral(SentReason.HELP, hint="A.B. …1234"),
        )
        kept = store.send_to_reception("K1", "reception", today)
    finally:
        store.dispose()
    env = {"KIOSK_DATABASE_URL": f"sqlite:///{tmp_path / 'kiosk.db'}"}
    result = run_cli(["purge", "--json"], env=env)
    assert result.returncode == 0, result.stderr.decode()
    assert json.loads(result.stdout)["lobby_rows"] == 1
    store = open_sqlite_store(tmp_path)
    try:
        assert store.reception_entry(today - timedelta(days=1), 1) is None
        assert [e.id for e in store.waiting_at_reception(today)] == [kept.id]
    finally:
        store.dispose()
