"""The staff screen: manual entry with override, and today's check-ins with reprint and cancel.

It offers what staff entered as values (:class:`~kiosk.checkin.CheckInRequest`) and shows what
the :class:`~ui.staff_desk.StaffDesk` sends back; the desk decides what happens.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
)

from kiosk.checkin import CheckInRequest, Identity
from kiosk.clock import local_time
from kiosk.model import CheckIn, Clinic
from kiosk.outcome import Lang, Outcome, Reason, Status
from ui.i18n import STAFF_REASONS, Text, no_text, staff_alerts, staff_message, text, tr
from ui.present import from_checkin
from ui.screens.common import (
    BAD,
    PRIMARY,
    SMALL_PX,
    AdaptiveBox,
    Captions,
    Screen,
    button,
    label,
    line_edit,
)
from ui.screens.keypad import Keypad, name_typist, sentence_typist, year_typist
from ui.staff_desk import STAFF_LIST_ROWS, Lookup


class StaffScreen(Screen):
    """Manual entry with override, and today's check-ins with reprint and cancel.

    Signals:
        lookup(str): the code typed.
        check_in(CheckInRequest): a check-in, or an override with its reason (and who it is
            for when no card told the name).
        search(str): the search box's text.
        reprint(str): the chosen check-in's id.
        cancel_checkin(str, str): the chosen check-in's id and the reason.
        logout(), open_admin().
    """

    lookup = Signal(str)
    check_in = Signal(object)
    search = Signal(str)
    reprint = Signal(str)  # check-in id
    cancel_checkin = Signal(str, str)  # check-in id, reason
    logout = Signal()
    open_admin = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._lang: Lang = "vi"
        self._texts = Captions()
        self._name = ""
        self._result: Text = no_text
        # the code of the look-up staff asked for last (typed, or read after "Quét thẻ"): a
        # result for any other code is never shown under it
        self._query = ""
        self._filling = False  # the screen itself is changing the code field
        self.armed = False  # "Quét thẻ" pressed: the camera's next read is a look-up here
        self._clinics: tuple[Clinic, ...] = ()
        self._checkins: tuple[CheckIn, ...] = ()
        self._more = False  # today's list has more than it shows
        self.title = label(SMALL_PX + 4, bold=True, color=PRIMARY)
        self.title.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.admin_button = self._texts.add(button("secondary", compact=True), "admin")
        self.logout_button = self._texts.add(button("secondary", compact=True), "logout")
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
        self.entry_label = self._texts.add(label(SMALL_PX - 2, bold=True), "manual_entry")
        self.code = line_edit(compact=True)
        self.code.setMaxLength(15)
        # digits four across: the staff screen has the width, not the height, for 80 px keys
        self.keypad = Keypad(self.code, letters=True, columns=4)
        self.lookup_button = self._texts.add(button(compact=True), "lookup")
        self.lookup_button.clicked.connect(self._look_up_typed)
        self.code.returnPressed.connect(self._look_up_typed)
        self.code.textChanged.connect(self._code_edited)
        # the camera serves the desk only when asked: a card held up in the lobby is not staff's
        self.scan_button = self._texts.add(button("secondary", compact=True), "scan_card")
        self.scan_button.clicked.connect(self.arm_scan)
        buttons = QHBoxLayout()
        buttons.setSpacing(12)
        buttons.addWidget(self.lookup_button, 1)
        buttons.addWidget(self.scan_button, 1)
        left = QVBoxLayout()
        left.setSpacing(12)
        for w in (self.entry_label, self.code, self.keypad):
            left.addWidget(w)
        left.addLayout(buttons)
        left.addStretch(1)
        return left

    def _look_up_typed(self) -> None:
        self._ask(self.code.text().strip())

    def _ask(self, code: str) -> None:
        self.disarm()
        self._query = code
        self.lookup.emit(code)

    def set_query(self, code: str) -> None:
        """The code whose look-up the screen now waits for (the screenshots' still scenes)."""
        self._query = code

    def arm_scan(self) -> None:
        """ "Quét thẻ": the camera's next read is looked up here (once)."""
        self.armed = True
        self.scan_button.setText(tr("scan_waiting", self._lang))

    def disarm(self) -> None:
        self.armed = False
        self.scan_button.setText(tr("scan_card", self._lang))

    def take_scan(self, payload: str) -> bool:
        """A read from the camera or a USB scanner: looked up when staff asked for one (then
        the field shows that a card was read, not its raw text), else ignored."""
        if not self.armed:
            return False
        self._filling = True
        self.code.clear()
        self._filling = False
        self.code.setPlaceholderText(tr("scanned_card", self._lang))
        self._ask(payload)
        return True

    def _code_edited(self, typed: str) -> None:
        """Staff changed the code: whatever the screen showed belongs to the old one."""
        if self._filling or not self._query or typed.strip() == self._query:
            return
        self._query = ""
        self.code.setPlaceholderText("")
        self.set_result(no_text)
        self.set_assessment_state(can_check_in=False, can_override=False)

    def _build_actions(self) -> QVBoxLayout:
        self.result = label(SMALL_PX)
        self.result.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.result.setMinimumHeight(3 * self.result.fontMetrics().lineSpacing())
        self.clinic = QComboBox()
        self.clinic.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.clinic.setMinimumContentsLength(8)
        self.check_in_button = self._texts.add(button(compact=True), "check_in")
        self.check_in_button.clicked.connect(
            lambda: self.check_in.emit(CheckInRequest(self._clinic_code()))
        )
        # only when no card was found: who the override is for
        self.patient_name = line_edit(compact=True)
        self.patient_name.setMaxLength(80)
        self.patient_birth = line_edit(compact=True)
        self.patient_birth.setMaxLength(4)
        self.reason = line_edit(compact=True)
        self.override_button = self._texts.add(button("danger", compact=True), "override")
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
        self.today_label = self._texts.add(label(SMALL_PX - 2, bold=True), "today")
        self.search_box = line_edit(compact=True)
        self.search_box.textChanged.connect(self.search.emit)
        self.rows = QListWidget()
        self.rows.setMinimumHeight(160)
        self.rows.setWordWrap(True)  # a long row wraps in a narrow column instead of scrolling
        self.rows.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.reprint_button = self._texts.add(button(compact=True), "reprint")
        self.reprint_button.clicked.connect(self._reprint)
        self.cancel_reason = line_edit(compact=True)
        self.cancel_button = self._texts.add(button("danger", compact=True), "cancel_checkin")
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
        self.field_labels[field] = (key, self._texts.add(caption, key))
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

    def working(self) -> None:
        self.set_result(text("working"))

    def show_lookup(self, lookup: Lookup) -> None:
        """What a looked-up code allows: its message and the patient, and which buttons work.
        A result for another code than the one asked last is dropped."""
        if lookup.code != self._query:
            return
        shown, outcome = lookup.patient, lookup.outcome

        def result(lang: Lang) -> str:
            # a look-up registers nothing: never "đăng ký thành công" here
            valid = lookup.can_check_in
            lines = [tr("lookup_valid", lang) if valid else staff_message(outcome, lang)]
            if valid and outcome.reason in STAFF_REASONS[lang]:
                lines.append(staff_message(outcome, lang))
            if shown.name:
                lines.append(f"{shown.name}  {shown.birth_year}  …{shown.card_last4}")
            return "\n".join(lines)

        self.set_result(result, error=outcome.status is not Status.ACCEPTED)
        self.set_assessment_state(
            can_check_in=lookup.can_check_in,
            can_override=lookup.can_override,
            needs_identity=lookup.needs_identity,
        )

    def show_checked_in(self, outcome: Outcome, clinic: Clinic | None) -> None:
        """A check-in, override or reprint came back: its number and clinic, ready for the
        next code; or why there is no number."""
        checkin = outcome.checkin
        if checkin is None:
            self.set_result(outcome.message, error=True)
            return

        def done(lang: Lang) -> str:
            said = tr(
                "staff_done",
                lang,
                n=checkin.label,
                clinic=clinic.name(lang) if clinic else checkin.clinic_code,
            )
            if outcome.reason is not None:
                extra = [staff_message(outcome, lang)]
            else:  # accepted: the gateway's warnings still reach staff
                extra = staff_alerts(outcome, lang)
            return "\n".join([said, *extra])

        self.set_result(done, error=outcome.reason is Reason.PRINTER_FAILED)
        self.set_assessment_state(can_check_in=False, can_override=False)
        self._filling = True
        self.code.clear()
        self._filling = False
        self._query = ""
        self.code.setPlaceholderText("")
        self.reason.clear()

    def show_cancelled(self, outcome: Outcome) -> None:
        self.cancel_reason.clear()
        self.set_result(outcome.message if outcome.reason else no_text)

    def show_failure(self, message: str) -> None:
        self.set_result(text("failed", detail=message), error=True)

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
        self._checkins = tuple(checkins[:STAFF_LIST_ROWS])
        self._more = len(checkins) > STAFF_LIST_ROWS
        self._fill_rows(lang)

    def _fill_rows(self, lang: Lang) -> None:
        chosen = self.rows.currentRow()
        self.rows.clear()
        for c in self._checkins:
            shown = from_checkin(c)
            when = local_time(c.created_at).strftime("%H:%M")
            text = f"{c.clinic_code} {c.shown_label:>3}  {when}  {shown.name}  …{shown.card_last4}"
            if c.offline:
                text += f"  ({tr('offline', lang)})"
            if c.flag:
                text += f"  ({tr('flag_' + c.flag, lang)})"
            if c.cancelled:
                text += f"  ({tr('cancelled', lang)})"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            self.rows.addItem(item)
        if self._more:  # older ones are found by a search, not by scrolling
            hint = QListWidgetItem(tr("list_more", lang))
            hint.setFlags(Qt.ItemFlag.NoItemFlags)
            self.rows.addItem(hint)
        if 0 <= chosen < len(self._checkins):
            self.rows.setCurrentRow(chosen)

    def selected_id(self) -> str | None:
        item = self.rows.currentItem()
        chosen = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return str(chosen) if chosen is not None else None

    def _clinic_code(self) -> str:
        return str(self.clinic.currentData())

    def _override(self) -> None:
        reason = self.reason.text().strip()
        if not reason:
            self.set_result(text("need_reason"), error=True)
            return
        identity = None
        if self.patient_name.isVisibleTo(self):
            year = self.patient_birth.text().strip()
            if not self.patient_name.text().strip():
                self.set_result(text("need_name"), error=True)
                return
            if year and not (len(year) == 4 and year.isdigit()):
                self.set_result(text("bad_year"), error=True)
                return
            # no card and no name in what was looked up: the slip carries what staff typed
            name = " ".join(self.patient_name.text().split())
            identity = Identity(name, int(year) if year else None)
        self.check_in.emit(CheckInRequest(self._clinic_code(), reason, identity))

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
        self._texts.retranslate(lang)
        self.scan_button.setText(tr("scan_waiting" if self.armed else "scan_card", lang))
        if self.code.placeholderText():
            self.code.setPlaceholderText(tr("scanned_card", lang))
        self.result.setText(self._result(lang))
        self._fill_clinics()
        self._fill_rows(lang)

    def clear(self) -> None:
        self._filling = True
        for w in (
            self.code,
            self.reason,
            self.search_box,
            self.cancel_reason,
            self.patient_name,
            self.patient_birth,
        ):
            w.clear()
        self._filling = False
        self._query = ""
        self.code.setPlaceholderText("")
        self.disarm()
        self._checkins = ()
        self.rows.clear()
        self.set_result(no_text)
        self.set_assessment_state(can_check_in=False, can_override=False)
        self.type_into(self.code)
