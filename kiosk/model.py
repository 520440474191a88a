"""The domain model: what a patient shows, what the cache knows, what a check-in is.

Every type here is a frozen dataclass or an enum, free of IO, shared by every package.
The facts behind the fields are in ``shared/DOMAIN.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Gender(StrEnum):
    """Gender as printed on the card (BHYT field 3: 1 male, 2 female)."""

    MALE = "male"
    FEMALE = "female"


@dataclass(frozen=True)
class BirthDate:
    """A birth date that may be known to the year only (BHYT cards often carry just ``yyyy``)."""

    year: int
    month: int | None = None
    day: int | None = None

    def iso(self) -> str:
        """``YYYY-MM-DD``, or ``YYYY`` when only the year is known."""
        if self.month is None or self.day is None:
            return f"{self.year:04d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def display(self) -> str:
        """``dd/MM/yyyy`` or ``yyyy``, the way Vietnamese documents write it."""
        if self.month is None or self.day is None:
            return f"{self.year:04d}"
        return f"{self.day:02d}/{self.month:02d}/{self.year:04d}"

    @classmethod
    def from_iso(cls, text: str) -> BirthDate:
        """The inverse of :meth:`iso` (used by storage and JSON)."""
        if len(text) == 4:
            return cls(int(text))
        value = date.fromisoformat(text)
        return cls(value.year, value.month, value.day)


class CodeKind(StrEnum):
    """What a bare typed or scanned code is, by its shape."""

    BHXH_NUMBER = "bhxh"  # 10 digits: mã số BHXH (the whole number on 2021-form cards)
    ID_NUMBER = "cccd"  # 12 digits: citizen ID number
    CARD_NUMBER = "card"  # 15 characters: the older card number


@dataclass(frozen=True)
class BhytPayload:
    """A BHYT card or VssID QR payload (DOMAIN.md §2), decoded field by field."""

    raw: str
    card_number: str  # exactly as in the QR: 15 characters, or 10 digits on 2021-form cards
    bhxh_number: str  # the last 10 characters of the card number
    name: str
    birth: BirthDate | None
    gender: Gender | None
    facility_code: str | None  # 5 characters, e.g. "79024"
    valid_from: date | None
    valid_to: date | None  # None on 2021-form cards: the cache or the gateway decides
    issued_on: date | None = None
    address: str | None = None
    management_code: str | None = None
    parent_name: str | None = None
    residence_code: str | None = None
    five_years_from: date | None = None
    check_string: str | None = None
    benefit_level: int | None = None  # the digit of a 15-char number, else field 14
    issuing_place: str | None = None

    @property
    def lookup_key(self) -> str:
        """The code to find this card in the cache with."""
        return self.card_number


@dataclass(frozen=True)
class CccdPayload:
    """The QR of a chip citizen ID card (DOMAIN.md §4): identity only, no insurance data."""

    raw: str
    id_number: str  # 12 digits
    old_id_number: str | None  # 9-digit CMND, often empty
    name: str
    birth: BirthDate | None
    gender: Gender | None
    address: str | None
    issued_on: date | None
    extra: tuple[str, ...] = ()  # fields 8.. of the 11-field variant, kept as read

    @property
    def lookup_key(self) -> str:
        return self.id_number


@dataclass(frozen=True)
class CodePayload:
    """A bare code typed at a keypad or read from a 1D barcode."""

    raw: str
    code: str
    kind: CodeKind

    @property
    def lookup_key(self) -> str:
        return self.code


Payload = BhytPayload | CccdPayload | CodePayload


class CardStatus(StrEnum):
    """The administrative state of a card in the cache (from the feed or the gateway)."""

    ACTIVE = "active"
    REVOKED = "revoked"  # thu hồi (gateway 110)
    DEREGISTERED = "deregistered"  # báo giảm (gateway 120-124)


@dataclass(frozen=True)
class ReplacementCard:
    """The new card issued in place of this one (gateway fields maTheMoi, gtTheTuMoi, ...)."""

    card_number: str
    valid_from: date | None
    valid_to: date | None
    facility_code: str | None = None
    facility_name: str | None = None


@dataclass(frozen=True)
class CardRecord:
    """One insurance card as the local cache knows it."""

    card_number: str  # 15 characters when known, else the 10-digit number
    bhxh_number: str  # 10 digits
    name: str
    birth: BirthDate | None
    gender: Gender | None
    facility_code: str | None
    valid_from: date | None
    valid_to: date | None
    benefit_level: int | None = None
    area_code: str | None = None  # characters 4-5 of a 15-char number
    id_number: str | None = None  # CCCD number when the feed or gateway gave it
    address: str | None = None
    status: CardStatus = CardStatus.ACTIVE
    replacement: ReplacementCard | None = None
    five_years_from: date | None = None
    source: str = "import"  # "import", "feed", "gateway", "staff"
    updated_at: datetime | None = None  # UTC
    verified_online_at: datetime | None = None  # UTC


@dataclass(frozen=True)
class Visit:
    """One treatment episode from the gateway history (dsLichSuKCB2018)."""

    facility_code: str
    admitted_at: datetime | None  # ngayVao, hospital local time made aware
    discharged_at: datetime | None  # ngayRa


@dataclass(frozen=True)
class CardCheck:
    """One earlier look-up of the card at some facility (dsLichSuKT2018)."""

    user: str  # userKT: the facility account that checked, e.g. "79024_BV"
    checked_at: datetime | None  # thoiGianKT
    message: str | None = None


@dataclass(frozen=True)
class GatewayReply:
    """What the BHXH gateway answered for one card (DOMAIN.md §5)."""

    code: str  # maKetQua: "000", "003", "010", ...
    note: str | None  # ghiChu
    card: CardRecord | None  # the card as the gateway describes it, with any replacement
    visits: tuple[Visit, ...] = ()
    checks: tuple[CardCheck, ...] = ()


class GatewayFailureKind(StrEnum):
    """Why no reply came back from the gateway in time."""

    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"
    AUTH = "auth"  # token refused twice (401)
    BAD_REPLY = "bad_reply"  # truncated, not JSON, too large
    NOT_CONFIGURED = "not_configured"


@dataclass(frozen=True)
class GatewayFailure:
    """The gateway could not be asked; the cache decides."""

    kind: GatewayFailureKind
    detail: str = ""


class Route(StrEnum):
    """Tuyến: decides the share the fund pays (DOMAIN.md §6)."""

    CORRECT = "dung_tuyen"
    OPEN = "thong_tuyen"
    OUTSIDE = "trai_tuyen"


class Verification(StrEnum):
    """Where the decision about the card came from; the slip says so."""

    ONLINE = "online"
    CACHE = "cache"
    NONE = "none"  # no record anywhere (only for staff overrides)


class PrintState(StrEnum):
    """Whether the slip of a check-in reached the patient's hand."""

    PENDING = "pending"
    PRINTED = "printed"
    FAILED = "failed"  # marked for reprint at reception


