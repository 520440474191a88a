"""Check-in events as FHIR R4 transaction Bundles that never take the HIS's data away.

The only module that imports ``fhir.resources``. Its R4B models are used: for the resources
sent here (Bundle, Patient, Coverage, Encounter, Binary) R4B is R4 unchanged (the 4.3 release
only touched medication definitions, subscriptions and a few others), so what validates here
is valid R4.

What each event sends (:func:`event_bundle`):

- **check-in**: a transaction of three conditional creates, so a repeat (a delivery repeated
  after a lost reply) creates nothing twice and overwrites nothing:

  - the **Patient** with every number the kiosk knows (CCCD, BHXH number, BHYT card number, each
    its own system and a coded type), created only if none matches on the stable ones
    (``ifNoneExist: identifier=<cccd system>|N,<bhxh system>|M``, a comma is OR). The card
    number is not matched on: it changes with the beneficiary group or level;
  - the **Coverage** of this visit: payer BHXH, the card number as subscriber id, its validity
    as period, class values for the benefit level, the visit code and the registered facility,
    and the patient's share (``costToBeneficiary``) when the kiosk decided the benefit;
  - the **Encounter** ``arrived``, created only if none has the check-in's identifier; its
    queue identifier holds the day (``2026-11-25/12``), so numbers never repeat.

- **cancel**: one conditional ``PATCH Encounter?identifier=<check-in>`` with a JSON Patch that
  first *tests* that the status is still ``arrived`` and then replaces it by ``cancelled``. A
  visit the HIS has moved on (in progress, finished) is left alone: the server refuses the
  patch (HTTP 412/422) and the event becomes a dead letter for reception to look at. Nothing
  else of the Encounter is touched.
- **reprint**: nothing (None): the HIS's visit does not change when a slip is printed again.

A patient with neither a CCCD nor a BHXH number cannot be matched: the event raises
:class:`db.his.delivery.NeedsIdentityError` and waits for reception (``needs_identity``).

Every resource carries a generated narrative (``text``). Times carry the hospital's UTC offset
(``+07:00``), as reception reads them. :func:`transaction_receipt` keeps what the
transaction-response says (locations with the server's ids and versions, ETags).
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from fhir.resources.R4B.binary import Binary
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.coverage import Coverage
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.patient import Patient

from db.his.delivery import NeedsIdentityError
from db.his.event_fields import printed_label, queue_label, shown_label, visit_code
from kiosk.config import HisSettings
from kiosk.model import Clinic

ACT_CODE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ID_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v2-0203"
COVERAGE_CLASS_SYSTEM = "http://terminology.hl7.org/CodeSystem/coverage-class"
COPAY_SYSTEM = "http://terminology.hl7.org/CodeSystem/coverage-copay-type"
COVERAGE_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
UCUM = "http://unitsofmeasure.org"
JSON_PATCH = "application/json-patch+json"
PAYER = "Bảo hiểm xã hội Việt Nam"
_NAMESPACE = uuid.UUID("5b0c2f0e-6a51-4f4e-9f4b-0d3c8a6e1f27")  # fullUrls stable per event
_XHTML = "http://www.w3.org/1999/xhtml"


class FhirBuildError(ValueError):
    """An event could not become a valid Bundle (the event is kept as a dead letter)."""


def _local(moment_utc: str, zone: ZoneInfo) -> str:
    return datetime.fromisoformat(moment_utc).astimezone(zone).replace(microsecond=0).isoformat()


def _narrative(*lines: str) -> dict[str, str]:
    body = "".join(f"<p>{escape(line)}</p>" for line in lines if line)
    return {"status": "generated", "div": f'<div xmlns="{_XHTML}">{body}</div>'}


def _human_name(full: str) -> dict[str, Any]:
    # Vietnamese names are written family name first ("Nguyễn Văn An").
    parts = full.split()
    name: dict[str, Any] = {"use": "official", "text": full}
    if parts:
        name["family"] = parts[0]
        if len(parts) > 1:
            name["given"] = parts[1:]
    return name


def _identifier(system: str, value: str, code: str, label: str) -> dict[str, Any]:
    return {
        "use": "official",
        "type": {"coding": [{"system": ID_TYPE_SYSTEM, "code": code}], "text": label},
        "system": system,
        "value": value,
    }


def patient_identifiers(person: Mapping[str, Any], settings: HisSettings) -> list[dict[str, Any]]:
    """Every number the kiosk knows: CCCD (national id, ``NI``), BHXH number (social
    beneficiary, ``SB``) and BHYT card number (subscriber, ``SN``)."""
    numbers = [
        ("id_number", settings.id_system, "NI", "CCCD"),
        ("bhxh_number", settings.bhxh_system, "SB", "Mã số BHXH"),
        ("card_number", settings.card_system, "SN", "Số thẻ BHYT"),
    ]
    return [
        _identifier(system, str(person[key]), code, label)
        for key, system, code, label in numbers
        if person.get(key)
    ]


def patient_match(person: Mapping[str, Any], settings: HisSettings) -> str:
    """The Patient's ``ifNoneExist``: the stable numbers, OR-ed; NeedsIdentityError when the
    patient has neither a CCCD nor a BHXH number."""
    stable = [
        f"{system}|{person[key]}"
        for key, system in (
            ("id_number", settings.id_system),
            ("bhxh_number", settings.bhxh_system),
        )
        if person.get(key)
    ]
    if not stable:
        raise NeedsIdentityError(
            "no CCCD and no BHXH number: the HIS cannot match this patient; "
            "reception must identify them (kiosk-admin outbox retry ID afterwards)"
        )
    return "identifier=" + ",".join(stable)


def patient_resource(payload: Mapping[str, Any], settings: HisSettings) -> dict[str, Any]:
    """The Patient of an event, as FHIR JSON (not yet validated)."""
    person = payload["patient"]
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "text": _narrative(
            person.get("name") or "", f"Năm/ngày sinh: {person.get('birth') or '?'}"
        ),
        "active": True,
    }
    identifiers = patient_identifiers(person, settings)
    if identifiers:
        resource["identifier"] = identifiers
    if person.get("name"):
        resource["name"] = [_human_name(person["name"])]
    if person.get("gender") in ("male", "female"):
        resource["gender"] = person["gender"]
    if person.get("birth"):
        resource["birthDate"] = person["birth"]  # "YYYY" or "YYYY-MM-DD": FHIR dates allow both
    return resource


def _class(code: str, value: str, name: str) -> dict[str, Any]:
    return {
        "type": {"coding": [{"system": COVERAGE_CLASS_SYSTEM, "code": code}]},
        "value": value,
        "name": name,
    }


def coverage_resource(
    payload: Mapping[str, Any], settings: HisSettings, patient_ref: str
) -> dict[str, Any] | None:
    """The Coverage of this visit (None without a card), as FHIR JSON (not yet validated)."""
    person = payload["patient"]
    card = person.get("card_number")
    if not card:
        return None
    classes = []
    if person.get("benefit_level") is not None:
        level = str(person["benefit_level"])
        classes.append(_class("plan", level, f"Mức hưởng {level}"))
    code = visit_code(payload)
    if code is not None:
        classes.append(_class("class", code, "Mã đối tượng KCB"))
    if person.get("facility_code"):
        facility = str(person["facility_code"])
        classes.append(_class("group", facility, f"Nơi ĐKKCB ban đầu {facility}"))
    share = payload.get("benefit_percent")
    resource: dict[str, Any] = {
        "resourceType": "Coverage",
        "text": _narrative(
            f"Thẻ BHYT {card}",
            f"Hạn thẻ: {person.get('valid_from') or '?'} - {person.get('valid_to') or '?'}",
            f"Quỹ BHYT chi trả {share}%" if share is not None else "",
        ),
        "identifier": [{"system": settings.checkin_system, "value": payload["checkin_id"]}],
        "status": "active",
        "type": {"coding": [{"system": COVERAGE_TYPE_SYSTEM, "code": "PUBLICPOL"}]},
        "subscriberId": card,
        "beneficiary": {"reference": patient_ref},
        "payor": [{"display": PAYER}],
    }
    period = {
        key: person[field]
        for key, field in (("start", "valid_from"), ("end", "valid_to"))
        if person.get(field)
    }
    if period:
        resource["period"] = period
    if classes:
        resource["class"] = classes
    if share is not None:
        resource["costToBeneficiary"] = [
            {
                "type": {"coding": [{"system": COPAY_SYSTEM, "code": "copaypct"}]},
                "valueQuantity": {
                    "value": 100 - int(share),
                    "unit": "%",
                    "system": UCUM,
                    "code": "%",
                },
            }
        ]
    return resource


def queue_value(payload: Mapping[str, Any]) -> str:
    """The queue identifier: the day and the printed number, ``2026-11-25/A-3``."""
    return f"{payload['local_day']}/{queue_label(payload)}"


def _printed_identifier(payload: Mapping[str, Any], settings: HisSettings) -> list[dict[str, Any]]:
    """A second queue identifier with the slip's label when it is an alias (``2026-11-25/A-1``
    on the Encounter of number 12): the patient holds that slip."""
    alias = printed_label(payload)
    if alias is None:
        return []
    return [
        {
            "use": "secondary",
            "type": {"text": "Số thứ tự trên phiếu / printed queue number"},
            "system": settings.queue_system,
            "value": f"{payload['local_day']}/{alias}",
        }
    ]


def encounter_resource(
    payload: Mapping[str, Any],
    settings: HisSettings,
    clinic: Clinic | None,
    zone: ZoneInfo,
    patient_ref: str,
) -> dict[str, Any]:
    """The Encounter of a check-in, as FHIR JSON (not yet validated)."""
    clinic_name = clinic.name_vi if clinic is not None else payload["clinic_code"]
    resource: dict[str, Any] = {
        "resourceType": "Encounter",
        "text": _narrative(
            f"Số thứ tự {shown_label(payload)} - {clinic_name}", payload["local_day"]
        ),
        "status": "arrived",
        "class": {"system": ACT_CODE_SYSTEM, "code": "AMB", "display": "ambulatory"},
        "identifier": [
            {"use": "official", "system": settings.checkin_system, "value": payload["checkin_id"]},
            {
                "use": "secondary",
                "type": {"text": "Số thứ tự / queue number"},
                "system": settings.queue_system,
                "value": queue_value(payload),
            },
            *_printed_identifier(payload, settings),
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


CANCEL_PATCH = [
    {"op": "test", "path": "/status", "value": "arrived"},
    {"op": "replace", "path": "/status", "value": "cancelled"},
]
"""The cancel's JSON Patch: only a visit still ``arrived`` becomes ``cancelled``."""


