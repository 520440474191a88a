"""Check-in events as FHIR R4 transaction Bundles: a Patient and an Encounter, validated.

The only module that imports ``fhir.resources``. Its R4B models are used: for the three
resources sent here (Bundle, Patient, Encounter) R4B is R4 unchanged (the 4.3 release only
touched medication definitions, subscriptions and a few others), so what validates here is
valid R4.

One event becomes one Bundle of type ``transaction`` with two entries:

- the Patient, a conditional create (``ifNoneExist``) on the BHYT card number (on the CCCD
  when there is no card): a patient the HIS knows is reused, never doubled;
- the Encounter, a conditional update (``PUT Encounter?identifier=…``) on the check-in id: a
  check-in creates it ``arrived``, a cancel turns the same Encounter ``cancelled``, a reprint
  (or a delivery repeated after a lost reply) writes the same state again.

Times carry the hospital's UTC offset (``+07:00``), as reception reads them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.patient import Patient

from kiosk.config import HisSettings
from kiosk.model import Clinic

ACT_CODE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
_NAMESPACE = uuid.UUID("5b0c2f0e-6a51-4f4e-9f4b-0d3c8a6e1f27")  # fullUrls stable per event


class FhirBuildError(ValueError):
    """An event could not become a valid Bundle (the event is kept as a dead letter)."""


def _local(moment_utc: str, zone: ZoneInfo) -> str:
    return datetime.fromisoformat(moment_utc).astimezone(zone).replace(microsecond=0).isoformat()


def _human_name(full: str) -> dict[str, Any]:
    # Vietnamese names are written family name first ("Nguyễn Văn An").
    parts = full.split()
    name: dict[str, Any] = {"use": "official", "text": full}
    if parts:
        name["family"] = parts[0]
        if len(parts) > 1:
            name["given"] = parts[1:]
    return name


def patient_resource(payload: Mapping[str, Any], settings: HisSettings) -> dict[str, Any]:
    """The Patient of an event, as FHIR JSON (not yet validated)."""
    person = payload["patient"]
    # the payload's key of each number, its name in the identifier, and its system URI
    numbers = [
        ("card_number", "BHYT", settings.card_system),
        ("id_number", "CCCD", settings.id_system),
    ]
    identifiers: list[dict[str, Any]] = [
        {"use": "official", "type": {"text": kind}, "system": system, "value": person[key]}
        for key, kind, system in numbers
        if person.get(key)
    ]
    resource: dict[str, Any] = {"resourceType": "Patient", "active": True}
    if identifiers:
        resource["identifier"] = identifiers
    if person.get("name"):
        resource["name"] = [_human_name(person["name"])]
    if person.get("gender") in ("male", "female"):
        resource["gender"] = person["gender"]
    if person.get("birth"):
        resource["birthDate"] = person["birth"]  # "YYYY" or "YYYY-MM-DD": FHIR dates allow both
    return resource


def encounter_resource(
    payload: Mapping[str, Any],
    settings: HisSettings,
    clinic: Clinic | None,
    zone: ZoneInfo,
    patient_ref: str,
) -> dict[str, Any]:
    """The Encounter of an event, as FHIR JSON (not yet validated)."""
    label = payload.get("queue_label") or str(payload["queue_number"])
    cancelled = payload.get("cancelled") or payload.get("event") == "cancel"
    clinic_name = clinic.name_vi if clinic is not None else payload["clinic_code"]
    resource: dict[str, Any] = {
        "resourceType": "Encounter",
        "status": "cancelled" if cancelled else "arrived",
        "class": {"system": ACT_CODE_SYSTEM, "code": "AMB", "display": "ambulatory"},
        "identifier": [
            {"use": "official", "system": settings.checkin_system, "value": payload["checkin_id"]},
            {
                "use": "secondary",
                "type": {"text": "Số thứ tự / queue number"},
                "system": settings.queue_system,
                "value": label,
            },
        ],
        "serviceType": {
            "coding": [
                {
                    "system": settings.clinic_system,
                    "code": payload["clinic_code"],
                    "display": clinic_name,
                }
            ],
            "text": clinic_name,
        },
        "subject": {"reference": patient_ref},
        "period": {"start": _local(payload["created_at"], zone)},
    }
    if clinic is not None and (clinic.room or clinic.location_vi):
        where = " - ".join(p for p in (clinic.room, clinic.location_vi) if p)
        resource["location"] = [{"location": {"display": f"{clinic_name} ({where})"}}]
    return resource


def _conditional(system: str, value: str) -> str:
    return f"identifier={system}|{value}"


def event_bundle(
    payload: Mapping[str, Any],
    settings: HisSettings,
    clinic: Clinic | None,
    zone: ZoneInfo,
) -> Bundle:
    """The validated transaction Bundle of one outbox event.

    Raises :class:`FhirBuildError` when the event does not make valid resources.
    """
    event_id = str(payload["event_id"])
    patient_url = f"urn:uuid:{uuid.uuid5(_NAMESPACE, event_id + ':patient')}"
    encounter_url = f"urn:uuid:{uuid.uuid5(_NAMESPACE, event_id + ':encounter')}"
    person = payload["patient"]
    patient_request: dict[str, Any] = {"method": "POST", "url": "Patient"}
    if person.get("card_number"):
        patient_request["ifNoneExist"] = _conditional(settings.card_system, person["card_number"])
    elif person.get("id_number"):
        patient_request["ifNoneExist"] = _conditional(settings.id_system, person["id_number"])
    try:
        patient = Patient.model_validate(patient_resource(payload, settings))
        encounter = Encounter.model_validate(
            encounter_resource(payload, settings, clinic, zone, patient_url)
        )
        return Bundle.model_validate(
            {
                "resourceType": "Bundle",
                "type": "transaction",
                "entry": [
                    {
                        "fullUrl": patient_url,
                        "resource": patient,
                        "request": patient_request,
                    },
                    {
                        "fullUrl": encounter_url,
                        "resource": encounter,
                        "request": {
                            "method": "PUT",
                            "url": "Encounter?"
                            + _conditional(settings.checkin_system, payload["checkin_id"]),
                        },
                    },
                ],
            }
        )
    except (ValueError, KeyError, TypeError) as error:
        raise FhirBuildError(f"event {event_id}: not a valid FHIR Bundle: {error}") from error


def bundle_json(bundle: Bundle) -> str:
    """The Bundle as the FHIR JSON a server takes (no empty elements)."""
    text = bundle.model_dump_json(by_alias=True, exclude_none=True)
    return json.dumps(json.loads(text), ensure_ascii=False)


def transaction_receipt(body: bytes) -> str | None:
    """What to keep of a transaction-response: each entry's status, location (the server's
    id and version, ``Encounter/123/_history/2``) and ETag, as JSON; None when it holds none.

    Raises ValueError when the body is not a transaction-response.
    """
    reply = json.loads(body.decode("utf-8")) if body.strip() else {}
    if not isinstance(reply, dict) or reply.get("resourceType") != "Bundle":
        raise ValueError("not a Bundle")
    kept = []
    for entry in reply.get("entry") or []:
        response = entry.get("response") if isinstance(entry, dict) else None
        if isinstance(response, dict):
            kept.append(
                {
                    key: str(response[key])
                    for key in ("status", "location", "etag")
                    if key in response
                }
            )
    return json.dumps(kept) if kept else None
