"""What a reception ticket says, as data: the slip a kiosk prints for a patient it sends to
reception ("Đến quầy"), drawn by :mod:`kiosk.slip_render` like the check-in slip.

Top to bottom: the hospital, "PHIẾU ĐẾN QUẦY TIẾP ĐÓN", the day's reception number (or, when
the central database did not answer, "Chưa có số" and what to do instead), the reason in plain
Vietnamese and English, the masked hint of the patient, the time and the kiosk, the QR code the
desk's handheld scanner reads to open the entry, and where to go.
"""

from __future__ import annotations

import unicodedata
from zoneinfo import ZoneInfo

from PIL.Image import Image

from kiosk.reception import ReceptionTicket, ticket_words
from kiosk.settings import Config, HospitalSettings
from kiosk.slip_layout import Align, Size, Slip, SlipCode, SlipItem, SlipLine, SlipRule
from kiosk.slip_render import SlipRenderer

TITLE = "PHIẾU ĐẾN QUẦY TIẾP ĐÓN"
TITLE_EN = "Reception ticket"
NUMBER = "Số tiếp đón"
NO_NUMBER = "CHƯA CÓ SỐ"
NO_NUMBER_SAY = (
    "Xin đưa phiếu này cho nhân viên tiếp đón",
    "No number: please show this slip to the reception staff",
)
GO = ("Mời Ông/Bà mang phiếu này đến quầy tiếp đón", "Please take this slip to reception")
WHERE = "Quầy tiếp đón: {where}"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split()))


def layout_ticket(
    ticket: ReceptionTicket,
    hospital: HospitalSettings,
    zone: ZoneInfo,
    where: str = "",
) -> Slip:
    """The reception ticket's slip; ``where`` names the reception desk ("" leaves it out)."""
    items: list[SlipItem] = []

    def line(
        text: str,
        size: Size = Size.BODY,
        *,
        bold: bool = False,
        align: Align = Align.LEFT,
        inverse: bool = False,
    ) -> None:
        if text.strip():
            items.append(SlipLine(_nfc(text), size, bold, align, inverse))

    line(hospital.department, Size.HEADER, align=Align.CENTER)
    line(hospital.name, Size.HEADER, bold=True, align=Align.CENTER)
    items.append(SlipRule())
    line(TITLE, Size.TITLE, bold=True, align=Align.CENTER)
    line(TITLE_EN, Size.SMALL, align=Align.CENTER)
    if ticket.number is not None:
        line(f"{NUMBER} / Reception no.", Size.SMALL, align=Align.CENTER)
        line(str(ticket.number), Size.NUMBER, bold=True, align=Align.CENTER)
    else:  # central did not answer: no number the desk could look up
        line(NO_NUMBER, Size.TITLE, bold=True, align=Align.CENTER, inverse=True)
        line(NO_NUMBER_SAY[0], Size.BODY, bold=True, align=Align.CENTER)
        line(NO_NUMBER_SAY[1], Size.SMALL, align=Align.CENTER)
    items.append(SlipRule())
    vi, en = ticket_words(ticket.referral.reason, ticket.referral.detail)
    line(f"Lý do: {vi}", Size.BODY, bold=True)
    line(f"Reason: {en}", Size.SMALL)
    if ticket.referral.hint:
        line(f"Người bệnh / Patient: {ticket.referral.hint}", Size.BODY)
    items.append(SlipRule())
    local = ticket.at.astimezone(zone)
    line(f"Ngày giờ: {local:%d/%m/%Y %H:%M}", Size.BODY)
    line(f"Máy / Kiosk: {ticket.kiosk_id}", Size.BODY)
    items.append(SlipCode(ticket.code))
    line(GO[0], Size.BODY, bold=True, align=Align.CENTER)
    line(GO[1], Size.SMALL, align=Align.CENTER)
    if where:
        line(WHERE.format(where=where), Size.BODY, bold=True, align=Align.CENTER)
    return Slip(tuple(items))


class TicketRenderer:
    """Draws reception tickets with the kiosk's paper width, fonts and hospital header (the
    fonts load once, as the check-in slip's do)."""

    def __init__(self, config: Config) -> None:
        self._config = config
        self._slips = SlipRenderer(config)

    def layout(self, ticket: ReceptionTicket) -> Slip:
        config = self._config
        return layout_ticket(
            ticket, config.hospital, config.kiosk.zone, config.kiosk.reception("vi")
        )

    def render(self, ticket: ReceptionTicket) -> Image:
        """The ticket as a 1-bit image at the configured paper width."""
        return self._slips.render_slip(self.layout(ticket))
