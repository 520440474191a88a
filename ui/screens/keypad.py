"""The on-screen keypad and its typing rules (Telex for names and reasons, digits for a year).

A kiosk has no keyboard: staff type codes, PINs, names and reasons, and patients a birth year,
with these keys.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.screens.common import button
from ui.telex import apply_key

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


def cancel_and_ok(width: int) -> tuple[QPushButton, QPushButton, QWidget]:
    """A Cancel and an OK button side by side under a keypad, ``width`` wide: the two buttons
    and the row holding them."""
    ok, cancel = button(), button("secondary")
    row = QHBoxLayout()
    row.setSpacing(24)
    row.addWidget(cancel)
    row.addWidget(ok)
    buttons = QWidget()
    buttons.setLayout(row)
    buttons.setFixedWidth(width)
    return cancel, ok, buttons


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
