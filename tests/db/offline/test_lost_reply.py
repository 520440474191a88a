"""The slip's number is the number: central commits a check-in and its reply is lost (a
fault at the named point ``committed``, right after the commit); the kiosk's retry carries
the same idempotency key, finds the committed row and gives the patient that row's label,
never a second number from the journal. One check-in, one id, wherever it is numbered."""

from __future__ import annotations

from db.offline.failover import FailoverStore
from db.store import SqlStore
from db.store.checkins import checkin_id_of
from kiosk.ports import StoreError
from tests.builders import ZONE, draft
from tests.db.offline.test_offline import central_rows


def test_a_lost_reply_after_the_commit_gives_the_committed_rows_label(
    store: SqlStore, journal: SqlStore
) -> None:
    lost: list[str] = []

    def drop_first_reply(point: str) -> None:
        if point == "committed" and not lost:
            lost.append(point)
            raise StoreError("database unreachable: the server closed the connection")

    central = SqlStore(store.engine, zone=ZONE, fault=drop_first_reply)
    failover = FailoverStore(central, journal)
    made = failover.commit_checkin(draft("scan-1", n=1))
    assert lost == ["committed"], "the fault point was not reached"
    assert (made.label, made.offline) == ("1", False)
    assert failover.online
    assert failover.pending() == 0  # the journal numbered nothing
    assert [(r[0], r[2]) for r in central_rows(store)] == [(made.id, 1)]
    assert made.id == checkin_id_of("scan-1")


def test_one_checkin_has_one_id_in_central_and_in_the_journal(
    store: SqlStore, journal: SqlStore
) -> None:
    online = store.commit_checkin(draft("scan-7", n=7))
    offline = journal.commit_checkin(draft("scan-7", n=7))
    assert online.id == offline.id == checkin_id_of("scan-7")
    assert (online.label, offline.label) == ("1", "A-1")
