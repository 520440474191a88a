"""The domain model: what a patient shows, what the cache knows, what a check-in is.

Every type here is a frozen dataclass or an enum, free of IO, shared by every package.
The facts behind the fields are in ``docs/domain.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
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

    def _parts(self) -> list[str]:
        """Year, then month and day as far as they are known, zero-padded."""
        known = [(self.year, 4), (self.month, 2), (self.day if self.month else None, 2)]
        return [f"{value:0{width}d}" for value, width in known if value is not None]

    def iso(self) -> str:
        """``YYYY-MM-DD``, ``YYYY-MM`` (month and year only) or ``YYYY`` (year only)."""
        return "-".join(self._parts())

    def display(self) -> str:
        """``dd/MM/yyyy``, ``MM/yyyy`` or ``yyyy``, the way Vietnamese documents write it."""
        return "/".join(reversed(self._parts()))

    @classmethod
    def from_iso(cls, text: str) -> BirthDate:
        """The inverse of :meth:`iso` (used by storage and JSON)."""
        if len(text) == 4:
            return cls(int(text))
        if len(text) == 7:
            return cls(int(text[:4]), int(text[5:7]))
        value = date.fromisoformat(text)
        return cls(value.year, value.month, value.day)


class CodeKind(StrEnum):
    """What a bare typed or scanned code is, by its shape."""

    BHXH_NUMBER = "bhxh"  # 10 digits: mã số BHXH (the whole number on 2021-form cards)
    ID_NUMBER = "cccd"  # 12 digits: citizen ID number
    CARD_NUMBER = "card"  # 15 characters: the older card number
    CARD_WITH_ID = "card_id"  # 17 characters: object code, level, area, 12-digit personal ID


@dataclass(frozen=True)
class BhytPayload:
    """A BHYT card or VssID QR payload (docs/domain.md §2), decoded field by field."""

    raw: str
    # exactly as in the QR: 15 characters, 10 digits on 2021-form cards, 12 digits (the
    # personal ID) or 17 characters (object code, level, area and the 12-digit personal ID)
    card_number: str
    bhxh_number: str  # the last 10 characters of a 10- or 15-character number; else ""
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
    unknown_object_code: bool = False  # well-formed letters not in kiosk.object_codes
    id_number: str | None = None  # the personal ID a 12- or 17-character number carries

    @property
    def lookup_key(self) -> str:
        """The code to find this card with, in the cache and at the gateway (whose ``maThe``
        takes 10, 12 or 15 characters: a 17-character number is asked by its personal ID)."""
        if len(self.card_number) == 17 and self.id_number:
            return self.id_number
        return self.card_number

    @property
    def lookup_keys(self) -> tuple[str, ...]:
        """Every code this card may be cached under, the most specific first: a renewed card
        keeps its BHXH number when its object code or level changes."""
        if self.bhxh_number and self.bhxh_number != self.card_number:
            return (self.card_number, self.bhxh_number)
        return (self.lookup_key,)


@dataclass(frozen=True)
class CccdPayload:
    """The QR of a chip citizen ID card (docs/domain.md §4): identity only, no insurance data."""

    raw: str
    id_number: str  # 12 digits
    old_id_number: str | None  # 9-digit CMND, often empty
    name: str
    birth: BirthDate | None
    gender: Gender | None
    address: str | None
    issued_on: date | None
    extra: tuple[str, ...] = ()  # fields 8.. of the longer variants, kept as read
    # further 12-digit ID numbers found in field 1 of a căn cước (cancelled earlier numbers)
    other_ids: tuple[str, ...] = ()

    @property
    def lookup_key(self) -> str:
        return self.id_number

    @property
    def lookup_keys(self) -> tuple[str, ...]:
        """The citizen ID first (it is the health ID since Decree 102/2025, docs/domain.md),
        then any earlier ID number the card lists, under which an older record may be kept."""
        return (self.id_number, *self.other_ids)


@dataclass(frozen=True)
class CodePayload:
    """A bare code typed at a keypad or read from a 1D barcode."""

    raw: str
    code: str
    kind: CodeKind
    unknown_object_code: bool = False  # a 15-character number whose letters are not listed

    @property
    def lookup_key(self) -> str:
        """The code as the cache and the gateway take it: a 17-character number by the
        personal ID it ends with."""
        return self.code[5:] if self.kind is CodeKind.CARD_WITH_ID else self.code

    @property
    def lookup_keys(self) -> tuple[str, ...]:
        """The code, then (for a 15-character number) the BHXH number it ends with."""
        if self.kind is CodeKind.CARD_NUMBER and self.code[-10:].isdigit():
            return (self.code, self.code[-10:])
        return (self.lookup_key,)


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
    result_code: str | None = None  # maLoi: the gateway's answer to that check ("000", ...)


@dataclass(frozen=True)
class GatewayReply:
    """What the BHXH gateway answered for one card (docs/domain.md §5)."""

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
    INCOMPLETE = "incomplete"  # no birth date known: the gateway is not asked with an empty one
    SKIPPED = "skipped"  # the circuit breaker is open after repeated failures


@dataclass(frozen=True)
class GatewayFailure:
    """The gateway could not be asked; the cache decides."""

    kind: GatewayFailureKind
    detail: str = ""


class Route(StrEnum):
    """How the patient came to this hospital: the visit code that decides the fund's share.

    The codes are "mã đối tượng đến khám bệnh, chữa bệnh" of QĐ 3276/QĐ-BYT Appendix 1
    (docs/domain.md, route and benefit). The three tuyến values before 2025 stay readable for
    check-ins recorded before the 2025 rules.
    """

    REGISTERED = "1.1"  # at the facility of the card's registration
    PRIMARY_STATION = "1.2"  # a cấp ban đầu station: 100 % whatever the card's level
    REFERRAL = "1.3"  # phiếu chuyển cơ sở KCB
    RESIDENCE = "1.4"  # staying or living away from home (TT 01/2025 Art. 4)
    APPOINTMENT = "1.5"  # phiếu hẹn khám lại
    ORGAN_DONOR = "1.6"
    NEWBORN = "1.7"
    PRIMARY_OTHER = "1.11"  # another cấp ban đầu facility
    BASIC_UNDER_50 = "1.12"  # outpatient, cấp cơ bản under 50 points or provisional
    BASIC_50_70 = "1.13"  # outpatient, cấp cơ bản 50 to 70 points
    BASIC_FORMER_UPPER = "1.14"  # outpatient, cấp cơ bản, formerly provincial or central
    BASIC_INPATIENT = "1.15"
    BASIC_LISTED_DISEASE = "1.16"  # TT 01/2025 Appendix II
    SPECIALISED_LISTED_DISEASE = "1.17"  # TT 01/2025 Appendix I
    SPECIALISED_FORMER_PROVINCE = "1.18"  # outpatient, cấp chuyên sâu, formerly provincial
    EMERGENCY = "2"
    FORMER_CENTRAL = "3.1"  # cấp chuyên sâu, formerly central: 40 % inpatient, 0 % outpatient
    SPECIALISED_FORMER_PROVINCE_INPATIENT = "3.2"
    FORMER_DISTRICT = "3.3"
    HARDSHIP_INPATIENT = "3.6"  # ethnic minority / poor household in a hard area, islander
    # before 2025: kept so that older check-ins still read back
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
    rooms: tuple[str, ...] = ()  # the room codes calling from its queue; empty: see call_rooms

    def call_rooms(self) -> tuple[str, ...]:
        """The rooms that call from this clinic's queue: ``rooms``, else the digits of
        ``room`` (``"Phòng 101"`` → ``("101",)``)."""
        if self.rooms:
            return self.rooms
        digits = re.search(r"\d+", self.room)
        return (digits.group(),) if digits else ()

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
    # 100 % since this local date (five years and the year's co-payment over the threshold);
    # printed on the slip and kept in the checkins table (a reprint says it too)
    copay_exempt_from: date | None = None

    def checkin(self, checkin_id: str, queue_number: int, series: str = "") -> CheckIn:
        """The check-in this draft becomes once a store gave it an id and a number."""
        # Every field of the draft but its key is a field of the check-in, by the same name.
        facts = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "idempotency_key"}
        facts["created_at"] = self.created_at.astimezone(UTC)
        return CheckIn(id=checkin_id, queue_number=queue_number, series=series, **facts)


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
    # the slip's "Miễn cùng chi trả từ dd/MM/yyyy" (stored: a reprint prints it again)
    copay_exempt_from: date | None = None
    # The slip's label when it is not this check-in's own number: the offline label a kiosk
    # printed for a check-in central numbered too (a lost reply), or one another kiosk's offline
    # check-in had taken first (two kiosks with one prefix). The patient holds this one.
    printed_label: str | None = None

    @property
    def label(self) -> str:
        """The number as numbered: "12", or "A-3" for an offline number."""
        return f"{self.series}-{self.queue_number}" if self.series else str(self.queue_number)

    @property
    def slip_label(self) -> str:
        """The label on the patient's slip: the printed alias when there is one, else
        :attr:`label`. Rooms call by it."""
        return self.printed_label or self.label

    @property
    def shown_label(self) -> str:
        """The label for staff: ``"12 (A-1)"`` when the slip carries an alias, else
        :attr:`label`."""
        if self.printed_label and self.printed_label != self.label:
            return f"{self.label} ({self.printed_label})"
        return self.label

    @property
    def offline(self) -> bool:
        """True when the number came from the kiosk's offline series."""
        return bool(self.series)


