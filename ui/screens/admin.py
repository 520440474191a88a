"""The admin screen: the kiosk's parts at a glance (coloured tiles), cache status, sync with
progress and cancel, printer and camera tests, the HIS outbox, today's chart and the kiosk's
facts."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QProgressBar, QVBoxLayout

from kiosk.outcome import Lang
from ui.i18n import Text, no_text, text, tr
from ui.screens.common import (
    BAD,
    GOOD,
    INK,
    PRIMARY,
    SMALL_PX,
    TITLE_PX,
    WARN,
    Captions,
    Screen,
    button,
    label,
)
from ui.tiles import TILES, Level, Tile

#: each level's tile: (background, text colour); white on the three colours, ink on grey
TILE_COLOURS = {
    Level.OK: (GOOD, "white"),
    Level.WARN: (WARN, "white"),
    Level.BAD: (BAD, "white"),
    Level.OFF: ("#dde3ea", INK),
}
TILE_PX = 26


def _tile() -> QLabel:
    tile = QLabel()
    tile.setAlignment(Qt.AlignmentFlag.AlignCenter)
    tile.setWordWrap(True)
    tile.setTextFormat(Qt.TextFormat.RichText)
    tile.setMinimumHeight(84)
    return tile


def _no_tiles(lang: Lang) -> Sequence[Tile]:
    return ()


def _his_widgets() -> tuple[QLabel, QLabel, QLabel]:
    """The admin screen's HIS outbox line, its latest error, and today's chart."""
    his = label(SMALL_PX)
    error = label(SMALL_PX, color=WARN)
    error.setWordWrap(True)
    chart = QLabel()
    chart.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return his, error, chart


class AdminScreen(Screen):
    """Cache status, sync with progress and cancel, printer and camera tests, kiosk facts."""

    sync = Signal()
    cancel_sync = Signal()
    printer_test = Signal()
    camera_test = Signal()
    back = Signal()
    quit_app = Signal()
    # the HIS outbox's (pending, delivered, failed) and latest error; None: no HIS configured
    _outbox: tuple[tuple[int, int, int] | None, str | None] = (None, None)

    def __init__(self) -> None:  # noqa: PLR0915 - one widget per line reads best
        super().__init__()
        self.title = label(TITLE_PX, bold=True, color=PRIMARY)
        self.cards = label(SMALL_PX)
        self.last_sync = label(SMALL_PX)
        self.warning = label(SMALL_PX, bold=True, color=WARN)
        self.pin_notice = label(SMALL_PX, bold=True, color=WARN)
        # the kiosk register gave this kiosk's offline prefix to another kiosk (else hidden)
        self.prefix_notice = label(SMALL_PX, bold=True, color=WARN)
        self.prefix_notice.hide()
        self._prefix_taken: tuple[str, str] | None = None
        self._short_pin = False

        self.his, self.his_error, self.chart = _his_widgets()
        # the parts at a glance: camera, printer, database / outbox, cache age, last check-in
        self.tiles = {key: _tile() for key in TILES}
        self.tile_levels: dict[str, Level] = dict.fromkeys(TILES, Level.OFF)
        self._tiles: Callable[[Lang], Sequence[Tile]] = _no_tiles
        self._tile_px = TILE_PX
        tile_grid = self._tile_grid = QGridLayout()
        tile_grid.setSpacing(12)
        self._place_tiles(across=6)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        texts = self._texts = Captions()
        self.sync_button = texts.add(button(compact=True), "sync")
        self.cancel_button = texts.add(button("danger", compact=True), "sync_cancel")
        self.sync_button.clicked.connect(self.sync.emit)
        self.cancel_button.clicked.connect(self.cancel_sync.emit)
        self.cancel_button.setEnabled(False)
        self.printer_button = texts.add(button("secondary", compact=True), "printer_test")
        self.camera_button = texts.add(button("secondary", compact=True), "camera_test")
        self.printer_button.clicked.connect(self.printer_test.emit)
        self.camera_button.clicked.connect(self.camera_test.emit)
        self.result = label(SMALL_PX)
        self.facts = [label(SMALL_PX) for _ in range(3)]
        self.back_button = texts.add(button("secondary", compact=True), "back")
        self.quit_button = texts.add(button("danger", compact=True), "exit_app")
        self.back_button.clicked.connect(self.back.emit)
        self.quit_button.clicked.connect(self.quit_app.emit)
        sync_row = QHBoxLayout()
        sync_row.addWidget(self.sync_button)
        sync_row.addWidget(self.cancel_button)
        test_row = QHBoxLayout()
        test_row.addWidget(self.printer_button)
        test_row.addWidget(self.camera_button)
        end_row = QHBoxLayout()
        end_row.addWidget(self.back_button)
        end_row.addWidget(self.quit_button)
        for row in (sync_row, test_row, end_row):
            row.setSpacing(24)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(12)
        box.addWidget(self.title)
        box.addLayout(tile_grid)
        # two facts a line: the screen must still fit 1080 px with the tiles and the chart
        for left, right in (
            (self.cards, self.last_sync),
            (self.warning, self.pin_notice),
            (self.his, self.his_error),
        ):
            pair = QHBoxLayout()
            pair.setSpacing(24)
            pair.addWidget(left, 1)  # a word-wrapped label takes only its narrowest width
            pair.addWidget(right, 1)
            box.addLayout(pair)
        box.addWidget(self.chart)
        box.addSpacing(12)
        box.addWidget(self.progress)
        box.addSpacing(12)
        box.addLayout(sync_row)
        box.addSpacing(12)
        box.addLayout(test_row)
        # a test's result and, beside it, the prefix's verdict (another kiosk owns this one's
        # offline prefix): no line of their own, the screen must fit 1080 px
        outcome_row = QHBoxLayout()
        outcome_row.setSpacing(24)
        outcome_row.addWidget(self.result, 1)
        outcome_row.addWidget(self.prefix_notice, 1)
        box.addLayout(outcome_row)
        box.addStretch(1)
        facts = QHBoxLayout()
        facts.setSpacing(24)
        # the id and the version are short: the log's path takes the rest of the line
        for fact, stretch in zip(self.facts, (0, 0, 1), strict=True):
            facts.addWidget(fact, stretch)
        box.addLayout(facts)
        box.addLayout(end_row)
        self._result: Text = no_text
        self._lang: Lang = "vi"
        self._facts: tuple[str, str, str] = ("", "", "")
        self._status: tuple[int, str | None, float | None, int] = (0, None, None, 26)

    def orient(self, landscape: bool) -> None:
        # six tiles in one row on a landscape screen (its 1080 px of height are the scarce
        # side), two rows of three on a portrait one
        self._place_tiles(across=6 if landscape else 3)
        self._tile_px = TILE_PX - 4 if landscape else TILE_PX  # a sixth of the width each
        self._show_tiles(self._lang)

    def _place_tiles(self, across: int) -> None:
        for i, key in enumerate(TILES):
            self._tile_grid.addWidget(self.tiles[key], i // across, i % across)
        for column in range(6):
            self._tile_grid.setColumnStretch(column, 1 if column < across else 0)

    def set_facts(self, kiosk_id: str, version: str, log_path: str) -> None:
        self._facts = (kiosk_id, version, log_path)

    def set_cache(self, cards: int, when: str | None, age_h: float | None, max_age_h: int) -> None:
        self._status = (cards, when, age_h, max_age_h)

    def set_tiles(self, tiles: Callable[[Lang], Sequence[Tile]]) -> None:
        """The parts at a glance, as a function of the language (the toggle re-renders)."""
        self._tiles = tiles
        self._show_tiles(self._lang)

    def _show_tiles(self, lang: Lang) -> None:
        shown = {tile.key: tile for tile in self._tiles(lang)}
        for key, widget in self.tiles.items():
            tile = shown.get(key)
            level = tile.level if tile else Level.OFF
            self.tile_levels[key] = level
            background, ink = TILE_COLOURS[level]
            widget.setStyleSheet(
                f"background: {background}; color: {ink}; border-radius: 12px; padding: 6px;"
                f" font-size: {self._tile_px}px;"
            )
            title = tile.title(lang) if tile else tr(f"tile_{key}", lang)
            value = tile.value if tile else tr("tile_unknown", lang)
            widget.setText(f"{title}<br><b>{value}</b>")

    def set_short_pin(self, short: bool) -> None:
        """Whether the admin signed in with a PIN shorter than new PINs must be: say so."""
        self._short_pin = short
        self.pin_notice.setText(tr("short_pin", self._lang) if short else "")

    def set_outbox(self, counts: tuple[int, int, int] | None, error: str | None) -> None:
        """The HIS outbox: (pending, delivered, failed), None when no HIS is configured."""
        self._outbox = (counts, error)

    def set_prefix_taken(self, taken: tuple[str, str] | None) -> None:
        """(prefix, kiosk) when another kiosk owns this kiosk's offline prefix; None: it is
        this kiosk's."""
        self._prefix_taken = taken
        self.prefix_notice.setVisible(taken is not None)

    def set_chart(self, png_path: str | None) -> None:
        """Show today's chart (a PNG file) within the screen's width and a third of its height,
        so the buttons below stay on screen; None hides it."""
        picture = QPixmap(png_path) if png_path else QPixmap()
        if picture.isNull():
            self.chart.clear()
            self.chart.hide()
            return
        width = min(picture.width(), self.width() or picture.width())
        height = min(picture.height(), max(240, (self.height() or 1080) // 3))
        self.chart.setPixmap(
            picture.scaled(
                width,
                height,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
        self.chart.show()

    def set_result(self, message: Text) -> None:
        """The answer of the last action, kept so that the language toggle re-renders it."""
        self._result = message
        self.result.setText(message(self._lang))

    def working(self) -> None:
        self.set_result(text("working"))

    def said(self, line: str) -> None:
        """A device test's or a sync's own one-line answer (the admin tools word it)."""
        self.set_result(lambda lang: line)

    def sync_started(self) -> None:
        self.set_syncing(True)
        self.set_progress(0, 1)
        self.working()

    def synced(self, summary: str) -> None:
        self.set_syncing(False)
        self.said(summary)

    def sync_failed(self, message: str) -> None:
        self.set_syncing(False)
        self.set_result(text("failed", detail=message))

    def set_syncing(self, running: bool) -> None:
        self.sync_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)

    def set_progress(self, done: int, total: int) -> None:
        """``total`` 0: not known yet (the bar shows activity and the count read so far)."""
        if not self.cancel_button.isEnabled():
            self.set_syncing(True)  # a bar that moves is a sync under way: it can be stopped
        if total <= 0:
            self.progress.setRange(0, 0)
            self.progress.setFormat(f"{done:,}")
            return
        self.progress.setFormat("%p%")
        self.progress.setRange(0, total)
        self.progress.setValue(min(done, total))

    def retranslate(self, lang: Lang) -> None:
        self._lang = lang
        self.result.setText(self._result(lang))
        self.title.setText(tr("admin_title", lang))
        self._show_tiles(lang)
        cards, when, age_h, max_age = self._status
        self.cards.setText(tr("cache_cards", lang, n=f"{cards:,}".replace(",", ".")))
        if when is None or age_h is None:
            self.last_sync.setText(tr("cache_never", lang))
        else:
            self.last_sync.setText(tr("cache_last_sync", lang, when=when, age=f"{age_h:.1f}"))
        stale = age_h is None or age_h > max_age
        self.warning.setText(tr("cache_old", lang, h=max_age) if stale else "")
        self.pin_notice.setText(tr("short_pin", lang) if self._short_pin else "")
        taken = self._prefix_taken
        self.prefix_notice.setText(
            tr("prefix_taken", lang, prefix=taken[0], owner=taken[1]) if taken else ""
        )

        counts, error = self._outbox
        if counts is None:
            self.his.setText(tr("his_off", lang))
        else:
            pending, delivered, failed = counts
            self.his.setText(
                tr("his_status", lang, pending=pending, delivered=delivered, failed=failed)
            )
        self.his_error.setText(tr("his_error", lang, error=error) if error else "")
        self._texts.retranslate(lang)
        kiosk_id, version, log_path = self._facts
        self.facts[0].setText(tr("kiosk_id", lang, id=kiosk_id))
        self.facts[1].setText(tr("version", lang, v=version))
        self.facts[2].setText(tr("log_location", lang, path=_short_path(log_path)))
        self.facts[2].setToolTip(log_path)


LONGEST_PATH = 60  # characters of the log's path on one line beside the id and the version


def _short_path(path: str) -> str:
    """``path`` cut in the middle to :data:`LONGEST_PATH` characters: its start (the disk) and
    its end (the folder and the file IT looks for) stay; a path has no spaces to wrap at."""
    if len(path) <= LONGEST_PATH:
        return path
    keep = LONGEST_PATH - 1
    return path[: keep // 3] + "…" + path[-(keep - keep // 3) :]
