"""Patients a kiosk sends to reception: why, in the patient's and in reception's words, the
masked hint that lets the desk recognise them, and the use case that raises the entry in the
central list and prints the reception ticket.

One list for the desk ("Chờ tiếp đón"): a "Gọi nhân viên" press and an error screen that ends
at the desk are both rows of it (``help_calls``, :class:`db.store.lobby.LobbyStore`). Each
row has a reception ticket number per local day, allocated by the central database like a
queue number, so two kiosks never print the same one.

While central does not answer, the ticket still prints, without a number ("Chưa có số – xin
đưa phiếu này cho nhân viên"): a number from the kiosk's journal would not be on the desk's
list (it is read from central) until a replay, so it would promise something the desk cannot
look up. The slip carries the reason, the kiosk and the time, which is what reception needs.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import NamedTuple, Protocol
from zoneinfo import ZoneInfo

from PIL.Image import Image

from kiosk.clock import Clock, local_day
from kiosk.outcome import Outcome, Reason, Status
from kiosk.ports import SlipPrinter, StoreError

log = logging.getLogger(__name__)


class SentReason(StrEnum):
    """Why a kiosk sent a patient to reception (the ``help_calls.reason`` column)."""

    NOT_FOUND = "not_found"  # the card is not in the cache
    EXPIRED = "expired"
    REJECTED = "rejected"  # another refusal (revoked, not yet valid…): detail the kiosk's reason
    GATEWAY = "gateway"  # the insurance gateway's code (detail: "052")
    BIRTH_YEAR_LIMIT = "birth_year_limit"  # too many wrong birth years for a bare code
    HELD = "held"  # central refused the check-in's record: held for staff
    CAMERA_LOST = "camera_lost"
    HELP = "help"  # "Gọi nhân viên" pressed
    UNAVAILABLE = "unavailable"  # the database did not answer
    OTHER = "other"  # any other reception outcome (detail: the kiosk's reason)


class Words(NamedTuple):
    """One reason in words: for the patient on the ticket (Vietnamese, English) and for
    reception ({kiosk}: the kiosk's id, {detail}: the code)."""

    vi: str
    en: str
    staff: str


#: each reason in the patient's words and in the words reception uses
WORDS: dict[SentReason, Words] = {
    SentReason.NOT_FOUND: Words(
        "Thẻ chưa có trong dữ liệu của bệnh viện",
        "The card is not in the hospital's records",
        "Thẻ chưa có trong dữ liệu",
    ),
    SentReason.EXPIRED: Words(
        "Thẻ BHYT đã hết hạn", "The insurance card has expired", "Thẻ hết hạn"
    ),
    SentReason.REJECTED: Words(
        "Thẻ chưa dùng được hôm nay", "The card cannot be used today", "Thẻ bị từ chối"
    ),
    SentReason.GATEWAY: Words(
        "Cổng BHXH chưa xác nhận thẻ (mã {detail})",
        "The insurance gateway did not confirm the card (code {detail})",
        "Cổng BHXH trả mã {detail}",
    ),
    SentReason.BIRTH_YEAR_LIMIT: Words(
        "Năm sinh chưa khớp – nhân viên sẽ kiểm tra giúp",
        "The birth year did not match: staff will check it",
        "Quá số lần nhập năm sinh",
    ),
    SentReason.HELD: Words(
        "Lượt đăng ký cần nhân viên xác nhận",
        "The check-in needs a staff member to confirm it",
        "Lượt bị giữ",
    ),
    SentReason.CAMERA_LOST: Words(
        "Máy quét của kiosk đang không hoạt động",
        "The kiosk's scanner is not working",
        "Máy ảnh kiosk {kiosk} mất tín hiệu",
    ),
    SentReason.HELP: Words(
        "Ông/Bà đã gọi nhân viên",
        "You asked for a staff member",
        "Bấm Gọi nhân viên ở kiosk {kiosk}",
    ),
    SentReason.UNAVAILABLE: Words(
        "Kiosk đang mất kết nối",
        "The kiosk lost its connection",
        "Kiosk {kiosk} mất kết nối cơ sở dữ liệu",
    ),
    SentReason.OTHER: Words(
        "Nhân viên tiếp đón sẽ hỗ trợ Ông/Bà",
        "Reception will help you",
        "Kiosk chuyển đến tiếp đón",
    ),
}

_GATEWAY_CODE = re.compile(r"\bgateway (\d{3})\b")
_CACHE_DECIDED = "decided from the cached record"  # a gateway code the cache overruled
_EXPIRED = frozenset({Reason.CARD_EXPIRED, Reason.EXPIRY_UNCONFIRMED})
_BY_REASON = {
    Reason.BIRTH_YEAR_WRONG: SentReason.BIRTH_YEAR_LIMIT,
    Reason.RECORD_REFUSED: SentReason.HELD,
    Reason.DATABASE_UNAVAILABLE: SentReason.UNAVAILABLE,
    Reason.CARD_NOT_FOUND: SentReason.NOT_FOUND,
}
_HINT_INITIALS = 5  # letters of initials at most (a hint, not a name)


@dataclass(frozen=True)
class Referral:
    """Why one patient goes to reception: the reason, its detail, the masked hint."""

    reason: SentReason
    detail: str = ""
    hint: str = ""


#: the referral of a "Gọi nhân viên" press: no detail, no hint
ASKED_FOR_HELP = Referral(SentReason.HELP)


def referral_of(outcome: Outcome) -> Referral:
    """The reason an outcome sends its patient to reception, with a masked hint of them."""
    reason, detail = _reason_of(outcome)
    return Referral(reason, detail[:32], hint_of(outcome))


def _reason_of(outcome: Outcome) -> tuple[SentReason, str]:
    if outcome.reason in _EXPIRED:
        return SentReason.EXPIRED, ""
    if outcome.reason in _BY_REASON:
        return _BY_REASON[outcome.reason], ""
    code = _GATEWAY_CODE.search(outcome.detail)
    if code is not None and _CACHE_DECIDED not in outcome.detail:
        return SentReason.GATEWAY, code.group(1)
    kiosk_reason = str(outcome.reason) if outcome.reason is not None else ""
    if outcome.status is Status.REJECTED:
        return SentReason.REJECTED, kiosk_reason
    return SentReason.OTHER, kiosk_reason


def patient_hint(name: str, number: str | None) -> str:
    """``"Lưu Thị Yến"``, ``"0123456789"`` → ``"L.T.Y. …6789"``: initials and the last four
    characters of the card's number, enough for reception to match the patient at the desk
    and nothing a stranger could use (never a whole name or number)."""
    words = [w for w in name.split() if w[:1].isalpha()]
    initials = "".join(f"{w[0].upper()}." for w in words[:_HINT_INITIALS])
    tail = f"…{number[-4:]}" if number and len(number) > 4 else ""
    return " ".join(p for p in (initials, tail) if p)


def hint_of(outcome: Outcome) -> str:
    """The masked hint of an outcome's patient ("" when the kiosk knows nothing of them)."""
    payload = outcome.payload
    name = str(getattr(payload, "name", "") or "")
    number = (
        getattr(payload, "card_number", None)
        or getattr(payload, "id_number", None)
        or getattr(payload, "code", None)
    )
    return patient_hint(name, str(number) if number else None)


def ticket_words(reason: SentReason, detail: str) -> tuple[str, str]:
    """The reason in plain words for the patient, in Vietnamese and English."""
    vi, en, _ = WORDS[reason]
    return vi.format(detail=detail), en.format(detail=detail)


def staff_words(reason: str, detail: str, kiosk: str) -> str:
    """A stored reason in reception's words ("Cổng BHXH trả mã 052", "Bấm Gọi nhân viên ở
    kiosk K2"); an unknown code is shown as it is."""
    try:
        known = SentReason(reason)
    except ValueError:
        return reason
    return WORDS[known].staff.format(detail=detail, kiosk=kiosk)


@dataclass(frozen=True)
class SentEntry:
    """One row of the desk's list: a patient a kiosk sent to reception."""

    id: int
    ticket: int | None
    kiosk_id: str
    screen: str
    reason: str
    detail: str
    hint: str
    raised_at: datetime  # UTC
    answered_at: datetime | None = None
    answered_by: str | None = None


class ReceptionList(Protocol):
    """The central list of patients sent to reception (:class:`db.store.lobby.LobbyStore`)."""

    def send_to_reception(
        self, kiosk_id: str, screen: str, day: date, referral: Referral = ASKED_FOR_HELP
    ) -> SentEntry:
        """Add a row with the day's next reception ticket number. Raises StoreError."""
        ...


TICKET_CODE = re.compile(r"^RT-(\d{8})-(\d{1,6})$")


def ticket_code(day: date, number: int | None) -> str:
    """What the ticket's QR code holds: ``RT-20261125-7`` (``…-0`` for a ticket with no
    number). Only capitals, digits and dashes, which a handheld scanner types unchanged even
    with a Vietnamese Telex input method on."""
    return f"RT-{day:%Y%m%d}-{number or 0}"


def parse_ticket_code(text: str) -> tuple[date, int] | None:
    """``"RT-20261125-7"`` → (25/11/2026, 7); ``…-0`` → (day, 0); anything else None."""
    found = TICKET_CODE.match(text.strip().upper())
    if found is None:
        return None
    raw = found.group(1)
    try:
        day = date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    except ValueError:
        return None
    return day, int(found.group(2))


@dataclass(frozen=True)
class ReceptionTicket:
    """A reception ticket as printed: ``number`` None when central did not answer."""

    number: int | None
    day: date
    at: datetime  # UTC
    kiosk_id: str
    referral: Referral

    @property
    def code(self) -> str:
        return ticket_code(self.day, self.number)


@dataclass(frozen=True)
class IssuedTicket:
    """What "Đến quầy" did: the ticket, and whether its slip came out of the printer."""

    ticket: ReceptionTicket
    printed: bool


class TicketDesk:
    """The use case behind "Đến quầy": the entry in central's list, then the printed ticket.

    ``render`` lays the ticket out and draws it (:func:`kiosk.reception_ticket.ticket_image`
    with the kiosk's paper and fonts); ``printer`` is the kiosk's slip printer.
    """

    def __init__(
        self,
        sent: ReceptionList,
        *,
        printer: SlipPrinter,
        render: Callable[[ReceptionTicket], Image],
        clock: Clock,
        zone: ZoneInfo,
        kiosk_id: str,
    ) -> None:
        self._sent = sent
        self._printer = printer
        self._render = render
        self._clock = clock
        self._zone = zone
        self._kiosk_id = kiosk_id

    def issue(self, referral: Referral, screen: str) -> IssuedTicket:
        """Raise the entry (the day's ticket number) and print the ticket; never raises. With
        central down the ticket prints without a number."""
        day = local_day(self._clock, self._zone)
        number: int | None = None
        try:
            entry = self._sent.send_to_reception(self._kiosk_id, screen, day, referral)
            number = entry.ticket
        except StoreError as error:
            log.warning("reception list unavailable, ticket printed without a number: %s", error)
        ticket = ReceptionTicket(number, day, self._clock.now(), self._kiosk_id, referral)
        try:
            image = self._render(ticket)
        except Exception:  # a font missing: the patient still has the screen's number
            log.exception("reception ticket could not be drawn")
            return IssuedTicket(ticket, printed=False)
        result = self._printer.print_image(image, f"reception-{ticket.code}")
        return IssuedTicket(ticket, printed=result.ok)
