"""Payload parsing: every BHYT, CCCD and bare-code quirk of docs/domain.md §1-§4."""

from __future__ import annotations

from datetime import date
from typing import TypedDict

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kiosk.model import BhytPayload, BirthDate, CccdPayload, CodeKind, CodePayload, Gender
from kiosk.outcome import Reason
from kiosk.payload import (
    MAX_PAYLOAD_CHARS,
    InvalidPayload,
    decode_text,
    is_card_payload,
    parse_payload,
    repair_telex,
)
from kiosk.synthetic import bhyt_payload, cccd_payload, hex_utf8, people

# The two synthetic examples of docs/domain.md §2, verbatim.
EXAMPLE_15 = (
    "HS4797920123456|5472e1baa76e205468e1bb8b204de1bbb9204ce1bb87|07/09/2008|2|"
    "53e1bb912035204cc3aa204ce1bba3692c205068c6b0e1bb9d6e672042e1babf6e204e6768c3a92c"
    "205175e1baad6e20312c2054502048e1bb93204368c3ad204d696e68|79 - 024|01/01/2025|31/12/2025|"
    "20/12/2024|79010920123456|-|4| 01/01/2030|3f9a1c2b7d4e5f60-5202|$"
)
EXAMPLE_17 = (
    "7920123457|4e677579e1bb856e2056c4836e20c490e1bba963|1975|1|-|79 – 034|01/01/2025|-|"
    "05/01/2025|79027920123457|-|4| 01/07/2026|a1b2c3d4e5f60718-5202|4|"
    "5175e1baad6e20332c205468c3a06e68207068e1bb912048e1bb93204368c3ad204d696e68|$"
)
EXAMPLE_CCCD = (
    "079190001234|025123456|Lê Thị Hồng Nhung|15081990|Nữ|"
    "Số 12 Nguyễn Đình Chiểu, Phường 6, Quận 3, TP Hồ Chí Minh|10052021"
)


def bhyt(
    number: str = "HS4797920123456",
    name: str = "Phạm Thị Ngọc Ánh",
    *,
    birth: str = "03/04/1990",
    gender: str = "2",
    facility: str = "79 - 024",
    valid_from: str = "01/01/2026",
    valid_to: str = "31/12/2026",
    name_field: str | None = None,
    extra: tuple[str, ...] = ("20/12/2025", "79010920123456", "-", "4", " 01/01/2030", "ab-5202"),
) -> str:
    """A small local generator: a BHYT QR with a made-up, hex-encoded name."""
    fields = [
        number,
        name_field if name_field is not None else hex_utf8(name),
        birth,
        gender,
        hex_utf8("Số 9 Lê Lợi, Quận 1"),
        facility,
        valid_from,
        valid_to,
        *extra,
    ]
    return "|".join([*fields, "$"])


def parsed_bhyt(text: str) -> BhytPayload:
    result = parse_payload(text)
    assert isinstance(result, BhytPayload), result
    return result


def invalid(text: str) -> InvalidPayload:
    result = parse_payload(text)
    assert isinstance(result, InvalidPayload), result
    assert result.raw == text
    assert result.detail
    return result


# --- the docs/domain.md examples ------------------------------------------------------------


# Each BHYT example as parsed, field by field: (field, EXAMPLE_15, EXAMPLE_17).
DECODED: list[tuple[str, object, object]] = [
    ("card_number", "HS4797920123456", "7920123457"),
    ("bhxh_number", "7920123456", "7920123457"),
    ("name", "Trần Thị Mỹ Lệ", "Nguyễn Văn Đức"),
    ("birth", BirthDate(2008, 9, 7), BirthDate(1975)),
    ("gender", Gender.FEMALE, Gender.MALE),
    ("facility_code", "79024", "79034"),  # the 2021 form: "79 – 034" with an en dash
    ("valid_from", date(2025, 1, 1), date(2025, 1, 1)),
    ("valid_to", date(2025, 12, 31), None),  # "-": validity comes from the cache or the gateway
    ("issued_on", date(2024, 12, 20), date(2025, 1, 5)),
    ("address", "Số 5 Lê Lợi, Phường Bến Nghé, Quận 1, TP Hồ Chí Minh", None),
    ("management_code", "79010920123456", "79027920123457"),
    ("parent_name", None, None),
    ("residence_code", "4", "4"),
    ("five_years_from", date(2030, 1, 1), date(2026, 7, 1)),  # written with a leading space
    ("check_string", "3f9a1c2b7d4e5f60-5202", "a1b2c3d4e5f60718-5202"),
    ("benefit_level", 4, 4),  # the digit of the card number; in the 2021 form, field 14
    ("issuing_place", None, "Quận 3, Thành phố Hồ Chí Minh"),
]


