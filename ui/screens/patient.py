"""The patient's screens: welcome/scan, choose clinic, confirm, accepted, reception, printer."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QHideEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QShowEvent,
)
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.model import Clinic, Gender
from kiosk.outcome import (
    Lang,
    Outcome,
    Reason,
    Status,
    checkin_benefit_text,
    checkin_route_text,
    message_for,
)
from ui.i18n import tr, tr_to
from ui.present import PublicPatient, can_rescan, can_try_another_card
from ui.screens.common import (
    BACKGROUND,
    BAD,
    BANNER_PX,
    BODY_PX,
    CAPTION_PX,
    GOOD,
    INK,
    MUTED,
    NUMBER_PX,
    NUMBER_TALL_PX,
    PRIMARY,
    TITLE_PX,
    WARN,
    AdaptiveBox,
    Countdown,
    LeavingScreen,
    Screen,
    Stretch,
    button,
    column,
    label,
    set_pixel_size,
)
from ui.screens.pictures import CameraPreview, DocumentPicture
from ui.screens.priority import PriorityQuestion


class _OrientsWithTextSize(Screen):
    """A screen whose :meth:`orient` depends on the text size too: a new text size lays it
    out again for the orientation it already has."""

    _landscape = True

    def set_large(self, large: bool) -> None:
        super().set_large(large)
        self.orient(self._landscape)


class WelcomeScreen(_OrientsWithTextSize):
    """Live preview with a guide frame, and pictures of what can be shown."""

    def __init__(self) -> None:
        super().__init__()
        self._lang: Lang = "vi"
        self._camera = "starting"
        self.title = label(TITLE_PX, bold=True, color=PRIMARY)
        self.hint = label(BODY_PX)
        self.preview = CameraPreview()
        # a banner patients cannot miss (the printer is down): white on red, 48 px
        self.alert = label(BANNER_PX, bold=True, color="white")
        self.alert.setStyleSheet(
            f"color: white; background: {BAD}; border-radius: 12px; padding: 12px;"
        )
        self.alert.hide()
        self._alert_key = ""
        self._sighted = False
        self._far = False
        self._read = False
        # the arrow toward the camera's lens: above, below or left of the screen
        self.lens = label(BODY_PX, bold=True, color=PRIMARY)
        self._lens_position = "above"
        # the three things a patient may show: a column beside the preview on a landscape
        # screen (each picture with its caption to its right), a row under it on a portrait
        # one (each caption under its picture)
        self.pictures = AdaptiveBox()
        self.pictures.setSpacing(24)
        self.items: list[AdaptiveBox] = []
        self.drawings: list[DocumentPicture] = []
        self.captions: list[tuple[str, QLabel]] = []
        for kind in ("vssid", "card", "cccd"):
            item = AdaptiveBox()
            item.setSpacing(16)
            picture = DocumentPicture(kind)
            self.drawings.append(picture)
            item.addWidget(picture, 1)
            caption = label(CAPTION_PX, bold=True)
            item.addWidget(caption, 1)
            self.pictures.addLayout(item, 1)
            self.items.append(item)
            self.captions.append((f"welcome_{kind}", caption))
        side = QWidget()
        side_box = QVBoxLayout(side)
        side_box.setContentsMargins(0, 0, 0, 0)
        side_box.setSpacing(24)
        side_box.addWidget(self.hint)
        side_box.addLayout(self.pictures, 1)
        self.body = AdaptiveBox()
        self.body.setSpacing(32)
        self.body.addWidget(self.preview, 3)
        self.body.addWidget(side, 2)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(16)
        outer.addWidget(self.lens)
        outer.addWidget(self.title)
        outer.addLayout(self.body, 1)
        outer.addWidget(self.alert)
        self._outer = outer
        self._landscape = True
        self.orient(True)

    def set_lens(self, position: str) -> None:
        """Point at the camera's lens: ``"above"``, ``"below"`` or ``"left"`` of the screen."""
        self._lens_position = position
        self._outer.removeWidget(self.lens)
        if position == "below":
            self._outer.insertWidget(self._outer.count(), self.lens)
            self.lens.setAlignment(Qt.AlignmentFlag.AlignCenter)
        else:
            self._outer.insertWidget(0, self.lens)
            self.lens.setAlignment(
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
                if position == "left"
                else Qt.AlignmentFlag.AlignCenter
            )
        self.retranslate(self._lang)

    def orient(self, landscape: bool) -> None:
        self._landscape = landscape
        self.body.set_across(landscape)
        # pictures run across the side panel: down it when it is beside the preview
        self.pictures.set_across(not landscape)
        # large text: the side panel as wide as the preview, for its larger captions
        self.body.setStretch(0, 3 if landscape and not self.large else 2)
        self.body.setStretch(1, 2 if landscape else 1)
        for item, (_, caption), picture in zip(
            self.items, self.captions, self.drawings, strict=True
        ):
            item.set_across(landscape)
            # each drawing hugs its caption: to its left, or right above it
            picture.set_alignment(
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                if landscape
                else Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom
            )
            if landscape:  # caption to the right of its picture
                caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            else:  # caption right under its picture
                caption.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            item.setStretch(0, 2 if landscape else 1)
            item.setStretch(1, 3 if landscape else 0)

    def retranslate(self, lang: Lang) -> None:
        self._lang = lang
        self.title.setText(tr("welcome_title", lang))
        self.hint.setText(tr("welcome_hint", lang))
        arrow = {"above": "▲", "below": "▼", "left": "◀"}[self._lens_position]
        here = tr("lens_here", lang)
        self.lens.setText(
            f"{arrow}  {here}" if self._lens_position == "left" else f"{arrow}  {here}  {arrow}"
        )
        for key, caption in self.captions:
            caption.setText(tr(key, lang))
        self._show_camera()
        if self._alert_key:
            self.alert.setText(tr(self._alert_key, lang))

    def set_camera_state(self, state: str) -> None:
        self._camera = state
        if state == "lost":  # no stale picture (or stale QR outline) behind the message
            self.preview.clear()
        self._show_camera()

    def set_sighted(self, sighted: bool, *, far: bool = False) -> None:
        """A code is in view but not read yet: "hold still" over the preview, or "bring it
        closer" when it is too far away to read."""
        self._sighted, self._far = sighted, sighted and far
        self._show_camera()

    def set_read(self, read: bool) -> None:
        """A code was read: a tick over the preview (until the next screen)."""
        self._read = read
        self.preview.set_tick(read)
        self._show_camera()

    @property
    def overlay_text(self) -> str:
        return self.preview.overlay

    def _show_camera(self) -> None:
        overlay = {"lost": "camera_lost", "starting": "camera_starting"}.get(self._camera)
        if overlay is None and self._read:
            overlay = "read_ok"
        elif overlay is None and self._sighted:
            overlay = "closer" if self._far else "hold_still"
        self.preview.set_overlay(tr(overlay, self._lang) if overlay else "")

    def clear(self) -> None:
        self._sighted = self._far = False
        self.set_read(False)

    def set_alert(self, key: str) -> None:
        """A banner under the preview (e.g. the printer is down), "" to hide it."""
        self._alert_key = key
        self.alert.setVisible(bool(key))
        if key:
            self.alert.setText(tr(key, self._lang))


