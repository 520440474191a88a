"""Pictures drawn with QPainter (no image files): what to show the camera, and the preview."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.screens.common import PRIMARY


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
        self.setMinimumSize(QSize(200, 150))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        if self.kind == "vssid":
            body_h = min(h * 0.95, w * 0.95 * 2)  # a phone is twice as tall as wide
            body = QRectF((w - body_h * 0.5) / 2, (h - body_h) / 2, body_h * 0.5, body_h)
            p.setBrush(QColor("#263238"))
            p.setPen(Qt.PenStyle.NoPen)
            p.drawRoundedRect(body, 14, 14)
            screen = body.adjusted(8, 18, -8, -18)
            p.fillRect(screen, QColor("#e3f2fd"))
            p.fillRect(
                QRectF(screen.x(), screen.y(), screen.width(), screen.height() * 0.14),
                QColor("#1565c0"),
            )
            side = screen.width() * 0.8
            _qr(
                p,
                QRectF(
                    screen.center().x() - side / 2, screen.center().y() - side / 2 + 6, side, side
                ),
            )
        else:
            card_w = min(w * 0.95, h * 0.95 * 1.58)
            card = QRectF((w - card_w) / 2, (h - card_w / 1.58) / 2, card_w, card_w / 1.58)
            colour = "#e8f5e9" if self.kind == "card" else "#e3f2fd"
            band = "#2e7d32" if self.kind == "card" else "#b71c1c"
            p.setBrush(QColor(colour))
            p.setPen(QPen(QColor("#546e7a"), 2))
            p.drawRoundedRect(card, 12, 12)
            p.fillRect(
                QRectF(card.x() + 2, card.y() + 2, card.width() - 4, card.height() * 0.18),
                QColor(band),
            )
            side = card.height() * 0.5
            qr = QRectF(
                card.right() - side - card.width() * 0.06, card.bottom() - side - 10, side, side
            )
            if self.kind == "cccd":  # the chip card carries its QR top right, a photo left
                qr.moveTop(card.y() + card.height() * 0.24)
                p.fillRect(
                    QRectF(
                        card.x() + 12,
                        card.y() + card.height() * 0.3,
                        card.width() * 0.22,
                        card.height() * 0.5,
                    ),
                    QColor("#90a4ae"),
                )
            _qr(p, qr)
            p.setPen(QPen(QColor("#78909c"), 4))
            for i in range(3):
                y = card.y() + card.height() * (0.35 + 0.15 * i)
                x0 = card.x() + (card.width() * 0.3 if self.kind == "cccd" else 16)
                p.drawLine(QPointF(x0, y), QPointF(qr.x() - 16, y))
        p.end()


class CameraPreview(QWidget):
    """The live camera picture with a guide frame and the detected QR outlined."""

    def __init__(self) -> None:
        super().__init__()
        self._image: QImage | None = None
        self._corners: Sequence[tuple[float, float]] | None = None
        self._overlay = ""
        self.setMinimumSize(QSize(480, 360))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_frame(self, image: QImage, corners: Sequence[tuple[float, float]] | None) -> None:
        self._image = image
        self._corners = corners
        self.update()

    def set_overlay(self, text: str) -> None:
        """A message over the picture ("camera reconnecting…"), or "" for none."""
        self._overlay = text
        self.update()

    def clear(self) -> None:
        self._image = None
        self._corners = None
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#1b263b"))
        area = QRectF(self.rect())
        scale, ox, oy = 1.0, 0.0, 0.0
        if self._image is not None and not self._image.isNull():
            iw, ih = self._image.width(), self._image.height()
            scale = min(area.width() / iw, area.height() / ih)
            ox, oy = (area.width() - iw * scale) / 2, (area.height() - ih * scale) / 2
            p.drawImage(QRectF(ox, oy, iw * scale, ih * scale), self._image)
        # guide frame: corner brackets round the middle square
        side = min(area.width(), area.height()) * 0.62
        guide = QRectF(area.center().x() - side / 2, area.center().y() - side / 2, side, side)
        p.setPen(QPen(QColor("white"), 10, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        arm = side * 0.18
        for cx, cy, dx, dy in (
            (guide.left(), guide.top(), 1, 1),
            (guide.right(), guide.top(), -1, 1),
            (guide.left(), guide.bottom(), 1, -1),
            (guide.right(), guide.bottom(), -1, -1),
        ):
            p.drawLine(QPointF(cx, cy), QPointF(cx + dx * arm, cy))
            p.drawLine(QPointF(cx, cy), QPointF(cx, cy + dy * arm))
        if self._corners and self._image is not None:
            polygon = QPolygonF([QPointF(ox + x * scale, oy + y * scale) for x, y in self._corners])
            p.setPen(QPen(QColor("#00e676"), 8))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawPolygon(polygon)
        if self._overlay:
            p.fillRect(
                QRectF(0, area.height() * 0.4, area.width(), area.height() * 0.2),
                QColor(0, 0, 0, 170),
            )
            font = QFont("DejaVu Sans")
            font.setPixelSize(40)
            font.setBold(True)
            p.setFont(font)
            p.setPen(QColor("white"))
            p.drawText(area, Qt.AlignmentFlag.AlignCenter, self._overlay)
        p.end()


__all__ = ["PRIMARY", "CameraPreview", "DocumentPicture"]
