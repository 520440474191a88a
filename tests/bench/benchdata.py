"""Fast synthetic card data for the db benchmarks (millions of rows in seconds).

``kiosk.synthetic`` makes realistic people but at tens of thousands a second; the benchmarks
need millions, so they build plain rows here: numbers in key order (append-only indexes make the
10-million-card fixture quick to build), Vietnamese names and the usual field shapes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from kiosk.model import BirthDate, CardRecord, CardStatus, Gender

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng")
MIDDLE = ("Văn", "Thị", "Hữu", "Ngọc", "Đức", "Thu", "Minh", "Thanh")
GIVEN = ("An", "Bình", "Cường", "Dung", "Hằng", "Lệ", "Nhung", "Phúc", "Quỳnh", "Thảo", "Yến")
OBJECTS = ("HS", "DN", "GD", "HT", "TE", "CN", "SV", "CK")
LEVELS = {"HS": 4, "DN": 4, "GD": 4, "HT": 3, "TE": 1, "CN": 3, "SV": 4, "CK": 2}
FACILITIES = ("79024", "79034", "79027", "79001", "01C54")
BASE_BHXH = 7_900_000_000
BASE_CCCD = 79_000_000_000


def bhxh_number(i: int) -> str:
    return f"{BASE_BHXH + i:010d}"


def card_number(i: int) -> str:
    obj = OBJECTS[i % len(OBJECTS)]
    return f"{obj}{LEVELS[obj]}79{bhxh_number(i)}"


def id_number(i: int) -> str:
    return f"{BASE_CCCD + i:012d}"


def name(i: int) -> str:
    return f"{FAMILY[i % 10]} {MIDDLE[(i // 10) % 8]} {GIVEN[(i // 80) % 11]}"


def sqlite_rows(start: int, stop: int) -> Iterator[tuple[object, ...]]:
    """Rows in db.store.CARD_COLUMNS order, as SQLite stores them (dates as ISO text)."""
    for i in range(start, stop):
        obj = OBJECTS[i % len(OBJECTS)]
        yield (
            bhxh_number(i),
            f"{obj}{LEVELS[obj]}79{BASE_BHXH + i:010d}",
            id_number(i),
            name(i),
            f"{1940 + i % 80:04d}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "male" if i % 2 else "female",
            "Quận 3, TP Hồ Chí Minh",
            FACILITIES[i % 5],
            "2026-01-01",
            "2026-12-31",
            LEVELS[obj],
            "79",
            "active",
            None,
            None,
            None,
            None,
            None,
            None,
            "import",
            None,
            None,
        )


def records(start: int, stop: int) -> Iterator[CardRecord]:
    """The same cards as CardRecords (what the sync and the importer hand the store)."""
    valid_from, valid_to = date(2026, 1, 1), date(2026, 12, 31)
    for i in range(start, stop):
        obj = OBJECTS[i % len(OBJECTS)]
        yield CardRecord(
            card_number=f"{obj}{LEVELS[obj]}79{BASE_BHXH + i:010d}",
            bhxh_number=bhxh_number(i),
            name=name(i),
            birth=BirthDate(1940 + i % 80, 1 + i % 12, 1 + i % 28),
            gender=Gender.MALE if i % 2 else Gender.FEMALE,
            facility_code=FACILITIES[i % 5],
            valid_from=valid_from,
            valid_to=valid_to,
            benefit_level=LEVELS[obj],
            area_code="79",
            id_number=id_number(i),
            address="Quận 3, TP Hồ Chí Minh",
            status=CardStatus.ACTIVE,
        )


def csv_lines(start: int, stop: int) -> Iterator[str]:
    """The same cards as lines of an import CSV (header not included)."""
    for i in range(start, stop):
        obj = OBJECTS[i % len(OBJECTS)]
        yield (
            f"{obj}{LEVELS[obj]}79{BASE_BHXH + i:010d},{bhxh_number(i)},{id_number(i)},"
            f"{name(i)},{1 + i % 28:02d}/{1 + i % 12:02d}/{1940 + i % 80:04d},"
            f'{"Nam" if i % 2 else "Nữ"},"Quận 3, TP Hồ Chí Minh",{FACILITIES[i % 5]},'
            f"01/01/2026,31/12/2026,,active,,,,,\n"
        )
