"""Offline numbering: the journal takes over when central is unreachable, and replays into it.

Central is the ``store`` fixture (an SQLite file, then a fresh PostgreSQL database); the
journal is an SQLite file; an unreachable central is a PostgreSQL URL on a closed port.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from PIL import Image
from sqlalchemy import delete, func, select, text

from db.models import audit_log, checkins, replayed
from db.offline.failover import FailoverStore
from db.offline.replay import ReplayLoop, replay
from db.offline.replica import refresh_replica
from db.store import SqlStore
from db.store.engine import create_kiosk_engine
from db.store.journal import pending_count
from db.store.migrate import upgrade
from kiosk.checkin import CheckInService
from kiosk.config import Config, load_config
from kiosk.model import CheckIn, CheckInFlag
from kiosk.outcome import Reason, Status
from kiosk.synthetic import SyntheticPerson, bhyt_payload, card_record, people
from tests.builders import ZONE, card, draft
from tests.db.storehelp import store_service
from tests.fakes import FakeClock

ROOT = Path(__file__).resolve().parents[3]
DAY = date(2026, 11, 25)
MORNING = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 09:00 in Hồ Chí Minh City
CLOSED_PORT = "postgresql+psycopg://kiosk@127.0.0.1:1/kiosk"


def journal_store(
    tmp_path: Path, series: str = "A", name: str = "offline.db", *, outbox: bool = False
) -> SqlStore:
    """A kiosk's journal on a fresh SQLite file, its clock at MORNING; with ``outbox`` it
    writes HIS events as the journal of a kiosk with a HIS does."""
    engine = create_kiosk_engine(f"sqlite:///{tmp_path / name}")
    upgrade(engine)
    return SqlStore(engine, zone=ZONE, clock=FakeClock(MORNING), series=series, outbox=outbox)


def kiosk_env(central_url: str, tmp_path: Path, journal: str = "offline.db") -> dict[str, str]:
    """kiosk-admin's settings for a kiosk of series A on ``central_url``, its journal the file
    ``journal`` in ``tmp_path`` (as :func:`journal_store` makes it), no insurance gateway."""
    return {
        "KIOSK_DATABASE_URL": central_url,
        "KIOSK_KIOSK_OFFLINE_PREFIX": "A",
        "KIOSK_DATABASE_OFFLINE_URL": f"sqlite:///{tmp_path / journal}",
        "KIOSK_INSURANCE_GATEWAY_URL": "",
    }


def unreachable() -> SqlStore:
    return SqlStore(create_kiosk_engine(CLOSED_PORT, connect_timeout_s=1), zone=ZONE)


def valid_people(n: int) -> list[SyntheticPerson]:
    found = [p for p in people(300, seed=11, today=DAY) if p.facility_code == "79024"]
    found = [p for p in found if p.valid_to >= DAY and p.valid_from <= DAY]
    assert len(found) >= n
    return found[:n]


def service(store: FailoverStore) -> CheckInService:
    config: Config = load_config(ROOT / "config.toml", env={})

    def render(checkin: CheckIn, reprint: bool) -> Image.Image:
        return Image.new("1", (576, 100), 1)

    return store_service(config, store, render)


def central_rows(central: SqlStore) -> list[tuple[str, str, int, str | None]]:
    with central.engine.connect() as conn:
        rows = conn.execute(
            select(checkins.c.id, checkins.c.series, checkins.c.queue_number, checkins.c.flag)
        ).all()
    return [(r.id, r.series, r.queue_number, r.flag) for r in rows]


def offline_drafts(journal: SqlStore, n: int, clinic: str = "NOI") -> list[CheckIn]:
    return [journal.commit_checkin(draft(f"k{i}", clinic=clinic, n=i)) for i in range(1, n + 1)]


# -- central unreachable -------------------------------------------------------------------------


def test_central_unreachable_numbers_from_the_journal_with_the_prefix(journal: SqlStore) -> None:
    failover = FailoverStore(unreachable(), journal)
    noi = [failover.commit_checkin(draft(f"k{i}", n=i)) for i in (1, 2, 3)]
    nhi = failover.commit_checkin(draft("k9", clinic="NHI", n=9))
    assert not failover.online
    assert [c.label for c in noi] == ["A-1", "A-2", "A-3"]
    assert [c.queue_number for c in noi] == [1, 2, 3]
    assert nhi.label == "A-1"  # per clinic
    assert all(c.offline for c in [*noi, nhi])
    assert failover.pending() == 4
    # reception sees them in today's list, as offline numbers
    listed = failover.list_checkins(DAY)
    assert {c.label for c in listed} == {"A-1", "A-2", "A-3"}
    assert all(c.offline for c in listed)
    assert [c.label for c in failover.list_checkins(DAY, "A-2")] == ["A-2"]
    # the next local day starts again at 1
    tomorrow = failover.commit_checkin(draft("k10", n=10, day=date(2026, 11, 26)))
    assert tomorrow.label == "A-1"


def test_an_offline_checkin_is_accepted_from_the_replica(
    store: SqlStore, journal: SqlStore
) -> None:
    person, other = valid_people(2)
    store.import_cards([card_record(person), card_record(other)])
    summary = refresh_replica(store, journal, FakeClock(MORNING))
    assert summary.mode == "full"
    assert summary.cards == 2
    kiosk = service(FailoverStore(unreachable(), journal))  # central gone: the replica decides
    outcome = kiosk.run(bhyt_payload(person), "NOI")
    assert outcome.status is Status.ACCEPTED
    assert outcome.reason is Reason.OFFLINE_NUMBER
    assert outcome.checkin is not None
    assert outcome.checkin.label == "A-1"
    assert outcome.printed is True
    assert "hợp lệ" in outcome.message("vi")
    assert "valid" in outcome.message("en")
    # the same card again the same day: the same number, no second one
    again = kiosk.run(bhyt_payload(person), "NOI")
    assert again.reason is Reason.ALREADY_CHECKED_IN
    assert again.checkin is not None
    assert again.checkin.label == "A-1"
    second = kiosk.run(bhyt_payload(other), "NOI").checkin
    assert second is not None
    assert second.label == "A-2"


def test_a_card_numbered_online_keeps_its_number_when_central_drops(
    store: SqlStore, journal: SqlStore
) -> None:
    person = valid_people(1)[0]
    store.import_cards([card_record(person)])
    refresh_replica(store, journal, FakeClock(MORNING))
    online = service(FailoverStore(store, journal)).run(bhyt_payload(person), "NOI")
    assert online.checkin is not None
    assert online.checkin.label == "1"
    assert not online.checkin.offline
    offline = service(FailoverStore(unreachable(), journal)).run(bhyt_payload(person), "NOI")
    assert offline.reason is Reason.ALREADY_CHECKED_IN
    assert offline.checkin is not None
    assert offline.checkin.label == "1"
    assert pending_count(journal) == 0  # a copy for the guard, nothing to replay


# -- the card replica ----------------------------------------------------------------------------


def test_the_replica_follows_central_incrementally(store: SqlStore, journal: SqlStore) -> None:
    clock = FakeClock(MORNING)
    store.import_cards([card(i) for i in range(1, 6)])
    first = refresh_replica(store, journal, clock)
    assert (first.mode, first.added, first.cards) == ("full", 5, 5)
    store.upsert_cards([card(2, name="Trần Thị Đổi"), card(7)])
    store.apply_card_page("feed", [], ["7900000004"], "c1")
    server = store.engine.dialect.name == "postgresql"
    quiet = not server or not _others_in_a_transaction(store)
    second = refresh_replica(store, journal, clock)
    assert second.mode == ("incremental" if server else "full")
    assert second.cards == 5
    assert second.added == 1
    assert second.removed == 1
    replica_two = journal.find_card("7900000002")
    assert replica_two is not None
    assert replica_two.name == "Trần Thị Đổi"
    assert journal.find_card("7900000004") is None
    assert journal.find_card("7900000007") is not None
    if server:
        # Nothing changed: at most what the last refresh copied is copied again (transactions
        # still running anywhere on the server when it ran keep it from moving past them).
        quiet = quiet and not _others_in_a_transaction(store)
        third = refresh_replica(store, journal, clock)
        assert (third.mode, third.added, third.removed, third.cards) == ("incremental", 0, 0, 5)
        # On a quiet server that is the two cards the last refresh copied. Other work on the
        # same server (the suite's other process, another kiosk) may hold the cursor back, and
        # then more is copied again, never less than is needed: the checks above hold either way.
        if quiet and not _others_in_a_transaction(store):
            assert third.updated <= 2
        else:
            assert third.updated <= 5


def _others_in_a_transaction(store: SqlStore) -> bool:
    """Whether any other session on the PostgreSQL server is inside a transaction now."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid()"
    )
    with store.engine.connect() as conn:
        return bool(conn.execute(query).scalar_one())


