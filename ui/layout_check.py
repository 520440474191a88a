"""Does a shown window fit its screen? Size, widgets inside the window, text inside widgets.

Used by ``ui.screenshots`` (which refuses to write a picture of a broken screen) and by the
screen-size tests. A kiosk screen has a fixed size: a layout that needs more grows the window
past the glass and the edge is simply cut off, so every check here is exact.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QLabel,
    QPushButton,
    QStyle,
    QStyleOptionButton,
    QWidget,
)

# Qt rounds glyph advances; one pixel of slack keeps the check about layout, not rounding
_SLACK = 1


def _where(widget: QWidget) -> str:
    name = widget.objectName() or type(widget).__name__
    text = getattr(widget, "text", None)
    shown = text() if callable(text) else ""
    return f"{name} {shown[:40]!r}" if shown else name


def _label_problem(widget: QLabel) -> str | None:
    text = widget.text()
    if not text or widget.textFormat() == Qt.TextFormat.RichText:
        return None
    area = widget.contentsRect()
    margin = widget.margin()
    area = area.adjusted(margin, margin, -margin, -margin)
    metrics = widget.fontMetrics()
    if widget.wordWrap():
        needed = metrics.boundingRect(
            QRect(0, 0, area.width(), 100_000),
            int(widget.alignment()) | Qt.TextFlag.TextWordWrap.value,
            text,
        )
        return _overflow(needed.width(), needed.height(), area)
    return _overflow(*_lines_size(metrics, text, metrics.lineSpacing()), area)


def _button_problem(widget: QPushButton) -> str | None:
    text = widget.text()
    if not text:
        return None
    option = QStyleOptionButton()
    widget.initStyleOption(option)
    # the contents rectangle honours the style sheet's border and padding
    area = widget.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, widget)
    metrics = widget.fontMetrics()
    return _overflow(*_lines_size(metrics, text, metrics.height()), area)


def _lines_size(metrics: QFontMetrics, text: str, line_height: int) -> tuple[int, int]:
    """The width and height ``text`` takes, line by line as written (no wrapping)."""
    lines = text.split("\n")
    return max(metrics.horizontalAdvance(line) for line in lines), line_height * len(lines)


def _overflow(width: int, height: int, area: QRect) -> str | None:
    """What is wrong when a text ``width`` x ``height`` does not fit ``area``, else None."""
    if width > area.width() + _SLACK or height > area.height() + _SLACK:
        return f"text needs {width}x{height}, has {area.width()}x{area.height()}"
    return None


def layout_problems(window: QWidget, size: tuple[int, int]) -> list[str]:
    """Every way the shown ``window`` fails to fit ``size``; empty when it fits."""
    problems: list[str] = []
    actual = (window.width(), window.height())
    if actual != size:
        problems.append(f"window is {actual[0]}x{actual[1]}, not {size[0]}x{size[1]}")
    bounds = window.rect()
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window) or widget.isWindow():
            continue
        rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
        if not bounds.contains(rect):
            problems.append(f"{_where(widget)} at {rect.getRect()} leaves the window")
        parent = widget.parentWidget()
        if (
            parent is not None
            and parent is not window
            and not parent.rect().contains(widget.geometry())
        ):
            problems.append(f"{_where(widget)} at {widget.geometry().getRect()} leaves its parent")
        problem = None
        if isinstance(widget, QLabel):
            problem = _label_problem(widget)
        elif isinstance(widget, QPushButton):
            problem = _button_problem(widget)
        if problem:
            problems.append(f"{_where(widget)}: {problem}")
    return problems
