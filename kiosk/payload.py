"""Turn the text a camera or keypad produced into a typed payload, or a rejection with a reason.

Three shapes are recognised (docs/insurance-api.md §5 lists every variant with an example):

- a BHYT / VssID QR: ``|``-separated fields ending in the literal ``$`` (15, 17 or 10 fields),
  or ending in ``|`` when a writer dropped the terminator;
- a CCCD chip-card QR: 7 (or 11) ``|``-separated plain UTF-8 fields starting with a 12-digit ID,
  and the căn cước issued since 1 July 2024, whose QR (on the back) has more fields: the known
  leading fields are read and the rest kept as read;
- a bare code: 10 digits (mã số BHXH), 12 digits (CCCD number), a 15-character card number or
  a 17-character one (object code, level, area and the 12-digit personal ID).

A BHYT QR's card field may have 10, 12, 15 or 17 characters (:mod:`kiosk.card_number` places
each); one the kiosk cannot place is not "an invalid card": the reason
``card_number_unplaced`` sends the patient to reception.

Dates may be written with one-digit days and months (``5/3/1950``); a birth date may be a
month and year (``03/1994`` on a BHYT QR, ``031985`` on a CCCD QR). Hex text fields that a
Vietnamese Telex input method mangled on the way in from a keyboard-wedge scanner are repaired
before decoding. A card number whose object code is well formed but not in
:mod:`kiosk.object_codes` is accepted and flagged (``unknown_object_code``).

Anything else is an :class:`InvalidPayload` carrying a :class:`~kiosk.outcome.Reason` and a
one-line ``detail`` for staff and logs. The detail names field indexes and character positions,
never a whole name or number, so it can be logged as is.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from kiosk.card_number import CardNumber, check_card_number
from kiosk.field_caps import FIELD_CAPS
from kiosk.model import (
    BhytPayload,
    BirthDate,
    CccdPayload,
    CodeKind,
    CodePayload,
    Gender,
    Payload,
)
from kiosk.outcome import Reason

MAX_PAYLOAD_CHARS = 2000  # a real BHYT QR is ~400 characters; far longer is not a card
BHYT_MIN_FIELDS = 9  # fields 0-8 before the "$" (the short 10-field form)
CCCD_MIN_FIELDS = 7
CCCD_MAX_FIELDS = 40  # the căn cước's back-side QR adds fields; no published layout bounds them

_HEX = re.compile(r"^[0-9A-Fa-f]+$")
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")  # one-digit day and month occur
_MY = re.compile(r"^(\d{1,2})/(\d{4})$")  # a birth date known to the month
_YEAR = re.compile(r"^\d{4}$")
_DMY_COMPACT = re.compile(r"^(\d{2})(\d{2})(\d{4})$")
_MY_COMPACT = re.compile(r"^(\d{2})(\d{4})$")
# What a Vietnamese Telex input method makes of hex typed through it: "aa", "ee" and "dd" are
# the only Telex sequences made of hex digits (the tone keys s f r x j and the w of ư/ơ/ă:
# only f is a hex digit, and it marks a tone only after a vowel in a word Telex accepts).
# What clean() drops: the control characters (Unicode category Cc, fixed since Unicode 1.1:
# U+0000-U+001F and U+007F-U+009F) and the BOM. One table lookup a character instead of a
# category look-up: every frame's text passes here.
_CLEAN = dict.fromkeys([*range(0x20), *range(0x7F, 0xA0), 0xFEFF])
_SURROGATE = re.compile("[\ud800-\udfff]")
_TELEX_REPAIR = str.maketrans({"â": "aa", "ê": "ee", "đ": "dd", "Â": "AA", "Ê": "EE", "Đ": "DD"})
_ID_TOKENS = re.compile(r"\d+")
_ID_SEPARATORS = frozenset(" ,;/-")
_FACILITY = re.compile(r"^[0-9]{2}[0-9A-Z]{3}$")
_DASHES = str.maketrans("", "", " -\u2013\u2014\u2212\u00a0")  # spaces, hyphen, en/em dash, minus
_MIN_YEAR = 1880


@dataclass(frozen=True)
class InvalidPayload:
    """Text that is not a usable card payload; ``raw`` is kept exactly as read."""

    raw: str
    reason: Reason
    detail: str


class _FieldError(Exception):
    """Raised inside the parser to stop at the first faulty field."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def clean(text: str) -> str:
    """Drop control characters (scanners append CR/LF, NUL, tabs) and the BOM, trim the ends."""
    return text.translate(_CLEAN).strip()


