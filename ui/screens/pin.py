"""The staff sign-in screen: a staff code and a PIN on the on-screen keypad."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QLineEdit, QVBoxLayout

from kiosk.outcome import Lang
from kiosk.staff_auth import LoginAttempt, LoginResult
from ui.i18n import Text, no_text, text, tr
from ui.screens.common import BAD, BODY_PX, PRIMARY, TITLE_PX, Screen, label
from ui.screens.keypad import Keypad, cancel_and_ok


def refusal(attempt: LoginAttempt) -> Text:
    """What the PIN pad says when a sign-in did not let staff in (lockout, wait, wrong PIN)."""
    if attempt.result is LoginResult.LOCKED:
        minutes, seconds = divmod(int(attempt.locked_for_s + 0.999), 60)
        return text("pin_locked", m=minutes, s=seconds)
    if attempt.result is LoginResult.UNAVAILABLE:
        return text("pin_unavailable")
    if attempt.wait_s > 0 or attempt.result is LoginResult.WAIT:
        return text("pin_wait", s=int(attempt.wait_s + 0.999))
    return text("pin_wrong")


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
        self.cancel, self.ok, buttons = cancel_and_ok(600)
        self.ok.clicked.connect(self._submit)
        self.cancel.clicked.connect(self.cancelled.emit)
        self.code.returnPressed.connect(self._submit)
        self.pin.returnPressed.connect(self._submit)
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

    def checking(self) -> None:
        """The code and PIN were sent: say so, and empty both fields for the next try."""
        self.set_message(text("pin_checking"))
        self.clear_entry()

    def clear_entry(self) -> None:
        """Empty both fields (the message stays), ready for the next code."""
        self.code.clear()
        self.pin.clear()
        self.type_into(self.code)

    def clear(self) -> None:
        self.clear_entry()
        self.set_message(no_text)
