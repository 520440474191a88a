"""What a check-in slip says, as data: a pure function from a check-in to lines of text.

The layout decides the content, its order and its emphasis (docs/domain.md, the slip);
``kiosk.slip_render`` turns it into pixels for a given paper width. Nothing here reads a clock,
a file or a printer, so the same check-in always gives the same slip.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from zoneinfo import ZoneInfo

from kiosk.calling import Place
from kiosk.model import CheckIn, Clinic, Gender, Verification
from kiosk.outcome import route_text, says_benefit, share_text
from kiosk.settings import HospitalSettings

TITLE = "PHIẾU KHÁM BỆNH"
WAIT = "Vui lòng chờ tới lượt khám"
WAIT_AT = "Mời Ông/Bà đến {room}, chờ gọi số {number}"
REPRINT = "IN LẠI"
COPAY_EXEMPT = "Miễn cùng chi trả từ {day}"  # Decree 188/2025 Art. 18 cl. 2
# Under an offline number ("A-3"), so clinic staff do not doubt a number unlike the others.
OFFLINE_NOTE = "Số thứ tự hợp lệ (cấp khi mạng gián đoạn)"
PRIORITY_NOTE = "Ư – Ưu tiên khám"  # Luật KBCB 2023 Art. 3 cl. 2 (docs/domain.md §13)
AHEAD = "Trước Ông/Bà còn {ahead} người – chờ khoảng {lo}–{hi} phút"
VERIFICATION_TEXT = {
    Verification.ONLINE: "Đã kiểm tra trực tuyến",
    Verification.CACHE: "Kiểm tra theo dữ liệu lưu tại bệnh viện",
}
GENDER_TEXT = {Gender.MALE: "Nam", Gender.FEMALE: "Nữ"}
# Every Vietnamese letter with a diacritic, in both cases: the test page prints them all.
VIETNAMESE_LETTERS = (
    "aàáảãạ ăằắẳẵặ âầấẩẫậ eèéẻẽẹ êềếểễệ iìíỉĩị oòóỏõọ ôồốổỗộ ơờớởỡợ uùúủũụ ưừứửữự yỳýỷỹỵ đ"
)


class Size(StrEnum):
    """The size class of a line; the renderer maps each to a font size for the paper width."""

    HEADER = "header"
    TITLE = "title"
    NUMBER = "number"
    BODY = "body"
    SMALL = "small"


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclass(frozen=True)
class SlipLine:
    """One paragraph of text; the renderer wraps it to the paper width."""

    text: str
    size: Size = Size.BODY
    bold: bool = False
    align: Align = Align.LEFT
    inverse: bool = False  # white on a black band, for what must not be missed ("IN LẠI")


@dataclass(frozen=True)
class SlipRule:
    """A horizontal separator; ``ruler`` draws millimetre ticks across the whole paper width."""

    ruler: bool = False


@dataclass(frozen=True)
class SlipCode:
    """A QR code reception scans to find the check-in."""

    payload: str


SlipItem = SlipLine | SlipRule | SlipCode


@dataclass(frozen=True)
class Slip:
    """A slip as an ordered list of items, top to bottom."""

    items: tuple[SlipItem, ...]
    reprint: bool = False

    @property
    def lines(self) -> tuple[SlipLine, ...]:
        """The text items only."""
        return tuple(item for item in self.items if isinstance(item, SlipLine))

    @property
    def code_payload(self) -> str | None:
        """The payload of the slip's QR code, if it has one."""
        return next((item.payload for item in self.items if isinstance(item, SlipCode)), None)

    def text(self) -> str:
        """All text lines joined by newlines (for logs of tests and for search)."""
        return "\n".join(line.text for line in self.lines)


