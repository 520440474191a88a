"""The flat card row <-> CardRecord mapping: round trips and clear errors for bad fields."""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from db.cards.rows import (
    FIELDS,
    MAX_LENGTHS,
    RowError,
    card_values,
    clean_text,
    record_from_row,
    row_from_record,
)
from kiosk.model import BirthDate, CardStatus, Gender, ReplacementCard
from kiosk.synthetic import card_record, people


def test_round_trip_of_synthetic_cards() -> None:
    for person in people(200, seed=3):
        card = replace(card_record(person), source="import")
        row = row_from_record(card)
        assert tuple(row) == FIELDS
        assert record_from_row(row) == card


def test_round_trip_with_replacement_and_status() -> None:
    card = replace(
        card_record(next(people(1, seed=5))),
        source="feed",
        status=CardStatus.REVOKED,
        replacement=ReplacementCard("DN4797920123456", date(2026, 1, 1), None, "79034"),
        five_years_from=date(2030, 1, 1),
        birth=BirthDate(1975),
    )
    assert record_from_row(row_from_record(card), source="feed") == card


def test_minimal_row_and_derived_fields() -> None:
    card = record_from_row(
        {"maThe": "hs4797920123456", "hoTen": "Trần Thị Mỹ Lệ", "gioiTinh": 2, "mucHuong": None}
    )
    assert card.card_number == "HS4797920123456"
    assert card.bhxh_number == "7920123456"
    assert card.benefit_level == 4
    assert card.area_code == "79"
    assert card.gender is Gender.FEMALE
    assert card.status is CardStatus.ACTIVE
    ten = record_from_row({"maSoBHXH": "7920123457", "hoTen": "A", "mucHuong": "3"})
    assert ten.card_number == "7920123457"
    assert ten.benefit_level == 3
    assert ten.area_code is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"maThe": "HS47979201234"}, "maThe"),
        ({"maThe": "HS9797920123456"}, "maThe"),
        ({"maThe": "", "maSoBHXH": ""}, "maThe"),
        ({"maSoBHXH": "7920123999"}, "maSoBHXH"),
        ({"soCCCD": "12345"}, "soCCCD"),
        ({"hoTen": "  "}, "hoTen"),
        ({"ngaySinh": "31/02/1990"}, "ngaySinh"),
        ({"gioiTinh": "x"}, "gioiTinh"),
        ({"maDKBD": "7902"}, "maDKBD"),
        ({"gtTheTu": "2026-01-01"}, "gtTheTu"),
        ({"gtTheTu": "01/01/2027", "gtTheDen": "31/12/2026"}, "gtTheDen"),
        ({"mucHuong": "7"}, "mucHuong"),
        ({"trangThai": "gone"}, "trangThai"),
        ({"maTheMoi": "123"}, "maTheMoi"),
        ({"hoTen": ["list"]}, "hoTen"),
    ],
)
def test_bad_fields_are_named(changes: dict[str, object], field: str) -> None:
    row: dict[str, object] = {
        "maThe": "HS4797920123456",
        "maSoBHXH": "7920123456",
        "soCCCD": "079190001234",
        "hoTen": "Lê Văn Thử",
        "ngaySinh": "15/08/1990",
    }
    row.update(changes)
    with pytest.raises(RowError) as caught:
        record_from_row(row)
    assert caught.value.field == field
    # the message never repeats personal numbers
    assert "079190001234" not in str(caught.value)
    assert "7920123456" not in str(caught.value)


@pytest.mark.parametrize("field", ["gioiTinh", "ngaySinh", "maDKBD", "mucHuong", "trangThai"])
def test_a_bad_value_is_described_not_repeated(field: str) -> None:
    # a shifted column puts a name where a code belongs: the report names the field only
    row: dict[str, object] = {
        "maThe": "HS4797920123456",
        "maSoBHXH": "7920123456",
        "hoTen": "Lê Văn Thử",
        field: "Trần Thị Bích Ngọc",
    }
    with pytest.raises(RowError) as caught:
        record_from_row(row)
    assert caught.value.field == field
    assert "Trần" not in str(caught.value)
    assert "Ngọc" not in str(caught.value)


_VALID = row_from_record(
    replace(
        card_record(next(people(1, seed=7))),
        replacement=ReplacementCard(
            "DN4797920123456", date(2026, 1, 1), date(2026, 12, 31), "79034"
        ),
        five_years_from=date(2030, 1, 1),
        source="import",
    )
)


def test_controls_nul_and_bidi_are_stripped_from_every_field() -> None:
    expected = card_values(_VALID)
    for field in FIELDS:
        if not _VALID[field]:
            continue
        value = _VALID[field]
        dirty = "\u202e" + value[:1] + "\x00" + value[1:] + "\u2066"  # caps count these too
        assert card_values({**_VALID, field: dirty}) == expected, field
    card = record_from_row({**_VALID, "hoTen": "Lê\tThị\u00a0Ánh\u2028", "diaChi": "a\r\nb"})
    assert (card.name, card.address) == ("Lê Thị Ánh", "a  b")


def test_every_control_format_and_surrogate_character_is_removed() -> None:
    removed = [
        chr(c)
        for c in range(sys.maxunicode + 1)
        if unicodedata.category(chr(c)) in ("Cc", "Cf", "Cs")
    ]
    assert len(removed) > 2000  # the lone surrogates alone are 2048
    kept = clean_text("Nguyễn" + "".join(removed) + "Văn")
    assert kept.replace(" ", "") == "NguyễnVăn"  # the spacing controls became spaces


def test_each_field_has_a_cap_and_an_over_long_value_is_never_repeated() -> None:
    assert set(MAX_LENGTHS) == set(FIELDS)
    docs = (Path(__file__).resolve().parents[3] / "docs" / "insurance-api.md").read_text()
    for field, cap in MAX_LENGTHS.items():
        value = ("Ngọc" * cap)[: cap + 1]
        with pytest.raises(RowError) as caught:
            card_values({**_VALID, field: value})
        assert caught.value.field == field
        assert f"longer than {cap} characters" in str(caught.value)
        assert "Ngọc" not in str(caught.value)
        documented = re.search(rf"^\| `{field}`.*\| {cap} \|$", docs, re.MULTILINE)
        assert documented is not None, f"docs/insurance-api.md gives no cap for {field}"
    card_values({**_VALID, "hoTen": "Ngọc" * 50})  # exactly at the cap: accepted