def cancel_patch_resource() -> dict[str, Any]:
    """The cancel's JSON Patch as the Binary a transaction carries it in."""
    data = json.dumps(CANCEL_PATCH, separators=(",", ":")).encode("utf-8")
    return {
        "resourceType": "Binary",
        "contentType": JSON_PATCH,
        "data": base64.b64encode(data).decode("ascii"),
    }


def _encounter_url(settings: HisSettings, payload: Mapping[str, Any]) -> str:
    return f"Encounter?identifier={settings.checkin_system}|{payload['checkin_id']}"


def event_bundle(
    payload: Mapping[str, Any],
    settings: HisSettings,
    clinic: Clinic | None,
    zone: ZoneInfo,
) -> Bundle | None:
    """The validated transaction Bundle of one outbox event; None when the event changes
    nothing in the HIS (a reprint).

    Raises :class:`FhirBuildError` when the event does not make valid resources, and
    :class:`db.his.delivery.NeedsIdentityError` when its patient cannot be matched.
    """
    event_id = str(payload["event_id"])
    event = payload.get("event")
    if event == "reprint":
        return None

    def url(part: str) -> str:
        return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{event_id}:{part}')}"

    try:
        if event == "cancel":
            entries = [
                {
                    "fullUrl": url("patch"),
                    "resource": Binary.model_validate(cancel_patch_resource()),
                    "request": {"method": "PATCH", "url": _encounter_url(settings, payload)},
                }
            ]
        else:
            entries = _checkin_entries(payload, settings, clinic, zone, url)
        return Bundle.model_validate(
            {"resourceType": "Bundle", "type": "transaction", "entry": entries}
        )
    except (ValueError, KeyError, TypeError) as error:
        raise FhirBuildError(f"event {event_id}: not a valid FHIR Bundle: {error}") from error


