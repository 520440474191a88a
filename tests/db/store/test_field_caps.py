"""The text caps of the QR parser are the column sizes: one table (kiosk/field_caps.py) both
read. Per capped column: its length is the cap, and a QR carrying the cap + 1 is refused at
the scan (never a database error at the commit)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import Column

from db.models import cards, checkins
from kiosk.field_caps import CARD_NUMBER, FIELD_CAPS
from kiosk.model import BhytPayload, CccdPayload
from kiosk.payload import InvalidPayload, parse_payload
from kiosk.synthetic import SyntheticPerson, bhyt_payload, cccd_payload, people

DAY = date(2026, 11, 25)
CAPS = {**FIELD_CAPS, "card_number": CARD_NUMBER}


def _person() -> SyntheticPerson:
    return next(p for p in people(50, seed=5, today=DAY) if len(p.card_number) == 15)


def _over(field: str) -> str:
    """A QR text whose ``field`` is one character over its cap (else a valid card)."""
    p = _person()
    cap = CAPS[field]
    if field == "name":
        return bhyt_payload(replace(p, name="A" * (cap + 1)))
    if field == "card_number":
        return bhyt_payload(replace(p, card_number=p.card_number + "1"))
    if field == "bhxh_number":
        return bhyt_payload(replace(p, bhxh_number=p.bhxh_number + "1"), form="17")
    if field == "id_number":
        return cccd_payload(replace(p, id_number=p.id_number + "1"))
    if field == "facility_code":
        return bhyt_payload(replace(p, facility_code=p.facility_code + "1"))
    raise AssertionError(field)


COLUMNS: list[tuple[Column[object], str]] = [
    (cards.c.name, "name"),
    (checkins.c.patient_name, "name"),
    (cards.c.card_number, "card_number"),
    (checkins.c.card_number, "card_number"),
    (cards.c.bhxh_number, "bhxh_number"),
    (checkins.c.bhxh_number, "bhxh_number"),
    (cards.c.id_number, "id_number"),
    (checkins.c.id_number, "id_number"),
    (cards.c.facility_code, "facility_code"),
    (checkins.c.facility_code, "facility_code"),
]


@pytest.mark.parametrize(("column", "field"), COLUMNS, ids=str)
def test_a_qr_with_the_cap_plus_one_is_refused_at_the_scan(
    column: Column[object], field: str
) -> None:
    cap = CAPS[field]
    assert getattr(column.type, "length", None) == cap, f"{column} is not {cap} long"
    parsed = parse_payload(_over(field))
    assert isinstance(parsed, InvalidPayload), f"{field} of {cap + 1} characters accepted"
    assert "A" * 20 not in parsed.detail  # the detail counts characters, never quotes them


def test_names_at_the_cap_are_accepted_and_one_over_refused_on_both_qr_kinds() -> None:
    p = _person()
    cap = FIELD_CAPS["name"]
    assert isinstance(parse_payload(bhyt_payload(replace(p, name="A" * cap))), BhytPayload)
    assert isinstance(parse_payload(cccd_payload(replace(p, name="A" * cap))), CccdPayload)
    for text in (
        bhyt_payload(replace(p, name="A" * (cap + 1))),
        cccd_payload(replace(p, name="A" * (cap + 1))),
    ):
        parsed = parse_payload(text)
        assert isinstance(parsed, InvalidPayload)
        assert parsed.detail == f"name: {cap + 1} characters, at most {cap}"