@pytest.mark.parametrize(
    ("payload", "column", "birth_iso"),
    [(EXAMPLE_15, 1, "2008-09-07"), (EXAMPLE_17, 2, "1975")],
    ids=["15_field_card", "2021_form"],
)
def test_domain_bhyt_examples_decode_exactly(payload: str, column: int, birth_iso: str) -> None:
    card = parsed_bhyt(payload)
    assert card.raw == payload
    fields = {row[0]: getattr(card, row[0]) for row in DECODED}
    assert fields == {row[0]: row[column] for row in DECODED}
    assert card.birth is not None
    assert card.birth.iso() == birth_iso


def test_domain_example_cccd_decodes() -> None:
    result = parse_payload(EXAMPLE_CCCD)
    assert isinstance(result, CccdPayload)
    assert result.id_number == "079190001234"
    assert result.old_id_number == "025123456"
    assert result.name == "Lê Thị Hồng Nhung"
    assert result.birth == BirthDate(1990, 8, 15)
    assert result.gender is Gender.FEMALE
    assert result.address == "Số 12 Nguyễn Đình Chiểu, Phường 6, Quận 3, TP Hồ Chí Minh"
    assert result.issued_on == date(2021, 5, 10)
    assert result.extra == ()


# --- BHYT quirks ------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["15", "17", "10"])
def test_every_synthetic_form_round_trips(form: str) -> None:
    for person in people(200, seed=3):
        card = parsed_bhyt(bhyt_payload(person, form))
        assert card.name == person.name
        assert card.birth == person.birth
        assert card.gender is person.gender
        assert card.facility_code == person.facility_code
        assert card.valid_from == person.valid_from
        assert card.benefit_level == person.benefit_level
        assert card.bhxh_number == person.bhxh_number
        if form == "17":
            assert card.card_number == person.bhxh_number
            assert card.valid_to is None
        else:
            assert card.card_number == person.card_number
            assert card.valid_to == person.valid_to


def test_short_10_field_form_has_no_optional_fields() -> None:
    card = parsed_bhyt(bhyt(extra=("20/12/2025",)))
    assert card.issued_on == date(2025, 12, 20)
    assert card.management_code is None
    assert card.check_string is None
    assert card.benefit_level == 4


@pytest.mark.parametrize(
    "suffix",
    ["\r\n", "\n", "\x00", "\r\n\x00\x00", "\x1d", "   "],
    ids=["crlf", "lf", "nul", "crlf-nul", "gs", "spaces"],
)
def test_scanner_control_characters_are_stripped(suffix: str) -> None:
    card = parsed_bhyt(EXAMPLE_15 + suffix)
    assert card.name == "Trần Thị Mỹ Lệ"
    assert card.raw == EXAMPLE_15 + suffix  # the raw text is kept exactly as read


def test_control_characters_inside_fields_are_stripped() -> None:
    card = parsed_bhyt(EXAMPLE_15.replace("07/09/2008", "07/09/\x002008"))
    assert card.birth == BirthDate(2008, 9, 7)


def test_upper_case_hex_decodes() -> None:
    card = parsed_bhyt(bhyt(name_field=hex_utf8("Đỗ Thị Ý").upper()))
    assert card.name == "Đỗ Thị Ý"


def test_utf16le_name_is_decoded_when_not_utf8() -> None:
    card = parsed_bhyt(bhyt(name_field="Võ Thị Ỷ".encode("utf-16-le").hex()))
    assert card.name == "Võ Thị Ỷ"


def test_undecodable_hex_keeps_the_raw_text() -> None:
    # odd-length hex cannot be bytes; "ff" alone is neither UTF-8 nor UTF-16LE
    assert parsed_bhyt(bhyt(name_field="abc")).name == "abc"
    assert parsed_bhyt(bhyt(name_field="ff")).name == "ff"


