"""Outage vs error: only a lost connection or a timeout turns a kiosk to its journal; a row
central refuses for its data is an error for that one patient, and central stays.

Central is the ``store`` fixture (SQLite, then PostgreSQL); the journal an SQLite file.
"""

from __future__ import annotations

import pytest

from db.offline.failover import FailoverStore
from db.store import SqlStore
from kiosk.checkin import CheckInService
from kiosk.model import CheckInDraft
from kiosk.outcome import Reason, Status
from kiosk.ports import RecordRefusedError, StoreError
from kiosk.synthetic import bhyt_payload, card_record
from tests.builders import card, draft, patient
from tests.db.offline.test_offline import service, unreachable, valid_people


def _refused_drafts(store: SqlStore) -> list[CheckInDraft]:
    """Drafts central refuses for their data: a missing name (both databases); on PostgreSQL
    also a name one over its column and a date that is no date (SQLite stores those)."""
    bad = [draft("bad-null", patient=patient(card(7), name=None))]
    if store.engine.dialect.name == "postgresql":
        bad.append(draft("bad-long", patient=patient(card(8), name="X" * 201)))
        bad.append(draft("bad-date", patient=patient(card(9), valid_to="31/12/2026")))
    return bad


def test_a_refused_row_is_one_patients_error_and_the_kiosk_stays_online(
    store: SqlStore, journal: SqlStore
) -> None:
    failover = FailoverStore(store, journal)
    first = failover.commit_checkin(draft("k1", n=1))
    for bad in _refused_drafts(store):
        with pytest.raises(RecordRefusedError):
            failover.commit_checkin(bad)
        assert failover.online, "a data error must not look like an outage"
    after = failover.commit_checkin(draft("k2", n=2))
    assert (first.label, after.label) == ("1", "2")  # central's series, never "A-…"
    assert not after.offline
    assert failover.pending() == 0


def test_a_lost_connection_is_an_outage(journal: SqlStore) -> None:
    failover = FailoverStore(unreachable(), journal)
    made = failover.commit_checkin(draft("k1", n=1))
    assert not failover.online
    assert made.label == "A-1"


def test_the_patient_is_sent_to_reception_with_a_clean_message(
    store: SqlStore, journal: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = valid_people(1)[0]
    store.import_cards([card_record(person)])
    failover = FailoverStore(store, journal)
    kiosk: CheckInService = service(failover)

    def refuse(*_: object) -> None:
        raise RecordRefusedError("a required field is missing (checkins.patient_name)")

    monkeypatch.setattr(store, "commit_checkin", refuse)
    outcome = kiosk.run(bhyt_payload(person), "NOI")
    assert outcome.status is Status.NEEDS_RECEPTION
    assert outcome.reason is Reason.RECORD_REFUSED
    assert "quầy tiếp đón" in outcome.message("vi")
    assert "reception" in outcome.message("en")
    assert person.name not in outcome.message("vi") + outcome.message("en")
    assert failover.online


def test_a_store_error_that_is_not_a_refusal_is_not_one() -> None:
    assert not isinstance(StoreError("database unreachable"), RecordRefusedError)
