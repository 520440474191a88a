"""Telex: typing Vietnamese with plain letters, for the staff screen's on-screen keypad.

Telex is the input method every Vietnamese computer user knows. Letters are typed as they are;
a few keys change the word being typed instead of adding a letter:

- shapes: ``aa`` → â, ``aw`` → ă, ``ee`` → ê, ``oo`` → ô, ``ow`` → ơ, ``uw`` → ư, ``uow`` → ươ,
  ``w`` with no vowel to change → ư (``tw`` → tư), ``dd`` → đ;
- tones: ``s`` sắc, ``f`` huyền, ``r`` hỏi, ``x`` ngã, ``j`` nặng, ``z`` removes the tone;
- the same key again undoes: ``ass`` → ``as``, ``aaa`` → ``aa``, ``ddd`` → ``dd``, ``uww`` → ``uw``.

A shape or tone key acts on the vowels of the current (last) word wherever they are ("tana" →
"tân", "Nguyenex" → "Nguyễn"), and the tone is placed again after every key, so that typing
"hoaf" then "n" gives "hòa" then "hoàn".

Tone placement (which vowel carries the mark) follows the usual rules: a vowel with a shape
(ă â ê ô ơ ư; ơ in ươ) takes it; otherwise the middle of three vowels, the second of two when a
final consonant follows. For two vowels and no final consonant this module uses the **old style**
by default — on the first vowel: "hòa", "khỏe", "Thủy" — the spelling most Vietnamese names
carry on their health insurance and ID cards. ``modern=True`` puts it on the second vowel for
"oa", "oe" and "uy" ("hoà", "khoẻ", "Thuỷ"). "qu" and "gi" (before another vowel) count as
consonants: "quý", "già".

Letter case is kept: a changed letter keeps its own case (``Dd`` → Đ, ``Aa`` → Â), an added letter
has the case of its key. Every result is NFC. Pure Python, no Qt.
"""

from __future__ import annotations

import unicodedata

# combining marks (NFD): the five tones, and the three shapes that make new vowels
_TONE_MARKS = {
    "s": "\u0301",  # sắc
    "f": "\u0300",  # huyền
    "r": "\u0309",  # hỏi
    "x": "\u0303",  # ngã
    "j": "\u0323",  # nặng
}
_MARK_TONES = set(_TONE_MARKS.values())
_CIRCUMFLEX, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"

_VOWELS = set("aăâeêioôơuưy")
_SHAPED = set("ăâêôơư")
_CIRCUMFLEXED = {"a": "â", "e": "ê", "o": "ô"}
_MODERN_PAIRS = {"oa", "oe", "uy"}


def _is_vowel(ch: str) -> bool:
    return ch.lower() in _VOWELS


def _with_case(ch: str, like: str) -> str:
    return ch.upper() if like.isupper() else ch.lower()


def _split(word: str) -> tuple[list[str], str | None]:
    """The word's letters without their tone marks, and its tone (the last one found)."""
    letters: list[str] = []
    tone: str | None = None
    for ch in word:
        parts = unicodedata.normalize("NFD", ch)
        kept = "".join(m for m in parts if m not in _MARK_TONES)
        base = unicodedata.normalize("NFC", kept)
        if base and _is_vowel(base) and len(base) == 1:
            for m in parts:
                if m in _MARK_TONES:
                    tone = m
            letters.append(base)
        else:
            letters.append(ch)
    return letters, tone


def _vowel_group(letters: list[str]) -> tuple[int, int] | None:
    """Where the last run of vowels is, without the u of "qu" and the i of "gi" + vowel."""
    end = len(letters)
    while end > 0 and not _is_vowel(letters[end - 1]):
        end -= 1
    if end == 0:
        return None
    start = end
    while start > 0 and _is_vowel(letters[start - 1]):
        start -= 1
    if end - start > 1 and start > 0:
        before, first = letters[start - 1].lower(), letters[start].lower()
        if (before == "q" and first == "u") or (before == "g" and first == "i"):
            start += 1
    return start, end


def _tone_index(letters: list[str], modern: bool) -> int | None:
    """Which letter carries the tone mark (None: the word has no vowel)."""
    group = _vowel_group(letters)
    if group is None:
        return None
    start, end = group
    shaped = [i for i in range(start, end) if letters[i].lower() in _SHAPED]
    if shaped:
        return shaped[-1]  # ươ: the ơ; iê, uô, yê: the shaped one
    size = end - start
    if size == 1:
        return start
    if size >= 3 or end < len(letters):  # three vowels, or a final consonant follows
        return start + 1
    pair = "".join(letters[start:end]).lower()
    return start + 1 if modern and pair in _MODERN_PAIRS else start