def is_card_payload(text: str) -> bool:
    """A cheap first look for the scan loop: could this text be a card at all?

    True for anything shaped like a BHYT QR (trailing ``$`` with ``|``), a CCCD QR (at least six
    ``|``) or a bare 10/12/15/17-character code. It may say True for text that
    :func:`parse_payload` later rejects; it never says False for a valid payload.
    """
    if not text or len(text) > MAX_PAYLOAD_CHARS:
        return False
    stripped = clean(text)
    if "|" in stripped:
        return stripped.endswith("$") or stripped.count("|") >= CCCD_MIN_FIELDS - 1
    compact = stripped.replace(" ", "")
    return len(compact) in (10, 12, 15, 17) and compact.isascii() and compact.isalnum()


def parse_payload(text: str) -> Payload | InvalidPayload:
    """Parse scanned or typed text; never raises for any string input."""
    if len(text) > MAX_PAYLOAD_CHARS:
        return InvalidPayload(
            text,
            Reason.NOT_A_CARD,
            f"{len(text)} characters, longer than the {MAX_PAYLOAD_CHARS} a card can hold",
        )
    try:
        return _capped(_parse(text))
    except _FieldError as bad:
        return InvalidPayload(text, bad.reason, bad.detail)


def _capped(payload: Payload) -> Payload:
    """The payload, unless a field it hands on is longer than its column
    (:data:`kiosk.field_caps.FIELD_CAPS`, the one table the schema's lengths come from): such
    a card is unreadable at the scan, never a database error at the commit."""
    for field, cap in FIELD_CAPS.items():
        value = getattr(payload, field, None)
        if isinstance(value, str) and len(value) > cap:
            raise _FieldError(
                Reason.UNREADABLE_CARD, f"{field}: {len(value)} characters, at most {cap}"
            )
    return payload


def _parse(raw: str) -> Payload:
    if "\ufffd" in raw or _SURROGATE.search(raw):
        raise _FieldError(Reason.NOT_A_CARD, "contains bytes that are not text (binary data)")
    text = clean(raw)
    if not text:
        raise _FieldError(Reason.NOT_A_CARD, "empty after removing control characters")
    if "|" in text:
        if text.endswith("$"):
            return _parse_bhyt(raw, text)
        if _unterminated_bhyt(text):
            return _parse_bhyt(raw, text + "$")
        fields = [f.strip() for f in text.split("|")]
        if CCCD_MIN_FIELDS <= len(fields) <= CCCD_MAX_FIELDS and _digits(fields[0]):
            return _parse_cccd(raw, fields)
        raise _FieldError(
            Reason.NOT_A_CARD,
            f"{len(fields)} '|'-separated fields without the BHYT '$' terminator and not a CCCD QR",
        )
    return _parse_code(raw, text)


def _unterminated_bhyt(text: str) -> bool:
    """A BHYT QR whose writer left out the ``$`` but kept the ``|`` before it.

    Recognised by the trailing ``|``, a valid card number in field 0 that is not a bare
    12-digit ID (a CCCD starts with one) and enough fields for the short form.
    """
    if not text.endswith("|"):
        return False
    fields = [f.strip() for f in text[:-1].split("|")]
    if len(fields) < BHYT_MIN_FIELDS:
        return False
    checked = check_card_number(fields[0].replace(" ", ""))
    return isinstance(checked, CardNumber) and checked.kind is not CodeKind.ID_NUMBER


# --- bare codes -------------------------------------------------------------------------------


def _parse_code(raw: str, text: str) -> CodePayload:
    compact = text.replace(" ", "").upper()
    if compact.isascii() and compact.isdigit():
        if len(compact) == 10:
            return CodePayload(raw, compact, CodeKind.BHXH_NUMBER)
        if len(compact) == 12:
            return CodePayload(raw, compact, CodeKind.ID_NUMBER)
    if len(compact) in (15, 17) and compact.isascii() and compact.isalnum():
        checked = check_card_number(compact)
        if not isinstance(checked, CardNumber):
            raise _FieldError(Reason.BAD_CARD_NUMBER, f"card number: {checked.detail}")
        return CodePayload(
            raw,
            checked.number,
            checked.kind,
            unknown_object_code=not checked.known_object_code,
        )
    if "://" in text or text.lower().startswith(("www.", "http")):
        raise _FieldError(Reason.NOT_A_CARD, "a web address, not a card")
    raise _FieldError(
        Reason.NOT_A_CARD,
        f"{len(text)} characters: not a BHYT or CCCD QR, nor a 10, 12, 15 or 17-character code",
    )


# --- BHYT -------------------------------------------------------------------------------------


