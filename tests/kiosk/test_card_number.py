"""Card number validation (docs/domain.md §3): each failure names the character at fault."""

from __future__ import annotations

import pytest

from kiosk.card_number import CardNumber, CardNumberError, check_card_number, level_of
from kiosk.model import CodeKind
from kiosk.object_codes import OBJECT_CODES, group_name, object_code

# docs/domain.md §3, level by level
DOMAIN_LEVELS = {
    1: "CC TE",
    2: "CK CB KC HN DT DK XD BT TS AK CT",
    3: "HT TC CN PV TG DS HK",
    4: "DN HX CH NN TK HC XK TB NO XB TN CS XN MS HD TQ TA TY HG LS HS SV GB GD BA ND TV LH",
    5: "QN CA CY",
}


def test_object_code_table_matches_the_domain_lists() -> None:
    expected = {code: level for level, codes in DOMAIN_LEVELS.items() for code in codes.split()}
    assert {code: row.usual_level for code, row in OBJECT_CODES.items()} == expected
    assert all(row.name and row.code == code for code, row in OBJECT_CODES.items())
    assert object_code("hs") is OBJECT_CODES["HS"]
    assert object_code("ZZ") is None


def test_every_group_name_says_where_it_was_read() -> None:
    marks = ("two sources", "one source", "unverified")
    assert all(row.source.startswith(marks) for row in OBJECT_CODES.values())
    assert not any(
        "nhóm AK" in row.name or "hưởng mức" in row.name for row in OBJECT_CODES.values()
    )
    lh = object_code("LH")
    assert lh is not None
    assert "75 tuổi" in lh.name
    assert "hưu trí xã hội" in lh.name
    assert group_name("cn") == "Người thuộc hộ gia đình cận nghèo"
    assert group_name(None) is None
    assert group_name("ZZ") is None


def test_valid_15_character_number_is_split_into_parts() -> None:
    result = check_card_number("HS4797920123456")
    assert result == CardNumber(
        number="HS4797920123456",
        bhxh_number="7920123456",
        object_code="HS",
        benefit_level=4,
        area_code="79",
    )


def test_level_comes_from_the_digit_not_the_table() -> None:
    # HS is usually level 4; a card printed with 2 is level 2
    assert level_of("HS2797920123456") == 2
    assert level_of("7920123457") is None
    assert level_of("junk") is None


def test_ten_digit_number() -> None:
    assert check_card_number("7920123457") == CardNumber(
        "7920123457", "7920123457", kind=CodeKind.BHXH_NUMBER
    )


def test_twelve_digit_number_is_a_personal_id() -> None:
    result = check_card_number("079190001234")
    assert result == CardNumber(
        "079190001234", "", id_number="079190001234", kind=CodeKind.ID_NUMBER
    )
    assert isinstance(result, CardNumber)
    assert result.gateway_code == "079190001234"


def test_seventeen_characters_are_object_code_level_area_and_personal_id() -> None:
    result = check_card_number("cn2790791900012 34".replace(" ", ""))
    assert isinstance(result, CardNumber)
    assert (result.object_code, result.benefit_level, result.area_code) == ("CN", 2, "79")
    assert (result.id_number, result.bhxh_number) == ("079190001234", "")
    assert result.kind is CodeKind.CARD_WITH_ID
    assert result.gateway_code == "079190001234"  # maThe takes 10, 12 or 15 characters
    assert level_of("CN279079190001234") == 2


def test_legacy_letters_in_the_last_ten_are_allowed() -> None:
    result = check_card_number("DN401AA31900313")
    assert isinstance(result, CardNumber)
    assert result.bhxh_number == "AA31900313"
    assert result.area_code == "01"


@pytest.mark.parametrize("area", ["01", "48", "92", "97", "98", "99"])
def test_area_codes_are_opaque_two_digits(area: str) -> None:
    assert isinstance(check_card_number(f"QN5{area}7920123456"), CardNumber)


def test_tv_is_a_known_object_code() -> None:
    result = check_card_number("TV4010123987654")
    assert isinstance(result, CardNumber)
    assert result.object_code == "TV"
    assert result.known_object_code


def test_a_well_formed_unknown_object_code_is_accepted_and_flagged() -> None:
    # the law adds participant groups faster than the table learns their codes
    result = check_card_number("zz4797920123456")
    assert isinstance(result, CardNumber)
    assert result.object_code == "ZZ"
    assert result.benefit_level == 4
    assert not result.known_object_code
    known = check_card_number("HS4797920123456")
    assert isinstance(known, CardNumber)
    assert known.known_object_code


@pytest.mark.parametrize(
    ("number", "position", "detail"),
    [
        ("1S4797920123456", 1, "character 1 ('1') is not a letter of an object code"),
        ("H54797920123456", 2, "character 2 ('5') is not a letter of an object code"),
        ("HS0797920123456", 3, "character 3 ('0') is not a benefit level 1-5"),
        ("HS6797920123456", 3, "character 3 ('6') is not a benefit level 1-5"),
        ("HS4A97920123456", 4, "character 4 ('A') is not a digit of the area code"),
        ("HS47-7920123456", 5, "character 5 ('-') is not a digit of the area code"),
        ("HS4007920123456", 4, "characters 4-5 ('00') are not an area code 01-99"),
        ("HS479792012345-", 15, "character 15 ('-') is not a letter or digit"),
        ("HS479792Ư123456", 9, "character 9 ('Ư') is not a letter or digit"),
        ("792012345X", 10, "character 10 ('X') is not a digit"),
        ("X920123457", 1, "character 1 ('X') is not a digit"),
        ("79201234567", None, "expected 10, 12, 15 or 17 characters, got 11 characters"),
        ("", None, "expected 10, 12, 15 or 17 characters, got 0 characters"),
        ("07919000123X", 12, "character 12 ('X') is not a digit"),
        ("CN27907919000123A", 17, "character 17 ('A') is not a digit of the personal ID"),
        ("CN60790791900012", None, "expected 10, 12, 15 or 17 characters, got 16 characters"),
    ],
)
def test_each_failure_names_the_position(number: str, position: int | None, detail: str) -> None:
    assert check_card_number(number) == CardNumberError(position, detail)
