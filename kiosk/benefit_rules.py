"""The route and benefit rules of 2025-2026 as a dated table: one row per case.

Since 1 January 2025 the share the fund pays no longer follows the tuyến (đúng / thông / trái
tuyến) but the professional level of the facility the patient walks into (cấp ban đầu / cơ
bản / chuyên sâu), its evaluation score, its tuyến before 2025, and how the patient came: to
the facility of their registration, self-referred, with a referral or appointment slip, as an
emergency, with a listed disease. Each row of ``kiosk/benefit_rules.toml``, loaded and checked
here at import, is one line of QĐ 3276/QĐ-BYT Appendix 1
("mã đối tượng đến khám bệnh, chữa bệnh"), with its dates, its conditions, its share of the
card's share and the article it stands on. ``docs/domain.md`` (route and benefit) lists the
rows with what was verified and where the texts disagree.

The table is data: a change of law is a new row with new dates, not new code. Rows whose
condition is a fact the kiosk cannot see (a slip, an emergency, a disease) only match when that
fact is declared, and even then the kiosk leaves the figure to reception.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from enum import StrEnum
from importlib import resources
from itertools import pairwise
from typing import Any

from kiosk.model import Route


class ProfessionalLevel(StrEnum):
    """The facility's professional level (Law on Medical Examination and Treatment 2023)."""

    BAN_DAU = "ban_dau"  # cấp ban đầu (primary)
    CO_BAN = "co_ban"  # cấp cơ bản (basic)
    CHUYEN_SAU = "chuyen_sau"  # cấp chuyên sâu (specialised)


class FormerTuyen(StrEnum):
    """The facility's tuyến before 1 January 2025, which the transition rows still use."""

    CENTRAL = "central"
    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"
    NONE = "none"  # opened since, or never given a tuyến
    # graded equivalent to a provincial / central hospital without having been one (a private
    # hospital): QĐ 3276 row 1.14 names them with the former provincial and central hospitals
    EQUIVALENT_PROVINCE = "tuong_duong_tinh"
    EQUIVALENT_CENTRAL = "tuong_duong_tw"


class Care(StrEnum):
    """Outpatient (a visit, what the kiosk books) or inpatient."""

    OUTPATIENT = "outpatient"
    INPATIENT = "inpatient"


class VisitFact(StrEnum):
    """A fact about the visit that only a person can establish, from a paper or an examination."""

    REFERRAL = "referral"  # phiếu chuyển cơ sở KCB
    RESIDENCE = "residence"  # staying or living away from home (TT 01/2025 Art. 4)
    APPOINTMENT = "appointment"  # phiếu hẹn khám lại
    ORGAN_DONOR = "organ_donor"
    NEWBORN = "newborn"
    EMERGENCY = "emergency"
    DISEASE_APPENDIX_I = "disease_appendix_i"  # TT 01/2025 Appendix I (cấp chuyên sâu)
    DISEASE_APPENDIX_II = "disease_appendix_ii"  # TT 01/2025 Appendix II (cấp cơ bản)
    HARDSHIP_AREA = "hardship_area"  # ethnic minority / poor household in a hard area, islands


@dataclass(frozen=True)
class Facility:
    """This hospital as the rules see it."""

    level: ProfessionalLevel
    score: int | None = None  # evaluation score of a cấp cơ bản facility; None: provisional
    former: FormerTuyen = FormerTuyen.NONE
    primary_station: bool = False  # a cấp ban đầu facility of the kinds in code 1.2


@dataclass(frozen=True)
class VisitContext:
    """What the rules need to know about the patient's visit."""

    registered_here: bool  # the card's registration facility is this hospital
    care: Care = Care.OUTPATIENT
    facts: frozenset[VisitFact] = frozenset()


