"""Route and benefit share of a card at this hospital, by the dated table of kiosk.benefit_rules.

The visit code and the share follow the 2025 rules (docs/domain.md, route and benefit): the
hospital is described by its professional level, its evaluation score and its tuyến before 2025
(``[hospital]`` in config.toml); the card by its registration facility, its benefit level (1-5)
and the date it reached five continuous years. The share shown to the patient is the card's
share times the row's share. Where that figure hangs on a fact the kiosk cannot see (a slip,
an emergency, a listed disease, the year's co-payment), the share is None: reception confirms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kiosk.benefit_rules import (
    FIVE_YEARS_SOURCE,
    Care,
    Facility,
    FormerTuyen,
    ProfessionalLevel,
    RouteRule,
    VisitContext,
    VisitFact,
    group_override,
    rows_in_force,
)
from kiosk.card_number import object_code_of
from kiosk.copay import SOURCE as COPAY_SOURCE
from kiosk.copay import CopayExemption
from kiosk.model import Benefit, CardRecord
from kiosk.provinces import province_of, same_province
from kiosk.settings import HospitalSettings

_CARD_PERCENT = {1: 100, 2: 100, 3: 95, 4: 80, 5: 100}


@dataclass(frozen=True)
class HospitalRules:
    """What the route rules need to know about this hospital."""

    own_codes: tuple[str, ...]
    accepted_codes: tuple[str, ...] = ()
    level: ProfessionalLevel = ProfessionalLevel.CO_BAN
    score: int | None = None
    former: FormerTuyen = FormerTuyen.NONE
    primary_station: bool = False
    own_accounts: tuple[str, ...] = ()  # gateway usernames of this hospital, e.g. "79024_BV"

    @classmethod
    def from_config(cls, hospital: HospitalSettings, gateway_username: str) -> HospitalRules:
        """Build the rules from ``[hospital]`` and the gateway account of ``[insurance]``."""
        return cls(
            own_codes=tuple(hospital.facility_codes),
            accepted_codes=tuple(hospital.accepted_codes),
            level=ProfessionalLevel(hospital.professional_level),
            score=hospital.evaluation_score,
            former=_former(hospital),
            primary_station=hospital.primary_station,
            own_accounts=(gateway_username,) if gateway_username else (),
        )

    @property
    def facility(self) -> Facility:
        """This hospital as a row of the table sees it."""
        return Facility(self.level, self.score, self.former, self.primary_station)

    def registered_here(self, facility_code: str | None) -> bool:
        """Whether a card registered at ``facility_code`` counts as registered at this hospital."""
        if not facility_code:
            return False
        code = facility_code.strip().upper()
        return code in self.own_codes or code in self.accepted_codes

    def is_own_account(self, user: str) -> bool:
        """Whether a gateway account belongs to this hospital.

        Accounts are named ``<facility code>_<suffix>`` (``79024_BV``): any account of one of
        our own facility codes counts as ours, as do the configured usernames.
        """
        name = user.strip()
        if name in self.own_accounts:
            return True
        prefix = name.split("_", 1)[0].upper()
        return bool(prefix) and prefix in self.own_codes


def _former(hospital: HospitalSettings) -> FormerTuyen:
    """The tuyến before 2025, or the grade a hospital without one is equivalent to."""
    former = FormerTuyen(hospital.former_tuyen)
    if former is FormerTuyen.NONE and hospital.equivalent:
        return FormerTuyen(hospital.equivalent)
    return former


def benefit_percent(level: int | None) -> int | None:
    """The card's own share: 1→100, 2→100, 3→95, 4→80, 5→100 (None when unknown)."""
    if level is None:
        return None
    return _CARD_PERCENT.get(level)


def card_share(card: CardRecord, today: date) -> tuple[int | None, str]:
    """The card's own share on a local date, and a note when a group override decided it.

    The level is the card's (its digit, field 14 or the gateway's); a group override of the
    table (CN and LH at level 2 since 1/1/2026) raises it whatever digit the card still prints,
    and never lowers it.
    """
    printed = benefit_percent(card.benefit_level)
    override = group_override(object_code_of(card.card_number), today)
    if override is None:
        return printed, ""
    raised = benefit_percent(override.level)
    if raised is None or (printed is not None and printed >= raised):
        return printed, ""
    was = f"level {card.benefit_level}" if card.benefit_level else "no level"
    note = (
        f"; group {override.group}: level {override.level} ({raised} %) since "
        f"{override.valid_from.isoformat()} whatever the card prints ({was}): {override.source}"
    )
    return raised, note


