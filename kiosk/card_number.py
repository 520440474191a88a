"""Validation of BHYT card numbers (docs/domain.md §3): ``XX Y ZZ NNNNNNNNNN``.

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

from kiosk.object_codes import object_code

_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS = frozenset("0123456789")


@dataclass(frozen=True)
class CardNumber:
    """A card number that passed validation, split into its parts."""

    number: str  # 15 characters or 10 digits, upper case
    bhxh_number: str  # the last 10 characters
    object_code: str | None = None  # None for a 10-digit number
    benefit_level: int | None = None
    area_code: str | None = None
    known_object_code: bool = True  # False: two letters that kiosk.object_codes does not list


@dataclass(frozen=True)
class CardNumberError:
    """Why a card number is not valid; ``position`` is the first faulty character (1-based)."""

    position: int | None
    detail: str


def _char(text: str, position: int) -> str:
    return f"character {position} ({text[position - 1]!r})"


def check_card_number(text: str) -> CardNumber | CardNumberError:
    """Validate a 15-character or 10-digit card number (letters are compared upper-case)."""
    number = text.strip().upper()
    if len(number) == 10:
        bad = next((i for i, ch in enumerate(number, 1) if ch not in _DIGITS), None)
        if bad is not None:
            return CardNumberError(bad, f"{_char(number, bad)} is not a digit")
        return CardNumber(number=number, bhxh_number=number)
    if len(number) != 15:
        return CardNumberError(
            None, f"expected 15 characters or 10 digits, got {len(number)} characters"
        )
    error = _first_error(number)
    if error is not None:
        return error
    return CardNumber(
        number=number,
        bhxh_number=number[5:],
        object_code=number[:2],
        benefit_level=int(number[2]),
        area_code=number[3:5],
        known_object_code=object_code(number[:2]) is not None,
    )


def _first_error(number: str) -> CardNumberError | None:
    """The first fault of a 15-character number, checked left to right."""
    # (1-based position, allowed characters, what the character should be)
    shape = [
        (1, _LETTERS, "a letter of an object code"),
        (2, _LETTERS, "a letter of an object code"),
        (3, frozenset("12345"), "a benefit level 1-5"),
        (4, _DIGITS, "a digit of the area code"),
        (5, _DIGITS, "a digit of the area code"),
        *((i, _ALNUM, "a letter or digit") for i in range(6, 16)),
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
    """The benefit level digit of a valid 15-character number, else None."""
    checked = check_card_number(card_number)
    return checked.benefit_level if isinstance(checked, CardNumber) else None
