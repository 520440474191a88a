"""``his.kind = "json"``: an event as a vendor's REST API wants it, by a mapping in the config.

Vietnamese HIS (VNPT-HIS, FPT eHospital, HIS nguồn mở and others) take a kiosk's check-in
through their own APIs, with their own field names (``MaBHYT``, ``HoTen``, ``SoCCCD``, ...).
``[his.json_fields]`` names each of the vendor's fields and the kiosk field that fills it,
optionally with a format::

    [his.json_fields]
    HoTen = "name"
    NgaySinh = "birth|dd/MM/yyyy"
    GioiTinh = "gender|Nam/Nữ"

The body is one JSON object with the vendor's fields in the mapping's order; an unknown field
is null. :data:`SOURCES` lists the kiosk fields and :data:`FORMATS` the formats; a mapping that
names anything else is refused when the sender is built (a ConfigError naming the key).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from db.his.event_fields import local_moment, printed_label, queue_label, visit_code
from db.his.http import Endpoint, HttpHisSender, idempotent_sender
from kiosk.config import Config, ConfigError

Value = str | int | bool | None


@dataclass(frozen=True)
class Context:
    """What a field may need besides the event: the hospital's time zone and code, the
    clinic's name."""

    zone: ZoneInfo
    hospital_code: str
    clinic_names: Mapping[str, str]


def _person(key: str) -> Callable[[Mapping[str, Any], Context], Value]:
    def read(payload: Mapping[str, Any], _: Context) -> Value:
        value = payload["patient"].get(key)
        return value if isinstance(value, str | int) or value is None else str(value)

    return read


def _event(key: str) -> Callable[[Mapping[str, Any], Context], Value]:
    def read(payload: Mapping[str, Any], _: Context) -> Value:
        value = payload.get(key)
        return value if isinstance(value, str | int | bool) or value is None else str(value)

    return read


SOURCES: dict[str, Callable[[Mapping[str, Any], Context], Value]] = {
    "checkin_id": _event("checkin_id"),
    "event": _event("event"),
    "event_id": _event("event_id"),
    "queue_number": _event("queue_number"),
    "queue_label": lambda p, _: queue_label(p),
    "printed_label": lambda p, _: printed_label(p),
    "local_day": _event("local_day"),
    "created_at": lambda p, c: local_moment(p, c.zone).isoformat(),
    "clinic_code": _event("clinic_code"),
    "clinic_name": lambda p, c: c.clinic_names.get(str(p["clinic_code"]), str(p["clinic_code"])),
    "name": _person("name"),
    "birth": _person("birth"),
    "gender": _person("gender"),
    "card_number": _person("card_number"),
    "bhxh_number": _person("bhxh_number"),
    "id_number": _person("id_number"),
    "facility_code": _person("facility_code"),
    "valid_from": _person("valid_from"),
    "valid_to": _person("valid_to"),
    "benefit_level": _person("benefit_level"),
    "route": lambda p, _: visit_code(p),
    "benefit_percent": _event("benefit_percent"),
    "cancelled": _event("cancelled"),
    "kiosk_id": _event("kiosk_id"),
    "hospital_code": lambda _, c: c.hospital_code,
}
"""The kiosk fields a vendor field may take (``route`` is the visit code, e.g. ``1.1``)."""

_DATES = ("local_day", "birth", "valid_from", "valid_to")


def _date_as(pattern: str) -> Callable[[Value], Value]:
    def convert(value: Value) -> Value:
        if not isinstance(value, str) or not value:
            return value
        if len(value) == 4:  # only the year is known (birth years on older cards)
            return value
        return date.fromisoformat(value).strftime(pattern)

    return convert


def _moment_as(pattern: str) -> Callable[[Value], Value]:
    def convert(value: Value) -> Value:
        if not isinstance(value, str) or not value:
            return value
        return datetime.fromisoformat(value).strftime(pattern)

    return convert


def _gender_as(male: Value, female: Value) -> Callable[[Value], Value]:
    return lambda value: {"male": male, "female": female}.get(str(value))


FORMATS: dict[str, tuple[tuple[str, ...], Callable[[Value], Value]]] = {
    "dd/MM/yyyy": (_DATES, _date_as("%d/%m/%Y")),
    "yyyyMMdd": (_DATES, _date_as("%Y%m%d")),
    "yyyy-MM-dd": (_DATES, _date_as("%Y-%m-%d")),
    "yyyyMMddHHmm": (("created_at",), _moment_as("%Y%m%d%H%M")),
    "dd/MM/yyyy HH:mm": (("created_at",), _moment_as("%d/%m/%Y %H:%M")),
    "1/2": (("gender",), _gender_as(1, 2)),
    "Nam/Nữ": (("gender",), _gender_as("Nam", "Nữ")),
}
"""Each format: the kiosk fields it applies to, and the conversion (the settings check the
names against ``kiosk.config.HIS_JSON_FIELDS`` and ``HIS_JSON_FORMATS``, the same lists)."""


@dataclass(frozen=True)
class Field:
    """One vendor field: its name, the kiosk field and the format (None: as it is)."""

    name: str
    source: str
    format: str | None


def parse_mapping(pairs: tuple[tuple[str, str], ...]) -> tuple[Field, ...]:
    """The mapping ``[his.json_fields]``; ConfigError naming the key when a kiosk field or a
    format is unknown, or a format does not fit its field."""
    fields = []
    for name, text in pairs:
        source, _, form = (part.strip() for part in text.partition("|"))
        where = f"his.json_fields.{name}"
        if source not in SOURCES:
            raise ConfigError(
                f"{where}: unknown kiosk field {source!r} (one of {', '.join(SOURCES)})"
            )
        if form:
            if form not in FORMATS:
                raise ConfigError(f"{where}: unknown format {form!r} (one of {', '.join(FORMATS)})")
            if source not in FORMATS[form][0]:
                raise ConfigError(f"{where}: the format {form!r} does not apply to {source!r}")
        fields.append(Field(name, source, form or None))
    if not fields:
        raise ConfigError("his.json_fields: his.kind = 'json' needs the vendor's field mapping")
    return tuple(fields)


@dataclass(frozen=True)
class VendorBody:
    """Makes the vendor's JSON body of an event."""

    fields: tuple[Field, ...]
    context: Context

    def values(self, payload: Mapping[str, Any]) -> dict[str, Value]:
        """The vendor's fields and their values, in the mapping's order."""
        out: dict[str, Value] = {}
        for item in self.fields:
            value = SOURCES[item.source](payload, self.context)
            out[item.name] = FORMATS[item.format][1](value) if item.format else value
        return out

    def __call__(self, payload: Mapping[str, Any]) -> str:
        try:
            return json.dumps(self.values(payload), ensure_ascii=False)
        except (KeyError, ValueError, TypeError) as error:
            raise ValueError(f"event {payload.get('event_id')}: no vendor JSON: {error}") from error


def vendor_body(config: Config) -> VendorBody:
    """The body maker of the configured mapping (ConfigError when it is wrong)."""
    context = Context(
        zone=config.kiosk.zone,
        hospital_code=config.hospital.facility_codes[0] if config.hospital.facility_codes else "",
        clinic_names={clinic.code: clinic.name_vi for clinic in config.clinics},
    )
    return VendorBody(parse_mapping(config.his.json_fields), context)


def json_sender(config: Config, endpoint: Endpoint) -> HttpHisSender:
    """Events POSTed to the vendor's API as its JSON, with an Idempotency-Key header."""
    return idempotent_sender(endpoint, "application/json", vendor_body(config))