def test_plain_text_name_is_kept_as_written() -> None:
    assert parsed_bhyt(bhyt(name_field="Tran Van Hung")).name == "Tran Van Hung"


def test_decomposed_unicode_is_normalised_to_nfc() -> None:
    decomposed = "Nguye\u0302\u0303n"  # Nguyễn written with combining marks
    card = parsed_bhyt(bhyt(name_field=hex_utf8(decomposed)))
    assert card.name == "Nguyễn"


def test_hex_is_decoded_only_in_text_fields() -> None:
    # a 10-digit number and a 14-digit management code are valid hex but stay as they are
    card = parsed_bhyt(bhyt("7920123457", extra=("20/12/2025", "79010920123456")))
    assert card.card_number == "7920123457"
    assert card.management_code == "79010920123456"
    assert decode_text("4142") == "AB"


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("79 - 024", "79024"),
        ("79 – 034", "79034"),
        ("79-024", "79024"),
        ("79024", "79024"),
        ("01 - C54", "01C54"),
        ("01 - c54", "01C54"),
        ("  48 — 012 ", "48012"),
    ],
)
def test_facility_code_forms(written: str, code: str) -> None:
    assert parsed_bhyt(bhyt(facility=written)).facility_code == code


def test_dash_or_empty_means_absent() -> None:
    card = parsed_bhyt(bhyt(facility="-", gender="", birth="-", valid_to=" - "))
    assert card.facility_code is None
    assert card.gender is None
    assert card.birth is None
    assert card.valid_to is None


def test_leading_spaces_in_fields_are_trimmed() -> None:
    card = parsed_bhyt(bhyt(" HS4797920123456", birth=" 03/04/1990", valid_from=" 01/01/2026"))
    assert card.card_number == "HS4797920123456"
    assert card.birth == BirthDate(1990, 4, 3)
    assert card.valid_from == date(2026, 1, 1)


def test_legacy_card_number_with_letters_in_the_last_ten() -> None:
    card = parsed_bhyt(bhyt("DN401AA31900313"))
    assert card.card_number == "DN401AA31900313"
    assert card.bhxh_number == "AA31900313"
    assert card.benefit_level == 4


def test_lower_case_card_number_is_read_upper_case() -> None:
    assert parsed_bhyt(bhyt("hs4797920123456")).card_number == "HS4797920123456"


def test_level_digit_of_the_number_wins_over_field_14() -> None:
    extra = ("20/12/2025", "79010920123456", "-", "4", " 01/01/2030", "ab-5202", "2", "-")
    assert parsed_bhyt(bhyt("CK2797920123456", extra=extra)).benefit_level == 2
    assert parsed_bhyt(bhyt("7920123457", extra=extra)).benefit_level == 2


def test_parent_name_is_decoded_from_hex() -> None:
    extra = ("20/12/2025", "79010920123456", hex_utf8("Lý Văn Toản"), "4")
    card = parsed_bhyt(bhyt("TE1797920123456", extra=extra))
    assert card.parent_name == "Lý Văn Toản"
    assert card.benefit_level == 1


def test_unreadable_optional_dates_are_unknown_not_fatal() -> None:
    card = parsed_bhyt(bhyt(extra=("32/13/2025", "79010920123456", "-", "4", "junk")))
    assert card.issued_on is None
    assert card.five_years_from is None


@pytest.mark.parametrize(
    ("number", "detail"),
    [
        ("HS9797920123456", "field 0: character 3 ('9') is not a benefit level 1-5"),
        ("Z14797920123456", "field 0: character 2 ('1') is not a letter of an object code"),
        ("HS4007920123456", "field 0: characters 4-5 ('00') are not an area code 01-99"),
        ("HS47X7920123456", "field 0: character 5 ('X') is not a digit of the area code"),
        ("792012345A", "field 0: character 10 ('A') is not a digit"),
        ("79201234", "field 0: expected 10, 12, 15 or 17 characters, got 8 characters"),
        ("HS47979201234567", "field 0: expected 10, 12, 15 or 17 characters, got 16 characters"),
        ("HS4790791900012X4", "field 0: character 16 ('X') is not a digit of the personal ID"),
        ("", "field 0: the card number is empty"),
    ],
)
def test_a_card_number_it_cannot_place_goes_to_reception_naming_the_character(
    number: str, detail: str
) -> None:
    result = invalid(bhyt(number))
    assert result.reason is Reason.CARD_NUMBER_UNPLACED  # reception, never "invalid card"
    assert result.detail == detail


