"""Pictures drawn with QPainter (no image files): what to show the camera, and the preview."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.screens.common import GOOD, PRIMARY

#: the outline of a code seen but not read yet ("hold still", "bring it closer"): amber
SEEN = "#ffb300"
#: the outline and the guide frame once the code is read: green, and only then
READ = "#00e676"
#: the guide frame with nothing in view
IDLE = "white"


def _qr(p: QPainter, rect: QRectF) -> None:
    """A stylised QR: three finder squares and a few modules."""
    p.fillRect(rect, QColor("white"))
    cell = rect.width() / 7
    dark = QColor("#111111")
    for fx, fy in ((0, 0), (4, 0), (0, 4)):
        outer = QRectF(rect.x() + fx * cell, rect.y() + fy * cell, 3 * cell, 3 * cell)
        p.fillRect(outer, dark)
        p.fillRect(
            outer.adjusted(cell * 0.5, cell * 0.5, -cell * 0.5, -cell * 0.5), QColor("white")
        )
        p.fillRect(outer.adjusted(cell, cell, -cell, -cell), dark)
    for mx, my in ((4, 4), (5, 5), (6, 4), (4, 6), (6, 6), (3, 3), (5, 3)):
        p.fillRect(QRectF(rect.x() + mx * cell, rect.y() + my * cell, cell, cell), dark)


class DocumentPicture(QWidget):
    """One of the three things a patient can show: ``"vssid"``, ``"card"`` or ``"cccd"``."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind
        self.align = Qt.AlignmentFlag.AlignCenter
        # drawn to whatever rectangle the layout gives: a small floor, no large fixed size
        self.setMinimumSize(QSize(96, 72))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_alignment(self, align: Qt.AlignmentFlag) -> None:
        """Where the drawing sits in a widget of another shape (next to its caption)."""
        self.align = align
        self.update()

    def _place(self, width: float, height: float) -> QRectF:
        """A ``width`` x ``height`` rectangle placed in the widget as :attr:`align` says."""
        w, h = self.width(), self.height()
        x, y = (w - width) / 2, (h - height) / 2
        if self.align & Qt.AlignmentFlag.AlignRight:
            x = w - width - 2
        if self.align & Qt.AlignmentFlag.AlignBottom:
            y = h - height - 2
        return QRectF(x, y, width, height)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        if self.kind == "vssid":
            card_h = min(w * 0.95, h * 0.95 * 1.58) / 1.58
            # a phone is twice as tall as wide, and not much taller than the cards beside it
            body_h = min(h * 0.95, w * 0.95 * 2, card_h * 1.7)
            body = self._place(body_h * 0.5, body_h)
            p.setBrush(QColor("#263238"))
            p.setPen(Qt.PenStyle.NoPen)
            r = body.width() * 0.12
            p.drawRoundedRect(body, r, r)
            rim, chin = body.width() * 0.06, body.height() * 0.07
            screen = body.adjusted(rim, chin, -rim, -chin)
            p.fillRect(screen, QColor("#e3f2fd"))
            p.fillRect(
                QRectF(screen.x(), screen.y(), screen.width(), screen.height() * 0.14),
                QColor("#1565c0"),
            )
            side = screen.width() * 0.8
            _qr(
                p,
                QRectF(
                    screen.center().x() - side / 2,
                    screen.center().y() - side / 2 + screen.height() * 0.07,
                    side,
                    side,
                ),
            )
        else:
            card_w = min(w * 0.95, h * 0.95 * 1.58)
            card = self._place(card_w, card_w / 1.58)
            if self.kind == "cccd":
                self._paint_cccd_back(p, card)
            else:
                self._paint_bhyt(p, card)
        p.end()

    @staticmethod
    def _paint_bhyt(p: QPainter, card: QRectF) -> None:
        """The BHYT card: a green band, lines of text, its QR bottom right."""
        p.setBrush(QColor("#e8f5e9"))
        p.setPen(QPen(QColor("#546e7a"), 2))
        r = card.width() * 0.05
        p.drawRoundedRect(card, r, r)
        p.fillRect(
            QRectF(card.x() + 2, card.y() + 2, card.width() - 4, card.height() * 0.18),
            QColor("#2e7d32"),
        )
        side = card.height() * 0.5
        qr = QRectF(
            card.right() - side - card.width() * 0.06,
            card.bottom() - side - card.height() * 0.07,
            side,
            side,
        )
        _qr(p, qr)
        p.setPen(QPen(QColor("#78909c"), max(2.0, card.height() * 0.025)))
        gap = card.width() * 0.05
        for i in range(3):
            y = card.y() + card.height() * (0.35 + 0.15 * i)
            p.drawLine(QPointF(card.x() + gap, y), QPointF(qr.x() - gap, y))

    def _paint_cccd_back(self, p: QPainter, card: QRectF) -> None:
        """The BACK of the chip ID card, where its QR is (cards issued from 1 July 2024, and
        the side to show of the older ones too): the QR top left, the chip, lines of text, the
        machine-readable zone at the foot. No photo: a face would say "the front"."""
        parts = cccd_back_parts(card)
        p.setBrush(QColor("#e3f2fd"))
        p.setPen(QPen(QColor("#546e7a"), 2))
        r = card.width() * 0.05
        p.drawRoundedRect(card, r, r)
        _qr(p, parts["qr"])
        chip = parts["chip"]
        p.setBrush(QColor("#d4a017"))
        p.setPen(QPen(QColor("#8d6e00"), max(1.5, chip.width() * 0.05)))
        p.drawRoundedRect(chip, chip.width() * 0.15, chip.width() * 0.15)
        p.drawLine(
            QPointF(chip.center().x(), chip.top()), QPointF(chip.center().x(), chip.bottom())
        )
        p.drawLine(
            QPointF(chip.left(), chip.center().y()), QPointF(chip.right(), chip.center().y())
        )
        lines = parts["lines"]
        p.setPen(QPen(QColor("#78909c"), max(2.0, card.height() * 0.025)))
        for i in range(3):
            y = lines.y() + lines.height() * (i + 0.5) / 3
            p.drawLine(QPointF(lines.left(), y), QPointF(lines.right(), y))
        mrz = parts["mrz"]
        p.fillRect(mrz, QColor("white"))
        p.setPen(QPen(QColor("#263238"), max(1.5, mrz.height() * 0.12)))
        for i in range(3):  # "IDVNM…<<<<": three rows of small dark marks
            y = mrz.y() + mrz.height() * (i + 0.5) / 3
            step = mrz.width() / 30
            for k in range(30):
                if (7 * k + 3 * i) % 5 == 0:  # a gap now and then: letters, not a bar
                    continue
                x = mrz.x() + k * step + step * 0.2
                p.drawLine(QPointF(x, y), QPointF(x + step * 0.6, y))