def _checkin_entries(
    payload: Mapping[str, Any],
    settings: HisSettings,
    clinic: Clinic | None,
    zone: ZoneInfo,
    url: Callable[[str], str],
) -> list[dict[str, Any]]:
    match = patient_match(payload["patient"], settings)  # NeedsIdentityError passes through
    patient_url = url("patient")
    entries: list[dict[str, Any]] = [
        {
            "fullUrl": patient_url,
            "resource": Patient.model_validate(patient_resource(payload, settings)),
            "request": {"method": "POST", "url": "Patient", "ifNoneExist": match},
        }
    ]
    coverage = coverage_resource(payload, settings, patient_url)
    if coverage is not None:
        entries.append(
            {
                "fullUrl": url("coverage"),
                "resource": Coverage.model_validate(coverage),
                "request": {
                    "method": "POST",
                    "url": "Coverage",
                    "ifNoneExist": f"identifier={settings.checkin_system}|{payload['checkin_id']}",
                },
            }
        )
    entries.append(
        {
            "fullUrl": url("encounter"),
            "resource": Encounter.model_validate(
                encounter_resource(payload, settings, clinic, zone, patient_url)
            ),
            "request": {
                "method": "POST",
                "url": "Encounter",
                "ifNoneExist": _encounter_url(settings, payload).split("?", 1)[1],
            },
        }
    )
    return entries


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
            keys = ("status", "location", "etag")
            kept.append({key: str(response[key]) for key in keys if key in response})
    return json.dumps(kept) if kept else None
