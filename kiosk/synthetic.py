"""Synthetic patients: made-up Vietnamese people with cards, QR payloads and cache records.

The repository never holds a real person's data. The demo, the tests, the benchmarks and the
insurance simulator all draw their people from here, deterministically from a seed.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from kiosk.model import BirthDate, CardRecord, Gender
from kiosk.object_codes import OBJECT_CODES, ObjectCode

# The "today" of the synthetic world when none is given: fixtures and seeds stay reproducible.
REFERENCE_DAY = date(2026, 11, 25)

FAMILY_NAMES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
    "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trương", "Đinh", "Lưu", "Tạ",
)  # fmt: skip
MIDDLE_NAMES = {
    Gender.MALE: ("Văn", "Hữu", "Đức", "Quốc", "Minh", "Thành", "Xuân", "Công", "Bảo", "Gia"),
    Gender.FEMALE: ("Thị", "Ngọc", "Thu", "Thanh", "Mỹ", "Kim", "Diệu", "Hồng", "Phương", "Bích"),
}
GIVEN_NAMES = {
    Gender.MALE: (
        "Đức", "Hùng", "Dũng", "Cường", "Thắng", "Phúc", "Lộc", "Tuấn", "Khải", "Nghĩa",
        "Hưởng", "Quý", "Trọng", "Sơn", "Vĩnh", "Ẩn", "Hiếu", "Toản", "Lữ", "Ưng",
    ),
    Gender.FEMALE: (
        "Lệ", "Hằng", "Nhung", "Thảo", "Ngân", "Yến", "Trâm", "Hương", "Loan", "Duyên",
        "Ánh", "Ỷ", "Uyển", "Nguyệt", "Quỳnh", "Tuyết", "Oanh", "Thủy", "Ý", "Ẩn",
    ),
}  # fmt: skip
STREETS = (
    "Nguyễn Đình Chiểu", "Lê Lợi", "Trần Hưng Đạo", "Hai Bà Trưng", "Điện Biên Phủ",
    "Võ Thị Sáu", "Phạm Ngũ Lão", "Cách Mạng Tháng Tám", "Lý Thường Kiệt", "Nguyễn Trãi",
)  # fmt: skip
DISTRICTS = ("Quận 1", "Quận 3", "Quận 5", "Quận 10", "Quận Bình Thạnh", "Quận Gò Vấp")
# The object codes synthetic cards carry, each with the level it is usually printed with: every
# code of docs/domain.md §3. TV, seen on cards in the field but not documented, is left out, and
# so is LH (added in 2026): a new row must not reshuffle every synthetic population.
CARD_OBJECTS: tuple[ObjectCode, ...] = tuple(
    o for o in OBJECT_CODES.values() if o.code not in ("TV", "LH")
)
FACILITIES = ("79024", "79024", "79024", "79034", "79027", "79001", "01C54", "48012")


@dataclass(frozen=True)
class SyntheticPerson:
    """A made-up patient with one BHYT card."""

    name: str
    birth: BirthDate
    gender: Gender
    address: str
    id_number: str  # 12 digits (CCCD)
    card_number: str  # 15 characters
    bhxh_number: str  # the last 10 characters
    object_code: str
    benefit_level: int
    area_code: str
    facility_code: str
    valid_from: date
    valid_to: date


def hex_utf8(text: str) -> str:
    """Text as the BHYT QR writes it: lowercase hex of the UTF-8 bytes."""
    return text.encode("utf-8").hex()


def _dmy(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def person(index: int, seed: int = 0, today: date = REFERENCE_DAY) -> SyntheticPerson:
    """The ``index``-th synthetic person of a population; the same inputs give the same person."""
    rng = random.Random(f"{seed}:{index}")
    gender = rng.choice((Gender.MALE, Gender.FEMALE))
    name = " ".join(
        (
            rng.choice(FAMILY_NAMES),
            rng.choice(MIDDLE_NAMES[gender]),
            rng.choice(GIVEN_NAMES[gender]),
        )
    )
    year = rng.randint(1935, 2024)
    birth = (
        BirthDate(year)
        if rng.random() < 0.15
        else BirthDate(year, rng.randint(1, 12), rng.randint(1, 28))
    )
    card_object = rng.choice(CARD_OBJECTS)
    object_code, level = card_object.code, card_object.usual_level
    area = "79" if rng.random() < 0.8 else rng.choice(("01", "48", "92", "31"))
    # the BHXH number: area code, then 8 digits made unique by the index
    bhxh = f"{area}{(index * 7919 + seed * 104729) % 10**8:08d}"
    century = (0 if year < 2000 else 2) + (0 if gender is Gender.MALE else 1)
    id_number = f"0{area}{century}{year % 100:02d}{(index * 3571 + seed) % 10**6:06d}"
    valid_from = date(today.year, 1, 1)
    valid_to = date(today.year, 12, 31)
    if rng.random() < 0.1:  # some expired cards
        valid_from, valid_to = date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    street = rng.choice(STREETS)
    address = f"Số {rng.randint(1, 300)} {street}, {rng.choice(DISTRICTS)}, TP Hồ Chí Minh"
    return SyntheticPerson(
        name=name,
        birth=birth,
        gender=gender,
        address=address,
        id_number=id_number,
        card_number=f"{object_code}{level}{area}{bhxh}",
        bhxh_number=bhxh,
        object_code=object_code,
        benefit_level=level,
        area_code=area,
        facility_code=rng.choice(FACILITIES),
        valid_from=valid_from,
        valid_to=valid_to,
    )


def people(n: int, seed: int = 0, today: date = REFERENCE_DAY) -> Iterator[SyntheticPerson]:
    """``n`` distinct synthetic people, deterministically from ``seed``."""
    for index in range(n):
        yield person(index, seed, today)


def _birth_field(birth: BirthDate) -> str:
    return birth.display()


def bhyt_payload(p: SyntheticPerson, form: str = "15") -> str:
    """The BHYT QR text of this person's card (docs/domain.md §2).

    ``form``: ``"15"`` older 15-field cards, ``"17"`` the 2021 form (10-digit number, no
    expiry in the QR, benefit level and issuing place at the end), ``"10"`` the short form.
    """
    if form not in ("15", "17", "10"):
        raise ValueError(f"unknown BHYT QR form {form!r}: expected '15', '17' or '10'")
    new_form = form == "17"
    facility = f"{p.facility_code[:2]} {'–' if new_form else '-'} {p.facility_code[2:]}"
    fields = [  # fields 0-8, common to every form
        p.bhxh_number if new_form else p.card_number,
        hex_utf8(p.name),
        _birth_field(p.birth),
        "1" if p.gender is Gender.MALE else "2",
        "-" if new_form else hex_utf8(p.address),
        facility,
        _dmy(p.valid_from),
        "-" if new_form else _dmy(p.valid_to),  # 2021-form cards carry no expiry
        _dmy(p.valid_from - timedelta(days=12)),
    ]
    if form != "10":
        fields += [
            f"{p.area_code}0{p.bhxh_number}{p.benefit_level}{p.area_code}"[:14],
            "-",
            "4",
            f" {_dmy(p.valid_from.replace(year=p.valid_from.year + 5))}",
            hashlib.sha256(p.bhxh_number.encode()).hexdigest()[:16] + "-5202",
        ]
    if new_form:
        fields += [str(p.benefit_level), hex_utf8("Quận 3, Thành phố Hồ Chí Minh")]
    return "|".join([*fields, "$"])


def cccd_payload(p: SyntheticPerson, fields: int = 7) -> str:
    """The chip ID card QR text of this person (docs/domain.md §4): 7 or 11 fields."""
    birth = p.birth
    dob = f"{birth.day or 1:02d}{birth.month or 1:02d}{birth.year:04d}"
    parts = [
        p.id_number,
        "",
        p.name,
        dob,
        "Nam" if p.gender is Gender.MALE else "Nữ",
        p.address,
        p.valid_from.strftime("%d%m%Y"),
    ]
    if fields == 11:
        parts += ["", "", "", ""]
    elif fields != 7:
        raise ValueError(f"unknown CCCD QR form with {fields} fields: expected 7 or 11")
    return "|".join(parts)


def card_record(p: SyntheticPerson) -> CardRecord:
    """The cache record of this person's card, as an import or the feed would give it."""
    return CardRecord(
        card_number=p.card_number,
        bhxh_number=p.bhxh_number,
        name=p.name,
        birth=p.birth,
        gender=p.gender,
        facility_code=p.facility_code,
        valid_from=p.valid_from,
        valid_to=p.valid_to,
        benefit_level=p.benefit_level,
        area_code=p.area_code,
        id_number=p.id_number,
        address=p.address,
        source="synthetic",
    )
