"""The birth-year question for a bare code: a QR or barcode holding only a card or ID number.

Anyone can make such a code from a number (ID numbers follow province, century, sex and birth
year), so before the kiosk shows or prints anything of the card the patient types the year
they were born on a big digit keypad. Nothing of the card is on this screen: the service
compares the year, and a wrong one leads to reception without saying why.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLineEdit, QVBoxLayout

from kiosk.outcome import Lang, Outcome
from ui.i18n import tr
from ui.screens.common import BODY_PX, PRIMARY, TITLE_PX, AdaptiveBox, Screen, label
from ui.screens.keypad import Keypad, cancel_and_ok, year_typist

YEAR_DIGITS = 4


class BirthYearScreen(Screen):
    """ "Type your year of birth" with a digit keypad; OK once four digits are typed.

    Signals:
        answered(str): the year typed (four digits).
        cancelled(): the patient gave up (back to the welcome screen).
    """

    answered = Signal(str)
    cancelled = Signal()
    personal = True  # idle: back to the welcome screen like every patient screen

    def __init__(self) -> None:
        super().__init__()
        self._outcome: Outcome | None = None
        self._lang: Lang = "vi"
        self._checking = False  # the year is read back: OK now sends it, Cancel corrects it
        self.title = label(TITLE_PX, bold=True, color=PRIMARY)
        self.message = label(BODY_PX)
        self.readback = label(BODY_PX, bold=True, color=PRIMARY)
        self.year = QLineEdit()
        self.year.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.year.setMaxLength(YEAR_DIGITS)
        self.year.setFixedWidth(420)
        self.year.setStyleSheet("font-size: 72px; font-weight: bold; min-height: 110px;")
        self.keypad = Keypad(self.year, key_px=120)
        self.keypad.typists[self.year] = year_typist
        self.keypad.setFixedWidth(520)
        self.cancel, self.ok, buttons = cancel_and_ok(520)
        self._buttons = buttons
        self.ok.setEnabled(False)
        self.ok.clicked.connect(self._submit)
        self.cancel.clicked.connect(self._cancel)
        self.year.textChanged.connect(self._typed)
        self.year.returnPressed.connect(self._submit)
        # landscape: the question and the answer beside the keypad; portrait: one column
        question = QVBoxLayout()
        question.setSpacing(20)
        question.addStretch(1)
        question.addWidget(self.title)
        question.addWidget(self.message)
        question.addWidget(self.year, 0, Qt.AlignmentFlag.AlignHCenter)
        question.addWidget(self.readback)
        question.addWidget(buttons, 0, Qt.AlignmentFlag.AlignHCenter)
        question.addStretch(1)
        self.body = AdaptiveBox()
        self.body.setSpacing(40)
        self.body.addLayout(question, 1)
        self.body.addWidget(self.keypad, 0, Qt.AlignmentFlag.AlignCenter)
        box = QVBoxLayout(self)
        box.addLayout(self.body, 1)

    def orient(self, landscape: bool) -> None:
        self.body.set_across(landscape)

    def set_large(self, large: bool) -> None:
        super().set_large(large)
        self._buttons.setFixedWidth(780 if large else 520)  # "Đồng ý" half as big again

    def ask(self, outcome: Outcome, lang: Lang) -> None:
        """Ask for the birth year (``outcome`` carries the sentence to show)."""
        self._outcome = outcome
        self.year.clear()
        self._checking = False
        self.retranslate(lang)

    @property
    def checking(self) -> bool:
        """The typed year is being read back, waiting for "Đúng" or "Sửa"."""
        return self._checking

    def _typed(self, typed: str) -> None:
        self._checking = False
        self.ok.setEnabled(len(typed) == YEAR_DIGITS and typed.isdigit())
        self.retranslate(self._lang)

    def _submit(self) -> None:
        typed = self.year.text()
        if not (len(typed) == YEAR_DIGITS and typed.isdigit()):
            return
        if not self._checking:  # read the year back first: a wrong digit is seen, not sent
            self._checking = True
            self.retranslate(self._lang)
            return
        self.ok.setEnabled(False)  # one answer per question
        self.answered.emit(typed)

    def _cancel(self) -> None:
        if self._checking:  # "Sửa": type the year again
            self.year.clear()
            return
        self.cancelled.emit()

    def retranslate(self, lang: Lang) -> None:
        self._lang = lang
        self.title.setText(tr("birth_year_title", lang))
        self.message.setText(self._outcome.message(lang) if self._outcome else "")
        self.year.setPlaceholderText(tr("birth_year_hint", lang))
        typed = self.year.text()
        self.readback.setText(tr("year_readback", lang, year=typed) if self._checking else "")
        self.ok.setText(tr("yes" if self._checking else "ok", lang))
        self.cancel.setText(tr("year_fix" if self._checking else "cancel", lang))

    def clear(self) -> None:
        self._outcome = None
        self.year.clear()
        self._checking = False
        self.message.setText("")
        self.readback.setText("")
