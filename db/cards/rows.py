"""The one mapping between a flat card row (the insurance feed's field names) and CardRecord.

Both the import file format (CSV header / JSON-lines keys) and the sync feed use these field
names, taken from the BHXH gateway's reply (docs/domain.md §5). Every value is text; an empty
value (or a missing key, or JSON ``null``) means "not known".

=============  ==============================================================================
Field          Meaning and format
=============  ==============================================================================
maThe          card number: 15 characters (``HS4797920123456``) or 10 digits (2021 form).
               Required unless ``maSoBHXH`` is given.
maSoBHXH       social insurance number, 10 digits. Empty: the last 10 characters of maThe.
soCCCD         citizen ID number, 12 digits, or empty.
hoTen          full name (required).
ngaySinh       date of birth ``dd/MM/yyyy`` or year only ``yyyy``, or empty.
gioiTinh       ``Nam`` / ``Nữ`` or ``1`` (male) / ``2`` (female), or empty.
diaChi         address, or empty.
maDKBD         registered first-care facility, 5 characters (``79024``), or empty.
gtTheTu        valid from, ``dd/MM/yyyy`` or empty.
gtTheDen       valid to, ``dd/MM/yyyy`` or empty.
mucHuong       benefit level 1-5, or empty: then the 3rd character of a 15-char maThe.
trangThai      ``active`` (default when empty), ``revoked`` or ``deregistered``.
maTheMoi       the replacement card's number when the card was replaced, or empty.
gtTheTuMoi     the replacement's valid from, ``dd/MM/yyyy`` or empty.
gtTheDenMoi    the replacement's valid to, ``dd/MM/yyyy`` or empty.
maDKBDMoi      the replacement's facility code, or empty.
ngayDu5Nam     date of five consecutive years of coverage, ``dd/MM/yyyy`` or empty.
=============  ==============================================================================

A bad row raises :class:`RowError` naming the field and why; nothing else escapes. The
message never repeats a name, number or birth date (reports and logs must not leak them).
Unknown keys are ignored (feeds add fields over time).

Every text value is cleaned here, whatever its source (import file, feed, gateway reply), before
any other rule sees it: control characters (NUL included), format characters (the bidirectional
controls U+200E/U+200F, U+202A-U+202E, U+2066-U+2069, zero-width characters, BOM) and lone
surrogates are removed; line breaks, tabs and other space characters become a plain space. A
NUL would make PostgreSQL refuse the whole page, and a bidirectional override would show a name
reversed on the screen and the slip. Each field has a length cap (:data:`MAX_LENGTHS`, counted
before cleaning); a longer value rejects the row without repeating the value.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, TypeVar

from db.store.card_columns import MODEL_FORMS, MODEL_ROW, CardValues, ValueForms
from kiosk.masking import describe_value, mask_number
from kiosk.model import BirthDate, CardRecord, CardStatus, Gender

T = TypeVar("T")

FIELDS: tuple[str, ...] = (
    "maThe",
    "maSoBHXH",
    "soCCCD",
    "hoTen",
    "ngaySinh",
    "gioiTinh",
    "diaChi",
    "maDKBD",
    "gtTheTu",
    "gtTheDen",
    "mucHuong",
    "trangThai",
    "maTheMoi",
    "gtTheTuMoi",
    "gtTheDenMoi",
    "maDKBDMoi",
    "ngayDu5Nam",
)

_GENDERS = {
    "Nam": Gender.MALE,
    "Nữ": Gender.FEMALE,
    "nam": Gender.MALE,
    "1": Gender.MALE,
    "nữ": Gender.FEMALE,
    "nu": Gender.FEMALE,
    "2": Gender.FEMALE,
    "male": Gender.MALE,
    "female": Gender.FEMALE,
}
_GENDER_TEXT = {Gender.MALE: "Nam", Gender.FEMALE: "Nữ"}
_STATUSES = {s.value: s for s in CardStatus}
_UPPER_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

# The most characters each field may hold (before cleaning). Generous for real data: numbers
# and dates are a little over their exact length so the validators can say what is wrong; a
# longer value is rejected whole, never cut (a cut name or address would be a wrong one).
MAX_LENGTHS: Mapping[str, int] = {
    "maThe": 20,
    "maSoBHXH": 20,
    "soCCCD": 20,
    "hoTen": 200,
    "ngaySinh": 20,
    "gioiTinh": 10,
    "diaChi": 500,
    "maDKBD": 20,
    "gtTheTu": 20,
    "gtTheDen": 20,
    "mucHuong": 10,
    "trangThai": 20,
    "maTheMoi": 20,
    "gtTheTuMoi": 20,
    "gtTheDenMoi": 20,
    "maDKBDMoi": 20,
    "ngayDu5Nam": 20,
}

# Control characters that separate words: kept as a space so "Lê\tVăn" stays two words.
_SPACING_CONTROLS = frozenset("\t\n\v\f\r\x1c\x1d\x1e\x1f\x85")


class RowError(ValueError):
    """One card row cannot be used; ``field`` names the bad field, the message says why."""

    def __init__(self, field: str, why: str) -> None:
        super().__init__(f"{field}: {why}")
        self.field = field
        self.why = why


def clean_text(text: str) -> str:
    """``text`` without control, format (bidirectional, zero-width) or surrogate characters;
    line breaks, tabs and other spaces become a plain space."""
    if text.isprintable():  # the common case, decided in C
        return text
    kept: list[str] = []
    for char in text:
        if char.isprintable():
            kept.append(char)
        elif char in _SPACING_CONTROLS:
            kept.append(" ")
        else:
            category = unicodedata.category(char)
            if category in ("Zs", "Zl", "Zp"):
                kept.append(" ")
            elif category not in ("Cc", "Cf", "Cs"):
                kept.append(char)  # unassigned or private-use: not ours to judge
    return "".join(kept)


def _text(row: Mapping[str, object], key: str) -> str:
    value = row.get(key)
    if value.__class__ is str:  # the common case first: this runs 17 times per card
        text: str = value  # checked just above
    elif value is None:
        return ""
    elif isinstance(value, str):
        text = value
    elif isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    else:
        raise RowError(key, f"expected text, got {type(value).__name__}")
    size = len(text)
    # No cap is under 10: most values (dates, codes) skip the look-up, which runs 17 times a card.
    if size > 10 and size > MAX_LENGTHS.get(key, 200):
        # Neither the value nor a part of it: it is personal data, or an attack.
        raise RowError(key, f"longer than {MAX_LENGTHS.get(key, 200)} characters ({size:,})")
    if text.isprintable():
        return text.strip()
    return clean_text(text).strip()


def _quote(text: str) -> str:
    # The field is named by the caller; its value is not repeated: a name in the wrong column
    # would land in the error report.
    return describe_value(text)


def _shape(text: str) -> str:
    # Describe a bad number without repeating it: error reports must not leak personal data.
    kind = "digits" if text.isascii() and text.isdigit() else "characters"
    return f"{len(text)} {kind}"


def _digits(text: str, count: int) -> bool:
    return len(text) == count and text.isascii() and text.isdigit()


def _remembered(parse: Callable[[str, str], T]) -> Callable[[str, str], T | None]:
    """``parse`` for a field that may be empty (or ``-``), remembering each text's value: feeds
    repeat the same few validity dates and facility codes millions of times."""
    cache: dict[str, T] = {}

    def lookup(key: str, text: str) -> T | None:
        if not text or text == "-":
            return None
        cached = cache.get(text)
        if cached is not None:
            return cached
        value = parse(key, text)
        if len(cache) < 100_000:
            cache[text] = value
        return value

    return lookup


def _parse_date(key: str, text: str) -> date:
    if len(text) != 10 or text[2] != "/" or text[5] != "/":
        raise RowError(key, f"expected a date dd/MM/yyyy, got {_quote(text)}")
    try:
        return date(int(text[6:10]), int(text[3:5]), int(text[0:2]))
    except ValueError:
        raise RowError(key, f"no such date {_quote(text)}") from None


_date = _remembered(_parse_date)


def _parse_birth(text: str) -> BirthDate:
    if _digits(text, 4):
        return BirthDate(int(text))
    try:
        value = _date("ngaySinh", text)
    except RowError:
        raise RowError("ngaySinh", "expected dd/MM/yyyy or yyyy (a real date)") from None
    assert value is not None
    return BirthDate(value.year, value.month, value.day)


def _parse_facility(key: str, text: str) -> str:
    code = text.replace(" ", "").replace("-", "").replace("–", "").upper()
    if len(code) != 5 or not code[:2].isdigit() or not _UPPER_ALNUM.issuperset(code):
        raise RowError(key, f"expected a 5-character facility code like 79024, got {_quote(text)}")
    return code


_facility = _remembered(_parse_facility)


def _card_number(key: str, text: str) -> str:
    code = text.upper()
    if len(code) == 15:
        if not (
            code[:2].isalpha()
            and code[:2].isascii()
            and code[2] in "12345"
            and code[3:5].isdigit()
            and _UPPER_ALNUM.issuperset(code[5:])
        ):
            raise RowError(key, "not a card number (2 letters, level 1-5, 2 digits, 10 more)")
        return code
    if _digits(code, 10):
        return code
    raise RowError(key, f"expected 15 characters or 10 digits, got {_shape(text)}")


def _numbers(row: Mapping[str, object]) -> tuple[str, str]:
    """The card number and the BHXH number, checked against each other."""
    card_text = _text(row, "maThe")
    bhxh = _text(row, "maSoBHXH")
    card_number = _card_number("maThe", card_text) if card_text else ""
    if bhxh:
        if not _digits(bhxh, 10):
            raise RowError("maSoBHXH", f"expected 10 digits, got {_shape(bhxh)}")
        tail = card_number[-10:]
        if card_number and tail != bhxh and tail.isdigit():
            raise RowError("maSoBHXH", "is not the last 10 characters of maThe")
    elif card_number:
        bhxh = card_number[-10:]
        if not bhxh.isdigit():
            raise RowError("maSoBHXH", "required when maThe has letters in its last 10")
    else:
        raise RowError("maThe", "required (or maSoBHXH)")
    return card_number or bhxh, bhxh


def _name(row: Mapping[str, object]) -> str:
    name = _text(row, "hoTen")
    if not name:
        raise RowError("hoTen", "required")
    return name if name.isascii() else unicodedata.normalize("NFC", name)


def removal_key(row: Mapping[str, object]) -> str:
    """The key of a removal (tombstone) row: its 10-digit BHXH number, else its 15-character
    card number; raises :class:`RowError` when neither is usable."""
    bhxh = _text(row, "maSoBHXH")
    if bhxh:
        if not _digits(bhxh, 10):
            raise RowError("maSoBHXH", f"expected 10 digits, got {_shape(bhxh)}")
        return bhxh
    card_text = _text(row, "maThe")
    if len(card_text) == 15:
        return _card_number("maThe", card_text)
    raise RowError("maSoBHXH", "a removal needs a 10-digit maSoBHXH or a 15-character maThe")


def masked_key(row: Mapping[str, object]) -> str:
    """The row's BHXH or card number masked for a report, or ``?`` when it is not one."""
    raw = row.get("maSoBHXH") or row.get("maThe")
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str) or not 4 <= len(raw) <= 20 or not (raw.isascii() and raw.isalnum()):
        return "?"  # never echo what could be anything at all into a log
    return mask_number(raw)