def _dmy(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def _nfc(text: str) -> str:
    # Names decoded from QR codes may arrive decomposed (NFD); fonts render precomposed letters.
    return unicodedata.normalize("NFC", " ".join(text.split()))


def _validity(valid_from: date | None, valid_to: date | None) -> str | None:
    if valid_from and valid_to:
        return f"Hạn thẻ: {_dmy(valid_from)} – {_dmy(valid_to)}"
    if valid_from:
        return f"Hạn thẻ: từ {_dmy(valid_from)}"
    if valid_to:
        return f"Hạn thẻ: đến {_dmy(valid_to)}"
    return None


def _priority_lines(place: Place | None) -> list[SlipItem]:
    """``Ư`` under the number of a priority patient."""
    if place is None or place.priority is None:
        return []
    return [SlipLine(PRIORITY_NOTE, Size.BODY, True, Align.CENTER, True)]


def _ahead_lines(place: Place | None) -> list[SlipItem]:
    """The people ahead and the likely wait, last on the slip."""
    if place is None:
        return []
    lo, hi = place.wait_minutes
    text = AHEAD.format(ahead=place.ahead, lo=lo, hi=hi)
    return [SlipLine(_nfc(text), Size.BODY, False, Align.CENTER, False)]


def layout_slip(
    checkin: CheckIn,
    clinic: Clinic | None,
    hospital: HospitalSettings,
    zone: ZoneInfo,
    *,
    reprint: bool = False,
    card_number: str = "last4",
    place: Place | None = None,
) -> Slip:
    """The slip of one check-in; ``clinic`` None prints the clinic code (an unknown clinic).

    ``place``, when central could say, is where the check-in stands in its clinic's queue: a
    priority number is marked ``Ư``, and the people ahead and the likely wait are printed.

    ``card_number`` "last4" prints the card number as ``…3456`` (the slip is left on chairs
    and in bins), "full" prints it whole (``privacy.slip_card_number``).
    """
    patient = checkin.patient
    items: list[SlipItem] = []

    def line(
        text: str | None,
        size: Size = Size.BODY,
        *,
        bold: bool = False,
        align: Align = Align.LEFT,
        inverse: bool = False,
    ) -> None:
        if text and text.strip():  # a missing field is simply left out
            items.append(SlipLine(_nfc(text), size, bold, align, inverse))

    if reprint:
        line(REPRINT, Size.TITLE, bold=True, align=Align.CENTER, inverse=True)
    line(hospital.department, Size.HEADER, align=Align.CENTER)
    line(hospital.name, Size.HEADER, bold=True, align=Align.CENTER)
    items.append(SlipRule())
    line(TITLE, Size.TITLE, bold=True, align=Align.CENTER)
    line("Số thứ tự", Size.SMALL, align=Align.CENTER)
    line(checkin.slip_label, Size.NUMBER, bold=True, align=Align.CENTER)  # what rooms call
    if checkin.offline:
        line(OFFLINE_NOTE, Size.SMALL, align=Align.CENTER)
    items += _priority_lines(place)
    if clinic is not None:
        line(clinic.name_vi, Size.TITLE, bold=True, align=Align.CENTER)
        # where to go, as big as the clinic's name: the lines a patient walks by. The room and
        # the floor are two lines: joined, the floor would wrap mid-phrase ("khu" / "A").
        room, floor = clinic.room.upper(), clinic.location_vi
        line(f"→ {room}" if room else None, Size.TITLE, bold=True, align=Align.CENTER)
        line(floor or None, Size.TITLE, bold=True, align=Align.CENTER)
    else:
        line(checkin.clinic_code, Size.TITLE, bold=True, align=Align.CENTER)
    items.append(SlipRule())

    line(patient.name, Size.BODY, bold=True)
    born = f"Năm sinh: {patient.birth.year}" if patient.birth else ""
    gender = f"Giới tính: {GENDER_TEXT[patient.gender]}" if patient.gender else ""
    line(" – ".join(p for p in (born, gender) if p))
    if patient.card_number:
        number = patient.card_number
        line(f"Thẻ BHYT: {number if card_number == 'full' else '…' + number[-4:]}", bold=True)
    line(f"Nơi ĐKKCB: {patient.facility_code}" if patient.facility_code else None)
    line(_validity(patient.valid_from, patient.valid_to))
    items += _benefit_lines(checkin)
    line(VERIFICATION_TEXT.get(checkin.verification), Size.SMALL)
    items.append(SlipRule())

    local = checkin.created_at.astimezone(zone)
    line(f"Ngày giờ: {local:%d/%m/%Y %H:%M}", Size.TITLE)
    line(f"Máy: {checkin.kiosk_id}", Size.SMALL)
    items.append(SlipCode(checkin.id))
    room = clinic.room if clinic is not None else ""
    footer = WAIT
    if room:  # "Phòng 101" → "…đến phòng 101, chờ gọi số 12"
        footer = WAIT_AT.format(room=room[:1].lower() + room[1:], number=checkin.queue_number)
    line(footer, Size.BODY, bold=True, align=Align.CENTER)
    items += _ahead_lines(place)
    return Slip(tuple(items), reprint=reprint)


def _benefit_lines(checkin: CheckIn) -> list[SlipItem]:
    """How the patient came, then the share or "reception confirms" (docs/domain.md, slip);
    none for a check-in whose slip says nothing of a benefit."""
    if not says_benefit(checkin):
        return []
    texts = [
        (route_text(checkin.route, "vi") if checkin.route else None, False),
        (share_text(checkin.benefit_percent, "vi"), True),
    ]
    if checkin.copay_exempt_from is not None:  # five years, co-payment over the threshold
        texts.append((COPAY_EXEMPT.format(day=f"{checkin.copay_exempt_from:%d/%m/%Y}"), False))
    return [SlipLine(_nfc(text), Size.BODY, bold) for text, bold in texts if text and text.strip()]


def print_test_slip(hospital: HospitalSettings, printer_label: str) -> Slip:
    """The page of ``kiosk-admin print-test``: the header, every Vietnamese letter, a ruler."""
    letters = _nfc(VIETNAMESE_LETTERS)
    items: list[SlipItem] = [
        SlipLine(_nfc(text), Size.HEADER, bold=bold, align=Align.CENTER)
        for text, bold in ((hospital.department, False), (hospital.name, True))
        if text.strip()
    ]
    items += [
        SlipRule(),
        SlipLine("TRANG IN THỬ", Size.TITLE, bold=True, align=Align.CENTER),
        SlipLine(letters, Size.BODY),
        SlipLine(letters.upper(), Size.BODY),
        SlipLine(letters.upper(), Size.BODY, bold=True),
        SlipLine(_nfc(printer_label), Size.SMALL),
        SlipRule(ruler=True),
        SlipLine("Thước đo: vạch nhỏ 1 mm, vạch lớn 10 mm", Size.SMALL, align=Align.CENTER),
    ]
    return Slip(tuple(items))