# One case per length of a BHYT QR's card field: what it is, and what the kiosk looks it up by.
@pytest.mark.parametrize(
    ("field", "numbers", "lookup_keys", "benefit_level"),
    [
        pytest.param(
            "7920123457",
            ("7920123457", "7920123457", None),
            ("7920123457",),
            None,  # no digit in the number, no field 14 in this QR
            id="a 10 digit card field is the BHXH number",
        ),
        pytest.param(
            "079190001234",
            ("079190001234", "", "079190001234"),
            ("079190001234",),
            None,
            id="a 12 digit card field is the personal ID",
        ),
        pytest.param(
            "CN3797920123456",
            ("CN3797920123456", "7920123456", None),
            ("CN3797920123456", "7920123456"),
            3,
            id="a 15 character card field is the card number",
        ),
        pytest.param(
            "LH479079190001234",
            ("LH479079190001234", "", "079190001234"),
            # the gateway's maThe takes 10, 12 or 15 characters: the personal ID is what is sent
            ("079190001234",),
            4,
            id="a 17 character card field is looked up by its personal ID",
        ),
    ],
)
def test_a_card_field_is_read_by_its_length(
    field: str,
    numbers: tuple[str, str, str | None],
    lookup_keys: tuple[str, ...],
    benefit_level: int | None,
) -> None:
    """``numbers``: the card number, the BHXH number and the personal ID the field gives; the
    first of ``lookup_keys`` is the one the kiosk looks the card up by."""
    card = parsed_bhyt(bhyt(field))
    assert (card.card_number, card.bhxh_number, card.id_number) == numbers
    assert (card.lookup_key, card.lookup_keys) == (lookup_keys[0], lookup_keys)
    assert card.benefit_level == benefit_level
    assert not card.unknown_object_code


class DamagedField(TypedDict, total=False):
    """The fields of :func:`bhyt` a test may damage."""

    birth: str
    gender: str
    facility: str
    valid_from: str
    valid_to: str
    name_field: str


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"birth": "31/02/1990"}, "field 2"),
        ({"birth": "1990-04-03"}, "field 2"),
        ({"gender": "3"}, "field 3"),
        ({"facility": "Bệnh viện"}, "field 5"),
        ({"valid_from": "2026-01-01"}, "field 6"),
        ({"valid_to": "31/12/26"}, "field 7"),
        ({"name_field": "-"}, "field 1"),
    ],
)
def test_damaged_essential_fields_are_unreadable(kwargs: DamagedField, field: str) -> None:
    result = invalid(bhyt(**kwargs))
    assert result.reason is Reason.UNREADABLE_CARD
    assert result.detail.startswith(field)


def test_too_few_fields_is_unreadable() -> None:
    result = invalid("HS4797920123456|" + hex_utf8("Lê Ý") + "|1990|1|$")
    assert result.reason is Reason.UNREADABLE_CARD


def test_invalid_details_never_hold_a_whole_name() -> None:
    result = invalid(bhyt(birth="99/99/1990", name="Trương Quốc Khải"))
    assert "Trương" not in result.detail
    assert "HS4797920123456" not in result.detail


# --- CCCD ---------------------------------------------------------------------------------------


def test_cccd_7_fields_with_empty_old_id() -> None:
    person = next(people(1, seed=5))
    result = parse_payload(cccd_payload(person, 7))
    assert isinstance(result, CccdPayload)
    assert result.id_number == person.id_number
    assert result.old_id_number is None
    assert result.name == person.name
    assert result.gender is person.gender


def test_cccd_11_fields_reads_the_first_7_and_keeps_the_rest() -> None:
    text = EXAMPLE_CCCD + "|Trần Văn Lộc|Nguyễn Thị Thu|x|01012031"
    result = parse_payload(text)
    assert isinstance(result, CccdPayload)
    assert result.name == "Lê Thị Hồng Nhung"
    assert result.extra == ("Trần Văn Lộc", "Nguyễn Thị Thu", "x", "01012031")


def test_cccd_with_crlf_and_male() -> None:
    text = EXAMPLE_CCCD.replace("Nữ", "Nam").replace("|025123456|", "||") + "\r\n"
    result = parse_payload(text)
    assert isinstance(result, CccdPayload)
    assert result.gender is Gender.MALE
    assert result.old_id_number is None


