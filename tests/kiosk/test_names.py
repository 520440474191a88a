"""Name and birth-date comparison between a QR and a card record."""

from __future__ import annotations

import pytest

from kiosk.model import BirthDate
from kiosk.names import Match, compare_births, compare_names, normalise_name, strip_diacritics


# exact after normalising (case, spaces, NFD); equal only without diacritics: the patient
# confirms; anything else differs
@pytest.mark.parametrize(
    ("left", "right", "match"),
    [
        ("Nguyễn Văn Đức", "Nguyễn Văn Đức", Match.EXACT),
        ("Nguyễn Văn Đức", "NGUYỄN VĂN ĐỨC", Match.EXACT),
        ("Nguyễn Văn Đức", "  nguyễn   văn đức ", Match.EXACT),
        ("Nguyễn Văn Đức", "Nguye\u0302\u0303n Va\u0306n \u0110u\u031b\u0301c", Match.EXACT),  # NFD
        ("Nguyễn Văn Đức", "NguyễnVăn Đức", Match.EXACT),
        ("Nguyễn Văn Đức", "Nguyen Van Duc", Match.NEEDS_CONFIRMATION),
        ("Nguyễn Văn Đức", "NGUYEN VAN DUC", Match.NEEDS_CONFIRMATION),
        ("Đỗ Thị Ý", "Do Thi Y", Match.NEEDS_CONFIRMATION),
        ("Trần Thị Mỹ Lệ", "Trân Thi My Lê", Match.NEEDS_CONFIRMATION),  # some marks lost
        ("Lê Văn Đạt", "Lê Văn Dạt", Match.NEEDS_CONFIRMATION),  # đ against d only
        ("Nguyễn Văn Đức", "Nguyễn Văn Được", Match.DIFFERENT),
        ("Trần Thị Mỹ Lệ", "Trần Thị Mỹ", Match.DIFFERENT),
        ("Lê Thị Hồng Nhung", "Phạm Quốc Khải", Match.DIFFERENT),
    ],
)
def test_name_comparison(left: str, right: str, match: Match) -> None:
    assert compare_names(left, right) is match


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
