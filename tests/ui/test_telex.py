"""Telex composing: synthetic Vietnamese names, every vowel with every tone, and properties."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ui.telex import apply_key, type_telex

# each vowel and the keys that type it
VOWEL_KEYS = {
    "a": "a",
    "ă": "aw",
    "â": "aa",
    "e": "e",
    "ê": "ee",
    "i": "i",
    "o": "o",
    "ô": "oo",
    "ơ": "ow",
    "u": "u",
    "ư": "uw",
    "y": "y",
}
# each tone key and the combining mark it puts on the vowel
TONE_KEYS = {"": "", "s": "\u0301", "f": "\u0300", "r": "\u0309", "x": "\u0303", "j": "\u0323"}
TONE_MARKS = set(TONE_KEYS.values()) - {""}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def tone_marks(text: str) -> int:
    return sum(ch in TONE_MARKS for ch in unicodedata.normalize("NFD", text))


@pytest.mark.parametrize("vowel", VOWEL_KEYS)
@pytest.mark.parametrize("tone", TONE_KEYS)
def test_every_vowel_with_every_tone(vowel: str, tone: str) -> None:
    keys = VOWEL_KEYS[vowel]
    mark = TONE_KEYS[tone]
    assert type_telex("b" + keys + tone) == nfc("b" + vowel + mark)
    upper = nfc("B" + vowel.upper() + mark + "N")
    assert type_telex("B" + keys.upper() + tone.upper() + "N") == upper


@pytest.mark.parametrize(
    ("keys", "name"),
    [
        ("Nguyeenx Vawn DDuwcs", "Nguyễn Văn Đức"),
        ("Traanf Thij Myx Leej", "Trần Thị Mỹ Lệ"),
        ("Phamj Thuy Phuwowngj", "Phạm Thuy Phượng"),
        ("Huynhf Ngocj Tuaans", "Huỳnh Ngọc Tuấn"),
        ("Lee Quys Hieeus", "Lê Quý Hiếu"),
        ("DDoox Thij Anhs", "Đỗ Thị Ánh"),
        ("Vox Truwowngf Giang", "Võ Trường Giang"),
        ("Buif Thij Nguyeetj", "Bùi Thị Nguyệt"),
        ("Lysz Ocs Khuee", "Ly Óc Khuê"),
        ("Hoangf Gias Bawngf", "Hoàng Giá Bằng"),
        ("Dduwowngf", "Đường"),
    ],
)
def test_synthetic_names(keys: str, name: str) -> None:
    assert type_telex(keys) == name


@pytest.mark.parametrize(
    ("keys", "old", "modern"),
    [
        ("hoaf", "hòa", "hoà"),
        ("Khoer", "Khỏe", "Khoẻ"),
        ("Thuyr", "Thủy", "Thuỷ"),
        ("muaf", "mùa", "mùa"),  # not oa, oe, uy: the first vowel in both styles
        ("hoafn", "hoàn", "hoàn"),  # a final consonant: the second vowel in both styles
        ("ngoaif", "ngoài", "ngoài"),  # three vowels: the middle one
    ],
)
def test_tone_placement_styles(keys: str, old: str, modern: str) -> None:
    assert type_telex(keys) == old
    assert type_telex(keys, modern=True) == modern


@pytest.mark.parametrize(
    ("keys", "typed"),
    [
        ("ass", "as"),
        ("aaa", "aa"),
        ("ddd", "dd"),
        ("aww", "aw"),
        ("uww", "uw"),
        ("tw", "tư"),
        ("w", "ư"),
        ("W", "Ư"),
        ("asz", "a"),
        ("az", "az"),  # no tone to remove: the letter
        ("bcs", "bcs"),  # no vowel to put a tone on: the letter
        ("asf", "à"),  # another tone replaces the first
        ("tana", "tân"),  # the shape key finds its vowel behind the final consonant
        ("Nguyenex", "Nguyễn"),
        ("Dd", "Đ"),
        ("dD", "đ"),
    ],
)
def test_keys_that_change_or_undo(keys: str, typed: str) -> None:
    assert type_telex(keys) == typed


def test_apply_key_changes_only_the_last_word() -> None:
    assert apply_key("Nguyễn Văn Đuc", "s") == "Nguyễn Văn Đúc"
    assert apply_key("Nguyễn Văn ", "s") == "Nguyễn Văn s"
    assert apply_key("hòa", "n") == "hoàn"
    assert apply_key("", "aa") == "â"  # several keys, one after the other


def test_apply_key_takes_decomposed_text() -> None:
    assert apply_key(unicodedata.normalize("NFD", "Nguyễn Văn Đu"), "w") == "Nguyễn Văn Đư"


LOWER_KEYS = "abcdefghijklmnopqrstuvwxyz "


@given(st.text(), st.text(min_size=1, max_size=3))
def test_never_raises_and_gives_nfc(text: str, key: str) -> None:
    typed = apply_key(text, key)
    assert unicodedata.is_normalized("NFC", typed)


WORDS = st.lists(st.text(alphabet=LOWER_KEYS.strip() + "ăâđêôơư", min_size=1), min_size=1)


@given(WORDS, st.sampled_from(LOWER_KEYS))
def test_earlier_words_never_change(words: list[str], key: str) -> None:
    head = nfc(" ".join(words[:-1]) + " ") if len(words) > 1 else ""
    assert apply_key(head + nfc(words[-1]), key).startswith(head)


@given(st.text(alphabet="bcghiklmnpqtuvy ", max_size=30))
def test_letters_without_a_telex_meaning_are_typed_as_they_are(keys: str) -> None:
    assert type_telex(keys) == keys


@given(st.text(alphabet=LOWER_KEYS, max_size=30))
def test_upper_case_keys_type_the_upper_case_text(keys: str) -> None:
    assert type_telex(keys.upper()) == type_telex(keys).upper()


@given(st.text(alphabet="bcghklmnpqtvaeiouy", min_size=1, max_size=8), st.sampled_from("sfrxj"))
def test_a_tone_key_marks_one_vowel_and_twice_takes_it_off(word: str, tone: str) -> None:
    has_vowel = any(ch in "aeiouy" for ch in word)
    plain = type_telex(word)
    assert tone_marks(type_telex(word + tone)) == (1 if has_vowel else 0)
    twice = type_telex(word + tone + tone)
    assert twice == (plain + tone if has_vowel else plain + tone + tone)
