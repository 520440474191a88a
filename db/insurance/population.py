"""The deterministic synthetic card population behind the insurance simulator.

Card ``i`` of a population is derived from ``(seed, i)`` on demand, so a million cards cost no
memory: nothing is generated until a page of the feed or a gateway check asks for it. The feed
is a change log: positions ``0..cards-1`` add card ``i``; positions after that (added with
:meth:`Population.add_changes`) update or remove a card chosen deterministically. A card's
content depends on ``(seed, i, position of its last change)`` and the day the population is
built for (validity periods are placed around it), so the same log and day always give the same
records. Names, streets and object codes are those of the synthetic patients
(:mod:`kiosk.synthetic`); every person is synthetic.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from kiosk.model import Gender
from kiosk.synthetic import (
    CARD_OBJECTS,
    FAMILY_NAMES,
    GIVEN_NAMES,
    MIDDLE_NAMES,
    REFERENCE_DAY,
    STREETS,
)

_MASK = (1 << 64) - 1
_PERM = 73939133  # odd and not a multiple of 5: a bijection on 0..10**8-1
_PERM_INV = pow(_PERM, -1, 10**8)

_PLACES = (
    ("79", "Quận 3, TP Hồ Chí Minh"),
    ("79", "Quận Bình Thạnh, TP Hồ Chí Minh"),
    ("01", "Quận Hoàn Kiếm, Hà Nội"),
    ("48", "Quận Hải Châu, Đà Nẵng"),
    ("92", "Quận Ninh Kiều, Cần Thơ"),
    ("74", "TP Thủ Dầu Một, Bình Dương"),
)
_FACILITIES = ("79024", "79034", "79001", "01C54", "48010", "92003")
# The synthetic patients' object codes and names, indexed by a card's number and hash bits.
_OBJECTS = tuple((o.code, o.usual_level) for o in CARD_OBJECTS)
_MALE = (MIDDLE_NAMES[Gender.MALE], GIVEN_NAMES[Gender.MALE])
_FEMALE = (MIDDLE_NAMES[Gender.FEMALE], GIVEN_NAMES[Gender.FEMALE])
_FIRST_BIRTH = date(1930, 1, 1)
_BIRTH_DAYS = 365 * 94
_BIRTHS = tuple(
    (_FIRST_BIRTH + timedelta(days=d)).strftime("%d/%m/%Y") for d in range(0, _BIRTH_DAYS, 7)
)
# Validity periods start on the first of a month this many months before the population's day
# and last twelve months, so each holds the day.
_PERIOD_STARTS = (0, 3, 6, 9)


def _fmt(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _month_start(day: date, months_back: int) -> date:
    """The first of the month ``months_back`` months before ``day``'s (after it when < 0)."""
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def _months(start: date, count: int) -> tuple[str, str]:
    """``count`` months from ``start`` (a first of a month), as dd/MM/yyyy texts."""
    end = _month_start(start, -count) - timedelta(days=1)
    return _fmt(start), _fmt(end)


@dataclass(frozen=True)
class Validity:
    """The validity periods a population's cards carry, around the day it is built for: every
    active card is valid that day, the expired ones ended three years before, a replaced card
    ended a few months before and its new card holds the day."""

    periods: tuple[tuple[str, str], ...]
    expired: tuple[str, str]
    replaced: tuple[str, str]
    new_card: tuple[str, str]
    five_years: str  # ngayDu5Nam of the cards that carry one

    @classmethod
    def around(cls, day: date) -> Validity:
        return cls(
            periods=tuple(_months(_month_start(day, k), 12) for k in _PERIOD_STARTS),
            expired=(_fmt(date(day.year - 3, 1, 1)), _fmt(date(day.year - 3, 12, 31))),
            replaced=_months(_month_start(day, 10), 3),
            new_card=_months(_month_start(day, 7), 12),
            five_years=_fmt(date(day.year + 4, 1, 1)),
        )


# Gateway result codes given to chosen cards so every maKetQua can be exercised (docs/domain.md §5).
# Card i with i % 97 == k (k < len) answers SPECIAL_CODES[k]; the rest follow their status.
SPECIAL_CODES = (
    "001", "002", "051", "052", "053", "054", "055", "060", "061", "070",
    "100", "101", "130", "205", "080", "090",
)  # fmt: skip


RENEWED_KIND = 41  # card i with i % 50 == 41: renewed under its own number (see fields)


