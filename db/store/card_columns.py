"""A card as a row of the ``cards`` table: the one mapping between :class:`CardRecord` and
database columns, both ways, in the value forms of each driver.

The feed/file half (field names, validation, :func:`db.cards.rows.card_values`) is
:mod:`db.cards.rows`; it writes straight into these forms.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import KW_ONLY, InitVar, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from db.models import sqlite_moment
from kiosk.model import BirthDate, CardRecord, CardStatus, Gender, ReplacementCard

# The order of the values :func:`card_values` returns: the cards table's columns, so a bulk
# write hands the tuples straight to the driver's executemany.
CARD_COLUMNS: tuple[str, ...] = (
    "bhxh_number",
    "card_number",
    "id_number",
    "name",
    "birth",
    "gender",
    "address",
    "facility_code",
    "valid_from",
    "valid_to",
    "benefit_level",
    "area_code",
    "status",
    "new_card_number",
    "new_valid_from",
    "new_valid_to",
    "new_facility_code",
    "new_facility_name",
    "five_years_from",
    "source",
    "updated_at",
    "verified_online_at",
)

# One card in CARD_COLUMNS order, its dates, birth date, gender and status in some ValueForms.
CardValues = tuple[Any, ...]


def _same(value: Any) -> Any:
    return value


@dataclass(eq=False)
class ValueForms:
    """How one representation writes (and reads back) dates, birth dates, moments, genders
    and statuses.

    One set of rules (this module's validation), several representations: model objects for
    :class:`CardRecord`, ISO text for SQLite, date objects for a server database. The bulk paths
    (import, sync) validate a row straight into the tuple the database driver takes, with no
    CardRecord in between. Each form caches text -> value: feeds repeat the same few thousand
    dates millions of times. ``day`` must keep the order of dates (date objects and ISO text
    both do): the validity range is checked on the converted values. The ``read_*`` functions
    are the inverses, for :meth:`CardRow.decode`; a moment is an aware UTC datetime.
    """

    day: Callable[[date], object]
    birth: Callable[[BirthDate], object]
    enum_values: InitVar[bool]  # genders and statuses as their text values, not enum members
    _: KW_ONLY
    moment: Callable[[datetime], object] = _same
    read_day: Callable[[Any], date] = _same
    read_birth: Callable[[Any], BirthDate] = _same
    read_moment: Callable[[Any], datetime] = _same
    dates: dict[str, object] = field(default_factory=dict, init=False)
    births: dict[str, object] = field(default_factory=dict, init=False)
    genders: dict[Gender, object] = field(init=False)
    statuses: dict[CardStatus, object] = field(init=False)

    def __post_init__(self, enum_values: bool) -> None:
        self.genders = {g: g.value if enum_values else g for g in Gender}
        self.statuses = {s: s.value if enum_values else s for s in CardStatus}


_birth_texts: dict[BirthDate, str] = {}


def _birth_iso(birth: BirthDate) -> str:
    # Millions of cards share a few tens of thousands of birth dates: format each once.
    text = _birth_texts.get(birth)
    if text is None:
        text = birth.iso()
        if len(_birth_texts) < 100_000:
            _birth_texts[birth] = text
    return text


def _sqlite_day(text: str) -> date:
    return date.fromisoformat(text)


def _sqlite_moment(text: str) -> datetime:
    # The naive-UTC text SQLAlchemy's SQLite DateTime writes (db.models.sqlite_moment).
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


MODEL_FORMS = ValueForms(_same, _same, enum_values=False)
"""The model's own objects (a :class:`CardRecord`'s field types)."""
SQLITE_FORMS = ValueForms(
    date.isoformat,
    _birth_iso,
    enum_values=True,
    moment=sqlite_moment,
    read_day=_sqlite_day,
    read_birth=BirthDate.from_iso,
    read_moment=_sqlite_moment,
)
"""What the bare ``sqlite3`` driver takes and gives: ISO text dates, naive-UTC text moments."""
SERVER_FORMS = ValueForms(_same, _birth_iso, enum_values=True, read_birth=BirthDate.from_iso)
"""What a server driver (psycopg), and SQLAlchemy's typed rows on any database, take and give."""


class CardRow:
    """A card as a row of the ``cards`` table (:data:`CARD_COLUMNS` order) in one set of
    :class:`ValueForms`: the one mapping between :class:`CardRecord` and table rows, both ways.

    :data:`SQLITE_ROW` is the bare ``sqlite3`` driver's row, :data:`SERVER_ROW` a server
    driver's row and any SQLAlchemy result row, :data:`MODEL_ROW` the tuple
    :func:`card_values` gives in :data:`MODEL_FORMS`.
    """

    def __init__(self, forms: ValueForms) -> None:
        self.forms = forms

    def encode(self, card: CardRecord) -> CardValues:
        """The card's row values. Runs once per card in bulk writes: plain reads, few calls."""
        forms = self.forms
        day = forms.day
        moment = forms.moment
        new = card.replacement
        gender = card.gender
        valid_from = card.valid_from
        valid_to = card.valid_to
        five = card.five_years_from
        updated_at = card.updated_at
        verified_at = card.verified_online_at
        return (
            card.bhxh_number,
            card.card_number,
            card.id_number,
            card.name,
            forms.birth(card.birth) if card.birth is not None else None,
            forms.genders[gender] if gender is not None else None,
            card.address,
            card.facility_code,
            day(valid_from) if valid_from is not None else None,
            day(valid_to) if valid_to is not None else None,
            card.benefit_level,
            card.area_code,
            forms.statuses[card.status],
            new.card_number if new else None,
            day(new.valid_from) if new and new.valid_from is not None else None,
            day(new.valid_to) if new and new.valid_to is not None else None,
            new.facility_code if new else None,
            new.facility_name if new else None,
            day(five) if five is not None else None,
            card.source,
            moment(updated_at) if updated_at is not None else None,
            moment(verified_at) if verified_at is not None else None,
        )

    def decode(self, row: Sequence[Any]) -> CardRecord:
        """The card a row holds (the inverse of :meth:`encode`)."""
        (
            bhxh_number,
            card_number,
            id_number,
            name,
            birth,
            gender,
            address,
            facility_code,
            valid_from,
            valid_to,
            benefit_level,
            area_code,
            status,
            new_number,
            new_from,
            new_to,
            new_facility,
            new_facility_name,
            five_years_from,
            source,
            updated_at,
            verified_at,
        ) = row
        forms = self.forms
        day = forms.read_day
        moment = forms.read_moment
        replacement = None
        if new_number:
            replacement = ReplacementCard(
                new_number,
                day(new_from) if new_from else None,
                day(new_to) if new_to else None,
                new_facility,
                new_facility_name,
            )
        return CardRecord(
            card_number,
            bhxh_number,
            name,
            forms.read_birth(birth) if birth else None,
            Gender(gender) if gender else None,
            facility_code,
            day(valid_from) if valid_from else None,
            day(valid_to) if valid_to else None,
            benefit_level,
            area_code,
            id_number,
            address,
            CardStatus(status),
            replacement,
            day(five_years_from) if five_years_from else None,
            source,
            moment(updated_at) if updated_at else None,
            moment(verified_at) if verified_at else None,
        )


MODEL_ROW = CardRow(MODEL_FORMS)
SQLITE_ROW = CardRow(SQLITE_FORMS)
SERVER_ROW = CardRow(SERVER_FORMS)
