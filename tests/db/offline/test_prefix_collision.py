"""Two kiosks with one offline prefix, on central SQLite and PostgreSQL: the register gives the
prefix to the kiosk that claimed it first; the other stops numbering offline (while central is
down its patients go to reception, said once in the log in Vietnamese and English) and still
serves online; a kiosk started without central keeps the verdict its journal copied; forgetting
the first kiosk frees the prefix."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from db.offline.failover import FailoverStore
from db.offline.register import NumberingStoppedError
from db.offline.replica import refresh_replica
from db.store import SqlStore
from db.store.journal import pending_count
from db.store.register import register_store
from db.wiring import build_service
from kiosk.clock import SystemClock
from kiosk.config import Config, load_config
from kiosk.outcome import Reason, Status
from kiosk.synthetic import bhyt_payload, card_record
from tests.builders import draft
from tests.db.offline.registerhelp import kiosk_register
from tests.db.offline.test_offline import (
    CLOSED_PORT,
    MORNING,
    ROOT,
    journal_store,
    service,
    unreachable,
    valid_people,
)
from tests.db.storehelp import migrated_store
from tests.fakes import FakeClock, FakePrinter


@pytest.fixture
def journals(tmp_path: Path) -> Iterator[tuple[SqlStore, SqlStore]]:
    first = journal_store(tmp_path, "A", "k1.db")
    second = journal_store(tmp_path, "A", "k2.db")
    yield first, second
    first.dispose()
    second.dispose()


def test_the_second_kiosk_with_a_prefix_sends_patients_to_reception_offline(
    store: SqlStore,
    journals: tuple[SqlStore, SqlStore],
    caplog: pytest.LogCaptureFixture,
) -> None:
    j1, j2 = journals
    person, other = valid_people(2)
    store.import_cards([card_record(person), card_record(other)])
    for journal in journals:
        refresh_replica(store, journal, FakeClock(MORNING))
    k1, k2 = kiosk_register(store, j1, "KIOSK-01"), kiosk_register(store, j2, "KIOSK-02")
    caplog.set_level(logging.INFO)
    assert k1.register() is not None
    assert k1.held_by is None
    entry = k2.register()
    assert entry is not None
    assert entry.held_by == "KIOSK-01"
    said = [r.getMessage() for r in caplog.records if "KIOSK-01" in r.getMessage()]
    assert len(said) == 1, said  # one clear line
    assert "Offline numbering stopped" in said[0]
    assert "Đã dừng lấy số ngoại tuyến" in said[0]
    assert k2.notice == said[0]
    k2.register()  # the next health record: nothing new to say
    assert len([r for r in caplog.records if "KIOSK-01" in r.getMessage()]) == 1

    # central up: the second kiosk serves as any other
    online = service(FailoverStore(store, j2, register=k2)).run(bhyt_payload(person), "NOI")
    assert online.status is Status.ACCEPTED
    assert online.checkin is not None
    assert not online.checkin.offline

    # central down: the second kiosk numbers nothing, and says why
    down = service(FailoverStore(unreachable(), j2, register=k2))
    refused = down.run(bhyt_payload(other), "NOI")
    assert refused.status is Status.NEEDS_RECEPTION
    assert refused.reason is Reason.DATABASE_UNAVAILABLE
    assert pending_count(j2) == 0
    with pytest.raises(NumberingStoppedError, match="KIOSK-01"):
        FailoverStore(unreachable(), j2, online=False, register=k2).commit_checkin(draft("x"))

    # ... while the first, the prefix's owner, numbers A-1
    first = service(FailoverStore(unreachable(), j1, register=k1)).run(bhyt_payload(other), "NOI")
    assert first.status is Status.ACCEPTED
    assert first.checkin is not None
    assert first.checkin.label == "A-1"


def test_a_kiosk_started_without_central_keeps_its_journals_verdict(
    store: SqlStore, journals: tuple[SqlStore, SqlStore]
) -> None:
    j1, j2 = journals
    kiosk_register(store, j1, "KIOSK-01").register()
    kiosk_register(store, j2, "KIOSK-02").register()
    # restarted during an outage: central's register cannot be read, the journal's copy can
    restarted = kiosk_register(unreachable(), j2, "KIOSK-02")
    assert restarted.register() is None
    restarted.load_saved()
    assert restarted.held_by == "KIOSK-01"
    with pytest.raises(NumberingStoppedError):
        FailoverStore(unreachable(), j2, online=False, register=restarted).commit_checkin(
            draft("x")
        )
    # given another prefix since, the old verdict does not apply
    renamed = kiosk_register(unreachable(), j2, "KIOSK-02", prefix="B")
    renamed.load_saved()
    assert renamed.held_by is None


def test_forgetting_the_first_kiosk_frees_the_prefix(
    store: SqlStore, journals: tuple[SqlStore, SqlStore], caplog: pytest.LogCaptureFixture
) -> None:
    j1, j2 = journals
    kiosk_register(store, j1, "KIOSK-01").register()
    k2 = kiosk_register(store, j2, "KIOSK-02")
    before = k2.register()
    assert before is not None
    assert before.held_by == "KIOSK-01"
    assert register_store(store).forget("KIOSK-01")
    caplog.set_level(logging.INFO)
    k2.register()
    assert k2.held_by is None
    assert k2.notice == ""
    assert "offline numbering is on again" in caplog.text
    checkin = FailoverStore(unreachable(), j2, online=False, register=k2).commit_checkin(draft("y"))
    assert checkin.label == "A-1"


def test_coming_back_online_checks_in_to_the_register(
    store: SqlStore, journals: tuple[SqlStore, SqlStore]
) -> None:
    _, j2 = journals
    k2 = kiosk_register(store, j2, "KIOSK-02")
    failover = FailoverStore(store, j2, online=False, register=k2)
    assert register_store(store).entry("KIOSK-02") is None
    failover.set_online(True)
    entry = register_store(store).entry("KIOSK-02")
    assert entry is not None
    assert entry.offline_prefix == "A"


def _kiosk_config(url: str, kiosk_id: str, folder: Path) -> Config:
    env = {
        "KIOSK_DATABASE_URL": url,
        "KIOSK_KIOSK_ID": kiosk_id,
        "KIOSK_KIOSK_OFFLINE_PREFIX": "A",
        "KIOSK_KIOSK_DATA_DIR": str(folder),
        "KIOSK_DATABASE_CONNECT_TIMEOUT_S": "1",
        "KIOSK_INSURANCE_GATEWAY_URL": "",
    }
    return load_config(ROOT / "config.toml", env=env)


def test_a_running_kiosk_is_wired_to_the_register(postgres_url: str, tmp_path: Path) -> None:
    """build_service with the kiosk's version: registered at start, its failover guarded, and
    a restart during an outage keeps the verdict (two kiosks on one PostgreSQL)."""
    del postgres_url  # a server is needed: only a server database has a journal
    with migrated_store("postgresql", tmp_path) as central:
        url = central.engine.url.render_as_string(hide_password=False)
        first = build_service(
            _kiosk_config(url, "KIOSK-01", tmp_path / "k1"), SystemClock(), version="t",
            printer=FakePrinter(), use_gateway=False,
        )  # fmt: skip
        second_config = _kiosk_config(url, "KIOSK-02", tmp_path / "k2")
        second = build_service(
            second_config, SystemClock(), version="t", printer=FakePrinter(), use_gateway=False
        )
        try:
            assert first.register is not None
            assert first.register.held_by is None
            assert second.register is not None
            assert second.failover is not None
            assert second.failover.register is second.register
            assert second.register.held_by == "KIOSK-01"
        finally:
            first.dispose()
            second.dispose()
        # KIOSK-02 restarted while central is down: its journal's copy still says no
        down_config = replace(
            second_config, database=replace(second_config.database, url=CLOSED_PORT)
        )
        restarted = build_service(
            down_config, SystemClock(), version="t", printer=FakePrinter(), use_gateway=False
        )
        try:
            assert restarted.failover is not None
            assert not restarted.failover.online
            assert restarted.register is not None
            assert restarted.register.held_by == "KIOSK-01"
        finally:
            restarted.dispose()
