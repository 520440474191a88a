"""The route and benefit rules of 2025-2026 as a dated table: one row per case.

Since 1 January 2025 the share the fund pays no longer follows the tuyến (đúng / thông / trái
tuyến) but the professional level of the facility the patient walks into (cấp ban đầu / cơ
bản / chuyên sâu), its evaluation score, its tuyến before 2025, and how the patient came: to
the facility of their registration, self-referred, with a referral or appointment slip, as an
emergency, with a listed disease. Each row below is one line of QĐ 3276/QĐ-BYT Appendix 1
("mã đối tượng đến khám bệnh, chữa bệnh"), with its dates, its conditions, its share of the
card's share and the article it stands on. ``docs/domain.md`` (route and benefit) lists the
rows with what was verified and where the texts disagree.

The table is data: a change of law is a new row with new dates, not new code. Rows whose
condition is a fact the kiosk cannot see (a slip, an emergency, a disease) only match when that
fact is declared, and even then the kiosk leaves the figure to reception.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from kiosk.model import Route

LAW_2025 = date(2025, 1, 1)  # Law 51/2024/QH15: Art. 22 as amended applies from this day
HALF_SHARE_FROM = date(2026, 7, 1)  # Decree 188/2025 Art. 19 cl. 2-4: 0 % until 30/6/2026
BEFORE_HALF_SHARE = date(2026, 6, 30)


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


_BAN_DAU = frozenset({ProfessionalLevel.BAN_DAU})
_CO_BAN = frozenset({ProfessionalLevel.CO_BAN})
_CHUYEN_SAU = frozenset({ProfessionalLevel.CHUYEN_SAU})
_UPPER = frozenset({FormerTuyen.PROVINCE, FormerTuyen.CENTRAL})
_NOT_UPPER = frozenset(FormerTuyen) - _UPPER
_TWO_SOURCES = (
    "two sources: a transcription of QĐ 3276 Appendix 1, and a register quoting Decree "
    "188/2025 and Law 51/2024 from the official texts"
)
_LAW = "Law on Health Insurance Art. 22 (as amended by Law 51/2024/QH15)"
_D188 = "Decree 188/2025/NĐ-CP"


def _fact_row(code: Route, fact: VisitFact, when: str, source: str, **extra: object) -> RouteRule:
    return RouteRule(
        id=f"{code.value}/{LAW_2025.isoformat()}",
        code=code,
        valid_from=LAW_2025,
        valid_to=None,
        share=100,
        source=source,
        when=when,
        fact=fact,
        **extra,  # type: ignore[arg-type]
    )


def _self_referred_halving(
    code: Route, when: str, source: str, **conditions: object
) -> tuple[RouteRule, RouteRule]:
    """The rows that pay nothing until 30/6/2026 and half of the card's share from 1/7/2026."""
    common: dict[str, object] = {
        "registered": False,
        "care": Care.OUTPATIENT,
        "source": source,
        "when": when,
        **conditions,
    }
    return (
        RouteRule(
            id=f"{code.value}/{LAW_2025.isoformat()}",
            code=code,
            valid_from=LAW_2025,
            valid_to=BEFORE_HALF_SHARE,
            share=0,
            **common,  # type: ignore[arg-type]
        ),
        RouteRule(
            id=f"{code.value}/{HALF_SHARE_FROM.isoformat()}",
            code=code,
            valid_from=HALF_SHARE_FROM,
            valid_to=None,
            share=50,
            **common,  # type: ignore[arg-type]
        ),
    )


