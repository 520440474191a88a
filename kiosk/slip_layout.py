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
from kiosk.outcome import addressed, route_text, says_benefit, share_text
from kiosk.settings import HospitalSettings

TITLE = "PHIẾU KHÁM BỆNH"
WAIT = "Vui lòng chờ tới lượt khám"
WAIT_AT = "Mời Ông/Bà đến {room}, chờ gọi số {number}"
# A slip whose share reception must confirm: the two places in the order to go to them.
STEP_RECEPTION = "1. Đến quầy tiếp đón để xác nhận phần BHYT chi trả"
STEP_ROOM = "2. Đến {room}, chờ gọi số {number}"
STEP_WAIT = "2. Chờ gọi số {number}"
REPRINT = "IN LẠI"
LAST4 = "Thẻ BHYT (4 số cuối): {last4}"
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


def _ahead_lines(place: Place | None, gender: Gender | None) -> list[SlipItem]:
    """The people ahead and the likely wait, last on the slip."""
    if place is None:
        return []
    lo, hi = place.wait_minutes
    text = addressed(AHEAD.format(ahead=place.ahead, lo=lo, hi=hi), gender)
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
        # where to go, right under the number, white on black at title size: the lines a
        # patient walks by. The room and the floor are two lines: joined, the floor would wrap
        # mid-phrase ("khu" / "A"). The clinic's name follows, smaller.
        room, floor = clinic.room.upper(), clinic.location_vi
        for where in (f"→ {room}" if room else None, floor or None):
            line(where, Size.TITLE, bold=True, align=Align.CENTER, inverse=True)
        line(clinic.name_vi, Size.BODY, bold=True, align=Align.CENTER)
    else:
        line(checkin.clinic_code, Size.TITLE, bold=True, align=Align.CENTER)
    items.append(SlipRule())

    line(patient.name, Size.BODY, bold=True)
    born = f"Năm sinh: {patient.birth.year}" if patient.birth else ""
    gender = f"Giới tính: {GENDER_TEXT[patient.gender]}" if patient.gender else ""
    line(" – ".join(p for p in (born, gender) if p))
    if patient.card_number:
        number = patient.card_number
        # the last four digits named as such: "…2019" alone reads like a year
        shown = f"Thẻ BHYT: {number}" if card_number == "full" else LAST4.format(last4=number[-4:])
        line(shown, bold=True)
    line(f"Nơi ĐKKCB: {patient.facility_code}" if patient.facility_code else None)
    line(_validity(patient.valid_from, patient.valid_to))
    items += _benefit_lines(checkin)
    line(VERIFICATION_TEXT.get(checkin.verification), Size.SMALL)
    items.append(SlipRule())

    local = checkin.created_at.astimezone(zone)
    line(f"Ngày giờ: {local:%d/%m/%Y %H:%M}", Size.TITLE)
    line(f"Máy: {checkin.kiosk_id}", Size.SMALL)
    items.append(SlipCode(checkin.id))
    items += _footer_lines(checkin, clinic)
    items += _ahead_lines(place, patient.gender)
    return Slip(tuple(items), reprint=reprint)


def _footer_lines(checkin: CheckIn, clinic: Clinic | None) -> list[SlipItem]:
    """Where to go and the number to wait for, under the code: one sentence, or, where
    reception confirms the share first, the two steps numbered (never two sentences at odds:
    "reception confirms" and "go to room 101")."""
    room = clinic.room if clinic is not None else ""
    room = room[:1].lower() + room[1:]  # "Phòng 101" → "…đến phòng 101, chờ gọi số 12"
    queue = checkin.queue_number
    if _reception_first(checkin):
        second = STEP_ROOM.format(room=room, number=queue) if room else ""
        texts = [STEP_RECEPTION, second or STEP_WAIT.format(number=queue)]
        return [SlipLine(_nfc(text), Size.BODY, True) for text in texts]
    footer = WAIT_AT.format(room=room, number=queue) if room else WAIT
    text = addressed(footer, checkin.patient.gender)
    return [SlipLine(_nfc(text), Size.BODY, True, Align.CENTER)]


def _reception_first(checkin: CheckIn) -> bool:
    """Whether reception must confirm the share before the clinic (a referral, a card the
    rules give no share): the slip then numbers the steps."""
    return says_benefit(checkin) and checkin.benefit_percent is None


def _benefit_lines(checkin: CheckIn) -> list[SlipItem]:
    """The share in plain words ("BHYT chi trả 80%"), then the visit code in small print
    (docs/domain.md, slip); none for a check-in whose slip says nothing of a benefit, and no
    share line where reception confirms it (the numbered steps at the foot say so)."""
    if not says_benefit(checkin):
        return []
    texts: list[tuple[str | None, Size, bool]] = []
    if not _reception_first(checkin):
        texts.append((share_text(checkin.benefit_percent, "vi"), Size.BODY, True))
    if checkin.copay_exempt_from is not None:  # five years, co-payment over the threshold
        day = f"{checkin.copay_exempt_from:%d/%m/%Y}"
        texts.append((COPAY_EXEMPT.format(day=day), Size.BODY, False))
    texts.append((route_text(checkin.route, "vi") if checkin.route else None, Size.SMALL, False))
    return [SlipLine(_nfc(text), size, bold) for text, size, bold in texts if text and text.strip()]


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
