"""Comparing a name or birth date read from a QR with the one in a card record.

Names are compared after Unicode NFC, case folding and removing all white space. When they
differ only by diacritics (including đ/Đ against d/D) a QR writer or a typist may have lost the
marks, so the patient is asked to confirm rather than sent away.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum

from kiosk.model import BirthDate


class Match(StrEnum):
    """How well two values agree."""

    EXACT = "exact"
    NEEDS_CONFIRMATION = "needs_confirmation"  # same only without diacritics / day-month swap
    DIFFERENT = "different"


_D_STROKE = str.maketrans({"đ": "d", "Đ": "D"})


def normalise_name(name: str) -> str:
    """NFC, case-folded, white space removed: the form two names are compared in."""
    folded = unicodedata.normalize("NFC", name).casefold()
    return "".join(folded.split())


def strip_diacritics(text: str) -> str:
    """The text without tone and vowel marks, đ read as d ("Đức" → "Duc")."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_STROKE))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", bare)


def compare_names(left: str, right: str) -> Match:
    """EXACT when equal once normalised; NEEDS_CONFIRMATION when equal only without marks."""
    a, b = normalise_name(left), normalise_name(right)
    if a == b:
        return Match.EXACT
    if strip_diacritics(a) == strip_diacritics(b):
        return Match.NEEDS_CONFIRMATION
    return Match.DIFFERENT


def compare_births(left: BirthDate, right: BirthDate) -> Match:
    """Compare two birth dates; when either is known to the year only, only years count.

    Full dates whose day and month are swapped (07/09 against 09/07) are a common typing slip
    at registration: the patient is asked to confirm rather than sent away. A date known to the
    month (``03/1994``) is compared by month, and a month that equals the other date's day is
    read as the same swap.
    """
    if left.year != right.year:
        return Match.DIFFERENT
    if left.month is None or right.month is None:
        return Match.EXACT
    if left.day is None or right.day is None:
        return _month_match(left, right)
    if (left.month, left.day) == (right.month, right.day):
        return Match.EXACT
    if (left.month, left.day) == (right.day, right.month):
        return Match.NEEDS_CONFIRMATION
    return Match.DIFFERENT


def _month_match(left: BirthDate, right: BirthDate) -> Match:
    """Same year, at least one date known to the month only: compare months."""
    if left.month == right.month:
        return Match.EXACT
    full, partial = (right, left) if left.day is None else (left, right)
    return Match.NEEDS_CONFIRMATION if full.day == partial.month else Match.DIFFERENT
