"""Check-in events become valid FHIR R4 transaction Bundles, sent to a FHIR base on loopback."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.patient import Patient

from db.his_fhir import FhirBuildError, bundle_json, event_bundle
from db.outbox import RetryPolicy, deliver_pending
from db.outbox_store import event_payload
from db.store import SqlStore
from db.wiring import build_his_sender
from kiosk.config import HisSettings, parse_config
from kiosk.model import BirthDate, CheckIn, Gender
from tests import builders
from tests.builders import ZONE, draft
from tests.db.his_server import his_server
from tests.fakes import FakeClock

SETTINGS = HisSettings(kind="fhir", url="http://127.0.0.1:1/fhir")


def _checkin(**patient: Any) -> CheckIn:
    person: dict[str, Any] = {
        "name": "Trần Thị Mẫu Thử",
        "birth": BirthDate(1975),
        "gender": Gender.FEMALE,
        "card_number": "GD4797912345678",
        "bhxh_number": "7912345678",
        "id_number": "079175000001",
        "valid_from": None,
        "valid_to": None,
    }
    return builders.checkin(
        id="c0ffee" * 5 + "00",
        queue_number=12,
        patient=builders.patient(**{**person, **patient}),
        route=None,
        created_at=datetime(2026, 11, 25, 1, 5, 30, 123456, tzinfo=UTC),
    )


def _resources(bundle: Bundle) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    data = json.loads(bundle_json(bundle))
    entries = data["entry"]
    return entries[0]["resource"], entries[1]["resource"], entries


def test_checkin_bundle_holds_a_conditional_patient_and_an_arrived_encounter() -> None:
    payload = event_payload("checkin", _checkin(), "e1")
    bundle = event_bundle(payload, SETTINGS, None, ZONE)
    patient, encounter, entries = _resources(bundle)
    assert json.loads(bundle_json(bundle))["type"] == "transaction"
    assert entries[0]["request"] == {
        "method": "POST",
        "url": "Patient",
        "ifNoneExist": "identifier=urn:kiosk:local:bhyt-card|GD4797912345678",
    }
    assert entries[1]["request"]["method"] == "PUT"
    assert (
        entries[1]["request"]["url"]
        == "Encounter?identifier=urn:kiosk:local:checkin-id|" + (payload["checkin_id"])
    )
    assert {(i["system"], i["value"]) for i in patient["identifier"]} == {
        ("urn:kiosk:local:bhyt-card", "GD4797912345678"),
        ("urn:kiosk:local:cccd", "079175000001"),
    }
    assert patient["name"][0] == {
        "use": "official",
        "text": "Trần Thị Mẫu Thử",
        "family": "Trần",
        "given": ["Thị", "Mẫu", "Thử"],
    }
    assert (patient["gender"], patient["birthDate"]) == ("female", "1975")
    assert encounter["status"] == "arrived"
    assert encounter["class"]["code"] == "AMB"
    assert encounter["period"]["start"] == "2026-11-25T08:05:30+07:00"
    assert encounter["subject"]["reference"] == entries[0]["fullUrl"]
    assert encounter["serviceType"]["coding"][0]["code"] == "NOI"
    assert ("urn:kiosk:local:queue", "12") in {
        (i["system"], i["value"]) for i in encounter["identifier"]
    }
    # Every resource validates on its own too, and the whole Bundle round-trips.
    Patient.model_validate(patient)
    Encounter.model_validate(encounter)
    Bundle.model_validate_json(bundle_json(bundle))


def test_cancel_sends_cancelled_and_same_bundle_urls_per_event() -> None:
    cancelled = replace(_checkin(), cancelled=True)
    bundle = event_bundle(event_payload("cancel", cancelled, "e2"), SETTINGS, None, ZONE)
    _, encounter, _ = _resources(bundle)
    assert encounter["status"] == "cancelled"
    again = event_bundle(event_payload("cancel", cancelled, "e2"), SETTINGS, None, ZONE)
    assert bundle_json(again) == bundle_json(bundle)


def test_full_birth_date_and_a_patient_known_only_by_cccd() -> None:
    checkin = _checkin(card_number=None, bhxh_number=None, birth=BirthDate(1990, 2, 3))
    bundle = event_bundle(event_payload("checkin", checkin, "e3"), SETTINGS, None, ZONE)
    patient, _, entries = _resources(bundle)
    assert patient["birthDate"] == "1990-02-03"
    assert [i["system"] for i in patient["identifier"]] == ["urn:kiosk:local:cccd"]
    assert entries[0]["request"]["ifNoneExist"] == "identifier=urn:kiosk:local:cccd|079175000001"


def test_an_invalid_event_is_refused_before_sending() -> None:
    payload = event_payload("checkin", _checkin(), "e4")
    payload["patient"]["birth"] = "25/11/1975"  # not a FHIR date
    with pytest.raises(FhirBuildError, match="e4"):
        event_bundle(payload, SETTINGS, None, ZONE)


def test_a_fhir_server_receives_valid_bundles_for_checkin_and_cancel(
    outbox_store: SqlStore, clock: FakeClock, tmp_path: Path
) -> None:
    made = outbox_store.commit_checkin(draft("k1", n=7))
    outbox_store.cancel_checkin(made.id, "thu", "x")
    with his_server() as (his, url):
        clinic = {"code": "NOI", "name_vi": "Khám Nội", "name_en": "Internal medicine"}
        config = parse_config(
            {"his": {"kind": "fhir", "url": url, "allow_http": True}, "clinics": [clinic]},
            {},
            tmp_path,
        )
        sender = build_his_sender(config)
        assert sender is not None
        report = deliver_pending([outbox_store.outbox], sender, clock, RetryPolicy())
    assert report.delivered == 2
    statuses = []
    for got in his.received:
        assert got.path == "/fhir"
        assert got.headers["Content-Type"] == "application/fhir+json"
        bundle = Bundle.model_validate(got.body)
        encounter = got.body["entry"][1]["resource"]
        statuses.append(encounter["status"])
        assert bundle.type == "transaction"
        assert encounter["identifier"][0]["value"] == made.id
        # The clinic's name comes from the configuration.
        assert encounter["serviceType"]["text"] == config.clinic("NOI").name_vi  # type: ignore[union-attr]
    assert statuses == ["arrived", "cancelled"]