RULES: tuple[RouteRule, ...] = (
    RouteRule(
        id="1.1/2025-01-01",
        code=Route.REGISTERED,
        valid_from=LAW_2025,
        valid_to=None,
        share=100,
        source=f"{_LAW} cl. 1",
        when="at the facility of the card's registration (except code 1.2)",
        registered=True,
        primary_station=False,
    ),
    RouteRule(
        id="1.2/2025-01-01",
        code=Route.PRIMARY_STATION,
        valid_from=LAW_2025,
        valid_to=None,
        share=100,
        source=f"{_LAW} cl. 1 c and cl. 4 c; TT 01/2025/TT-BYT Art. 3",
        when="at a cấp ban đầu station (trạm y tế, family-medicine clinic, regional health "
        "centre licensed as a clinic, ...), registered here or not: 100 % of covered costs "
        "whatever the card's level",
        levels=_BAN_DAU,
        primary_station=True,
        whatever_card=True,
    ),
    _fact_row(
        Route.REFERRAL,
        VisitFact.REFERRAL,
        "with a referral slip (phiếu chuyển cơ sở KCB, incl. the one-year slip)",
        "TT 01/2025/TT-BYT Art. 9, 10",
    ),
    _fact_row(
        Route.RESIDENCE,
        VisitFact.RESIDENCE,
        "while staying or living away from home",
        f"{_LAW} cl. 3; TT 01/2025/TT-BYT Art. 4",
    ),
    _fact_row(
        Route.APPOINTMENT,
        VisitFact.APPOINTMENT,
        "with a follow-up appointment slip (phiếu hẹn khám lại)",
        "TT 01/2025/TT-BYT Art. 11",
    ),
    _fact_row(
        Route.ORGAN_DONOR,
        VisitFact.ORGAN_DONOR,
        "treated right after donating a body part",
        f"{_D188} Art. 37 cl. 4",
    ),
    _fact_row(
        Route.NEWBORN,
        VisitFact.NEWBORN,
        "a newborn treated right after birth",
        f"{_D188} Art. 37 cl. 2",
    ),
    RouteRule(
        id="1.11/2025-01-01",
        code=Route.PRIMARY_OTHER,
        valid_from=LAW_2025,
        valid_to=None,
        share=100,
        source=f"{_LAW} cl. 4 c",
        when="self-referred at another cấp ban đầu facility (not of the kinds in code 1.2)",
        registered=False,
        levels=_BAN_DAU,
        primary_station=False,
    ),
    RouteRule(
        id="1.12/2025-01-01",
        code=Route.BASIC_UNDER_50,
        valid_from=LAW_2025,
        valid_to=None,
        share=100,
        source=f"{_D188} Art. 19 cl. 1",
        when="self-referred outpatient at a cấp cơ bản facility scoring under 50 points or "
        "classified provisionally, not a former provincial or central hospital",
        registered=False,
        levels=_CO_BAN,
        formers=_NOT_UPPER,
        score_below=50,
        care=Care.OUTPATIENT,
        verified=_TWO_SOURCES,
    ),
    *_self_referred_halving(
        Route.BASIC_50_70,
        "self-referred outpatient at a cấp cơ bản facility scoring 50 to under 70 points "
        "(except TT 01/2025 Appendix II diseases)",
        f"{_D188} Art. 19 cl. 2",
        levels=_CO_BAN,
        score_from=50,
        score_below=70,
        verified=_TWO_SOURCES,
    ),
    *_self_referred_halving(
        Route.BASIC_FORMER_UPPER,
        "self-referred outpatient at a cấp cơ bản facility that was a provincial or central "
        "hospital before 2025 (except TT 01/2025 Appendix II diseases)",
        f"{_D188} Art. 19 cl. 3",
        levels=_CO_BAN,
        formers=_UPPER,
        verified=_TWO_SOURCES,
    ),
    RouteRule(
        id="1.15/2025-01-01",
        code=Route.BASIC_INPATIENT,
        valid_from=LAW_2025,
        valid_to=None,
        share=100,
        source=f"{_LAW} cl. 4 d",
        when="self-referred inpatient at a cấp cơ bản facility",
        registered=False,
        levels=_CO_BAN,
        care=Care.INPATIENT,
    ),
    _fact_row(
        Route.BASIC_LISTED_DISEASE,
        VisitFact.DISEASE_APPENDIX_II,
        "at a cấp cơ bản facility, for a disease of TT 01/2025 Appendix II",
        f"{_LAW} cl. 4 a; TT 01/2025/TT-BYT Art. 5 cl. 1 b",
        levels=_CO_BAN,
    ),
    _fact_row(
        Route.SPECIALISED_LISTED_DISEASE,
        VisitFact.DISEASE_APPENDIX_I,
        "at a cấp chuyên sâu facility, for a disease of TT 01/2025 Appendix I",
        f"{_LAW} cl. 4 a; TT 01/2025/TT-BYT Art. 5 cl. 1 a",
        levels=_CHUYEN_SAU,
    ),
    *_self_referred_halving(
        Route.SPECIALISED_FORMER_PROVINCE,
        "self-referred outpatient at a cấp chuyên sâu facility that was a provincial "
        "hospital before 2025 (except TT 01/2025 Appendix I diseases)",
        f"{_LAW} cl. 4 h; {_D188} Art. 19 cl. 4",
        levels=_CHUYEN_SAU,
        formers=frozenset({FormerTuyen.PROVINCE}),
        verified=_TWO_SOURCES,
    ),
    _fact_row(
        Route.EMERGENCY,
        VisitFact.EMERGENCY,
        "an emergency, at any facility",
        f"{_LAW} cl. 5",
        verified=_TWO_SOURCES,
    ),
    RouteRule(
        id="3.1/2025-01-01/inpatient",
        code=Route.FORMER_CENTRAL,
        valid_from=LAW_2025,
        valid_to=None,
        share=40,
        source=f"{_LAW} cl. 4 g",
        when="self-referred inpatient at a cấp chuyên sâu facility that was a central "
        "hospital before 2025",
        registered=False,
        levels=_CHUYEN_SAU,
        formers=frozenset({FormerTuyen.CENTRAL}),
        care=Care.INPATIENT,
        verified=_TWO_SOURCES,
    ),
    RouteRule(
        id="3.1/2025-01-01/outpatient",
        code=Route.FORMER_CENTRAL,
        valid_from=LAW_2025,
        valid_to=None,
        share=0,
        source=f"{_LAW} cl. 4 g",
        when="self-referred outpatient at a cấp chuyên sâu facility that was a central "
        "hospital before 2025",
        registered=False,
        levels=_CHUYEN_SAU,
        formers=frozenset({FormerTuyen.CENTRAL}),
        care=Care.OUTPATIENT,
        verified=_TWO_SOURCES,
    ),
    RouteRule(
        id="3.2/2025-01-01",
        code=Route.SPECIALISED_FORMER_PROVINCE_INPATIENT,
        valid_from=LAW_2025,
        valid_to=None,
        share=100,
        source=f"{_LAW} cl. 4 h",
        when="self-referred inpatient at a cấp chuyên sâu facility that was a provincial "
        "hospital before 2025",
        registered=False,
        levels=_CHUYEN_SAU,
        formers=frozenset({FormerTuyen.PROVINCE}),
        care=Care.INPATIENT,
    ),
    RouteRule(
        id="3.3/2025-01-01",
        code=Route.FORMER_DISTRICT,
        valid_from=LAW_2025,
        valid_to=None,
        share=100,
        source=f"{_LAW} cl. 4 đ",
        when="self-referred at a cấp cơ bản or cấp chuyên sâu facility that was a district "
        "hospital before 2025 (no same-province condition any more)",
        registered=False,
        levels=_CO_BAN | _CHUYEN_SAU,
        formers=frozenset({FormerTuyen.DISTRICT}),
    ),
    _fact_row(
        Route.HARDSHIP_INPATIENT,
        VisitFact.HARDSHIP_AREA,
        "ethnic minority or poor household in a hard area, or islander, as an inpatient at a "
        "cấp chuyên sâu facility",
        f"{_LAW} cl. 4 b",
        levels=_CHUYEN_SAU,
        care=Care.INPATIENT,
    ),
)

FIVE_YEARS_SOURCE = f"{_LAW} cl. 1 d; {_D188} Art. 18 cl. 2"


def rows_in_force(day: date) -> tuple[RouteRule, ...]:
    """The rows that apply on a local date, in the order of QĐ 3276 Appendix 1."""
    return tuple(rule for rule in RULES if rule.in_force(day))