def _join(letters: list[str], tone: str | None, modern: bool) -> str:
    if tone is not None:
        at = _tone_index(letters, modern)
        if at is not None:
            letters = [*letters]
            letters[at] = unicodedata.normalize("NFC", letters[at] + tone)
    return unicodedata.normalize("NFC", "".join(letters))


def _reshape(ch: str, mark: str) -> str:
    """``ch`` (a, e, o or u, any case) with a shape mark, or plain again (mark "")."""
    plain = unicodedata.normalize("NFD", ch)[0]
    return unicodedata.normalize("NFC", plain + mark)


def _shape_key(letters: list[str], key: str) -> list[str] | None:
    """a, e, o: a circumflex on that vowel of the current word (or off again, and the key)."""
    group = _vowel_group(letters)
    if group is None:
        return None
    lower = key.lower()
    hat = _CIRCUMFLEXED[lower]
    sources = {lower, "ă"} if lower == "a" else {lower, "ơ"} if lower == "o" else {lower}
    for i in reversed(range(*group)):
        if letters[i].lower() == hat:
            return [*letters[:i], _reshape(letters[i], ""), *letters[i + 1 :], key]
    for i in reversed(range(*group)):
        if letters[i].lower() in sources:
            return [*letters[:i], _reshape(letters[i], _CIRCUMFLEX), *letters[i + 1 :]]
    return None


def _w_key(letters: list[str], key: str) -> list[str]:
    """w: ươ, ă, ơ or ư in the current word (or those off again, and the key), or a new ư."""
    group = _vowel_group(letters)
    if group is None:
        return [*letters, _with_case("ư", key)]
    start, end = group
    out = [*letters]
    low = [ch.lower() for ch in letters]
    for i in range(start, end - 1):
        if low[i] in ("u", "ư") and low[i + 1] == "o":
            out[i], out[i + 1] = _reshape(out[i], _HORN), _reshape(out[i + 1], _HORN)
            return out
    for plain, mark in (("a", _BREVE), ("o", _HORN), ("u", _HORN)):
        for i in reversed(range(start, end)):
            if low[i] == plain:
                out[i] = _reshape(out[i], mark)
                return out
    # nothing left to change: any ă, ơ, ư go back to plain letters, and the w is typed
    for i in range(start, end):
        if low[i] in ("ă", "ơ", "ư"):
            out[i] = _reshape(out[i], "")
    return [*out, key]


def _tone_key(
    letters: list[str], tone: str | None, key: str, modern: bool
) -> tuple[list[str] | None, str | None]:
    """s, f, r, x, j, z: the word's letters (None: type the key) and its new tone."""
    wanted = _TONE_MARKS.get(key.lower())  # None: z, no tone
    if _tone_index(letters, modern) is None or (tone is None and wanted is None):
        return None, tone
    if tone is not None and tone == wanted:  # the same tone again: off, and the letter itself
        return [*letters, key], None
    return letters, wanted


def apply_key(text: str, key: str, *, modern: bool = False) -> str:
    """``text`` after one more Telex key; only the last word changes.

    ``key`` is one character (a longer string is typed key by key). Anything that is not a
    Telex key (other letters, digits, spaces, punctuation) is simply added.
    """
    if len(key) != 1:
        for k in key:
            text = apply_key(text, k, modern=modern)
        return unicodedata.normalize("NFC", text)
    text = unicodedata.normalize("NFC", text)
    cut = max((i for i, ch in enumerate(text) if ch.isspace()), default=-1) + 1
    head, word = text[:cut], text[cut:]
    if key.isspace() or (not word and key.lower() != "w"):
        return unicodedata.normalize("NFC", text + key)
    letters, tone = _split(word)
    lower = key.lower()
    changed: list[str] | None = None
    if lower in _TONE_MARKS or lower == "z":
        changed, tone = _tone_key(letters, tone, key, modern)
    elif lower == "d" and letters and letters[-1] in ("d", "D", "đ", "Đ"):
        last = letters[-1]
        if last in ("d", "D"):
            changed = [*letters[:-1], _with_case("đ", last)]
        else:
            changed = [*letters[:-1], _with_case("d", last), key]
    elif lower in _CIRCUMFLEXED:
        changed = _shape_key(letters, key)
    elif lower == "w":
        changed = _w_key(letters, key)
    word = _join(changed if changed is not None else [*letters, key], tone, modern)
    return unicodedata.normalize("NFC", head + word)


def type_telex(keys: str, *, modern: bool = False) -> str:
    """The text typed by pressing ``keys`` one after the other."""
    text = ""
    for key in keys:
        text = apply_key(text, key, modern=modern)
    return text
