"""Route (tuyến) and benefit share, by the configurable rules of DOMAIN.md §6.

1. Đúng tuyến: the card's facility is one of this hospital's own codes or in its accepted list.
2. Thông tuyến: this hospital is district or commune level, and the card's facility is in the
   same province (first two characters) and known to be district or commune level too.
3. Trái tuyến: everything else (still accepted: the slip shows the route). Emergencies,
   referrals and follow-ups are chosen by staff, not here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from kiosk.config import HospitalSettings
from kiosk.model import Route

LOWER_LEVELS = frozenset({"district", "commune"})
_BENEFIT_PERCENT = {1: 100, 2: 100, 3: 95, 4: 80, 5: 100}


@dataclass(frozen=True)
class HospitalRules:
    """What the route rules need to know about this hospital."""

    own_codes: tuple[str, ...]
    accepted_codes: tuple[str, ...] = ()
    level: str = "district"  # central, province, district or commune
    facility_levels: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({}), hash=False
    )
    own_accounts: tuple[str, ...] = ()  # gateway usernames of this hospital, e.g. "79024_BV"

    @classmethod
    def from_config(cls, hospital: HospitalSettings, gateway_username: str) -> HospitalRules:
        """Build the rules from ``[hospital]`` and the gateway account of ``[insurance]``."""
        return cls(
            own_codes=tuple(hospital.facility_codes),
            accepted_codes=tuple(hospital.accepted_codes),
            level=hospital.level,
            facility_levels=MappingProxyType(dict(hospital.facility_levels)),
            own_accounts=(gateway_username,) if gateway_username else (),
        )

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


def route_for(facility_code: str | None, rules: HospitalRules) -> Route:
    """The route of a card registered at ``facility_code`` when it is used at this hospital."""
    if not facility_code:
        return Route.OUTSIDE
    code = facility_code.strip().upper()
    if code in rules.own_codes or code in rules.accepted_codes:
        return Route.CORRECT
    if rules.level in LOWER_LEVELS and rules.facility_levels.get(code) in LOWER_LEVELS:
        provinces = {own[:2] for own in rules.own_codes}
        if code[:2] in provinces:
            return Route.OPEN
    return Route.OUTSIDE


def benefit_percent(level: int | None) -> int | None:
    """The share the fund pays on the correct route: 1→100, 2→100, 3→95, 4→80, 5→100."""
    if level is None:
        return None
    return _BENEFIT_PERCENT.get(level)
