"""Masking personal data for public screens and logs (Decree 13/2023/ND-CP, docs/domain.md §10).

The family name stays readable (it is shared by millions), every other word keeps its first
letter only; numbers keep their last four characters.
"""

from __future__ import annotations

import re
import unicodedata

_STARS = "***"
# scheme://user:password@host -> scheme://user:***@host (the user name helps, the password not)
_URL_CREDENTIALS = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@'\"]*):[^\s@/'\"]*@")
# what stays readable in a masked QR text: its separators, so its shape can still be discussed
_SHAPE = frozenset("|$/-:")


def mask_name(name: str) -> str:
    """``"Nguyễn Văn Đức"`` → ``"Nguyễn V*** Đ***"``; a single word keeps its first letter."""
    words = unicodedata.normalize("NFC", name).split()
    if not words:
        return ""
    if len(words) == 1:
        return words[0][0] + _STARS
    return " ".join([words[0], *(w[0] + _STARS for w in words[1:])])


def mask_middle_names(name: str) -> str:
    """``"Lưu Thị Yến"`` → ``"Lưu *** Yến"``: the family and the given name, the rest hidden.

    For a patient checking that a card is theirs: people recognise their given name, not its
    first letter. The stars never say how many middle names there are.
    """
    words = unicodedata.normalize("NFC", name).split()
    if len(words) < 2:
        return mask_name(name)
    return f"{words[0]} {_STARS} {words[-1]}"


def mask_number(number: str | None, keep: int = 4) -> str:
    """All but the last ``keep`` characters replaced by ``*`` (short values are fully hidden)."""
    if not number:
        return ""
    if len(number) <= keep:
        return "*" * len(number)
    return "*" * (len(number) - keep) + number[-keep:]


def mask_text(text: str) -> str:
    """Every letter and digit of a scanned text replaced by ``*``; separators kept.

    ``"HS4797920123456|5472e1|07/09/2008|$"`` → ``"***************|******|**/**/****|$"``:
    the field count and date shapes can be discussed in a ticket, the person cannot be found.
    """
    return "".join(c if c in _SHAPE else "*" for c in text)


def describe_value(text: str) -> str:
    """A bad value described without repeating it: ``"12 digits"``, ``"18 characters"``."""
    kind = "digits" if text.isascii() and text.isdigit() else "characters"
    return f"{len(text)} {kind}"


def mask_credentials(text: str) -> str:
    """Passwords inside URLs in ``text`` replaced by ``***`` (for error messages and logs)."""
    return _URL_CREDENTIALS.sub(r"\1:***@", text)
