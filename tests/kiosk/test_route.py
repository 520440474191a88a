"""Route (đúng / thông / trái tuyến) and benefit share, DOMAIN.md §6 and §3."""

from __future__ import annotations

import pytest

from kiosk.config import HospitalSettings
from kiosk.model import Route
from kiosk.route import HospitalRules, benefit_percent, route_for

DISTRICT = HospitalRules(
    own_codes=("79024",),
    accepted_codes=("79099",),
    level="district",
    facility_levels={"79034": "district", "79035": "commune", "79001": "province",
                     "01C54": "district"},
    own_accounts=("79024_BV",),
)  # fmt: skip


@pytest.mark.parametrize(
    ("facility", "route"),
    [
        ("79024", Route.CORRECT),  # our own code
        ("79099", Route.CORRECT),  # in the accepted list
        ("79034", Route.OPEN),  # same province, district level
        ("79035", Route.OPEN),  # same province, commune level
        ("79001", Route.OUTSIDE),  # same province but province level
        ("79777", Route.OUTSIDE),  # same province, level unknown
        ("01C54", Route.OUTSIDE),  # another province
        (None, Route.OUTSIDE),
        ("", Route.OUTSIDE),
    ],
)
def test_route_at_a_district_hospital(facility: str | None, route: Route) -> None:
    assert route_for(facility, DISTRICT) is route


def test_no_open_route_at_a_province_hospital() -> None:
    province = HospitalRules(
        own_codes=("79001",), level="province", facility_levels={"79034": "district"}
    )
    assert route_for("79034", province) is Route.OUTSIDE
    assert route_for("79001", province) is Route.CORRECT


def test_from_config() -> None:
    settings = HospitalSettings(
        facility_codes=("79024", "79025"),
        accepted_codes=("79099",),
        level="commune",
        facility_levels={"79034": "district"},
    )
    rules = HospitalRules.from_config(settings, "79024_BV")
    assert rules.own_codes == ("79024", "79025")
    assert rules.accepted_codes == ("79099",)
    assert rules.level == "commune"
    assert dict(rules.facility_levels) == {"79034": "district"}
    assert rules.own_accounts == ("79024_BV",)
    assert route_for("79025", rules) is Route.CORRECT
    assert route_for("79034", rules) is Route.OPEN
    assert HospitalRules.from_config(settings, "").own_accounts == ()


def test_own_accounts() -> None:
    assert DISTRICT.is_own_account("79024_BV")
    assert DISTRICT.is_own_account("79024_KHTH")  # another account of the same facility
    assert not DISTRICT.is_own_account("79034_BV")
    assert not DISTRICT.is_own_account("")


@pytest.mark.parametrize(
    ("level", "percent"), [(1, 100), (2, 100), (3, 95), (4, 80), (5, 100), (None, None), (7, None)]
)
def test_benefit_percent(level: int | None, percent: int | None) -> None:
    assert benefit_percent(level) == percent