def _gender(row: Mapping[str, object]) -> Gender | None:
    text = _text(row, "gioiTinh")
    if not text:
        return None
    gender = _GENDERS.get(text) or _GENDERS.get(unicodedata.normalize("NFC", text).lower())
    if gender is None:
        raise RowError("gioiTinh", f"expected Nam, Nữ, 1 or 2, got {_quote(text)}")
    return gender


def _benefit(row: Mapping[str, object], card_number: str) -> int | None:
    text = _text(row, "mucHuong")
    if text:
        if len(text) != 1 or text not in "12345":
            raise RowError("mucHuong", f"expected a benefit level 1-5, got {_quote(text)}")
        return int(text)
    return int(card_number[2]) if len(card_number) == 15 else None


def _status(row: Mapping[str, object]) -> CardStatus:
    text = _text(row, "trangThai")
    if not text or text == "active":
        return CardStatus.ACTIVE
    found = _STATUSES.get(text.lower())
    if found is None:
        raise RowError("trangThai", f"expected active, revoked or deregistered, got {_quote(text)}")
    return found


def _date_in(forms: ValueForms, key: str, text: str) -> Any:
    if not text or text == "-":
        return None
    value = forms.dates.get(text)
    if value is None:
        value = forms.day(_date(key, text))  # type: ignore[arg-type]  # never None here
        if len(forms.dates) < 100_000:
            forms.dates[text] = value
    return value


