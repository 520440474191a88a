"""Honest health: ``status.json`` (ui/admin_tools.build_health) and ``kiosk-admin status --json``
say the same state — ``online``, ``offline`` while the journal numbers, ``held`` while refused
rows wait for staff, ``down`` when neither central nor the journal numbers (a prefix another
kiosk owns, during an outage) — with offline_pending, held, both outboxes and this kiosk's own
printer and last check-in; on central SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from subprocess import CompletedProcess

from db.offline.failover import FailoverStore
from db.offline.register import KioskRegister
from db.store import SqlStore
from db.store.journal import mark_held
from db.store.register import register_store
from kiosk.config import Config, load_config
from kiosk.health import DOWN, HELD, OFFLINE, ONLINE, HealthReport, kiosk_state, write_status
from kiosk.model import PrintState
from tests.builders import draft
from tests.db.clihelp import cli_json
from tests.db.offline.registerhelp import kiosk_register
from tests.db.offline.test_offline import (
    CLOSED_PORT,
    MORNING,
    ROOT,
    journal_store,
    kiosk_env,
    unreachable,
)
from tests.fakes import FakeCamera, FakeClock
from ui.admin_tools import build_health

RunCli = Callable[..., CompletedProcess[bytes]]
HOLD = timedelta(days=30)
JOURNAL_OUTBOX = True  # the journal writes HIS events as a kiosk with a HIS does


def _config() -> Config:
    config = load_config(ROOT / "config.toml", env={})
    return replace(config, kiosk=replace(config.kiosk, offline_prefix="A"))


def _report(
    central: SqlStore, failover: FailoverStore, register: KioskRegister | None = None
) -> dict[str, object]:
    report = build_health(
        config=_config(),
        clock=FakeClock(MORNING),
        store=central,
        camera=FakeCamera([]),
        version="9.9",
        failover=failover,
        register=register,
    )
    return report.as_json()


def test_the_four_states() -> None:
    assert kiosk_state(central=True, journal=True, numbering_stopped=False, held=0) == ONLINE
    assert kiosk_state(central=True, journal=True, numbering_stopped=True, held=2) == HELD
    assert kiosk_state(central=False, journal=True, numbering_stopped=False, held=2) == OFFLINE
    assert kiosk_state(central=False, journal=True, numbering_stopped=True, held=0) == DOWN
    assert kiosk_state(central=False, journal=False, numbering_stopped=False, held=0) == DOWN


def test_online_with_this_kiosks_own_last_checkin(store: SqlStore, journal: SqlStore) -> None:
    failover = FailoverStore(store, journal)
    mine = failover.commit_checkin(draft("mine", n=1))
    failover.set_print_state(mine.id, PrintState.FAILED)
    later = replace(draft("theirs", n=2), kiosk_id="KIOSK-09")
    later = replace(later, created_at=MORNING.replace(minute=30))
    store.commit_checkin(later)  # another kiosk's, later, printed fine
    data = _report(store, failover)
    assert (data["state"], data["database"]) == ("online", "central")
    assert data["last_checkin"] == mine.created_at.isoformat()
    assert data["printer"] == "failed"  # this kiosk's slip, not the other kiosk's
    assert (data["offline_pending"], data["held"]) == (0, 0)
    assert data["camera"] != "none"


def test_offline_while_the_journal_numbers(
    store: SqlStore, journal: SqlStore, tmp_path: Path
) -> None:
    failover = FailoverStore(unreachable(), journal)
    offline = failover.commit_checkin(draft("k1", n=1))
    assert offline.label == "A-1"
    data = _report(failover.central, failover)
    assert (data["state"], data["database"]) == ("offline", "offline")
    assert data["offline_pending"] == 1
    assert data["journal_outbox_pending"] == 1  # the journal's own HIS backlog
    assert data["last_checkin"] == offline.created_at.isoformat()
    # central is back but the journal has not been replayed yet: still offline
    still = FailoverStore(store, journal, online=False)
    assert _report(store, still)["state"] == "offline"
    written = write_status(tmp_path / "data", _health_report(store, still))
    on_disk = json.loads(written.read_text(encoding="utf-8"))
    assert (on_disk["state"], on_disk["offline_pending"]) == ("offline", 1)
    assert on_disk["database"] == "offline"  # the key other tools read stays


def _health_report(central: SqlStore, failover: FailoverStore) -> HealthReport:
    return build_health(
        config=_config(),
        clock=FakeClock(MORNING),
        store=central,
        camera=None,
        version="9.9",
        failover=failover,
    )


def test_held_while_refused_rows_wait(store: SqlStore, journal: SqlStore) -> None:
    refused = journal.commit_checkin(draft("bad", n=1))
    mark_held(journal, refused, "a value too long (the name)", MORNING)
    data = _report(store, FailoverStore(store, journal))
    assert (data["state"], data["held"], data["offline_pending"]) == ("held", 1, 0)


def test_down_when_the_prefix_is_anothers_during_an_outage(
    store: SqlStore, journal: SqlStore
) -> None:
    register_store(store).claim("KIOSK-07", "A", "1", hold=HOLD)
    register = kiosk_register(store, journal, "KIOSK-01", version="9.9")
    register.register()
    assert _report(store, FailoverStore(store, journal), register)["state"] == "online"
    down = _report(unreachable(), FailoverStore(unreachable(), journal, online=False), register)
    assert (down["state"], down["database"]) == ("down", "unavailable")
    assert down["prefix_held_by"] == "KIOSK-07"
    assert "KIOSK-07" in str(down["notice"])


def test_kiosk_admin_status_says_the_same(store: SqlStore, tmp_path: Path, run_cli: RunCli) -> None:
    journal = journal_store(tmp_path, outbox=True)
    register_store(store).claim("KIOSK-07", "A", "1", hold=HOLD)
    register = kiosk_register(store, journal, "KIOSK-01", version="9.9")
    register.register()
    failover = FailoverStore(store, journal)
    failover.commit_checkin(draft("k1", n=1))
    app_view = _report(store, failover, register)
    journal.dispose()
    site = kiosk_env(store.engine.url.render_as_string(hide_password=False), tmp_path)
    up = run_cli(["status", "--json"], env=site)
    cli_view = cli_json(up)
    for key in ("state", "offline_pending", "held", "prefix_held_by", "notice"):
        assert cli_view[key] == app_view[key], key
    assert cli_view["state"] == "online"
    text = run_cli(["status"], env=site).stdout.decode()
    assert "Offline numbering stopped" in text
    assert "KIOSK-07" in text
    # central down: this kiosk's journal may not number, so nothing numbers
    cut = run_cli(["status", "--json"], env={**site, "KIOSK_DATABASE_URL": CLOSED_PORT})
    down = cli_json(cut, exit_code=1)
    assert (down["state"], down["prefix_held_by"]) == ("down", "KIOSK-07")
