"""FHIR that never takes the HIS's data away: the Bundles of each event, and what a FHIR server
(the double in tests/db/fhir_double.py, on 127.0.0.1) holds after the outbox sent them."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from db.his.delivery import NeedsIdentityError, RetryPolicy, deliver_pending
from db.his.fhir import CANCEL_PATCH, FhirBuildError, bundle_json, event_bundle
from db.his.http import HttpHisSender
from db.store import SqlStore
from db.store.outbox import event_payload
from db.wiring import build_his_sender
from kiosk.config import HisSettings, parse_config
from kiosk.model import CheckIn
from tests import builders
from tests.builders import ZONE, draft
from tests.db.his.fhir_double import FhirState, fhir_server, validate
from tests.fakes import FakeClock

SETTINGS = HisSettings(kind="fhir", url="https://his.local/fhir")
CHECKIN_SYSTEM = SETTINGS.checkin_system
POLICY = RetryPolicy(max_attempts=3, backoff_s=10, backoff_max_s=15, lease_s=60)


def _checkin(**patient: Any) -> CheckIn:
    at = datetime(2026, 11, 25, 1, 5, 30, 123456, tzinfo=UTC)
    return builders.his_checkin("c0ffee" * 5 + "00", at, **patient)


def _bundle(kind: str, checkin: CheckIn, event_id: str = "e1") -> dict[str, Any]:
    bundle = event_bundle(event_payload(kind, checkin, event_id), SETTINGS, None, ZONE)
    assert bundle is not None
    data: dict[str, Any] = json.loads(bundle_json(bundle))
    validate(data)  # every resource validates with fhir.resources (R4B)
    return data


def test_a_checkin_is_three_conditional_creates_and_never_a_put() -> None:
    entries = _bundle("checkin", _checkin())["entry"]
    requests = [(e["request"]["method"], e["request"]["url"]) for e in entries]
    assert requests == [("POST", "Patient"), ("POST", "Coverage"), ("POST", "Encounter")]
    patient, coverage, encounter = (e["resource"] for e in entries)
    # the Patient matches on the stable numbers only (comma is OR), never the card number
    assert entries[0]["request"]["ifNoneExist"] == (
        "identifier=urn:kiosk:local:cccd|079175000001,urn:kiosk:local:bhxh|7912345678"
    )
    assert [
        (i["type"]["coding"][0]["code"], i["system"], i["value"]) for i in patient["identifier"]
    ] == [
        ("NI", "urn:kiosk:local:cccd", "079175000001"),
        ("SB", "urn:kiosk:local:bhxh", "7912345678"),
        ("SN", "urn:kiosk:local:bhyt-card", "GD4797912345678"),
    ]
    assert (
        entries[2]["request"]["ifNoneExist"]
        == f"identifier={CHECKIN_SYSTEM}|" + "c0ffee" * 5 + "00"
    )
    assert encounter["status"] == "arrived"
    assert encounter["subject"]["reference"] == entries[0]["fullUrl"]
    assert encounter["period"]["start"] == "2026-11-25T08:05:30+07:00"
    # the queue identifier holds the day: numbers never repeat across days
    assert encounter["identifier"][1]["value"] == "2026-11-25/12"
    assert coverage["subscriberId"] == "GD4797912345678"
    assert coverage["beneficiary"]["reference"] == entries[0]["fullUrl"]
    assert coverage["payor"] == [{"display": "Bảo hiểm xã hội Việt Nam"}]
    assert coverage["period"] == {"start": "2026-01-01", "end": "2026-12-31"}
    assert {(c["type"]["coding"][0]["code"], c["value"]) for c in coverage["class"]} == {
        ("plan", "4"),
        ("class", "1.1"),
        ("group", "79024"),
    }
    [cost] = coverage["costToBeneficiary"]
    assert cost["valueQuantity"]["value"] == 20  # the fund pays 80 %
    for resource in (patient, coverage, encounter):
        assert resource["text"]["status"] == "generated"
        assert resource["text"]["div"].startswith('<div xmlns="http://www.w3.org/1999/xhtml">')


def test_an_offline_number_keeps_its_label_and_day() -> None:
    offline = replace(_checkin(), series="H", queue_number=1)
    encounter = _bundle("checkin", offline)["entry"][2]["resource"]
    assert encounter["identifier"][1]["value"] == "2026-11-25/H-1"


def test_no_share_decided_no_cost_and_no_card_no_coverage() -> None:
    undecided = replace(_checkin(), benefit_percent=None)
    coverage = _bundle("checkin", undecided)["entry"][1]["resource"]
    assert "costToBeneficiary" not in coverage
    no_card = _checkin(card_number=None, benefit_level=None)
    entries = _bundle("checkin", no_card)["entry"]
    assert [e["request"]["url"] for e in entries] == ["Patient", "Encounter"]


def test_a_cancel_is_a_conditional_json_patch_of_the_status_only() -> None:
    [entry] = _bundle("cancel", replace(_checkin(), cancelled=True))["entry"]
    assert entry["request"] == {
        "method": "PATCH",
        "url": f"Encounter?identifier={CHECKIN_SYSTEM}|" + "c0ffee" * 5 + "00",
    }
    assert entry["resource"]["contentType"] == "application/json-patch+json"
    assert json.loads(base64.b64decode(entry["resource"]["data"])) == [
        {"op": "test", "path": "/status", "value": "arrived"},
        {"op": "replace", "path": "/status", "value": "cancelled"},
    ]
    assert CANCEL_PATCH[0]["op"] == "test"


def test_a_reprint_makes_no_bundle() -> None:
    assert event_bundle(event_payload("reprint", _checkin(), "e9"), SETTINGS, None, ZONE) is None


def test_a_patient_without_cccd_or_bhxh_needs_identity() -> None:
    payload = event_payload("checkin", _checkin(id_number=None, bhxh_number=None), "e5")
    with pytest.raises(NeedsIdentityError, match="no CCCD and no BHXH number"):
        event_bundle(payload, SETTINGS, None, ZONE)


def test_an_invalid_event_is_refused_before_sending() -> None:
    payload = event_payload("checkin", _checkin(), "e4")
    payload["patient"]["birth"] = "25/11/1975"  # not a FHIR date
    with pytest.raises(FhirBuildError, match="e4"):
        event_bundle(payload, SETTINGS, None, ZONE)


def _sender(url: str, tmp_path: Path) -> HttpHisSender:
    clinic = {"code": "NOI", "name_vi": "Khám Nội", "name_en": "Internal medicine"}
    table = {"kind": "fhir", "url": url, "allow_http": True}
    sender = build_his_sender(parse_config({"his": table, "clinics": [clinic]}, {}, tmp_path))
    assert isinstance(sender, HttpHisSender)
    return sender


def _methods(fhir: FhirState) -> list[tuple[str, str]]:
    return [(r.method, r.url.split("?")[0]) for r in fhir.requests]


def test_checkin_reprint_and_cancel_on_a_fhir_server(
    outbox_store: SqlStore, clock: FakeClock, tmp_path: Path
) -> None:
    made = outbox_store.commit_checkin(draft("k1", n=7))
    outbox_store.record_audit("thu", "reprint", made.id, None, None)
    outbox_store.cancel_checkin(made.id, "thu", "x")
    with fhir_server() as (fhir, url):
        report = deliver_pending([outbox_store.outbox], _sender(url, tmp_path), clock, POLICY)
    assert report.delivered == 3
    assert fhir.posts == 2  # the reprint sent nothing
    assert _methods(fhir) == [
        ("POST", "Patient"),
        ("POST", "Coverage"),
        ("POST", "Encounter"),
        ("PATCH", "Encounter"),
    ]
    [encounter] = fhir.all("Encounter")
    assert encounter["status"] == "cancelled"
    assert encounter["meta"]["versionId"] == "2"
    assert encounter["serviceType"]["text"] == "Khám Nội"  # the clinic's name from the config
    assert (len(fhir.all("Patient")), len(fhir.all("Coverage"))) == (1, 1)
    # the server's ids and versions are kept on the events
    receipts = [
        json.loads(outbox_store.outbox.receipt(e) or "null") for e in _event_ids(outbox_store)
    ]
    assert receipts[0] == [
        {"status": "201 Created", "location": "Patient/1/_history/1", "etag": 'W/"1"'},
        {"status": "201 Created", "location": "Coverage/2/_history/1", "etag": 'W/"1"'},
        {"status": "201 Created", "location": "Encounter/3/_history/1", "etag": 'W/"1"'},
    ]
    assert receipts[1] is None  # the reprint
    assert receipts[2] == [
        {"status": "200 OK", "location": "Encounter/3/_history/2", "etag": 'W/"2"'}
    ]


def _event_ids(store: SqlStore) -> list[str]:
    from sqlalchemy import select

    from db.models import outbox

    with store.engine.connect() as conn:
        return [str(e) for (e,) in conn.execute(select(outbox.c.event_id).order_by(outbox.c.id))]


def test_a_repeated_checkin_creates_nothing_twice(
    outbox_store: SqlStore, clock: FakeClock, tmp_path: Path
) -> None:
    outbox_store.commit_checkin(draft("k1", n=7))
    [item], _ = outbox_store.outbox.pending(10)
    with fhir_server() as (fhir, url):
        sender = _sender(url, tmp_path)
        assert sender.send(item).ok
        assert sender.send(item).ok  # the reply was lost: the kiosk sends it again
    assert [len(fhir.all(kind)) for kind in ("Patient", "Coverage", "Encounter")] == [1, 1, 1]
    assert "PUT" not in {r.method for r in fhir.requests}


def test_a_cancel_after_the_his_started_the_visit_does_not_reset_it(
    outbox_store: SqlStore, clock: FakeClock, tmp_path: Path
) -> None:
    made = outbox_store.commit_checkin(draft("k1", n=7))
    with fhir_server() as (fhir, url):
        sender = _sender(url, tmp_path)
        deliver_pending([outbox_store.outbox], sender, clock, POLICY)
        with fhir.lock:  # the doctor calls the patient in and the HIS adds its own data
            encounter = fhir.by_identifier("Encounter", CHECKIN_SYSTEM, made.id)
            encounter["status"] = "in-progress"
            encounter["participant"] = [{"individual": {"display": "BS. Mẫu"}}]
        outbox_store.cancel_checkin(made.id, "thu", "x")
        report = deliver_pending([outbox_store.outbox], sender, clock, POLICY)
    assert report.dead == 1  # refused (412): reception must look
    [dead] = outbox_store.outbox.dead_letters()
    assert dead.kind == "cancel"
    assert dead.last_error == "HTTP 412: the HIS refused the event"
    [kept] = fhir.all("Encounter")
    assert kept["status"] == "in-progress"
    assert kept["participant"] == [{"individual": {"display": "BS. Mẫu"}}]


def test_one_patient_across_a_card_change_and_a_his_registration_by_cccd(
    outbox_store: SqlStore, clock: FakeClock, tmp_path: Path
) -> None:
    person = builders.card(7)
    with fhir_server() as (fhir, url):
        fhir.add(
            {
                "resourceType": "Patient",
                "identifier": [{"system": SETTINGS.id_system, "value": person.id_number}],
                "name": [{"text": "registered by the HIS"}],
            }
        )
        first = builders.patient(person)
        assert first.card_number is not None  # a BHYT card, renewed under a new number
        renewed = replace(first, card_number="CN3" + first.card_number[3:], benefit_level=3)
        outbox_store.commit_checkin(draft("k1", n=7, patient=first))
        outbox_store.commit_checkin(draft("k2", n=7, patient=renewed, clinic="NGOAI"))
        report = deliver_pending([outbox_store.outbox], _sender(url, tmp_path), clock, POLICY)
    assert report.delivered == 2
    [patient] = fhir.all("Patient")  # matched by CCCD, never doubled by the new card
    assert patient["name"] == [{"text": "registered by the HIS"}]  # and not overwritten
    assert len(fhir.all("Encounter")) == 2
    assert {c["subscriberId"] for c in fhir.all("Coverage")} == {
        first.card_number,
        renewed.card_number,
    }
    assert {e["subject"]["reference"] for e in fhir.all("Encounter")} == {
        f"Patient/{patient['id']}"
    }


def test_a_patient_without_stable_numbers_waits_for_reception(
    outbox_store: SqlStore, clock: FakeClock, tmp_path: Path
) -> None:
    nobody = builders.patient(builders.card(7), id_number=None, bhxh_number=None)
    made = outbox_store.commit_checkin(draft("k1", n=7, patient=nobody))
    outbox_store.cancel_checkin(made.id, "thu", "x")
    with fhir_server() as (fhir, url):
        report = deliver_pending([outbox_store.outbox], _sender(url, tmp_path), clock, POLICY)
    assert fhir.posts == 0  # no new Patient on every event
    assert (report.counts.needs_identity, report.counts.pending) == (1, 1)  # the cancel waits
    [waiting] = outbox_store.outbox.dead_letters()
    assert (waiting.state, waiting.kind) == ("needs_identity", "checkin")
    assert waiting.last_error.startswith("no CCCD and no BHXH number")
