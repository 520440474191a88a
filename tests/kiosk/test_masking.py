"""Masking of names and numbers for public screens and logs."""

from __future__ import annotations

from kiosk.masking import mask_name, mask_number


def test_mask_name_keeps_the_family_name_and_initials() -> None:
    assert mask_name("Nguyễn Văn Đức") == "Nguyễn V*** Đ***"
    assert mask_name("  Trần  Thị Mỹ Lệ ") == "Trần T*** M*** L***"
    assert mask_name("Ý") == "Ý***"
    assert mask_name("") == ""


def test_mask_name_hides_the_given_names() -> None:
    masked = mask_name("Lê Thị Hồng Nhung")
    for part in ("Thị", "Hồng", "Nhung"):
        assert part not in masked


def test_mask_name_normalises_decomposed_text() -> None:
    assert mask_name("Nguye\u0302\u0303n \u0110u\u031b\u0301c") == "Nguyễn Đ***"


def test_mask_number_keeps_the_last_four() -> None:
    assert mask_number("HS4797920123456") == "***********3456"
    assert mask_number("079190001234") == "********1234"
    assert mask_number("7920123457") == "******3457"
    assert mask_number("123") == "***"
    assert mask_number("") == ""
    assert mask_number(None) == ""
