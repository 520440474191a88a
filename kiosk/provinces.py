"""Provinces merged on 1 July 2025 (Resolution 202/2025/QH15), as data: old code → new province.

Card numbers and facility codes carry a 2-digit province code issued before the merger. Cards
are not re-issued because of it, so a card of Bình Dương (74) seen in Hồ Chí Minh City (79)
belongs to the same province today. ``docs/domain.md`` (provinces) says where each row comes
from: the groupings agree in two independent secondary sources; the code kept by each new
province (the one of the province hosting its centre) was found in one of them only, so it is
marked unverified below. Nothing here decides a share on its own: the rules ask
:func:`same_province`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Province:
    """A province after the 2025 merger: its code and name, and the old codes it took in."""

    code: str
    name: str
    old_codes: tuple[str, ...]
    code_verified: bool = True  # False: the new province's own code seen in one source only


# Unmerged provinces keep their code; a merged one is listed with every old code it absorbed.
PROVINCES: tuple[Province, ...] = (
    Province("01", "Hà Nội", ("01",)),
    Province("04", "Cao Bằng", ("04",)),
    Province("08", "Tuyên Quang", ("08", "02"), code_verified=False),  # + Hà Giang
    Province("11", "Điện Biên", ("11",)),
    Province("12", "Lai Châu", ("12",)),
    Province("14", "Sơn La", ("14",)),
    Province("15", "Lào Cai", ("10", "15"), code_verified=False),  # Lào Cai + Yên Bái
    Province("19", "Thái Nguyên", ("19", "06"), code_verified=False),  # + Bắc Kạn
    Province("20", "Lạng Sơn", ("20",)),
    Province("22", "Quảng Ninh", ("22",)),
    Province("24", "Bắc Ninh", ("27", "24"), code_verified=False),  # Bắc Ninh + Bắc Giang
    Province("25", "Phú Thọ", ("25", "26", "17"), code_verified=False),  # + Vĩnh Phúc, Hòa Bình
    Province("31", "Hải Phòng", ("31", "30"), code_verified=False),  # + Hải Dương
    Province("33", "Hưng Yên", ("33", "34"), code_verified=False),  # + Thái Bình
    Province("37", "Ninh Bình", ("37", "35", "36"), code_verified=False),  # + Hà Nam, Nam Định
    Province("38", "Thanh Hóa", ("38",)),
    Province("40", "Nghệ An", ("40",)),
    Province("42", "Hà Tĩnh", ("42",)),
    Province("44", "Quảng Trị", ("45", "44"), code_verified=False),  # Quảng Trị + Quảng Bình
    Province("46", "Huế", ("46",)),
    Province("48", "Đà Nẵng", ("48", "49"), code_verified=False),  # + Quảng Nam
    Province("51", "Quảng Ngãi", ("51", "62"), code_verified=False),  # + Kon Tum
    Province("52", "Gia Lai", ("64", "52"), code_verified=False),  # Gia Lai + Bình Định
    Province("56", "Khánh Hòa", ("56", "58"), code_verified=False),  # + Ninh Thuận
    Province("66", "Đắk Lắk", ("66", "54"), code_verified=False),  # + Phú Yên
    Province("68", "Lâm Đồng", ("68", "67", "60"), code_verified=False),  # + Đắk Nông, Bình Thuận
    Province("75", "Đồng Nai", ("75", "70"), code_verified=False),  # + Bình Phước
    Province("79", "Hồ Chí Minh", ("79", "74", "77")),  # + Bình Dương, Bà Rịa – Vũng Tàu
    Province("80", "Tây Ninh", ("72", "80"), code_verified=False),  # Tây Ninh + Long An
    Province("82", "Đồng Tháp", ("87", "82"), code_verified=False),  # Đồng Tháp + Tiền Giang
    Province("86", "Vĩnh Long", ("86", "83", "84"), code_verified=False),  # + Bến Tre, Trà Vinh
    Province("91", "An Giang", ("89", "91"), code_verified=False),  # An Giang + Kiên Giang
    Province("92", "Cần Thơ", ("92", "93", "94"), code_verified=False),  # + Hậu Giang, Sóc Trăng
    Province("96", "Cà Mau", ("96", "95"), code_verified=False),  # + Bạc Liêu
)

_BY_OLD_CODE: dict[str, Province] = {old: p for p in PROVINCES for old in p.old_codes}


def province_of(code: str | None) -> Province | None:
    """The province today of a 2-digit province code (or of a facility code's first two)."""
    if not code:
        return None
    return _BY_OLD_CODE.get(code.strip()[:2])


def same_province(a: str | None, b: str | None) -> bool:
    """Whether two province or facility codes lie in the same province since the 2025 merger.

    Codes that are not in the table (97/98, the military and police funds, or a typo) are only
    the same province when their two digits are equal.
    """
    if not a or not b:
        return False
    left, right = a.strip()[:2], b.strip()[:2]
    if left == right:
        return True
    pa, pb = _BY_OLD_CODE.get(left), _BY_OLD_CODE.get(right)
    return pa is not None and pa is pb