def test_cccd_with_wrong_id_length_is_a_bad_id_number() -> None:
    result = invalid(EXAMPLE_CCCD.replace("079190001234", "07919000123"))
    assert result.reason is Reason.BAD_ID_NUMBER
    assert "11 digits" in result.detail


def test_cccd_with_bad_birth_date_is_unreadable() -> None:
    result = invalid(EXAMPLE_CCCD.replace("15081990", "32131990"))
    assert result.reason is Reason.UNREADABLE_CARD


# --- bare codes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "kind"),
    [
        ("7920123457", "7920123457", CodeKind.BHXH_NUMBER),
        ("079190001234", "079190001234", CodeKind.ID_NUMBER),
        ("HS4797920123456", "HS4797920123456", CodeKind.CARD_NUMBER),
        ("hs4797920123456\r\n", "HS4797920123456", CodeKind.CARD_NUMBER),
        (" 7920 123 457 ", "7920123457", CodeKind.BHXH_NUMBER),
        ("DN401AA31900313", "DN401AA31900313", CodeKind.CARD_NUMBER),
    ],
)
def test_bare_codes(text: str, code: str, kind: CodeKind) -> None:
    result = parse_payload(text)
    assert isinstance(result, CodePayload)
    assert result.code == code
    assert result.kind is kind
    assert result.lookup_key == code
    assert result.raw == text


def test_a_bare_17_character_code_is_asked_by_its_personal_id() -> None:
    result = parse_payload("DN479079190001234")
    assert isinstance(result, CodePayload)
    assert (result.kind, result.lookup_key) == (CodeKind.CARD_WITH_ID, "079190001234")


def test_bare_15_character_code_with_a_wrong_level_is_a_bad_card_number() -> None:
    result = invalid("HS6797920123456")
    assert result.reason is Reason.BAD_CARD_NUMBER
    assert "character 3" in result.detail


# --- junk -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\x00\r\n",
        "hello world",
        "https://vssid.vn/some/page?x=1",
        "www.example.com",
        "WIFI:S:hospital;T:WPA;P:secret;;",
        "12345678901",  # 11 digits
        "a|b|c",
        "1|2|3|4|5|6|7|8",
        "x" * (MAX_PAYLOAD_CHARS + 1),
        bhyt() + "x" * MAX_PAYLOAD_CHARS,
        "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "caf\ufffd",
        "\udcff\udcfe",
        "<svg></svg>|$x",
    ],
    ids=lambda t: repr(t[:20]),
)
def test_junk_is_not_a_card(text: str) -> None:
    assert invalid(text).reason is Reason.NOT_A_CARD


def test_is_card_payload_is_a_cheap_filter() -> None:
    for text in (EXAMPLE_15, EXAMPLE_17, EXAMPLE_CCCD, "7920123457", "HS4797920123456"):
        assert is_card_payload(text)
        assert is_card_payload(text + "\r\n")
        assert is_card_payload(text + "\x1d\x00")
    for text in ("", "hello", "https://x.example/a", "x" * 5000, "a|b", "12345"):
        assert not is_card_payload(text)


# --- shapes seen in the field (docs/insurance-api.md §5) ----------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("5/3/1950", BirthDate(1950, 3, 5)),
        ("05/3/1950", BirthDate(1950, 3, 5)),
        ("5/03/1950", BirthDate(1950, 3, 5)),
        ("03/1994", BirthDate(1994, 3)),
        ("3/1994", BirthDate(1994, 3)),
    ],
)
def test_one_digit_day_and_month_and_month_year_birth_dates(
    written: str, expected: BirthDate
) -> None:
    assert parsed_bhyt(bhyt(birth=written)).birth == expected


def test_one_digit_validity_dates() -> None:
    card = parsed_bhyt(bhyt(valid_from="1/1/2024", valid_to="31/12/2024"))
    assert (card.valid_from, card.valid_to) == (date(2024, 1, 1), date(2024, 12, 31))


@pytest.mark.parametrize("written", ["13/1994", "0/1994", "1994/03", "03/94", "32/1/1990"])
def test_impossible_month_year_birth_dates_are_unreadable(written: str) -> None:
    result = invalid(bhyt(birth=written))
    assert result.reason is Reason.UNREADABLE_CARD
    assert result.detail.startswith("field 2")