def _best(rows: list[RouteRule], card: int | None) -> RouteRule:
    """The row that pays most (Decree 188/2025 Art. 21 cl. 1); ties keep the table's order."""

    def paid(rule: RouteRule) -> int:
        return rule.share if rule.whatever_card else rule.share * (card or 100)

    return max(rows, key=paid)  # max keeps the first of equals


def _province_note(facility_code: str | None, rules: HospitalRules) -> str:
    if not facility_code or not rules.own_codes:
        return ""
    own = rules.own_codes[0]
    if not same_province(facility_code, own):
        return "; card from another province"
    if facility_code[:2] == own[:2]:
        return ""
    merged = province_of(own)
    name = merged.name if merged else own[:2]
    return f"; card from province {facility_code[:2]}, merged into {name} in 2025"


def benefit_for(
    card: CardRecord,
    rules: HospitalRules,
    today: date,
    *,
    care: Care = Care.OUTPATIENT,
    facts: frozenset[VisitFact] = frozenset(),
    copay: CopayExemption | None = None,
    confirmed: bool = False,
) -> Benefit:
    """The visit code and the share for this card at this hospital on this local date.

    ``facts`` are what reception has established (slips, emergency, listed disease); the kiosk
    passes none. A row resting on such a fact, or a card past five continuous years whose share
    could rise to 100 % once the year's co-payment passes the threshold, leaves the figure to
    reception (``percent`` None), as does a visit no row describes. ``confirmed``: reception
    declared ``facts`` at the desk having seen the paper or the patient, so a row resting on
    them gives its figure (:mod:`kiosk.visit_facts`). ``copay`` is what BHXH's
    co-payment look-up said of the year (None: not asked, or it failed): with it the rules
    decide the five-years case themselves (:mod:`kiosk.copay`).
    """
    card_percent, group_note = card_share(card, today)
    visit = VisitContext(rules.registered_here(card.facility_code), care, facts)
    province = _province_note(card.facility_code, rules) + group_note
    matching = [rule for rule in rows_in_force(today) if rule.matches(rules.facility, visit, today)]
    if not matching:
        return Benefit(
            route=None,
            percent=None,
            route_percent=None,
            card_percent=card_percent,
            rule="none",
            source="",
            reason="no rule row describes this visit at this hospital: reception decides"
            + province,
        )
    rule = _best(matching, card_percent)
    reason = f"{rule.code.value}: {rule.when}{province}"
    exempt_from: date | None = None
    copay_pending = False
    percent: int | None
    if rule.whatever_card:
        percent = rule.share
    elif card_percent is None:
        percent = None
        reason += "; the card's benefit level is unknown"
    else:
        percent = card_percent * rule.share // 100
    if rule.staff_confirms and confirmed:
        reason += "; declared by reception"
    if rule.staff_confirms and not confirmed:
        percent = None
        reason += "; reception confirms the slip or fact this rests on"
    elif _five_years_may_apply(card, rule, card_percent, today):
        five = card.five_years_from
        assert five is not None
        if copay is None or not copay.decided:
            percent = None
            copay_pending = True
            reason += (
                "; five continuous years reached: 100 % once the year's co-payment passes the "
                f"threshold ({FIVE_YEARS_SOURCE}), which only reception can see"
            )
        elif copay.exempt_from is not None:
            exempt_from = max(copay.exempt_from, five)
            percent = 100
            reason += (
                f"; five continuous years and a co-payment of {copay.total_vnd} VND this year, "
                f"over six months' base salary: 100 % since {exempt_from.isoformat()} "
                f"({COPAY_SOURCE})"
            )
        else:
            reason += (
                f"; five continuous years, but the year's co-payment ({copay.total_vnd} VND) "
                f"is not over six months' base salary ({COPAY_SOURCE})"
            )
    return Benefit(
        route=rule.code,
        percent=percent,
        route_percent=rule.share,
        card_percent=card_percent,
        rule=rule.id,
        source=rule.source,
        reason=reason,
        copay_exempt_from=exempt_from,
        copay_pending=copay_pending,
    )


def _five_years_may_apply(
    card: CardRecord, rule: RouteRule, card_percent: int | None, today: date
) -> bool:
    # Only on a full-share row: whether the co-payment exemption also lifts a self-referred
    # row's reduced share is not settled (docs/domain.md, five continuous years).
    return (
        card.five_years_from is not None
        and card.five_years_from <= today
        and card_percent is not None
        and card_percent < 100
        and rule.share == 100
        and not rule.whatever_card
    )