def _birth_in(forms: ValueForms, text: str) -> Any:
    if not text or text == "-":
        return None
    value = forms.births.get(text)
    if value is None:
        value = forms.birth(_parse_birth(text))
        if len(forms.births) < 100_000:
            forms.births[text] = value
    return value


def card_values(
    row: Mapping[str, object], source: str = "import", forms: ValueForms = MODEL_FORMS
) -> CardValues:
    """The card a row describes, as values in :data:`CARD_COLUMNS` order written in ``forms``;
    raises :class:`RowError` when a field is wrong. The one definition of the row rules:
    :func:`record_from_row` is this plus a CardRecord."""
    card_number, bhxh = _numbers(row)
    id_number = _text(row, "soCCCD")
    if id_number and not _digits(id_number, 12):
        raise RowError("soCCCD", f"expected 12 digits, got {_shape(id_number)}")
    name = _name(row)
    valid_from = _date_in(forms, "gtTheTu", _text(row, "gtTheTu"))
    valid_to = _date_in(forms, "gtTheDen", _text(row, "gtTheDen"))
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise RowError("gtTheDen", "ends before gtTheTu")
    address = _text(row, "diaChi")
    if address and not address.isascii():
        address = unicodedata.normalize("NFC", address)
    birth = _birth_in(forms, _text(row, "ngaySinh"))
    gender = _gender(row)
    facility = _facility("maDKBD", _text(row, "maDKBD"))
    benefit = _benefit(row, card_number)
    status = forms.statuses[_status(row)]
    new_number: str | None = _text(row, "maTheMoi")
    new_from = new_to = new_facility = None
    if new_number:
        new_number = _card_number("maTheMoi", new_number)
        new_from = _date_in(forms, "gtTheTuMoi", _text(row, "gtTheTuMoi"))
        new_to = _date_in(forms, "gtTheDenMoi", _text(row, "gtTheDenMoi"))
        new_facility = _facility("maDKBDMoi", _text(row, "maDKBDMoi"))
    else:
        new_number = None
    long_number = len(card_number) == 15
    return (
        bhxh,
        card_number,
        id_number or None,
        name,
        birth,
        forms.genders[gender] if gender is not None else None,
        address if address and address != "-" else None,
        facility,
        valid_from,
        valid_to,
        benefit,
        card_number[3:5] if long_number else None,
        status,
        new_number,
        new_from,
        new_to,
        new_facility,
        None,  # new_facility_name: only the gateway names the new facility
        _date_in(forms, "ngayDu5Nam", _text(row, "ngayDu5Nam")),
        source,
        None,  # updated_at: the store stamps it
        None,  # verified_online_at: only an online check sets it
    )


