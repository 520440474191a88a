"""The priority question on the clinic screen: pregnancy or a severe disability, declared by the
patient with one touch and checked by staff in the room (Law 15/2023/QH15 Art. 3 cl. 2; age
and merit come from the card, see :mod:`kiosk.calling`)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QBoxLayout, QPushButton, QVBoxLayout, QWidget

from kiosk.calling import Priority
from kiosk.model import Gender
from kiosk.outcome import Lang
from ui.i18n import tr, tr_to
from ui.screens.common import BODY_PX, CAPTION_PX, INK, MUTED, PRIMARY, label

ICON_PX = 64  # small enough that both answers fit side by side on either screen


def _pregnant(p: QPainter, size: int) -> None:
    """A standing figure with a round belly, in profile."""
    p.setBrush(QColor(INK))
    p.setPen(Qt.PenStyle.NoPen)
    s = size / 96
    p.drawEllipse(QPointF(44 * s, 14 * s), 10 * s, 10 * s)  # head
    p.drawRoundedRect(QRectF(34 * s, 26 * s, 20 * s, 40 * s), 8 * s, 8 * s)  # body
    p.drawEllipse(QPointF(56 * s, 52 * s), 14 * s, 14 * s)  # belly
    p.drawRect(QRectF(36 * s, 64 * s, 7 * s, 28 * s))  # legs
    p.drawRect(QRectF(46 * s, 64 * s, 7 * s, 28 * s))


def _wheelchair(p: QPainter, size: int) -> None:
    """The wheelchair symbol (ISO 7001), drawn: head, seat and a large wheel."""
    s = size / 96
    p.setBrush(QColor(INK))
    p.setPen(Qt.PenStyle.NoPen)
    p.drawEllipse(QPointF(38 * s, 12 * s), 9 * s, 9 * s)  # head
    pen = QPen(QColor(INK), 8 * s)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawLine(QPointF(38 * s, 26 * s), QPointF(40 * s, 54 * s))  # back
    p.drawLine(QPointF(40 * s, 54 * s), QPointF(66 * s, 54 * s))  # seat
    p.drawLine(QPointF(66 * s, 54 * s), QPointF(76 * s, 80 * s))  # leg
    p.drawArc(QRectF(14 * s, 44 * s, 44 * s, 44 * s), 60 * 16, 250 * 16)  # wheel


def _icon(draw: Callable[[QPainter, int], None]) -> QIcon:
    pixmap = QPixmap(ICON_PX, ICON_PX)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    draw(painter, ICON_PX)
    painter.end()
    return QIcon(pixmap)


class PriorityQuestion(QWidget):
    """Two big toggles with pictures; at most one is on. ``declared()`` is what the patient
    touched, or None. Reset for every patient (:meth:`reset`)."""

    def __init__(self) -> None:
        super().__init__()
        self.title = label(BODY_PX, bold=True, color=PRIMARY)
        self.note = label(CAPTION_PX, color=MUTED)
        self.choices: dict[Priority, QPushButton] = {}
        self.gender: Gender | None = None  # the patient's, for "Ông" or "Bà"
        # side by side on a landscape screen, one above the other on a portrait one
        self.row = row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        row.setSpacing(28)
        for priority, draw in ((Priority.PREGNANT, _pregnant), (Priority.DISABILITY, _wheelchair)):
            choice = QPushButton()
            choice.setCheckable(True)
            choice.setIcon(_icon(draw))
            choice.setIconSize(QSize(ICON_PX, ICON_PX))
            choice.setStyleSheet(
                "QPushButton { min-height: 100px; font-size: 32px; padding: 8px 16px; "
                "background: white; "
                f"color: {INK}; border: 3px solid {MUTED}; }}"
                "QPushButton:checked { background: #fff4cc; border: 6px solid #a15c00; }"
            )
            choice.toggled.connect(lambda on, p=priority: self._toggled(p, on))
            row.addWidget(choice)
            self.choices[priority] = choice
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.title)
        box.addLayout(row)
        box.addWidget(self.note)

    def orient(self, landscape: bool) -> None:
        self.row.setDirection(
            QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom
        )

    def _toggled(self, priority: Priority, on: bool) -> None:
        if on:  # one answer at most: the other toggle goes off
            for other, choice in self.choices.items():
                if other is not priority and choice.isChecked():
                    choice.setChecked(False)

    def declared(self) -> Priority | None:
        """What the patient declared, or None."""
        return next((p for p, choice in self.choices.items() if choice.isChecked()), None)

    def reset(self) -> None:
        self.gender = None
        for choice in self.choices.values():
            choice.setChecked(False)

    def retranslate(self, lang: Lang) -> None:
        self.title.setText(tr_to("priority_question", lang, self.gender))
        self.note.setText(tr("priority_note", lang))
        self.choices[Priority.PREGNANT].setText(" " + tr("priority_pregnant", lang))
        self.choices[Priority.DISABILITY].setText(" " + tr("priority_disability", lang))
