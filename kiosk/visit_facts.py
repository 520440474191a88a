"""What reception declares about a visit at the desk: a referral paper, an emergency.

The route rules (:mod:`kiosk.route`) have rows that rest on a fact only a person can establish
(QĐ 3276 code 1.3 "with a referral slip", code 2 "an emergency"). The kiosk never sees those
facts; staff at the desk do, and declare them with an override. :class:`DeclaredFacts` carries
them from the desk through :class:`kiosk.checkin.CheckInRequest` to ``benefit_for``, which then
gives the row's figure instead of leaving it to reception (reception has just confirmed it).

A referral paper counts only while it is valid on the day of the visit: a one-year slip (for a
disease on the list of long treatments) until 31 December of the year it was signed, any other
slip for ``REFERRAL_WORKING_DAYS`` working days from its signing (TT 01/2025/TT-BYT Art. 10;
*one source*). Working days here are Monday to Friday: a public holiday in between is not
counted as a rest day, so a slip may read as expired a day or two early. Reception sees the
paper and the warning, and can still override on the self-referred share.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from kiosk.benefit_rules import VisitFact

#: how long an ordinary referral slip is valid, in working days from its signing
REFERRAL_WORKING_DAYS = 10


@dataclass(frozen=True)
class ReferralPaper:
    """The referral paper (giấy chuyển tuyến) reception saw: the day it was signed, and
    whether it is the one-year slip."""

    signed_on: date
    one_year: bool = False

    def last_day(self) -> date:
        """The last local day the paper is valid on."""
        if self.one_year:
            return date(self.signed_on.year, 12, 31)
        day, left = self.signed_on, REFERRAL_WORKING_DAYS - 1  # the day of signing counts
        while left > 0:
            day += timedelta(days=1)
            if day.weekday() < 5:
                left -= 1
        return day

    def valid_on(self, day: date) -> bool:
        """Whether the paper may be used for a visit on this local day."""
        return self.signed_on <= day <= self.last_day()


@dataclass(frozen=True)
class DeclaredFacts:
    """The facts reception declared for one visit."""

    referral: ReferralPaper | None = None
    emergency: bool = False

    def __bool__(self) -> bool:
        return self.referral is not None or self.emergency

    def facts(self, day: date) -> frozenset[VisitFact]:
        """The rule table's facts on a local day (an expired referral paper gives none)."""
        found: set[VisitFact] = set()
        if self.referral is not None and self.referral.valid_on(day):
            found.add(VisitFact.REFERRAL)
        if self.emergency:
            found.add(VisitFact.EMERGENCY)
        return frozenset(found)

    def words(self, day: date) -> str:
        """The facts as they go after an override's reason, in reception's words."""
        parts: list[str] = []
        if self.referral is not None:
            paper = self.referral
            kind = "giấy 1 năm" if paper.one_year else "giấy"
            signed = f"{paper.signed_on:%d/%m/%Y}"
            expired = "" if paper.valid_on(day) else ", HẾT HẠN"
            parts.append(f"[Chuyển tuyến: {kind} ký {signed}{expired}]")
        if self.emergency:
            parts.append("[Cấp cứu]")
        return " ".join(parts)