def test_month_year_birth_date_is_yyyy_mm_in_iso_and_mm_yyyy_on_display() -> None:
    birth = parsed_bhyt(bhyt(birth="03/1994")).birth
    assert birth is not None
    assert (birth.iso(), birth.display()) == ("1994-03", "03/1994")
    assert BirthDate.from_iso("1994-03") == birth


def test_cccd_month_year_birth_date() -> None:
    result = parse_payload(EXAMPLE_CCCD.replace("|15081990|", "|031985|"))
    assert isinstance(result, CccdPayload)
    assert result.birth == BirthDate(1985, 3)


def test_object_code_tv_is_a_listed_group() -> None:
    card = parsed_bhyt(bhyt("TV4010123987654"))
    assert card.card_number == "TV4010123987654"
    assert not card.unknown_object_code


def test_well_formed_unknown_object_code_is_accepted_and_flagged() -> None:
    card = parsed_bhyt(bhyt("ZZ4797920123456"))
    assert card.unknown_object_code
    assert card.benefit_level == 4
    code = parse_payload("ZZ4797920123456")
    assert isinstance(code, CodePayload)
    assert code.unknown_object_code


# Each pair a Telex input method can make of hex: typing "aa" gives "â", "ee" "ê", "dd" "đ".
TELEX_PAIRS = [("aa", "â"), ("ee", "ê"), ("dd", "đ"), ("AA", "Â"), ("EE", "Ê"), ("DD", "Đ")]


# a made-up name whose hex holds each pair ("dd" occurs in UTF-16LE text, which some writers use)
TELEX_NAMES = {
    "aa": ("Lê Văn Tâm", "utf-8"),
    "ee": ("Phan Nễ", "utf-8"),
    "dd": ("Lê Ý", "utf-16-le"),
}


@pytest.mark.parametrize(("hex_pair", "telex"), TELEX_PAIRS)
def test_telex_mangled_hex_is_repaired(hex_pair: str, telex: str) -> None:
    name, encoding = TELEX_NAMES[hex_pair.lower()]
    encoded = name.encode(encoding).hex()
    encoded = encoded.upper() if hex_pair.isupper() else encoded
    assert hex_pair in encoded
    mangled = encoded.replace(hex_pair, telex)
    assert mangled != encoded
    assert decode_text(mangled) == name
    assert parsed_bhyt(bhyt(name_field=mangled)).name == name


def test_the_issue_example_of_telex_mangled_hex() -> None:
    mangled = "5472e1bâ76e205468e1bb8b204de1bbb9204ce1bb87"  # "Trần Thị Mỹ Lệ", aa typed as â
    assert parsed_bhyt(bhyt(name_field=mangled)).name == "Trần Thị Mỹ Lệ"
    assert decode_text(mangled) == "Trần Thị Mỹ Lệ"


@pytest.mark.parametrize(("hex_pair", "telex"), TELEX_PAIRS)
def test_repair_telex_maps_each_pair_back(hex_pair: str, telex: str) -> None:
    assert repair_telex(f"4c{telex}20") == f"4c{hex_pair}20"
    assert repair_telex(f"x{telex}") == f"x{telex}"  # not hex once repaired: unchanged


def test_plain_vietnamese_text_is_not_telex_repaired() -> None:
    # "Lê Đê" holds ê and Đ but is no hex once repaired: kept as written
    assert decode_text("Lê Đê") == "Lê Đê"
    assert parsed_bhyt(bhyt(name_field="Lê Đê")).name == "Lê Đê"


def test_trailing_hash_field_without_the_terminator_is_the_same_card() -> None:
    with_terminator = bhyt(extra=("-", "-", "-", "4", "-", "5a5b5c5d5e5f6061-6202"))
    without = with_terminator.removesuffix("$")
    assert without.endswith("5a5b5c5d5e5f6061-6202|")
    first, second = parsed_bhyt(with_terminator), parsed_bhyt(without)
    assert first.card_number == second.card_number
    assert first.check_string == second.check_string == "5a5b5c5d5e5f6061-6202"
    assert (first.name, first.birth, first.valid_to) == (second.name, second.birth, second.valid_to)
    assert is_card_payload(without)
    ten_digit = without.replace("HS4797920123456", "7920123456")
    assert parsed_bhyt(ten_digit).card_number == "7920123456"