def cccd_back_parts(card: QRectF) -> dict[str, QRectF]:
    """Where the back of the chip ID card puts its parts in ``card``: ``qr`` (top left),
    ``chip``, ``lines`` (the text) and ``mrz`` (the machine-readable zone, at the foot)."""
    x, y, w, h = card.x(), card.y(), card.width(), card.height()
    side = h * 0.46
    qr = QRectF(x + w * 0.05, y + h * 0.08, side, side)
    chip = QRectF(x + w * 0.78, y + h * 0.1, w * 0.14, h * 0.17)
    lines = QRectF(
        qr.right() + w * 0.05, y + h * 0.32, x + w * 0.93 - qr.right() - w * 0.05, h * 0.24
    )
    mrz = QRectF(x + w * 0.05, y + h * 0.64, w * 0.9, h * 0.28)
    return {"qr": qr, "chip": chip, "lines": lines, "mrz": mrz}


class CameraPreview(QWidget):
    """The live camera picture with a guide frame and the detected QR outlined.

    The picture is mirrored, as a mirror is: a patient moving the phone to the left sees it
    move to the left. Outside the guide frame it is blurred, so that a card's printed name and
    number cannot be read by the next person in the queue.
    """

    BLUR = 24  # the blurred picture is drawn from one pixel per BLUR x BLUR block

    def __init__(self) -> None:
        super().__init__()
        self._image: QImage | None = None
        self._coarse: QImage | None = None
        self._corners: Sequence[tuple[float, float]] | None = None
        self._overlay = ""
        self._tick = False
        self.setMinimumSize(QSize(320, 240))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_frame(
        self,
        image: QImage,
        corners: Sequence[tuple[float, float]] | None,
        coarse: QImage | None = None,
    ) -> None:
        """A new picture; ``coarse``: the same averaged down to one pixel per :attr:`BLUR`
        square (made off the GUI thread by the scan worker), else a quick sample of it."""
        self._image = image
        if coarse is None:
            w, h = max(1, image.width() // self.BLUR), max(1, image.height() // self.BLUR)
            coarse = image.scaled(
                w, h, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.FastTransformation
            )
        self._coarse = coarse
        self._corners = corners
        self.update()

    def set_overlay(self, text: str) -> None:
        """A message over the picture ("camera reconnecting…"), or "" for none."""
        if text != self._overlay:  # asked a few times a second: repaint only on a change
            self._overlay = text
            self.update()

    @property
    def overlay(self) -> str:
        return self._overlay

    def set_tick(self, shown: bool) -> None:
        """A big green tick over the guide frame: the code was read."""
        self._tick = shown
        self.update()

    @property
    def tick(self) -> bool:
        return self._tick

    @property
    def frame_color(self) -> str:
        """The guide frame's colour: white with nothing in view, amber while a code is seen
        but not read (whatever the caption asks), green once it is read."""
        if self._tick:
            return READ
        return SEEN if self._corners else IDLE

    def clear(self) -> None:
        self._image = None
        self._coarse = None
        self._corners = None
        self._tick = False
        self.update()

    def guide_rect(self) -> QRectF:
        """The square patients aim at (the only part of the picture shown sharp)."""
        area = QRectF(self.rect())
        side = min(area.width(), area.height()) * 0.62
        return QRectF(area.center().x() - side / 2, area.center().y() - side / 2, side, side)

    def _paint_guide(self, p: QPainter, guide: QRectF) -> None:
        """The guide frame: corner brackets round the middle square, in :attr:`frame_color`."""
        side = guide.width()
        pen_w = max(4.0, side * 0.02)
        colour = QColor(self.frame_color)
        p.setPen(QPen(colour, pen_w, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        arm = side * 0.18
        for cx, cy, dx, dy in (
            (guide.left(), guide.top(), 1, 1),
            (guide.right(), guide.top(), -1, 1),
            (guide.left(), guide.bottom(), 1, -1),
            (guide.right(), guide.bottom(), -1, -1),
        ):
            p.drawLine(QPointF(cx, cy), QPointF(cx + dx * arm, cy))
            p.drawLine(QPointF(cx, cy), QPointF(cx, cy + dy * arm))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#1b263b"))
        area = QRectF(self.rect())
        guide = self.guide_rect()
        if self._image is not None and not self._image.isNull():
            iw, ih = self._image.width(), self._image.height()
            scale = min(area.width() / iw, area.height() / ih)
            ox, oy = (area.width() - iw * scale) / 2, (area.height() - ih * scale) / 2
            target = QRectF(ox, oy, iw * scale, ih * scale)
            p.save()
            # a mirror: x runs right to left across the picture's rectangle
            p.translate(target.x() * 2 + target.width(), 0)
            p.scale(-1, 1)
            if self._coarse is not None:
                # smooth: the few coarse pixels spread into a blur, not into blocks
                p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
                p.drawImage(target, self._coarse)
                p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
            p.setClipRect(guide)  # symmetric about the centre: the same after mirroring
            p.drawImage(target, self._image)
            p.setClipping(False)
            if self._corners:
                polygon = QPolygonF(
                    [QPointF(ox + x * scale, oy + y * scale) for x, y in self._corners]
                )
                p.setPen(QPen(QColor(READ if self._tick else SEEN), 8))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawPolygon(polygon)
            p.restore()
        self._paint_guide(p, guide)
        side = guide.width()
        if self._tick:
            ring = guide.adjusted(side * 0.2, side * 0.2, -side * 0.2, -side * 0.2)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(GOOD))
            p.drawEllipse(ring)
            p.setPen(
                QPen(QColor("white"), side * 0.06, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
            )
            r = ring.width()
            p.drawPolyline(
                QPolygonF(
                    [
                        QPointF(ring.x() + r * 0.27, ring.y() + r * 0.52),
                        QPointF(ring.x() + r * 0.44, ring.y() + r * 0.69),
                        QPointF(ring.x() + r * 0.74, ring.y() + r * 0.35),
                    ]
                )
            )
        if self._overlay:
            band = QRectF(0, area.height() * 0.78, area.width(), area.height() * 0.2)
            p.fillRect(band, QColor(0, 0, 0, 190))
            font = QFont("DejaVu Sans")
            font.setPixelSize(max(32, min(56, int(area.height() * 0.08))))
            font.setBold(True)
            p.setFont(font)
            p.setPen(QColor("white"))
            p.drawText(
                band.adjusted(16, 0, -16, 0),
                int(Qt.AlignmentFlag.AlignCenter) | Qt.TextFlag.TextWordWrap.value,
                self._overlay,
            )
        p.end()


__all__ = ["IDLE", "PRIMARY", "READ", "SEEN", "CameraPreview", "DocumentPicture"]