class Spinner(QWidget):
    """A turning arc: the kiosk is working, not frozen.

    Its animation timer runs only while it is on screen; it paints its own background (no
    style sheet pass over the page behind it at every turn).
    """

    STEPS = 12

    def __init__(self) -> None:
        super().__init__()
        self.phase = 0
        self.setFixedSize(200, 200)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._turn)

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def _turn(self) -> None:
        self.phase = (self.phase + 1) % self.STEPS
        self.update()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        self._timer.start()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt API
        self._timer.stop()
        super().hideEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(BACKGROUND))
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        width = self.width() * 0.1
        ring = QRectF(self.rect()).adjusted(width, width, -width, -width)
        p.setPen(QPen(QColor("#cfd8e3"), width))
        p.drawEllipse(ring)
        p.setPen(QPen(QColor(PRIMARY), width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        start = -self.phase * 360 // self.STEPS
        p.drawArc(ring, start * 16, 100 * 16)  # Qt angles are in 1/16 degree
        p.end()


class BusyScreen(Screen):
    """ "Checking your card…" with a turning indicator and the seconds waited so far."""

    def __init__(self) -> None:
        super().__init__()
        self.text = label(TITLE_PX, bold=True, color=PRIMARY)
        self.spinner = Spinner()
        self.elapsed = label(BODY_PX, color=MUTED)
        self._seconds = 0
        self._lang: Lang = "vi"
        self._doing = "checking"  # or "printing": "Thử in lại" prints, it checks no card
        box = QVBoxLayout(self)
        box.addStretch(1)
        box.addWidget(self.spinner, 0, Qt.AlignmentFlag.AlignHCenter)
        box.addSpacing(40)
        box.addWidget(self.text)
        box.addWidget(self.elapsed)
        box.addStretch(1)

    def set_elapsed(self, seconds: int) -> None:
        self._seconds = seconds
        self.elapsed.setText(tr("waited", self._lang, s=seconds))

    def set_printing(self, printing: bool) -> None:
        """Say "printing the slip again" (a retry) instead of "checking your card"."""
        self._doing = "printing" if printing else "checking"
        self.text.setText(tr(self._doing, self._lang))

    def clear(self) -> None:
        self.set_printing(False)

    def retranslate(self, lang: Lang) -> None:
        self._lang = lang
        self.text.setText(tr(self._doing, lang))
        self.set_elapsed(self._seconds)


class TimeWarningScreen(Screen):
    """ "Do you need more time?" over the whole screen, ten seconds before a timeout."""

    more_time = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.gender: Gender | None = None  # of the patient whose screen timed out
        self.title = label(TITLE_PX + 12, bold=True, color=PRIMARY)
        self.go_on = button()
        self.go_on.setStyleSheet("min-height: 220px; font-size: 64px; border-radius: 28px;")
        self.go_on.clicked.connect(self.more_time.emit)
        self.countdown = Countdown()
        column(
            Stretch(), self.title, 60, self.go_on, 40, self.countdown.widget, Stretch(), parent=self
        )

    def retranslate(self, lang: Lang) -> None:
        self.title.setText(tr_to("time_warning", lang, self.gender))
        self.go_on.setText(tr("continue", lang))


class _Question(Screen):
    """A patient screen that asks something: its title, and the countdown back to the start."""

    personal = True

    def __init__(self) -> None:
        super().__init__()
        self.title = label(TITLE_PX, bold=True, color=PRIMARY)
        self.countdown = Countdown()

    @property
    def addressee(self) -> Gender | None:
        """The gender this screen's patient is addressed by (the time warning says it too)."""
        return None


class ClinicScreen(_Question):
    """Big buttons, one per open clinic."""

    chosen = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.grid = QGridLayout()
        self.grid.setSpacing(28)
        self.priority = PriorityQuestion()
        self._box = box = column(
            Stretch(),
            self.title,
            40,
            self.grid,
            40,
            self.priority,
            Stretch(2),
            self.countdown.widget,
            parent=self,
        )
        box.setContentsMargins(0, 0, 0, 0)
        self.buttons: dict[str, object] = {}
        self._clinics: tuple[Clinic, ...] = ()
        self._lang: Lang = "vi"
        self._landscape = True

    def orient(self, landscape: bool) -> None:
        """Two columns of buttons side by side on a landscape screen, one on a portrait one."""
        self.priority.orient(landscape)
        if landscape != self._landscape:
            self._landscape = landscape
            self.set_clinics(self._clinics, self._lang)

    @property
    def addressee(self) -> Gender | None:
        return self.priority.gender

    def address(self, gender: Gender | None) -> None:
        """Ask the priority question of a patient of this gender ("Bà có thuộc diện…")."""
        self.priority.gender = gender

    def set_clinics(self, clinics: Sequence[Clinic], lang: Lang) -> None:
        self._clinics = tuple(clinics)
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()  # gone now, not at the next event-loop turn
                widget.setParent(None)
                widget.deleteLater()
        self.buttons = {}
        # large text on a landscape screen: three across, each name on as many lines as needed
        columns = (3 if self.large else 2) if self._landscape else 1
        for i, clinic in enumerate(self._clinics):
            b = button()
            b.setStyleSheet("min-height: 180px; font-size: 46px;")
            b.clicked.connect(lambda _=False, code=clinic.code: self.chosen.emit(code))
            self.grid.addWidget(b, i // columns, i % columns)
            self.buttons[clinic.code] = b
        self.retranslate(lang)

    def retranslate(self, lang: Lang) -> None:
        self._lang = lang
        self.title.setText(tr("choose_clinic", lang))
        self.priority.retranslate(lang)
        for clinic in self._clinics:
            b = self.buttons.get(clinic.code)
            if b is not None:
                name = clinic.name(lang)
            if self.large and isinstance(b, QPushButton):
                name = _fit_lines(name, b, self._button_width())
            b.setText(f"{name}\n{clinic.room_name(lang)}")  # type: ignore[attr-defined]

    def _button_width(self) -> int:
        """About the width a clinic button's text has (the screen's, shared by the columns,
        less the buttons' padding)."""
        columns = (3 if self.large else 2) if self._landscape else 1
        screen = 1856 if self._landscape else 1016
        return (screen - 28 * (columns - 1)) // columns - 80

    def set_large(self, large: bool) -> None:
        super().set_large(large)
        if self._clinics:
            self.set_clinics(self._clinics, self._lang)  # the columns change
        # the fixed gaps around the buttons give way to the larger text
        for i in range(self._box.count()):
            item = self._box.itemAt(i)
            spacer = item.spacerItem() if item is not None else None
            if spacer is not None and spacer.sizeHint().height() in (16, 40):
                spacer.changeSize(0, 16 if large else 40)
        self._box.invalidate()
        self.retranslate(self._lang)

    def clear(self) -> None:
        self.address(None)
        self.set_clinics((), self._lang)


def _fit_lines(name: str, widget: QPushButton, width: int) -> str:
    """``name`` broken into lines of at most ``width`` pixels in the button's font at large
    size (a button does not wrap its text)."""
    font = widget.font()
    font.setPixelSize(round(46 * 1.5))  # the clinic buttons' size, half as big again
    metrics = QFontMetrics(font)
    lines: list[str] = []
    for word in name.split():
        if lines and metrics.horizontalAdvance(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return "\n".join(lines)


class ConfirmScreen(_Question, _OrientsWithTextSize):
    """ "Is this you?" with the masked name and birth year."""

    answered = Signal(bool)

    def __init__(self) -> None:
        super().__init__()
        self.message = label(BODY_PX)
        self.name = label(72, bold=True)
        self.birth = label(BODY_PX + 8)
        self.yes, self.no = button(), button("secondary")
        self.yes.setMinimumHeight(150)
        self.no.setMinimumHeight(150)
        self.yes.clicked.connect(lambda: self.answered.emit(True))
        self.no.clicked.connect(lambda: self.answered.emit(False))
        self.button_row = buttons = AdaptiveBox()
        buttons.setSpacing(40)
        buttons.addWidget(self.yes)
        buttons.addWidget(self.no)
        self._landscape = True
        box = QVBoxLayout(self)
        box.addStretch(1)
        for w in (self.title, self.message, self.name, self.birth):
            box.addWidget(w)
        self._above_buttons = box.count()
        box.addStretch(1)
        box.addSpacing(48)
        box.addLayout(buttons)
        self._below_buttons = box.count()
        box.addStretch(0)
        box.addWidget(self.countdown.widget)
        self._box = box
        self._patient = PublicPatient()
        self._outcome: Outcome | None = None

    def orient(self, landscape: bool) -> None:
        self._landscape = landscape
        # large text on a portrait screen: the two answers do not fit side by side
        self.button_row.set_across(landscape or not self.large)
        # landscape: the answers at the bottom; portrait (a long way down): right under the name
        self._box.setStretch(self._above_buttons, 1 if landscape else 0)
        self._box.setStretch(self._below_buttons, 0 if landscape else 1)

    @property
    def addressee(self) -> Gender | None:
        return self._patient.gender

    def show_patient(self, patient: PublicPatient, outcome: Outcome, lang: Lang) -> None:
        self._patient, self._outcome = patient, outcome
        self.retranslate(lang)

    def retranslate(self, lang: Lang) -> None:
        self.title.setText(tr_to("confirm_title", lang, self._patient.gender))
        # the question is about what the screen shows: the name, or the year of birth
        reason = self._outcome.reason if self._outcome else None
        if reason is None:
            self.message.setText("")
        elif reason is Reason.BIRTH_NEEDS_CONFIRMATION:
            self.message.setText(tr("confirm_check_birth", lang))
        else:
            self.message.setText(tr("confirm_check_name", lang))
        # the given name shows: it is how people recognise their own name
        self.name.setText(self._patient.confirm_name or self._patient.name)
        self.birth.setText(
            tr("born", lang, year=self._patient.birth_year) if self._patient.birth_year else ""
        )
        self.yes.setText(tr("yes", lang))
        self.no.setText(tr("no", lang))

    def clear(self) -> None:
        self._patient, self._outcome = PublicPatient(), None
        for w in (self.message, self.name, self.birth):
            w.setText("")


class _ResultScreen(LeavingScreen):
    """Common parts of the three result screens."""

    def __init__(self) -> None:
        super().__init__()
        self._outcome: Outcome | None = None
        self._clinic: Clinic | None = None
        self._patient = PublicPatient()
        self._reception = ("", "")

    @property
    def addressee(self) -> Gender | None:
        """The gender the shown patient is addressed by ("Ông", "Bà"), None when unknown."""
        if self._outcome is not None and self._outcome.gender is not None:
            return self._outcome.gender
        return self._patient.gender

    def show_outcome(
        self,
        outcome: Outcome,
        clinic: Clinic | None,
        patient: PublicPatient,
        reception: tuple[str, str],
        lang: Lang,
    ) -> None:
        self._outcome, self._clinic, self._patient = outcome, clinic, patient
        self._reception = reception
        self.retranslate(lang)

    def clear(self) -> None:
        self._outcome, self._clinic, self._patient = None, None, PublicPatient()
        for child in self.findChildren(type(self.countdown.widget)):
            child.setText("")

    def _patient_line(self, lang: Lang) -> str:
        p = self._patient
        parts = [p.name]
        if p.birth_year:
            parts.append(tr("born", lang, year=p.birth_year))
        if p.card_last4:
            parts.append(tr("card_last4", lang, last4=p.card_last4))
        return "  ·  ".join(x for x in parts if x)


def _number_block(caption: QLabel, number: QLabel) -> QVBoxLayout:
    """The caption right above the number, the pair centred in its half of the screen.

    (:func:`_pull_together` moves it to the bottom of its half on a portrait screen.)
    """
    box = column(Stretch(), caption, number, Stretch())
    box.setSpacing(0)
    return box


def _pull_together(number: QVBoxLayout, text: QVBoxLayout, landscape: bool) -> None:
    """Side by side: both halves centred. Stacked: the number down, the text up, so the two
    stay together in the middle of the screen instead of each floating in its half."""
    number.setStretch(number.count() - 1, 1 if landscape else 0)
    text.setStretch(0, 1 if landscape else 0)


def _text_block(*widgets: QWidget) -> QVBoxLayout:
    box = column(Stretch(), *widgets, Stretch())
    box.setSpacing(20)
    return box


#: the number on a portrait screen with large text: it gives up height to the larger lines (its
#: digits still 6.5 cm tall on a 24" screen)
NUMBER_LARGE_TEXT_PX = 340


class _NumberScreen(_ResultScreen, _OrientsWithTextSize):
    """A queue number, huge, beside (landscape) or above (portrait) a few lines of text."""

    def __init__(self, heading: QLabel, number_color: str) -> None:
        super().__init__()
        self.heading = heading
        self.caption = label(BODY_PX)
        self.number = label(NUMBER_PX, bold=True, color=number_color, wrap=False)
        self.patient = label(CAPTION_PX + 4)
        self.body = AdaptiveBox()
        self.body.setSpacing(32)
        self.number_box = _number_block(self.caption, self.number)
        self._landscape = True
        self.buttons = AdaptiveBox()
        self.buttons.setSpacing(40)
        self.buttons.addWidget(self.done_button)

    def _assemble(self, *lines: QLabel) -> None:
        """Lay out the number and the subclass's lines (called once they exist)."""
        self.text_box = _text_block(*lines)
        self.body.addLayout(self.number_box, 1)
        self.body.addLayout(self.text_box, 1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.heading)
        box.addLayout(self.body, 1)
        box.addWidget(self.patient)
        box.addWidget(self.countdown.widget)
        box.addLayout(self.buttons)

    def orient(self, landscape: bool) -> None:
        self._landscape = landscape
        self.body.set_across(landscape)
        # large text: on a landscape screen the lines get two thirds of the width (fewer of
        # them; the number keeps the width its digits need); on a portrait one the number
        # gives up its extra height
        self.body.setStretch(1, 2 if self.large and landscape else 1)
        if landscape:
            set_pixel_size(self.number, NUMBER_PX)
        else:
            set_pixel_size(self.number, NUMBER_LARGE_TEXT_PX if self.large else NUMBER_TALL_PX)
        self.buttons.set_across(landscape or not self.large)  # "Try printing again" is long
        _pull_together(self.number_box, self.text_box, landscape)

    def _retranslate_number(self, lang: Lang) -> None:
        o = self._outcome
        self.caption.setText(tr("queue_number", lang))
        self.number.setText(o.checkin.label if o and o.checkin else "")
        self.patient.setText(self._patient_line(lang))
        self.done_button.setText(tr("done", lang))

    def _clinic_text(self, lang: Lang) -> str:
        c = self._clinic
        return f"{c.name(lang)}\n{c.room_name(lang)}" if c else ""


class AcceptedScreen(_NumberScreen):
    """The queue number, huge; then where to go, the second-biggest thing on its own line
    ("Phòng 101 – Tầng 1, khu A"); then the clinic's name; "take your slip"; the masked
    patient.

    Landscape: the number on the left, the room and clinic on the right. Portrait: one column.
    """

    def __init__(self) -> None:
        super().__init__(label(BODY_PX + 4, bold=True, color=GOOD), GOOD)
        self.room = label(TITLE_PX, bold=True, color=PRIMARY)
        self.clinic = label(BODY_PX + 4, bold=True)
        self.slip = label(48, bold=True, color=PRIMARY)
        self.benefit = label(BODY_PX)  # "BHYT chi trả 80%", or "reception confirms"
        self.visit_code = label(CAPTION_PX, color=MUTED)  # the visit code, small: for staff
        self.wait = label(BODY_PX)  # the people ahead and the likely wait, when central says
        self._assemble(self.room, self.clinic, self.benefit, self.visit_code, self.wait, self.slip)

    def retranslate(self, lang: Lang) -> None:
        o, c = self._outcome, self._clinic
        self._retranslate_number(lang)
        # "take your slip" has its own line: the heading says only what happened
        heading = tr("checked_in", lang) if o and o.reason is None else ""
        self.heading.setText(o.message(lang) if o and o.reason else heading)
        where = [c.room_name(lang), c.location(lang)] if c else []
        self.room.setText(" – ".join(w for w in where if w))
        self.clinic.setText(c.name(lang) if c else "")
        self.benefit.setText(checkin_benefit_text(o.checkin, lang) if o and o.checkin else "")
        code = checkin_route_text(o.checkin, lang) if o and o.checkin else ""
        self.visit_code.setText(code)
        self.visit_code.setVisible(bool(code))
        self.slip.setText(tr("take_slip", lang) if o and o.printed else "")
        place = o.place if o else None
        if place is not None and place.priority is not None:
            self.number.setText(f"{self.number.text()} Ư")  # a priority number (Art. 3 cl. 2)
        lo, hi = place.wait_minutes if place else (0, 0)
        gender = self.addressee
        ahead = tr_to("ahead_wait", lang, gender, ahead=place.ahead, lo=lo, hi=hi) if place else ""
        self.wait.setText(ahead)
        self.wait.setVisible(bool(ahead))


class PrinterFailedScreen(_NumberScreen):
    """The number on screen and "show this at reception", and "Thử in lại" (the paper may be
    back, or the jam cleared).

    Signals:
        retry(object): print the shown check-in's slip again (its :class:`CheckIn`).
    """

    retry = Signal(object)

    def __init__(self) -> None:
        super().__init__(label(TITLE_PX, bold=True, color=WARN), INK)
        self.retry_button = button()
        self.retry_button.clicked.connect(self._retry)
        self.buttons.insertWidget(0, self.retry_button)
        self.clinic = label(48, bold=True)
        self.show_text = label(52, bold=True, color=WARN)
        self.kept = label(BODY_PX)
        self.where = label(BODY_PX, bold=True, color=PRIMARY)
        self._assemble(self.show_text, self.clinic, self.kept, self.where)

    def set_large(self, large: bool) -> None:
        # large text leaves room for what to do only: the number, where to show it, the
        # clinic; not the reassurance that it is kept, nor the masked name
        self.kept.setVisible(not large)
        self.patient.setVisible(not large)
        super().set_large(large)

    def retranslate(self, lang: Lang) -> None:
        self._retranslate_number(lang)
        self.heading.setText(tr("printer_failed_title", lang))
        self.retry_button.setText(tr("retry_print", lang))
        self.retry_button.setEnabled(self._outcome is not None)
        self.clinic.setText(self._clinic_text(lang))
        self.show_text.setText(tr("show_reception", lang) if self._outcome else "")
        self.kept.setText(tr_to("number_kept", lang, self.addressee) if self._outcome else "")
        where = self._reception[1] if lang == "en" else self._reception[0]
        self.where.setText(tr("reception_where", lang, where=where))

    def _retry(self) -> None:
        checkin = self._outcome.checkin if self._outcome else None
        if checkin is not None:
            self.retry_button.setEnabled(False)  # one try per press
            self.retry.emit(checkin)


class ReceptionScreen(_ResultScreen, _OrientsWithTextSize):
    """Needs reception or rejected: why, in plain words, and where reception is.

    A code the patient can fix (not a card, damaged) also offers "Scan again".
    """

    rescan = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.rescan_button = button()
        self.rescan_button.clicked.connect(self.rescan.emit)
        self.rescan_button.hide()
        self.heading = label(TITLE_PX, bold=True, color=WARN)
        self.reason = label(52, bold=True)
        self.where = label(48, color=PRIMARY, bold=True)
        self.patient = label(CAPTION_PX + 4)
        self.button_row = buttons = AdaptiveBox()
        self._landscape = True
        buttons.setSpacing(40)
        buttons.addWidget(self.rescan_button)
        buttons.addWidget(self.done_button)
        column(
            Stretch(),
            self.heading,
            30,
            self.reason,
            30,
            self.where,
            Stretch(),
            self.patient,
            self.countdown.widget,
            buttons,
            parent=self,
        )

    def orient(self, landscape: bool) -> None:
        self._landscape = landscape
        # large text on a portrait screen: "Quét thẻ khác" and "Đến quầy" one above the other
        self.button_row.set_across(landscape or not self.large)

    def retranslate(self, lang: Lang) -> None:
        o = self._outcome
        rejected = o is not None and o.status is Status.REJECTED
        self.heading.setStyleSheet(f"color: {BAD if rejected else WARN}; background: transparent;")
        # a code the patient can fix is scanned again; a card that will not do, another one
        other = o is not None and can_try_another_card(o) and not can_rescan(o)
        self.rescan_button.setVisible(o is not None and (can_rescan(o) or other))
        self.rescan_button.setText(tr("other_card" if other else "rescan", lang))
        if o is None:
            self.heading.setText("")
            self.reason.setText("")
        elif rejected or o.reason is None:
            self.heading.setText(message_for(o.status, lang, o.gender))
            self.reason.setText(o.message(lang) if o.reason else "")
        else:
            # the reason's own sentence already says to go to reception: said once
            self.heading.setText(o.message(lang))
            self.reason.setText("")
        where = self._reception[1] if lang == "en" else self._reception[0]
        self.where.setText(tr("reception_where", lang, where=where))
        self.patient.setText(self._patient_line(lang))
        # with "Quét lại" beside it, the other way on is named: to the desk
        fixable = o is not None and (can_rescan(o) or other)
        self.done_button.setText(tr("reception_go" if fixable else "done", lang))
