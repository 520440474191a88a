"""The synthetic population is deterministic, distinct and shaped like real cards."""

from __future__ import annotations

import re

import pytest

from kiosk.object_codes import OBJECT_CODES
from kiosk.synthetic import bhyt_payload, card_record, cccd_payload, hex_utf8, people


def test_same_seed_gives_same_people_and_other_seed_differs() -> None:
    assert list(people(20, seed=3)) == list(people(20, seed=3))
    assert list(people(20, seed=3)) != list(people(20, seed=4))


def test_numbers_are_distinct_and_well_formed() -> None:
    population = list(people(2000, seed=1))
    assert len({p.bhxh_number for p in population}) == 2000
    assert len({p.id_number for p in population}) == 2000
    for p in population:
        assert re.fullmatch(r"[A-Z]{2}[1-5][0-9]{2}[0-9]{10}", p.card_number)
        assert p.card_number[-10:] == p.bhxh_number
        assert re.fullmatch(r"[0-9]{12}", p.id_number)


@pytest.mark.parametrize(("form", "count"), [("15", 15), ("17", 17), ("10", 10)])
def test_bhyt_payload_forms_have_the_documented_field_counts(form: str, count: int) -> None:
    p = next(people(1, seed=7))
    fields = bhyt_payload(p, form).split("|")
    assert len(fields) == count
    assert fields[-1] == "$"
    assert fields[1] == hex_utf8(p.name)


def test_cccd_payload_carries_the_plain_name() -> None:
    p = next(people(1, seed=9))
    assert cccd_payload(p).split("|")[2] == p.name
    assert len(cccd_payload(p, 11).split("|")) == 11
    assert card_record(p).id_number == p.id_number


def test_unknown_forms_are_refused() -> None:
    p = next(people(1))
    with pytest.raises(ValueError, match="form"):
        bhyt_payload(p, "16")
    with pytest.raises(ValueError, match="fields"):
        cccd_payload(p, 9)


def test_object_codes_come_from_the_one_table() -> None:
    for p in people(500, seed=2):
        row = OBJECT_CODES[p.object_code]
        assert p.benefit_level == row.usual_level
        assert p.card_number.startswith(f"{row.code}{row.usual_level}")