FIELDS = (
    "maThe", "maSoBHXH", "soCCCD", "hoTen", "ngaySinh", "gioiTinh", "diaChi", "maDKBD",
    "gtTheTu", "gtTheDen", "mucHuong", "trangThai", "maTheMoi", "gtTheTuMoi", "gtTheDenMoi",
    "maDKBDMoi", "ngayDu5Nam",
)  # fmt: skip
_TEMPLATE = (
    "{"
    + ",".join(f'"{name}":%d' if name == "mucHuong" else f'"{name}":"%s"' for name in FIELDS)
    + "}"
)


def _mix(seed: int, i: int) -> int:
    # splitmix64: cheap, well spread bits from (seed, i)
    z = (i * 0x9E3779B97F4A7C15 + seed * 0xBF58476D1CE4E5B9 + 0x94D049BB133111EB) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


@dataclass(frozen=True)
class Change:
    """One entry of the change log: card ``index`` updated (or removed) at ``position``."""

    position: int
    index: int
    removed: bool


class Population:
    """A synthetic population of ``cards`` cards plus a growing change log, built for ``day``
    (the simulator's today: its active cards are valid that day).

    Thread-safe: the simulator's request threads read while a test adds changes.
    """

    def __init__(self, cards: int, seed: int = 0, day: date = REFERENCE_DAY) -> None:
        if not 0 < cards <= 10**8:
            raise ValueError("cards must be between 1 and 100,000,000")
        self.cards = cards
        self.seed = seed
        self.day = day
        self.validity = Validity.around(day)
        self._lock = threading.Lock()
        # Only changes after the initial adds are kept: two small ints each.
        self._changes: list[tuple[int, bool]] = []
        self._last: dict[int, int] = {}  # card index -> position of its last change

    # -- the log -----------------------------------------------------------------------

    @property
    def length(self) -> int:
        """The number of entries in the change log (the cursor after the last one)."""
        return self.cards + len(self._changes)

    def add_changes(self, count: int, remove_every: int = 10) -> None:
        """Append ``count`` changes: updates to spread-out cards, every ``remove_every``th a
        removal. Deterministic for a given seed and history."""
        with self._lock:
            for _ in range(count):
                position = self.length
                h = _mix(self.seed ^ 0x5EED, position)
                index = h % self.cards
                removed = remove_every > 0 and (h >> 20) % remove_every == 0
                self._changes.append((index, removed))
                self._last[index] = position

    def change(self, position: int) -> Change:
        """The log entry at ``position``."""
        if position < self.cards:
            return Change(position, position, False)
        index, removed = self._changes[position - self.cards]
        return Change(position, index, removed)

    def changes(self, since: int, limit: int) -> Iterator[Change]:
        """Log entries ``since`` .. ``since+limit-1`` (fewer at the end)."""
        end = min(self.length, since + limit)
        for position in range(since, end):
            yield self.change(position)

    # -- cards ---------------------------------------------------------------------------

    def bhxh_number(self, i: int) -> str:
        h = _mix(self.seed, i)
        area = _PLACES[(h >> 8) % len(_PLACES)][0]
        return f"{area}{(i * _PERM + self.seed) % 10**8:08d}"

    def index_of(self, code: str) -> int | None:
        """The card index for a 15-char card number, 10-digit BHXH number or CCCD number."""
        code = code.strip().upper()
        if len(code) == 15:
            code = code[5:]
        if len(code) == 12 and code.isdigit():
            i = ((int(code[4:]) - self.seed) * _PERM_INV) % 10**8
        elif len(code) == 10 and code.isdigit():
            i = ((int(code[2:]) - self.seed) * _PERM_INV) % 10**8
        else:
            return None
        if i >= self.cards:
            return None
        row = self.row(i)
        if code not in (row["maSoBHXH"], row.get("soCCCD")):
            return None
        return i

    def current(self, i: int) -> dict[str, Any] | None:
        """Card ``i`` as the source holds it now, or None when removed."""
        with self._lock:
            position = self._last.get(i, i)
        change = self.change(position)
        return None if change.removed else self.row(i, position)

    def gateway_code(self, i: int) -> str:
        """The maKetQua the simulated gateway answers for card ``i`` (when name and birth
        date match)."""
        special = i % 97
        if special < len(SPECIAL_CODES):
            return SPECIAL_CODES[special]
        row = self.row(i)
        status = row["trangThai"]
        if status == "revoked":
            return "110"
        if status == "deregistered":
            return "12" + str((i // 50) % 5)
        if row["maTheMoi"]:
            return "003" if row["gtTheDen"] == self.validity.replaced[1] else "004"
        if row["gtTheDen"] == self.validity.expired[1]:
            return "010"
        return "000"

    def row(self, i: int, version: int | None = None) -> dict[str, Any]:
        """Card ``i`` as a feed record (the gateway's field names, docs/domain.md §5).

        ``version`` is the log position of its last change; it changes the address and the
        validity so an update is visible.
        """
        return dict(zip(FIELDS, self.fields(i, version), strict=True))

    def row_json(self, i: int, version: int | None = None) -> str:
        """:meth:`row` as compact JSON text, built directly (the feed's hot path: about three
        times faster than a dict through ``json.dumps``). The synthetic tables hold no
        character that JSON must escape."""
        return _TEMPLATE % self.fields(i, version)

    def fields(self, i: int, version: int | None = None) -> tuple[Any, ...]:
        """The values of :data:`FIELDS` for card ``i`` at ``version``."""
        h = _mix(self.seed, i)
        v = i if version is None else version
        area, place = _PLACES[(h >> 8) % len(_PLACES)]
        obj, level = _OBJECTS[i % len(_OBJECTS)]
        bhxh = f"{area}{(i * _PERM + self.seed) % 10**8:08d}"
        female = (h >> 12) & 1 == 1
        middles, givens = _FEMALE if female else _MALE
        family = FAMILY_NAMES[(h >> 13) % len(FAMILY_NAMES)]
        middle = middles[(h >> 18) % len(middles)]
        given = givens[(h >> 22) % len(givens)]
        name = f"{family} {middle} {given}"
        if (h >> 28) % 7 == 0:
            name = f"{family} {middles[(h >> 31) % len(middles)]} {middle} {given}"
        birth = _BIRTHS[(h >> 34) % len(_BIRTHS)]
        if (h >> 50) % 9 == 0:
            birth = birth[6:]  # year only, as many cards print it
        kind = i % 50
        status = "active"
        validity = self.validity
        valid_from, valid_to = validity.periods[(h + v) % len(validity.periods)]
        new: tuple[str, str, str, str] = ("", "", "", "")
        if kind == 7:
            status = "revoked"
        elif kind == 13:
            status = "deregistered"
        elif kind in (3, 23):
            valid_from, valid_to = validity.expired
        elif kind == RENEWED_KIND:
            # renewed under the same number: the old window is over, the gateway answers 000
            # with the new one in gtTheTuMoi/gtTheDenMoi and no maTheMoi
            valid_from, valid_to = validity.replaced
            new = ("", *validity.new_card, "")
        elif kind in (5, 30):
            if kind == 5:
                valid_from, valid_to = validity.replaced
            new_obj, new_level = _OBJECTS[(i + 1) % len(_OBJECTS)]
            new = (
                f"{new_obj}{new_level}{area}{bhxh}",
                *validity.new_card,
                _FACILITIES[(h >> 40) % len(_FACILITIES)],
            )
        short = (h >> 44) % 10 == 0  # 2021-form card: the 10-digit number is the whole number
        has_id = (h >> 48) % 8 != 0
        century = 2000 if birth[-4:] >= "2000" else 1900
        gender_digit = (0 if century == 1900 else 2) + (1 if female else 0)
        cccd = f"0{area}{gender_digit}{(i * _PERM + self.seed) % 10**8:08d}" if has_id else ""
        street = STREETS[(h >> 52) % len(STREETS)]
        return (
            bhxh if short else f"{obj}{level}{area}{bhxh}",
            bhxh,
            cccd,
            name,
            birth,
            "Nữ" if female else "Nam",
            f"Số {1 + v % 300} {street}, {place}",
            _FACILITIES[(h >> 56) % len(_FACILITIES)],
            valid_from,
            valid_to,
            level,
            status,
            *new,
            "" if (h >> 60) % 2 else validity.five_years,
        )

    def final_rows(self) -> Iterator[dict[str, Any]]:
        """Every card present at the end of the log, in index order (the sync's target)."""
        for i in range(self.cards):
            row = self.current(i)
            if row is not None:
                yield row