def record_from_row(row: Mapping[str, object], source: str = "import") -> CardRecord:
    """The card a row describes; raises :class:`RowError` when a field is wrong.

    ``source`` says where the record came from ("import", "feed", ...).
    """
    return MODEL_ROW.decode(card_values(row, source, MODEL_FORMS))


def _show_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value is not None else ""


def row_from_record(card: CardRecord) -> dict[str, str]:
    """The row for a card, every field present (empty when unknown); the inverse of the above."""
    new = card.replacement
    return {
        "maThe": card.card_number,
        "maSoBHXH": card.bhxh_number,
        "soCCCD": card.id_number or "",
        "hoTen": card.name,
        "ngaySinh": card.birth.display() if card.birth is not None else "",
        "gioiTinh": _GENDER_TEXT[card.gender] if card.gender is not None else "",
        "diaChi": card.address or "",
        "maDKBD": card.facility_code or "",
        "gtTheTu": _show_date(card.valid_from),
        "gtTheDen": _show_date(card.valid_to),
        "mucHuong": str(card.benefit_level) if card.benefit_level is not None else "",
        "trangThai": card.status.value,
        "maTheMoi": new.card_number if new is not None else "",
        "gtTheTuMoi": _show_date(new.valid_from) if new is not None else "",
        "gtTheDenMoi": _show_date(new.valid_to) if new is not None else "",
        "maDKBDMoi": (new.facility_code or "") if new is not None else "",
        "ngayDu5Nam": _show_date(card.five_years_from),
    }