def test_unterminated_text_that_is_not_a_card_is_still_rejected() -> None:
    assert invalid("a|b|c|d|e|f|g|h|i|j|").reason is Reason.NOT_A_CARD


def test_new_can_cuoc_back_side_qr_with_more_fields() -> None:
    # the căn cước issued since 1/7/2024: the known leading fields, then fields with no
    # published layout (invented here), kept as read
    extra = ["01012040", "Việt Nam", "Kinh", "Không", "Số 7 Trần Phú, Hà Đông, Hà Nội", "x", "y"]
    text = EXAMPLE_CCCD + "|" + "|".join(extra)
    result = parse_payload(text)
    assert isinstance(result, CccdPayload)
    assert result.id_number == "079190001234"
    assert result.name == "Lê Thị Hồng Nhung"
    assert result.birth == BirthDate(1990, 8, 15)
    assert result.issued_on == date(2021, 5, 10)
    assert result.extra == tuple(extra)


def test_can_cuoc_listing_the_old_id_and_cancelled_ids() -> None:
    text = EXAMPLE_CCCD.replace("|025123456|", "|025123456, 079190009876|")
    result = parse_payload(text)
    assert isinstance(result, CccdPayload)
    assert result.old_id_number == "025123456"
    assert result.other_ids == ("079190009876",)
    assert result.lookup_keys == ("079190001234", "079190009876")
    assert invalid(EXAMPLE_CCCD.replace("|025123456|", "|025123456, Lê|")).reason is (
        Reason.UNREADABLE_CARD
    )


def test_cccd_7_and_11_fields_still_read() -> None:
    seven = parse_payload(EXAMPLE_CCCD)
    eleven = parse_payload(EXAMPLE_CCCD + "|a|b|c|d")
    assert isinstance(seven, CccdPayload)
    assert isinstance(eleven, CccdPayload)
    assert seven.extra == ()
    assert eleven.extra == ("a", "b", "c", "d")


# --- properties of the repairs ---------------------------------------------------------------


def telex(text: str) -> str:
    """What a Telex input method makes of hex typed through it (the pairs of TELEX_PAIRS)."""
    for pair, mark in TELEX_PAIRS:
        text = text.replace(pair, mark)
    return text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789abcdefABCDEF", max_size=60))
def test_telex_repair_undoes_telex_on_any_hex(hex_text: str) -> None:
    assert repair_telex(telex(hex_text)) == hex_text


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(codec="utf-8", categories=("L", "M", "N", "Zs")), min_size=1))
def test_any_name_survives_telex_mangled_hex(name: str) -> None:
    expected = decode_text(hex_utf8(name))
    assume(expected != hex_utf8(name))  # text that is kept as written (not printable) aside
    assert decode_text(telex(hex_utf8(name))) == expected
    assert decode_text(telex(hex_utf8(name).upper())) == expected


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31)))
def test_any_date_reads_with_or_without_leading_zeros(day: date) -> None:
    padded = parsed_bhyt(bhyt(birth=f"{day:%d/%m/%Y}", valid_from=f"{day:%d/%m/%Y}"))
    written = f"{day.day}/{day.month}/{day.year}"
    short = parsed_bhyt(bhyt(birth=written, valid_from=written))
    assert padded.birth == short.birth == BirthDate(day.year, day.month, day.day)
    assert padded.valid_from == short.valid_from == day
    month_year = parsed_bhyt(bhyt(birth=f"{day:%m/%Y}"))
    assert month_year.birth == BirthDate(day.year, day.month)


@pytest.mark.parametrize(
    ("index", "value"),
    [(3, "Trần Thị Bích Ngọc"), (5, "Trần Thị Bích Ngọc"), (6, "Trần Thị Bích"), (2, "Ngọc")],
)
def test_a_damaged_field_is_named_not_repeated(index: int, value: str) -> None:
    fields = EXAMPLE_15.split("|")
    fields[index] = value
    parsed = parse_payload("|".join(fields))
    assert isinstance(parsed, InvalidPayload)
    assert f"field {index}" in parsed.detail
    assert "Trần" not in parsed.detail
    assert "Ngọc" not in parsed.detail
