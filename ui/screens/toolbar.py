"""The patient toolbar on every patient screen: "Nghe lại", "Chữ lớn", "Gọi nhân viên".

- "Nghe lại" asks the window to say the screen's prompt again;
- "Chữ lớn" is a toggle: every patient text at 1.5 times its size (the window applies it,
  :mod:`ui.screens.text_size`), until the next patient;
- "Gọi nhân viên" asks for staff; the answer shows above the buttons: "Nhân viên đang đến"
  (the patient can go on), or, when the call did not reach the central database, to go to the
  reception desk.

The toolbar only shows and offers: the window raises the call (off the GUI thread) and says
what came of it with :meth:`PatientToolbar.set_help`.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QSizePolicy, QWidget

from kiosk.outcome import Lang
from ui.i18n import tr
from ui.screens.common import BAD, CAPTION_PX, GOOD, Captions, button, label


class HelpState(StrEnum):
    """Where this patient's call for staff stands."""

    NONE = ""
    CALLING = "calling"
    CALLED = "called"
    FAILED = "failed"


_NOTICE = {
    HelpState.CALLING: ("help_calling", GOOD),
    HelpState.CALLED: ("help_called", GOOD),
    HelpState.FAILED: ("help_failed", BAD),
}


class PatientToolbar(QWidget):
    """The three buttons, and the answer to a call for staff above them.

    Signals:
        repeat(): say the screen's prompt again.
        large_text(bool): "Chữ lớn" was switched on or off.
        call_staff(): the patient asks for staff.
    """

    repeat = Signal()
    large_text = Signal(bool)
    call_staff = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._lang: Lang = "vi"
        self._help = HelpState.NONE
        captions = Captions()
        self.repeat_button = captions.add(button("tool"), "repeat_prompt")
        self.large_button = captions.add(button("tool"), "large_text")
        self.large_button.setCheckable(True)
        self.help_button = captions.add(button("tool"), "call_staff")
        self._captions = captions
        for b in (self.repeat_button, self.large_button, self.help_button):
            b.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.repeat_button.clicked.connect(self.repeat.emit)
        self.large_button.toggled.connect(self.large_text.emit)
        self.help_button.clicked.connect(self.call_staff.emit)
        # white on green or red, full width: seen from where the patient stands
        self.notice = label(CAPTION_PX, bold=True, color="white")
        self.notice.hide()
        self.row = QHBoxLayout()
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(16)
        for b in (self.repeat_button, self.large_button, self.help_button):
            self.row.addWidget(b)
        # landscape: the answer beside the buttons (the row above the screen keeps its
        # height); portrait: above them
        self.box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(16)
        self.box.addWidget(self.notice, 1)
        self.box.addLayout(self.row)

    def orient(self, landscape: bool) -> None:
        self.box.setDirection(
            QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom
        )

    @property
    def large(self) -> bool:
        return self.large_button.isChecked()

    @property
    def help(self) -> HelpState:
        return self._help

    def set_help(self, state: HelpState) -> None:
        """Show where the call for staff stands (NONE: nothing)."""
        self._help = state
        # one call a patient: staff are on their way (or the desk is the way)
        self.help_button.setEnabled(state in (HelpState.NONE, HelpState.FAILED))
        self.notice.setVisible(state is not HelpState.NONE)
        self._show_notice()

    def _show_notice(self) -> None:
        shown = _NOTICE.get(self._help)
        if shown is None:
            self.notice.setText("")
            return
        key, colour = shown
        self.notice.setText(tr(key, self._lang))
        self.notice.setStyleSheet(
            f"color: white; background: {colour}; border-radius: 12px; padding: 8px 16px;"
        )

    def reset(self) -> None:
        """The next patient: normal text, no call."""
        self.large_button.setChecked(False)
        self.set_help(HelpState.NONE)

    def retranslate(self, lang: Lang) -> None:
        self._lang = lang
        self._captions.retranslate(lang)
        self._show_notice()
