"""The screens of a patient the kiosk sends to reception with a ticket.

- :class:`TicketScreen`: the reception ticket was printed (or not): its number big, the
  reason in plain words, where reception is, and "take the slip".
- :class:`CameraLostScreen`: the camera has been lost for ``kiosk.camera_lost_reception_s``:
  instead of inviting a scan that cannot happen, it offers a reception ticket.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal

from kiosk.outcome import Lang
from kiosk.reception import IssuedTicket, ticket_words
from ui.i18n import tr
from ui.screens.common import (
    BODY_PX,
    PRIMARY,
    TITLE_PX,
    WARN,
    Captions,
    LeavingScreen,
    Screen,
    Stretch,
    button,
    column,
    label,
)

TICKET_PX = 260  # the reception number: smaller than a queue number, still read from 2 m
TICKET_LARGE_PX = 150  # with large text, beside the half-again larger lines around it


class TicketScreen(LeavingScreen):
    """A reception ticket's number (or "no number, show the slip"), why, and where to go."""

    def __init__(self) -> None:
        super().__init__()
        self.heading = label(TITLE_PX, bold=True, color=WARN)
        self.caption = label(BODY_PX)
        self.number = label(TICKET_PX, bold=True, color=PRIMARY)
        self.number.setObjectName("ticket_number")
        self.reason = label(BODY_PX + 4, bold=True)
        self.take = label(BODY_PX, bold=True, color=PRIMARY)
        self.where = label(BODY_PX, color=PRIMARY, bold=True)
        for centred in (self.heading, self.caption, self.number, self.reason, self.take):
            centred.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column(
            Stretch(),
            self.heading,
            self.caption,
            self.number,
            20,
            self.reason,
            20,
            self.take,
            self.where,
            Stretch(),
            self.countdown.widget,
            self.done_button,
            parent=self,
        )
        self._issued: IssuedTicket | None = None
        self._reception = ("", "")

    def set_large(self, large: bool) -> None:
        """Large text: the number gives up height to the reason and the way to the desk, which
        grow (it is on the printed ticket too); the window keeps it out of the scaling."""
        super().set_large(large)
        font = self.number.font()
        font.setPixelSize(TICKET_LARGE_PX if large else TICKET_PX)
        self.number.setFont(font)

    def show_ticket(self, issued: IssuedTicket, reception: tuple[str, str], lang: Lang) -> None:
        self._issued, self._reception = issued, reception
        self.retranslate(lang)

    @property
    def issued(self) -> IssuedTicket | None:
        return self._issued

    def retranslate(self, lang: Lang) -> None:
        self.done_button.setText(tr("done", lang))
        issued = self._issued
        if issued is None:
            for shown in (self.heading, self.caption, self.number, self.reason, self.take):
                shown.setText("")
            self.where.setText("")
            return
        ticket = issued.ticket
        self.heading.setText(tr("ticket_title", lang))
        numbered = ticket.number is not None
        self.caption.setText(tr("ticket_number" if numbered else "ticket_no_number", lang))
        self.number.setText(str(ticket.number) if numbered else "")
        self.number.setVisible(numbered)
        vi, en = ticket_words(ticket.referral.reason, ticket.referral.detail)
        self.reason.setText(en if lang == "en" else vi)
        self.take.setText(tr("ticket_take" if issued.printed else "ticket_not_printed", lang))
        where = self._reception[1] if lang == "en" else self._reception[0]
        self.where.setText(tr("reception_where", lang, where=where) if where else "")

    def clear(self) -> None:
        self._issued = None
        self.countdown.widget.setText("")
        self.retranslate(self.countdown.lang)


class CameraLostScreen(Screen):
    """The camera is gone for a while: a reception ticket instead of "hold up your card"."""

    ticket = Signal()

    def __init__(self) -> None:
        super().__init__()
        captions = Captions()
        self.heading = captions.add(label(TITLE_PX, bold=True, color=WARN), "camera_gone_title")
        self.text = captions.add(label(BODY_PX), "camera_gone_text")
        self.ticket_button = captions.add(button(), "camera_gone_ticket")
        self.ticket_button.clicked.connect(self.ticket.emit)
        self._captions = captions
        for centred in (self.heading, self.text):
            centred.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column(
            Stretch(), self.heading, 30, self.text, 40, self.ticket_button, Stretch(), parent=self
        )

    def retranslate(self, lang: Lang) -> None:
        self._captions.retranslate(lang)