def _parse_bhyt(raw: str, text: str) -> BhytPayload:
    parts = [p.strip() for p in text.split("|")]
    if parts[-1] != "$":
        raise _FieldError(Reason.NOT_A_CARD, "the last field is not the BHYT terminator '$'")
    fields = parts[:-1]
    if len(fields) < BHYT_MIN_FIELDS:
        raise _FieldError(
            Reason.UNREADABLE_CARD,
            f"{len(parts)} fields, a BHYT QR has at least {BHYT_MIN_FIELDS + 1}",
        )

    def get(i: int) -> str | None:
        """Field i trimmed, or None when missing, empty or '-' (absent)."""
        if i >= len(fields) or fields[i] in ("", "-"):
            return None
        return fields[i]

    number_text = get(0)
    if number_text is None:
        raise _FieldError(Reason.CARD_NUMBER_UNPLACED, "field 0: the card number is empty")
    checked = check_card_number(number_text.replace(" ", ""))
    if not isinstance(checked, CardNumber):
        # a BHYT QR whose number the kiosk cannot place: reception looks, never "invalid card"
        raise _FieldError(Reason.CARD_NUMBER_UNPLACED, f"field 0: {checked.detail}")

    name = _text_field(get(1))
    if not name:
        raise _FieldError(Reason.UNREADABLE_CARD, "field 1: the name is empty")
    birth = _birth(get(2), 2, compact=False)
    gender = _bhyt_gender(get(3))
    facility = _facility(get(5))
    valid_from = _date(get(6), 6)
    valid_to = _date(get(7), 7)
    level = checked.benefit_level
    if level is None:
        level = _level(get(14))
    return BhytPayload(
        raw=raw,
        card_number=checked.number,
        bhxh_number=checked.bhxh_number,
        name=name,
        birth=birth,
        gender=gender,
        facility_code=facility,
        valid_from=valid_from,
        valid_to=valid_to,
        issued_on=_lenient_date(get(8)),
        address=_text_field(get(4)),
        management_code=get(9),
        parent_name=_text_field(get(10)),
        residence_code=get(11),
        five_years_from=_lenient_date(get(12)),
        check_string=get(13),
        benefit_level=level,
        issuing_place=_text_field(get(15)),
        unknown_object_code=not checked.known_object_code,
        id_number=checked.id_number,
    )


def repair_telex(value: str) -> str:
    """Undo what a Telex input method did to hex: ``â``→``aa``, ``ê``→``ee``, ``đ``→``dd``
    (and upper case), but only when the result is hex; any other text is returned unchanged."""
    repaired = value.translate(_TELEX_REPAIR)
    if repaired != value and _HEX.match(repaired):
        return repaired
    return value


def decode_text(value: str) -> str:
    """Decode a BHYT text field: hex of UTF-8, else hex of UTF-16LE, else the text as written.

    Only fields 1, 4, 10 and 15 go through here: a 10-digit number is valid hex too. Hex that
    a Telex input method mangled is repaired first (:func:`repair_telex`).
    """
    value = repair_telex(value)
    if len(value) % 2 == 0 and _HEX.match(value):
        data = bytes.fromhex(value)
        for encoding in ("utf-8", "utf-16-le"):
            try:
                decoded = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            decoded = clean(decoded)
            if decoded and decoded.isprintable():
                return unicodedata.normalize("NFC", decoded)
    return unicodedata.normalize("NFC", value)


def _text_field(value: str | None) -> str | None:
    if value is None:
        return None
    decoded = decode_text(value)
    return decoded or None


def _real_date(day: int, month: int, year: int, index: int, text: str) -> date:
    try:
        value = date(year, month, day)
    except ValueError:
        raise _FieldError(Reason.UNREADABLE_CARD, f"field {index}: not a real date") from None
    if year < _MIN_YEAR:
        raise _FieldError(Reason.UNREADABLE_CARD, f"field {index}: year {year} is implausible")
    return value


def _date(value: str | None, index: int) -> date | None:
    if value is None:
        return None
    match = _DMY.match(value)
    if not match:
        raise _FieldError(
            Reason.UNREADABLE_CARD,
            f"field {index}: {len(value)} characters, not a date d/M/yyyy",
        )
    day, month, year = (int(g) for g in match.groups())
    return _real_date(day, month, year, index, value)


def _lenient_date(value: str | None) -> date | None:
    """Dates that decide nothing (issue date, 5-year date): unreadable means unknown."""
    try:
        return _date(value, 0)
    except _FieldError:
        return None


