"""Name and birth-date comparison between a QR and a card record."""

from __future__ import annotations

import pytest

from kiosk.model import BirthDate
from kiosk.names import Match, compare_births, compare_names, normalise_name, strip_diacritics


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Nguyễn Văn Đức", "Nguyễn Văn Đức"),
        ("Nguyễn Văn Đức", "NGUYỄN VĂN ĐỨC"),
        ("Nguyễn Văn Đức", "  nguyễn   văn đức "),
        ("Nguyễn Văn Đức", "Nguye\u0302\u0303n Va\u0306n \u0110u\u031b\u0301c"),  # NFD
        ("Nguyễn Văn Đức", "NguyễnVăn Đức"),
    ],
)
def test_exact_after_normalising(left: str, right: str) -> None:
    assert compare_names(left, right) is Match.EXACT


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Nguyễn Văn Đức", "Nguyen Van Duc"),
        ("Nguyễn Văn Đức", "NGUYEN VAN DUC"),
        ("Đỗ Thị Ý", "Do Thi Y"),
        ("Trần Thị Mỹ Lệ", "Trân Thi My Lê"),  # some marks lost
        ("Lê Văn Đạt", "Lê Văn Dạt"),  # đ against d only
    ],
)
def test_equal_only_without_diacritics_needs_confirmation(left: str, right: str) -> None:
    assert compare_names(left, right) is Match.NEEDS_CONFIRMATION


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Nguyễn Văn Đức", "Nguyễn Văn Được"),
        ("Trần Thị Mỹ Lệ", "Trần Thị Mỹ"),
        ("Lê Thị Hồng Nhung", "Phạm Quốc Khải"),
    ],
)
def test_different_names(left: str, right: str) -> None:
    assert compare_names(left, right) is Match.DIFFERENT


def test_helpers() -> None:
    assert strip_diacritics("Đặng Thị Ưng Ẩn") == "Dang Thi Ung An"
    assert normalise_name(" Hồ  Ngọc\tHà ") == "hồngọchà"


@pytest.mark.parametrize(
    ("left", "right", "match"),
    [
        (BirthDate(1990, 4, 3), BirthDate(1990, 4, 3), Match.EXACT),
        (BirthDate(1975), BirthDate(1975, 6, 1), Match.EXACT),  # year-only compares the year
        (BirthDate(1975, 6, 1), BirthDate(1975), Match.EXACT),
        (BirthDate(1975), BirthDate(1976), Match.DIFFERENT),
        (BirthDate(1975), BirthDate(1974, 6, 1), Match.DIFFERENT),
        (BirthDate(2008, 9, 7), BirthDate(2008, 7, 9), Match.NEEDS_CONFIRMATION),
        (BirthDate(2008, 9, 7), BirthDate(2008, 9, 8), Match.DIFFERENT),
        (BirthDate(2008, 9, 7), BirthDate(2009, 9, 7), Match.DIFFERENT),
    ],
)
def test_birth_dates(left: BirthDate, right: BirthDate, match: Match) -> None:
    assert compare_births(left, right) is match