# -- replay --------------------------------------------------------------------------------------


def test_replay_lands_each_checkin_once_with_its_label_and_audit_row(
    store: SqlStore, journal: SqlStore
) -> None:
    clock = FakeClock(MORNING)
    made = offline_drafts(journal, 3)
    journal.cancel_checkin(made[2].id, "Lan", "left")
    first = replay(store, journal, clock)
    assert first.as_json() == {"replayed": 3, "already": 0, "failed": 0, "held": 0}
    rows = sorted(central_rows(store), key=lambda r: r[2])
    assert [(r[1], r[2]) for r in rows] == [("A", 1), ("A", 2), ("A", 3)]
    assert {r[0] for r in rows} == {c.id for c in made}
    copied = store.get_checkin(made[2].id)
    assert copied is not None
    assert copied.label == "A-3"
    assert copied.cancelled
    actions = [e["action"] for e in store.audit_entries(made[2].id)]
    assert actions == ["checkin", "cancel"]
    assert [e["action"] for e in store.audit_entries(made[0].id)] == ["checkin"]
    # central numbers its own series meanwhile, unaffected
    assert store.commit_checkin(draft("online", n=8)).label == "1"
    # again: nothing pending, nothing doubled
    assert replay(store, journal, clock).as_json() == {
        "replayed": 0,
        "already": 0,
        "failed": 0,
        "held": 0,
    }
    assert pending_count(journal) == 0
    # the journal's notes lost (killed before it wrote them): central still has each once
    with journal.engine.begin() as conn:
        conn.execute(delete(replayed))
    assert replay(store, journal, clock).as_json() == {
        "replayed": 0,
        "already": 3,
        "failed": 0,
        "held": 0,
    }
    assert len(central_rows(store)) == 4
    with store.engine.connect() as conn:
        audits = conn.execute(select(func.count()).select_from(audit_log)).scalar_one()
    assert audits == 5  # three check-ins, one cancel, the online check-in