@dataclass(frozen=True)
class RouteRule:
    """One row of the table: when it applies, the share, and where it comes from.

    A condition left as None does not restrict. ``share`` is the percentage of the card's own
    share (80 % card at a 50 % row: 40 %); ``whatever_card`` rows pay ``share`` of the costs
    whatever the card's level.
    """

    id: str
    code: Route
    valid_from: date
    valid_to: date | None  # inclusive; None: still in force
    share: int
    source: str
    when: str  # the condition in words, as QĐ 3276 Appendix 1 puts it
    registered: bool | None = None
    levels: frozenset[ProfessionalLevel] | None = None
    formers: frozenset[FormerTuyen] | None = None
    score_below: int | None = None  # the facility's score must be under this (or provisional)
    score_from: int | None = None  # the facility's score must be at least this
    care: Care | None = None
    fact: VisitFact | None = None
    primary_station: bool | None = None
    whatever_card: bool = False
    verified: str = "one source: a transcription of QĐ 3276 Appendix 1"

    def in_force(self, day: date) -> bool:
        """Whether the row applies on this local date."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def matches(self, facility: Facility, visit: VisitContext, day: date) -> bool:
        """Whether this row describes this visit at this facility on this day."""
        checks = (
            self.in_force(day),
            self.registered is None or self.registered == visit.registered_here,
            self.levels is None or facility.level in self.levels,
            self.formers is None or facility.former in self.formers,
            self.score_below is None or facility.score is None or facility.score < self.score_below,
            self.score_from is None
            or (facility.score is not None and facility.score >= self.score_from),
            self.care is None or self.care is visit.care,
            self.fact is None or self.fact in visit.facts,
            self.primary_station is None or self.primary_station == facility.primary_station,
        )
        return all(checks)

    @property
    def staff_confirms(self) -> bool:
        """Whether the row rests on a fact only reception can confirm."""
        return self.fact is not None


def _rule(row: dict[str, Any], texts: Mapping[str, str]) -> RouteRule:
    """One ``[[rule]]`` of the table as a RouteRule; ValueError names what is wrong in it."""
    where = f"{_TABLE} rule {row.get('id', '?')}"
    unknown = sorted(set(row) - _FIELDS)
    if unknown:
        raise ValueError(f"{where}: unknown key {unknown[0]!r}")
    values: dict[str, Any] = {"valid_to": None}
    for key, raw in row.items():
        value = raw.format_map(texts) if isinstance(raw, str) else raw
        values[key] = _CONVERT[key](value) if key in _CONVERT else value
    for key in ("valid_from", "valid_to"):
        if values[key] is not None and not isinstance(values[key], date):
            raise ValueError(f"{where}: {key} is not a date")
    if not isinstance(values.get("share"), int):
        raise ValueError(f"{where}: share is not a whole percentage")
    try:
        return RouteRule(**values)
    except TypeError as error:  # a required key is missing
        raise ValueError(f"{where}: {error}") from None


@dataclass(frozen=True)
class GroupOverride:
    """A group of insured people (an object code) given a card level from a date on, whatever
    digit its cards still print: CN and LH are 100 % since 1/1/2026 (Resolution 261/2025/QH15),
    and BHXH re-prints their digit only as cards are renewed (CV 38/BYT-BH)."""

    id: str
    group: str  # the object code, e.g. "CN"
    valid_from: date
    valid_to: date | None  # inclusive; None: still in force
    level: int  # the card level (1-5) the group gets
    source: str
    verified: str

    def in_force(self, day: date) -> bool:
        """Whether the override applies on this local date."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def _group(row: dict[str, Any]) -> GroupOverride:
    """One ``[[group]]`` of the table; ValueError names what is wrong in it."""
    where = f"{_TABLE} group {row.get('id', '?')}"
    values = {"valid_to": None, **row}
    if set(values) != _GROUP_FIELDS:
        raise ValueError(f"{where}: expected the keys {sorted(_GROUP_FIELDS)}")
    if not isinstance(values["valid_from"], date) or not (
        values["valid_to"] is None or isinstance(values["valid_to"], date)
    ):
        raise ValueError(f"{where}: valid_from / valid_to are not dates")
    if values["level"] not in (1, 2, 3, 4, 5):
        raise ValueError(f"{where}: level is not a card level 1-5")
    return GroupOverride(**values)


@dataclass(frozen=True)
class BaseSalary:
    """The base salary (mức lương cơ sở) in force over a period, in VND a month."""

    valid_from: date
    valid_to: date | None  # inclusive; None: still in force
    vnd: int
    source: str
    verified: str

    def in_force(self, day: date) -> bool:
        """Whether this base salary applies on this local date."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def _base_salaries(rows: list[dict[str, Any]]) -> tuple[BaseSalary, ...]:
    """The ``[[base_salary]]`` rows, checked to follow each other without gap or overlap."""
    salaries = tuple(BaseSalary(**{"valid_to": None, **row}) for row in rows)
    for before, after in pairwise(salaries):
        if before.valid_to is None or (after.valid_from - before.valid_to).days != 1:
            raise ValueError(f"{_TABLE}: base_salary rows leave a gap or overlap")
    if any(not isinstance(s.vnd, int) or s.vnd <= 0 for s in salaries):
        raise ValueError(f"{_TABLE}: a base salary is not a positive whole number of VND")
    return salaries


def _load_table() -> tuple[dict[str, str], tuple[RouteRule, ...], tuple[GroupOverride, ...]]:
    data = tomllib.loads(resources.files("kiosk").joinpath(_TABLE).read_text(encoding="utf-8"))
    texts: dict[str, str] = data["texts"]
    rules = tuple(_rule(row, texts) for row in data["rule"])
    ids = [rule.id for rule in rules]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{_TABLE}: a rule id is used twice")
    groups = tuple(_group(row) for row in data.get("group", ()))
    return texts, rules, groups


def _load_base_salaries() -> tuple[BaseSalary, ...]:
    data = tomllib.loads(resources.files("kiosk").joinpath(_TABLE).read_text(encoding="utf-8"))
    return _base_salaries(data.get("base_salary", []))


_TABLE = "benefit_rules.toml"
_FIELDS = frozenset(field.name for field in fields(RouteRule))
_CONVERT: dict[str, Callable[[Any], Any]] = {
    "code": Route,
    "levels": lambda names: frozenset(map(ProfessionalLevel, names)),
    "formers": lambda names: frozenset(map(FormerTuyen, names)),
    "care": Care,
    "fact": VisitFact,
}
_GROUP_FIELDS = frozenset(field.name for field in fields(GroupOverride))
_TEXTS, RULES, GROUPS = _load_table()
BASE_SALARIES = _load_base_salaries()
FIVE_YEARS_SOURCE = "{law} cl. 1 d; {d188} Art. 18 cl. 2".format_map(_TEXTS)


def group_override(group: str | None, day: date) -> GroupOverride | None:
    """The override in force on a local date for an object code, or None."""
    if not group:
        return None
    code = group.strip().upper()
    return next((g for g in GROUPS if g.group == code and g.in_force(day)), None)


def base_salary(day: date) -> BaseSalary | None:
    """The base salary in force on a local date, or None before the table starts."""
    return next((s for s in BASE_SALARIES if s.in_force(day)), None)


def rows_in_force(day: date) -> tuple[RouteRule, ...]:
    """The rows that apply on a local date, in the order of QĐ 3276 Appendix 1."""
    return tuple(rule for rule in RULES if rule.in_force(day))
