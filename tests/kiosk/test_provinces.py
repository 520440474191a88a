"""Provinces merged in 2025 count as one province (docs/domain.md, provinces)."""

from __future__ import annotations

import pytest

from kiosk.provinces import PROVINCES, province_of, same_province

# the 63 province codes before 1 July 2025
OLD_CODES = [
    "01",
    "02",
    "04",
    "06",
    "08",
    "10",
    "11",
    "12",
    "14",
    "15",
    "17",
    "19",
    "20",
    "22",
    "24",
    "25",
    "26",
    "27",
    "30",
    "31",
    "33",
    "34",
    "35",
    "36",
    "37",
    "38",
    "40",
    "42",
    "44",
    "45",
    "46",
    "48",
    "49",
    "51",
    "52",
    "54",
    "56",
    "58",
    "60",
    "62",
    "64",
    "66",
    "67",
    "68",
    "70",
    "72",
    "74",
    "75",
    "77",
    "79",
    "80",
    "82",
    "83",
    "84",
    "86",
    "87",
    "89",
    "91",
    "92",
    "93",
    "94",
    "95",
    "96",
]


def test_34_provinces_take_in_each_of_the_63_old_codes_once() -> None:
    assert len(PROVINCES) == 34
    assert len({p.code for p in PROVINCES}) == 34
    taken = [code for p in PROVINCES for code in p.old_codes]
    assert sorted(taken) == sorted(OLD_CODES)
    assert len(OLD_CODES) == 63
    for p in PROVINCES:
        assert p.code in p.old_codes  # a new province keeps one of its old codes


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("74", "79"),  # Bình Dương → Hồ Chí Minh City
        ("77", "79"),  # Bà Rịa – Vũng Tàu → Hồ Chí Minh City
        ("74001", "79024"),  # facility codes: their first two characters
        ("77", "74"),
        ("49", "48"),  # Quảng Nam → Đà Nẵng
        ("93", "94"),  # Hậu Giang and Sóc Trăng → Cần Thơ
        ("01", "01"),
        ("97", "97"),  # not a province (military fund): only itself
    ],
)
def test_merged_codes_are_the_same_province(a: str, b: str) -> None:
    assert same_province(a, b)
    assert same_province(b, a)


@pytest.mark.parametrize(
    ("a", "b"), [("79", "01"), ("74", "75"), ("97", "98"), ("", "79"), (None, "79")]
)
def test_other_provinces_are_not(a: str | None, b: str) -> None:
    assert not same_province(a, b)


def test_province_of() -> None:
    hcm = province_of("74")
    assert hcm is not None
    assert (hcm.code, hcm.name) == ("79", "Hồ Chí Minh")
    assert province_of("77024") is hcm
    assert province_of("99") is None
    assert province_of(None) is None