@dataclass(frozen=True)
class Clinic:
    """A clinic (department) a patient can queue for."""

    code: str
    name_vi: str
    name_en: str
    room: str
    location_vi: str
    location_en: str
    open_hours: tuple[tuple[str, str], ...] = (("00:00", "24:00"),)  # local "HH:MM" ranges
    room_en: str = ""  # the room as English screens say it; empty: as the sign on the door

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi

    def room_name(self, lang: str) -> str:
        return (self.room_en or self.room) if lang == "en" else self.room

    def location(self, lang: str) -> str:
        return self.location_en if lang == "en" else self.location_vi


@dataclass(frozen=True)
class PatientSnapshot:
    """The patient fields printed on the slip and kept with the check-in."""

    name: str
    birth: BirthDate | None
    gender: Gender | None
    card_number: str | None
    bhxh_number: str | None
    id_number: str | None
    facility_code: str | None
    valid_from: date | None
    valid_to: date | None
    benefit_level: int | None


@dataclass(frozen=True)
class CheckInDraft:
    """Everything needed to commit a check-in; the store adds the id, number and time."""

    idempotency_key: str
    local_day: date
    clinic_code: str
    patient: PatientSnapshot
    status: str  # the outcome status that let the patient in ("accepted" or "override")
    reason: str | None
    route: Route | None
    benefit_percent: int | None
    verification: Verification
    kiosk_id: str
    created_at: datetime  # UTC
    staff_name: str | None = None
    override_reason: str | None = None


@dataclass(frozen=True)
class CheckIn:
    """A committed check-in: a queue number given to one patient for one clinic on one day."""

    id: str
    local_day: date
    clinic_code: str
    queue_number: int
    patient: PatientSnapshot
    status: str
    reason: str | None
    route: Route | None
    benefit_percent: int | None
    verification: Verification
    kiosk_id: str
    created_at: datetime  # UTC
    print_state: PrintState = PrintState.PENDING
    cancelled: bool = False
    staff_name: str | None = None
    override_reason: str | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    # "" for a number the central database gave; else the kiosk's offline prefix ("A" in
    # "A-3"): numbered from the kiosk's own journal while central could not be reached.
    series: str = ""
    flag: str | None = None  # "duplicate": reception must look (see CheckInFlag)

    @property
    def label(self) -> str:
        """The number as printed and shown: "12", or "A-3" for an offline number."""
        return f"{self.series}-{self.queue_number}" if self.series else str(self.queue_number)

    @property
    def offline(self) -> bool:
        """True when the number came from the kiosk's offline series."""
        return bool(self.series)


class CheckInFlag(StrEnum):
    """Why reception must look at a check-in."""

    # Replayed from an offline journal while the same card had checked in for the same clinic
    # at another kiosk meanwhile: the patient holds two numbers.
    DUPLICATE = "duplicate"