def test_a_card_that_checked_in_elsewhere_meanwhile_is_flagged(
    store: SqlStore, journal: SqlStore
) -> None:
    elsewhere = store.commit_checkin(draft("kiosk-2", n=1))  # same card, another kiosk
    mine = offline_drafts(journal, 2)  # cards 1 and 2
    summary = replay(store, journal, FakeClock(MORNING))
    assert summary.as_json() == {"replayed": 2, "already": 0, "failed": 0, "held": 0}
    assert summary.flagged == ("A-1",)
    flagged = store.get_checkin(mine[0].id)
    assert flagged is not None
    assert flagged.flag == CheckInFlag.DUPLICATE
    for unflagged in (store.get_checkin(mine[1].id), store.get_checkin(elsewhere.id)):
        assert unflagged is not None
        assert unflagged.flag is None
    listed = {c.label: c.flag for c in store.list_checkins(DAY)}
    assert listed == {"1": None, "A-1": "duplicate", "A-2": None}
    assert "replay_duplicate" in [e["action"] for e in store.audit_entries(mine[0].id)]
    journal_copy = journal.get_checkin(mine[0].id)
    assert journal_copy is not None
    assert journal_copy.flag == CheckInFlag.DUPLICATE


def test_the_replay_loop_backs_off_then_goes_online(store: SqlStore, journal: SqlStore) -> None:
    offline_drafts(journal, 2)
    down = FailoverStore(unreachable(), journal)
    down.set_online(False)
    loop = ReplayLoop(down, FakeClock(MORNING), first_wait_s=5, max_wait_s=12)
    assert [loop.step(), loop.step(), loop.step(), loop.step()] == [5, 10, 12, 12]
    assert not down.online
    back = FailoverStore(store, journal)
    back.set_online(False)
    loop = ReplayLoop(back, FakeClock(MORNING), idle_wait_s=30)
    assert loop.step() == 30
    assert back.online
    assert loop.last is not None
    assert loop.last.replayed == 2
    assert len(central_rows(store)) == 2


def test_the_longest_back_off_leaves_a_kiosk_offline_under_a_minute(journal: SqlStore) -> None:
    offline_drafts(journal, 1)
    down = FailoverStore(unreachable(), journal)
    down.set_online(False)
    loop = ReplayLoop(down, FakeClock(MORNING))  # the product's waits
    waits = [loop.step() for _ in range(8)]
    assert waits[:3] == [5, 10, 20]
    # central back just after a failed try: the next comes one back-off later
    assert max(waits) <= 30


def test_back_online_a_patient_keeps_the_number_this_kiosk_gave_offline(
    store: SqlStore, journal: SqlStore
) -> None:
    mine = journal.commit_checkin(draft("offline", n=1))  # A-1, not replayed yet
    store.commit_checkin(draft("kiosk-2", n=1))  # the same card at another kiosk: 1
    back = FailoverStore(store, journal)
    found = back.existing_checkin("7900000001", "NOI", DAY)
    assert found is not None
    assert (found.id, found.label) == (mine.id, "A-1")
    assert back.existing_checkin("7900000002", "NOI", DAY) is None
