"""Validation of BHYT card numbers (docs/domain.md §3): ``XX Y ZZ NNNNNNNNNN`` and its kin.

A BHYT QR's card field comes in four lengths, each placed by what it is: 10 digits (the mã số
BHXH, the whole number of a 2021-form card), 12 digits (the personal ID number, which is the
health ID since Decree 102/2025), 15 characters (object code, level, area, mã số BHXH) and 17
characters (object code, level, area, then the 12-digit personal ID).

A 15-character number is an object code (2 letters, usually one of :mod:`kiosk.object_codes`:
a well-formed code missing from that table is accepted and flagged, since the groups change by
law faster than the table), a benefit
level digit 1-5, a 2-digit area code 01..99 (kept opaque: the 2025 province merger may re-code
it) and the 10-character mã số BHXH. Very old cards may carry letters in that last part. A
2021-form card prints only the 10-digit number. Every failure names the 1-based character
position at fault so staff can compare it with the card.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.model import CodeKind
from kiosk.object_codes import object_code

_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS = frozenset("0123456789")


@dataclass(frozen=True)
class CardNumber:
    """A card number that passed validation, split into its parts."""

    number: str  # 10, 12, 15 or 17 characters, upper case
    bhxh_number: str  # the mã số BHXH (the last 10 of 15); "" when the number carries none
    object_code: str | None = None  # None for a 10- or 12-digit number
    benefit_level: int | None = None
    area_code: str | None = None
    known_object_code: bool = True  # False: two letters that kiosk.object_codes does not list
    id_number: str | None = None  # the 12-digit personal ID (a 12- or 17-character number)
    kind: CodeKind = CodeKind.CARD_NUMBER

    @property
    def gateway_code(self) -> str:
        """What the gateway's ``maThe`` takes for this number (10, 12 or 15 characters)."""
        if self.kind is CodeKind.CARD_WITH_ID and self.id_number:
            return self.id_number
        return self.number


@dataclass(frozen=True)
class CardNumberError:
    """Why a card number is not valid; ``position`` is the first faulty character (1-based)."""

    position: int | None
    detail: str


def _char(text: str, position: int) -> str:
    return f"character {position} ({text[position - 1]!r})"


def check_card_number(text: str) -> CardNumber | CardNumberError:
    """Validate a card number of 10, 12, 15 or 17 characters (letters compared upper-case)."""
    number = text.strip().upper()
    if len(number) in (10, 12):
        bad = next((i for i, ch in enumerate(number, 1) if ch not in _DIGITS), None)
        if bad is not None:
            return CardNumberError(bad, f"{_char(number, bad)} is not a digit")
        if len(number) == 10:
            return CardNumber(number=number, bhxh_number=number, kind=CodeKind.BHXH_NUMBER)
        return CardNumber(number=number, bhxh_number="", id_number=number, kind=CodeKind.ID_NUMBER)
    if len(number) not in (15, 17):
        return CardNumberError(
            None, f"expected 10, 12, 15 or 17 characters, got {len(number)} characters"
        )
    error = _first_error(number)
    if error is not None:
        return error
    long_form = len(number) == 17
    return CardNumber(
        number=number,
        bhxh_number="" if long_form else number[5:],
        object_code=number[:2],
        benefit_level=int(number[2]),
        area_code=number[3:5],
        known_object_code=object_code(number[:2]) is not None,
        id_number=number[5:] if long_form else None,
        kind=CodeKind.CARD_WITH_ID if long_form else CodeKind.CARD_NUMBER,
    )


def _first_error(number: str) -> CardNumberError | None:
    """The first fault of a 15- or 17-character number, checked left to right."""
    # (1-based position, allowed characters, what the character should be); the 12 characters
    # after the area code of a 17-character number are the personal ID: digits only
    tail = (
        [(i, _DIGITS, "a digit of the personal ID") for i in range(6, 18)]
        if len(number) == 17
        else [(i, _ALNUM, "a letter or digit") for i in range(6, 16)]
    )
    shape = [
        (1, _LETTERS, "a letter of an object code"),
        (2, _LETTERS, "a letter of an object code"),
        (3, frozenset("12345"), "a benefit level 1-5"),
        (4, _DIGITS, "a digit of the area code"),
        (5, _DIGITS, "a digit of the area code"),
        *tail,
    ]
    for position, allowed, what in shape:
        if number[position - 1] not in allowed:
            return CardNumberError(position, f"{_char(number, position)} is not {what}")
        if position == 5 and number[3:5] == "00":
            return CardNumberError(4, "characters 4-5 ('00') are not an area code 01-99")
    return None


def object_code_of(card_number: str | None) -> str | None:
    """The two letters that start a 15- or 17-character card number, else None."""
    number = (card_number or "").strip().upper()
    if len(number) in (15, 17) and number[:2].isascii() and number[:2].isalpha():
        return number[:2]
    return None


def level_of(card_number: str) -> int | None:
    """The benefit level digit of a valid 15- or 17-character number, else None."""
    checked = check_card_number(card_number)
    return checked.benefit_level if isinstance(checked, CardNumber) else None
