"""Staff screens: PIN pad, staff home (manual entry, override, today's list), admin."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFocusEvent, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.clock import local_time
from kiosk.model import CheckIn, Clinic
from kiosk.outcome import Lang
from kiosk.telex import apply_key
from ui.i18n import Text, no_text, text, tr
from ui.present import from_checkin
from ui.screens.common import (
    BAD,
    BODY_PX,
    PRIMARY,
    SMALL_PX,
    TITLE_PX,
    WARN,
    AdaptiveBox,
    Screen,
    button,
    label,
    line_edit,
)

SPACE = "␣"  # the space key's face
BACKSPACE = "⌫"
CLEAR = "⌧"  # the clear key's face next to letters (a "C" there would be the letter)

#: what a key press makes of a field's text (None: the field does not take that key)
Typist = Callable[[str, str], str | None]


class Keypad(QWidget):
    """An on-screen keypad typing into a line edit (digits, or digits, capital letters, space).

    Keys are pressed by their face (:meth:`press`); the clear key is "C" on a digits-only pad.

    ``target`` is the field it types into (it may change); a field with a :data:`Typist` in
    ``typists`` gets each key through it (e.g. Telex for a name), any other field simply
    inserts the key at its cursor (never a space).
    """

    def __init__(
        self,
        target: QLineEdit,
        *,
        letters: bool = False,
        key_px: int = 80,
        letter_px: int = 80,
        columns: int = 3,
    ) -> None:
        super().__init__()
        self.target = target
        self.typists: dict[QLineEdit, Typist] = {}
        self.keys: dict[str, QPushButton] = {}
        self.clear_key = CLEAR if letters else "C"
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        grid = QGridLayout()
        grid.setSpacing(10)
        outer.addLayout(grid)
        for i, key in enumerate([*"123456789", BACKSPACE, "0", self.clear_key]):
            b = self._key(key)
            b.setStyleSheet(f"min-height: {key_px}px; font-size: {max(32, key_px // 2)}px;")
            grid.addWidget(b, i // columns, i % columns)
        if letters:
            letter_grid = QGridLayout()
            letter_grid.setSpacing(6)
            outer.addLayout(letter_grid)
            # 26 letters and the space key fill three rows of nine
            for i, key in enumerate([*"ABCDEFGHIJKLMNOPQRSTUVWXYZ", SPACE]):
                b = self._key(key)
                b.setStyleSheet(f"min-height: {letter_px}px; font-size: 32px;")
                letter_grid.addWidget(b, i // 9, i % 9)

    def _key(self, key: str) -> QPushButton:
        b = button("key")
        b.setText(key)
        b.clicked.connect(lambda _=False, k=key: self.press(k))
        self.keys[key] = b
        return b

    def press(self, key: str) -> None:
        target = self.target
        if not target.isEnabled():
            return
        if key == BACKSPACE:
            target.backspace()
        elif key == self.clear_key:
            target.clear()
        else:
            key = " " if key == SPACE else key
            typist = self.typists.get(target)
            if typist is None:
                if key != " ":
                    target.insert(key)
                return
            typed = typist(target.text(), key)
            if typed is not None and (target.maxLength() <= 0 or len(typed) <= target.maxLength()):
                target.setText(typed)


def name_typist(text: str, key: str) -> str | None:
    """A patient's name from the capital-letter keys: Telex, each word capitalised, one space
    between words, no digits."""
    if key == " ":
        return text + " " if text and not text.endswith(" ") else None
    if not key.isalpha():
        return None
    word = text.rsplit(" ", 1)[-1]
    return apply_key(text, key.lower() if word else key.upper())


def sentence_typist(text: str, key: str) -> str | None:
    """A free text such as a reason, from the capital-letter keys: Telex, the first letter a
    capital."""
    if key == " ":
        return text + " " if text and not text.endswith(" ") else None
    if not (key.isalpha() or key.isdigit()):
        return None
    return apply_key(text, key.lower() if text else key.upper())


def year_typist(text: str, key: str) -> str | None:
    """A birth year: digits only (the field's maximum length keeps it to four)."""
    return text + key if key.isdigit() else None


class PinScreen(Screen):
    """A staff code and PIN pad (the PIN shown as dots).

    The keypad types into the field last tapped; OK with a code but no PIN moves on to the PIN.

    Signals:
        submitted(str, str): the staff code and the PIN.
        cancelled(): back to the patients' screens.
    """

    submitted = Signal(str, str)
    cancelled = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.title = label(TITLE_PX, bold=True, color=PRIMARY)
        self.code = QLineEdit()
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code.setMaxLength(8)
        self.code.setFixedWidth(600)
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pin.setMaxLength(12)
        self.pin.setFixedWidth(600)
        self.message = label(BODY_PX, color=BAD)
        self._message: Text = no_text
        self._lang: Lang = "vi"
        self.keypad = Keypad(self.code, key_px=80)
        self.keypad.setFixedWidth(600)
        for field in (self.code, self.pin):
            field.installEventFilter(self)
        self.ok, self.cancel = button(), button("secondary")
        self.ok.clicked.connect(self._submit)
        self.cancel.clicked.connect(self.cancelled.emit)
        self.code.returnPressed.connect(self._submit)
        self.pin.returnPressed.connect(self._submit)
        row = QHBoxLayout()
        row.setSpacing(24)
        row.addWidget(self.cancel)
        row.addWidget(self.ok)
        buttons = QWidget()
        buttons.setLayout(row)
        buttons.setFixedWidth(600)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(16)
        box.addStretch(1)
        box.addWidget(self.title)
        box.addWidget(self.code, 0, Qt.AlignmentFlag.AlignHCenter)
        box.addWidget(self.pin, 0, Qt.AlignmentFlag.AlignHCenter)
        box.addWidget(self.message)
        box.addWidget(self.keypad, 0, Qt.AlignmentFlag.AlignHCenter)
        box.addWidget(buttons, 0, Qt.AlignmentFlag.AlignHCenter)
        box.addStretch(1)
        self.type_into(self.code)

    def type_into(self, field: QLineEdit) -> None:
        """The keypad types into ``field`` from now on (shown by its colour)."""
        self.keypad.target = field
        for each in (self.code, self.pin):
            each.setStyleSheet("background: #dbeafe;" if each is field else "")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() in (QEvent.Type.FocusIn, QEvent.Type.MouseButtonPress) and watched in (
            self.code,
            self.pin,
        ):
            assert isinstance(watched, QLineEdit)
            self.type_into(watched)
        return super().eventFilter(watched, event)

    def _submit(self) -> None:
        if self.code.text() and not self.pin.text():
            self.type_into(self.pin)
            return
        self.submitted.emit(self.code.text(), self.pin.text())

    def retranslate(self, lang: Lang) -> None:
        self._lang = lang
        self.title.setText(tr("pin_title", lang))
        self.code.setPlaceholderText(tr("staff_code", lang))
        self.pin.setPlaceholderText(tr("pin_label", lang))
        self.ok.setText(tr("ok", lang))
        self.cancel.setText(tr("cancel", lang))
        self.message.setText(self._message(lang))

    def set_message(self, message: Text) -> None:
        """A message under the PIN, kept so that the language toggle re-renders it."""
        self._message = message
        self.message.setText(message(self._lang))

    def clear_entry(self) -> None:
        """Empty both fields (the message stays), ready for the next code."""
        self.code.clear()
        self.pin.clear()
        self.type_into(self.code)

    def clear(self) -> None:
        self.clear_entry()
        self.set_message(no_text)


class StaffScreen(Screen):
    """Manual entry with override, and today's check-ins with reprint and cancel."""

    lookup = Signal(str)
    check_in = Signal(str)  # clinic code
    override = Signal(str, str)  # clinic code, reason
    search = Signal(str)
    reprint = Signal(str)  # check-in id
    cancel_checkin = Signal(str, str)  # check-in id, reason
    logout = Signal()
    open_admin = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._lang: Lang = "vi"
        self._name = ""
        self._result: Text = no_text
        self._clinics: tuple[Clinic, ...] = ()
        self._checkins: tuple[CheckIn, ...] = ()
        self.title = label(SMALL_PX + 4, bold=True, color=PRIMARY)
        self.title.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.admin_button = button("secondary", compact=True)
        self.logout_button = button("secondary", compact=True)
        self.admin_button.clicked.connect(self.open_admin.emit)
        self.logout_button.clicked.connect(self.logout.emit)
        head = QHBoxLayout()
        head.setSpacing(24)
        head.addWidget(self.title, 2)
        head.addWidget(self.admin_button, 1)
        head.addWidget(self.logout_button, 1)
        # landscape: keypad | actions | today's list; portrait: keypad | actions over the list
        work = QHBoxLayout()
        work.setSpacing(28)
        work.addLayout(self._build_entry(), 1)
        work.addLayout(self._build_actions(), 1)
        self.body = AdaptiveBox()
        self.body.setSpacing(28)
        self.body.addLayout(work, 2)
        self.body.addLayout(self._build_today(), 1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(20)
        box.addLayout(head)
        box.addLayout(self.body, 1)
        # the keypad types into the last of these fields that was tapped
        self.keypad.typists[self.patient_name] = name_typist
        self.keypad.typists[self.patient_birth] = year_typist
        self.keypad.typists[self.reason] = sentence_typist
        self.keypad.typists[self.cancel_reason] = sentence_typist
        for field in self._typed_fields():
            field.installEventFilter(self)
        self.type_into(self.code)
        self.set_assessment_state(can_check_in=False, can_override=False)

    def _typed_fields(self) -> tuple[QLineEdit, ...]:
        return (self.code, self.patient_name, self.patient_birth, self.reason, self.cancel_reason)

    def type_into(self, field: QLineEdit) -> None:
        """Make ``field`` the keypad's target, and show which one it is."""
        self.keypad.target = field
        for f in self._typed_fields():
            f.setProperty("target", f is field)
            f.style().unpolish(f)
            f.style().polish(f)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        # a tap, or Tab on a physical keyboard, picks the keypad's field (not the focus that
        # comes back when the window is activated again: that would undo the automatic choice)
        tabbed = isinstance(event, QFocusEvent) and event.reason() in (
            Qt.FocusReason.TabFocusReason,
            Qt.FocusReason.BacktabFocusReason,
        )
        if (event.type() == QEvent.Type.MouseButtonPress or tabbed) and isinstance(
            watched, QLineEdit
        ):
            self.type_into(watched)
        return False

    def orient(self, landscape: bool) -> None:
        self.body.set_across(landscape)
        # stacked, today's list takes the height the keypad and the actions leave
        self.body.setStretch(0, 2 if landscape else 0)
        self.body.setStretch(1, 1)

    def _build_entry(self) -> QVBoxLayout:
        self.entry_label = label(SMALL_PX - 2, bold=True)
        self.code = line_edit(compact=True)
        self.code.setMaxLength(15)
        # digits four across: the staff screen has the width, not the height, for 80 px keys
        self.keypad = Keypad(self.code, letters=True, columns=4)
        self.lookup_button = button(compact=True)
        self.lookup_button.clicked.connect(lambda: self.lookup.emit(self.code.text().strip()))
        self.code.returnPressed.connect(lambda: self.lookup.emit(self.code.text().strip()))
        left = QVBoxLayout()
        left.setSpacing(12)
        for w in (self.entry_label, self.code, self.keypad, self.lookup_button):
            left.addWidget(w)
        left.addStretch(1)
        return left

    def _build_actions(self) -> QVBoxLayout:
        self.result = label(SMALL_PX)
        self.result.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.result.setMinimumHeight(3 * self.result.fontMetrics().lineSpacing())
        self.clinic = QComboBox()
        self.clinic.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.clinic.setMinimumContentsLength(8)
        self.check_in_button = button(compact=True)
        self.check_in_button.clicked.connect(
            lambda: self.check_in.emit(str(self.clinic.currentData()))
        )
        # only when no card was found: who the override is for
        self.patient_name = line_edit(compact=True)
        self.patient_name.setMaxLength(80)
        self.patient_birth = line_edit(compact=True)
        self.patient_birth.setMaxLength(4)
        self.reason = line_edit(compact=True)
        self.override_button = button("danger", compact=True)
        self.override_button.clicked.connect(self._override)
        # a label above each field: a placeholder vanishes as soon as staff type
        self.field_labels: dict[QLineEdit, tuple[str, QLabel]] = {}
        middle = QVBoxLayout()
        middle.setSpacing(12)
        middle.addWidget(self.result)
        for w in (self.clinic, self.check_in_button):
            middle.addWidget(w)
        for field, key in (
            (self.patient_name, "patient_name"),
            (self.patient_birth, "birth_year"),
            (self.reason, "override_reason"),
        ):
            middle.addLayout(self._labelled(field, key))
        middle.addWidget(self.override_button)
        middle.addStretch(1)
        return middle

    def _build_today(self) -> QVBoxLayout:
        self.today_label = label(SMALL_PX - 2, bold=True)
        self.search_box = line_edit(compact=True)
        self.search_box.textChanged.connect(self.search.emit)
        self.rows = QListWidget()
        self.rows.setMinimumHeight(160)
        self.rows.setWordWrap(True)  # a long row wraps in a narrow column instead of scrolling
        self.rows.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.reprint_button = button(compact=True)
        self.reprint_button.clicked.connect(self._reprint)
        self.cancel_reason = line_edit(compact=True)
        self.cancel_button = button("danger", compact=True)
        self.cancel_button.clicked.connect(self._cancel)
        right = QVBoxLayout()
        right.setSpacing(12)
        right.addWidget(self.today_label)
        right.addLayout(self._labelled(self.search_box, "search"))
        right.addWidget(self.rows, 1)
        right.addWidget(self.reprint_button)
        right.addLayout(self._labelled(self.cancel_reason, "cancel_reason"))
        right.addWidget(self.cancel_button)
        return right

    def _labelled(self, field: QLineEdit, key: str) -> QVBoxLayout:
        caption = label(SMALL_PX - 4, bold=True)
        caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom)
        self.field_labels[field] = (key, caption)
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addWidget(caption)
        box.addWidget(field)
        return box

    def set_user(self, name: str, admin: bool) -> None:
        self._name = name
        self.admin_button.setVisible(admin)
        self.title.setText(tr("staff_title", self._lang, name=name))

    def set_clinics(self, clinics: Sequence[Clinic], lang: Lang) -> None:
        self._clinics = tuple(clinics)
        self._lang = lang
        self._fill_clinics()

    def _fill_clinics(self) -> None:
        chosen = self.clinic.currentIndex()
        self.clinic.clear()
        for c in self._clinics:
            self.clinic.addItem(c.name(self._lang), c.code)
        if 0 <= chosen < self.clinic.count():
            self.clinic.setCurrentIndex(chosen)

    def set_result(self, message: Text, *, error: bool = False) -> None:
        """The answer to the last action, kept so that the language toggle re-renders it."""
        self.result.setStyleSheet(f"color: {BAD if error else '#0d1b2a'}; background: transparent;")
        self._result = message
        self.result.setText(message(self._lang))

    def set_assessment_state(
        self, *, can_check_in: bool, can_override: bool, needs_identity: bool = False
    ) -> None:
        shown = self.patient_name.isVisibleTo(self)
        for field in (self.patient_name, self.patient_birth):
            field.setVisible(needs_identity)
            self.field_labels[field][1].setVisible(needs_identity)
        if needs_identity and not shown:
            self.type_into(self.patient_name)  # what staff type next: who the patient is
        self.check_in_button.setEnabled(can_check_in)
        self.override_button.setEnabled(can_override)
        self.reason.setEnabled(can_override)
        target = self.keypad.target
        if not (target.isVisibleTo(self) and target.isEnabled()):
            self.type_into(self.code)

    def set_checkins(self, checkins: Sequence[CheckIn], lang: Lang) -> None:
        self._checkins = tuple(checkins)
        self._fill_rows(lang)

    def _fill_rows(self, lang: Lang) -> None:
        chosen = self.rows.currentRow()
        self.rows.clear()
        for c in self._checkins:
            shown = from_checkin(c)
            when = local_time(c.created_at).strftime("%H:%M")
            text = f"{c.clinic_code} {c.label:>3}  {when}  {shown.name}  …{shown.card_last4}"
            if c.offline:
                text += f"  ({tr('offline', lang)})"
            if c.flag:
                text += f"  ({tr('flag_' + c.flag, lang)})"
            if c.cancelled:
                text += f"  ({tr('cancelled', lang)})"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            self.rows.addItem(item)
        if 0 <= chosen < self.rows.count():
            self.rows.setCurrentRow(chosen)

    def selected_id(self) -> str | None:
        item = self.rows.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _override(self) -> None:
        reason = self.reason.text().strip()
        if not reason:
            self.set_result(text("need_reason"), error=True)
            return
        if self.patient_name.isVisibleTo(self):
            year = self.patient_birth.text().strip()
            if not self.patient_name.text().strip():
                self.set_result(text("need_name"), error=True)
                return
            if year and not (len(year) == 4 and year.isdigit()):
                self.set_result(text("bad_year"), error=True)
                return
        self.override.emit(str(self.clinic.currentData()), reason)

    def _reprint(self) -> None:
        checkin_id = self.selected_id()
        if checkin_id:
            self.reprint.emit(checkin_id)

    def _cancel(self) -> None:
        checkin_id = self.selected_id()
        reason = self.cancel_reason.text().strip()
        if not checkin_id:
            return
        if not reason:
            self.set_result(text("need_reason"), error=True)
            return
        self.cancel_checkin.emit(checkin_id, reason)

    def retranslate(self, lang: Lang) -> None:
        self._lang = lang
        self.title.setText(tr("staff_title", lang, name=self._name))
        self.admin_button.setText(tr("admin", lang))
        self.logout_button.setText(tr("logout", lang))
        self.entry_label.setText(tr("manual_entry", lang))
        self.lookup_button.setText(tr("lookup", lang))
        self.check_in_button.setText(tr("check_in", lang))
        self.override_button.setText(tr("override", lang))
        self.today_label.setText(tr("today", lang))
        self.reprint_button.setText(tr("reprint", lang))
        self.cancel_button.setText(tr("cancel_checkin", lang))
        for key, caption in self.field_labels.values():
            caption.setText(tr(key, lang))
        self.result.setText(self._result(lang))
        self._fill_clinics()
        self._fill_rows(lang)

    def clear(self) -> None:
        for w in (
            self.code,
            self.reason,
            self.search_box,
            self.cancel_reason,
            self.patient_name,
            self.patient_birth,
        ):
            w.clear()
        self._checkins = ()
        self.rows.clear()
        self.set_result(no_text)
        self.set_assessment_state(can_check_in=False, can_override=False)
        self.type_into(self.code)


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
        self.cards = label(BODY_PX)
        self.last_sync = label(BODY_PX)
        self.warning = label(BODY_PX, bold=True, color=WARN)
        self.pin_notice = label(SMALL_PX, bold=True, color=WARN)
        self._short_pin = False

        self.his, self.his_error, self.chart = _his_widgets()
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.sync_button, self.cancel_button = button(compact=True), button("danger", compact=True)
        self.sync_button.clicked.connect(self.sync.emit)
        self.cancel_button.clicked.connect(self.cancel_sync.emit)
        self.cancel_button.setEnabled(False)
        self.printer_button, self.camera_button = (
            button("secondary", compact=True),
            button("secondary", compact=True),
        )
        self.printer_button.clicked.connect(self.printer_test.emit)
        self.camera_button.clicked.connect(self.camera_test.emit)
        self.result = label(SMALL_PX)
        self.facts = [label(SMALL_PX) for _ in range(3)]
        self.back_button, self.quit_button = (
            button("secondary", compact=True),
            button("danger", compact=True),
        )
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
        for w in (self.title, self.cards, self.last_sync):
            box.addWidget(w)
        # two facts a line: the screen must still fit 1080 px with the chart shown
        for left, right in ((self.warning, self.pin_notice), (self.his, self.his_error)):
            pair = QHBoxLayout()
            pair.setSpacing(24)
            pair.addWidget(left)
            pair.addWidget(right, 1)
            box.addLayout(pair)
        box.addWidget(self.chart)
        box.addSpacing(12)
        box.addWidget(self.progress)
        box.addSpacing(12)
        box.addLayout(sync_row)
        box.addSpacing(12)
        box.addLayout(test_row)
        box.addWidget(self.result)
        box.addStretch(1)
        for fact in self.facts:
            box.addWidget(fact)
        box.addLayout(end_row)
        self._result: Text = no_text
        self._lang: Lang = "vi"
        self._facts: tuple[str, str, str] = ("", "", "")
        self._status: tuple[int, str | None, float | None, int] = (0, None, None, 26)

    def set_facts(self, kiosk_id: str, version: str, log_path: str) -> None:
        self._facts = (kiosk_id, version, log_path)

    def set_cache(self, cards: int, when: str | None, age_h: float | None, max_age_h: int) -> None:
        self._status = (cards, when, age_h, max_age_h)

    def set_short_pin(self, short: bool) -> None:
        """Whether the admin signed in with a PIN shorter than new PINs must be: say so."""
        self._short_pin = short
        self.pin_notice.setText(tr("short_pin", self._lang) if short else "")

    def set_outbox(self, counts: tuple[int, int, int] | None, error: str | None) -> None:
        """The HIS outbox: (pending, delivered, failed), None when no HIS is configured."""
        self._outbox = (counts, error)

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

    def set_syncing(self, running: bool) -> None:
        self.sync_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)

    def set_progress(self, done: int, total: int) -> None:
        """``total`` 0: not known yet (the bar shows activity and the count read so far)."""
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
        cards, when, age_h, max_age = self._status
        self.cards.setText(tr("cache_cards", lang, n=f"{cards:,}".replace(",", ".")))
        if when is None or age_h is None:
            self.last_sync.setText(tr("cache_never", lang))
        else:
            self.last_sync.setText(tr("cache_last_sync", lang, when=when, age=f"{age_h:.1f}"))
        stale = age_h is None or age_h > max_age
        self.warning.setText(tr("cache_old", lang, h=max_age) if stale else "")
        self.pin_notice.setText(tr("short_pin", lang) if self._short_pin else "")

        counts, error = self._outbox
        if counts is None:
            self.his.setText(tr("his_off", lang))
        else:
            pending, delivered, failed = counts
            self.his.setText(
                tr("his_status", lang, pending=pending, delivered=delivered, failed=failed)
            )
        self.his_error.setText(tr("his_error", lang, error=error) if error else "")
        self.sync_button.setText(tr("sync", lang))
        self.cancel_button.setText(tr("sync_cancel", lang))
        self.printer_button.setText(tr("printer_test", lang))
        self.camera_button.setText(tr("camera_test", lang))
        self.back_button.setText(tr("back", lang))
        self.quit_button.setText(tr("exit_app", lang))
        kiosk_id, version, log_path = self._facts
        self.facts[0].setText(tr("kiosk_id", lang, id=kiosk_id))
        self.facts[1].setText(tr("version", lang, v=version))
        self.facts[2].setText(tr("log_location", lang, path=log_path))