@dataclass(frozen=True)
class Benefit:
    """The share the fund pays for this visit, and why (docs/domain.md, route and benefit).

    ``percent`` is the card's share (benefit level 1-5) times the route's share, rounded down;
    None when the kiosk cannot know the facts that decide it (a referral slip, an emergency, a
    listed disease, five continuous years over the co-payment threshold): reception confirms.
    """

    route: Route | None  # the visit code of the rule row that applies; None: no row applies
    percent: int | None
    route_percent: int | None  # the rule row's share of the card's share
    card_percent: int | None  # the card's own share (100, 95 or 80)
    rule: str  # the rule row's id, e.g. "1.13/2026-07-01"
    source: str  # the article it stands on
    reason: str  # why, in English, for logs and staff
    # five continuous years and the year's co-payment over the threshold: 100 % since this
    # local date, until 31 December (the slip says "Miễn cùng chi trả từ dd/MM/yyyy")
    copay_exempt_from: date | None = None
    # five continuous years on a full-share row and the year's co-payment not known: what
    # BHXH's co-payment look-up says would decide the share (kiosk.copay)
    copay_pending: bool = False


class CheckInFlag(StrEnum):
    """Why reception must look at a check-in."""

    # Replayed from an offline journal while the same card had checked in for the same clinic
    # at another kiosk meanwhile: the patient holds two numbers.
    DUPLICATE = "duplicate"
    # A kiosk's copy of a central check-in whose cancel waits for central (an outage): the
    # number stays valid until central takes the cancel.
    CANCEL_WAITING = "cancel_waiting"
    # Replayed from an offline journal while another kiosk with the same offline prefix had
    # put the same label in central for the same clinic and day: two slips say one label.
    # Both check-ins are kept and both carry this flag; the later one has a central number
    # and the printed label as its alias.
    LABEL_COLLISION = "label_collision"
