"""Masking personal data for public screens and logs (Decree 13/2023/ND-CP, DOMAIN.md §8).

The family name stays readable (it is shared by millions), every other word keeps its first
letter only; numbers keep their last four characters.
"""

from __future__ import annotations

import unicodedata

_STARS = "***"


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
