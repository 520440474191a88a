"""Retention covers the HIS hand-off: a purge deletes old check-ins together with their outbox
events (delivered or not) and the journal's replay records, counts the undelivered ones in the
audit, and leaves no table holding the name of a patient older than the retention."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import MetaData, insert, select

from db.models import replayed
from db.store import SqlStore
from kiosk.config import parse_config
from kiosk.retention import Retention
from tests import builders
from tests.builders import draft
from tests.db.storehelp import migrated_store, open_sqlite_store
from tests.fakes import FakeClock

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
OLD_DAY = date(2026, 8, 1)  # 116 days ago: past the 90 days kept
OLD_AT = datetime(2026, 8, 1, 2, 0, tzinfo=UTC)
OLD_NAME = "Lê Văn Cũ Mẫu"
NEW_NAME = "Phạm Thị Mới Mẫu"
CLINIC = {"code": "NOI", "name_vi": "Khám Nội", "name_en": "Internal medicine"}


@pytest.fixture(params=["sqlite", "postgresql"])
def central(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    with migrated_store(request.param, tmp_path, clock=FakeClock(NOW), outbox=True) as made:
        yield made


def _old(store: SqlStore, key: str, n: int) -> str:
    person = builders.patient(builders.card(n), name=OLD_NAME)
    return store.commit_checkin(draft(key, n=n, day=OLD_DAY, created_at=OLD_AT, patient=person)).id


def _texts(store: SqlStore) -> dict[str, str]:
    """Every table's rows as one text, by table name."""
    meta = MetaData()
    meta.reflect(store.engine)
    with store.engine.connect() as conn:
        return {
            # each value whole (a Row's repr would shorten long texts such as the payload)
            name: " ".join(str(value) for row in conn.execute(select(table)) for value in row)
            for name, table in meta.tables.items()
        }


def test_after_a_purge_no_table_holds_an_old_name(central: SqlStore, tmp_path: Path) -> None:
    clock = FakeClock(NOW)
    box = central.outbox
    # Old check-ins whose events ended every way: delivered, dead letter, set aside, pending.
    delivered, dead, aside, _pending = (_old(central, f"o{n}", n) for n in range(1, 5))
    central.cancel_checkin(dead, "thu", "x")
    items, _ = box.pending(50)
    state = {item.id: item for item in items}
    for item in state.values():
        checkin = item.payload["checkin_id"]
        if checkin == delivered:
            box.delivered(item.id, NOW, '[{"location": "Encounter/1/_history/1"}]')
        elif checkin == dead:
            box.failed_try(item.id, "HTTP 400: the HIS refused the event", None)
        elif checkin == aside:
            box.set_aside(item.id, "no CCCD and no BHXH number")
    recent = central.commit_checkin(
        draft("n1", n=9, patient=builders.patient(builders.card(9), name=NEW_NAME))
    )
    # The offline journal holds an old check-in and its replay record too.
    journal = open_sqlite_store(tmp_path, "journal.db", clock=clock, outbox=True)
    journal_old = _old(journal, "j1", 5)
    with journal.engine.begin() as conn:
        conn.execute(insert(replayed).values(checkin_id=journal_old, at=OLD_AT, result="replayed"))
    assert OLD_NAME in " ".join(_texts(central).values())

    config = parse_config(
        {"clinics": [CLINIC], "printer": {"output_dir": str(tmp_path / "slips")}}, {}, tmp_path
    )
    assert config.privacy.keep_checkins_days == 90
    report = Retention(config, clock, central, [journal]).run()

    assert report.failed == ""
    assert report.checkins == 5
    # 4 check-ins and a cancel in central, 1 check-in in the journal
    assert report.his_events == 6
    # the dead letter (and the cancel behind it), the one set aside, the pending one, the
    # journal's pending one: never delivered, so counted in the audit
    assert report.his_undelivered == 5
    # counted on the day each was written (the cancel was written today)
    central_counts = central.audit_counts()
    assert central_counts[(OLD_DAY, "his_event_purged")] == 3
    assert central_counts[(date(2026, 11, 25), "his_event_purged")] == 1
    assert journal.audit_counts()[(OLD_DAY, "his_event_purged")] == 1
    for store in (central, journal):
        for table, text in _texts(store).items():
            assert OLD_NAME not in text, f"{table} still holds an old name"
    assert NEW_NAME in _texts(central)["checkins"]
    assert NEW_NAME in _texts(central)["outbox"]  # the recent event stays
    [(left,)] = [(i.payload["checkin_id"],) for i in box.pending(50)[0]]
    assert left == recent.id
    with journal.engine.connect() as conn:
        assert conn.execute(select(replayed)).all() == []
    journal.dispose()
    assert timedelta(days=90) < NOW - OLD_AT