def _birth(value: str | None, index: int, *, compact: bool) -> BirthDate | None:
    if value is None:
        return None
    if _YEAR.match(value):
        year = int(value)
        if year < _MIN_YEAR:
            raise _FieldError(Reason.UNREADABLE_CARD, f"field {index}: year {year} is implausible")
        return BirthDate(year)
    month_year = (_MY_COMPACT if compact else _MY).match(value)
    if month_year:
        month, year = (int(g) for g in month_year.groups())
        born = _real_date(1, month, year, index, "the birth date")
        return BirthDate(born.year, born.month)
    match = (_DMY_COMPACT if compact else _DMY).match(value)
    if not match:
        shape = "ddMMyyyy, MMyyyy" if compact else "d/M/yyyy, MM/yyyy"
        raise _FieldError(
            Reason.UNREADABLE_CARD,
            f"field {index}: {len(value)} characters, not a birth date {shape} or yyyy",
        )
    day, month, year = (int(g) for g in match.groups())
    born = _real_date(day, month, year, index, "the birth date")
    return BirthDate(born.year, born.month, born.day)


def _bhyt_gender(value: str | None) -> Gender | None:
    if value is None:
        return None
    if value == "1":
        return Gender.MALE
    if value == "2":
        return Gender.FEMALE
    raise _FieldError(
        Reason.UNREADABLE_CARD, f"field 3: {len(value)} characters, not a gender 1 or 2"
    )


def _facility(value: str | None) -> str | None:
    if value is None:
        return None
    code = value.translate(_DASHES).upper()
    if not _FACILITY.match(code):
        raise _FieldError(
            Reason.UNREADABLE_CARD,
            f"field 5: {len(value)} characters, not a facility code like '79 - 024'",
        )
    return code


def _level(value: str | None) -> int | None:
    if value is not None and value in ("1", "2", "3", "4", "5"):
        return int(value)
    return None


# --- CCCD -------------------------------------------------------------------------------------


def _parse_cccd(raw: str, fields: list[str]) -> CccdPayload:
    id_number = fields[0]
    if len(id_number) != 12:
        raise _FieldError(
            Reason.BAD_ID_NUMBER,
            f"field 0: {len(id_number)} digits, a citizen ID number has 12",
        )
    old_id, other_ids = _old_ids(fields[1])
    name = unicodedata.normalize("NFC", fields[2])
    if not name or any(ch.isdigit() for ch in name):
        raise _FieldError(Reason.UNREADABLE_CARD, "field 2: not a person's name")
    birth = _birth(fields[3] or None, 3, compact=True)
    gender = _cccd_gender(fields[4])
    address = unicodedata.normalize("NFC", fields[5]) or None
    issued = _birth(fields[6] or None, 6, compact=True) if fields[6] else None
    issued_on = (
        date(issued.year, issued.month, issued.day)
        if issued is not None and issued.month is not None and issued.day is not None
        else None
    )
    return CccdPayload(
        raw=raw,
        id_number=id_number,
        old_id_number=old_id,
        name=name,
        birth=birth,
        gender=gender,
        address=address,
        issued_on=issued_on,
        extra=tuple(fields[7:]),
        other_ids=other_ids,
    )


def _old_ids(value: str) -> tuple[str | None, tuple[str, ...]]:
    """Field 1: the old 9-digit CMND (or an earlier 12-digit number), often empty.

    A căn cước may list several earlier numbers (the old ID and cancelled ones); their
    separator is not published, so any of space, comma, semicolon, slash or hyphen is read.
    Returns the first number and the other 12-digit ones.
    """
    if not value:
        return None, ()
    tokens = _ID_TOKENS.findall(value)
    rest = _ID_TOKENS.sub("", value)
    if (
        not value.isascii()
        or not tokens
        or any(len(t) not in (9, 12) for t in tokens)
        or any(ch not in _ID_SEPARATORS for ch in rest)
    ):
        raise _FieldError(
            Reason.UNREADABLE_CARD, "field 1: the old ID number is not 9 or 12 digits"
        )
    return tokens[0], tuple(t for t in tokens[1:] if len(t) == 12)


def _cccd_gender(value: str) -> Gender | None:
    folded = unicodedata.normalize("NFC", value).casefold()
    if folded == "nam":
        return Gender.MALE
    if folded in ("nữ", "nu"):
        return Gender.FEMALE
    if not folded:
        return None
    raise _FieldError(Reason.UNREADABLE_CARD, f"field 4: {len(value)} characters, not Nam or Nữ")


def _digits(value: str) -> bool:
    """An ID-like first field: digits, near the 12 of a CCCD (a short one is not a CCCD)."""
    return value.isascii() and value.isdigit() and 9 <= len(value) <= 13
