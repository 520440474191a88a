"""A five-year card checked in with the co-payment look-up on (``insurance.copay_lookup``),
through the check-in service and the real gateway client, against the simulator on 127.0.0.1."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from PIL import Image

from db.insurance.population import Population
from kiosk.checkin import CheckInService
from kiosk.config import load_config
from kiosk.model import CheckIn
from kiosk.outcome import Outcome, Status
from kiosk.synthetic import hex_utf8
from tests.db.simhelp import gateway_client, simulator
from tests.fakes import FakeCardCache, FakeCheckInStore, FakeClock, FakePrinter

ROOT = Path(__file__).resolve().parents[2]
MORNING = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 09:00 local on the simulator's day
CROSSING = [
    {"ngayRa": "05/08/2026", "tBNCCTLuyKe": 16500000},
    {"ngayRa": "05/04/2026", "tBNCCTLuyKe": 14500000},
    {"ngayRa": "15/02/2026", "tBNCCTLuyKe": 9800000},
]
BELOW = [{"ngayRa": "05/08/2026", "tBNCCTLuyKe": 11200000}]


def _five_year_card(population: Population) -> int:
    """A card answered 000, registered here, level 4, with no ngayDu5Nam in the reply (the QR
    says five years were reached)."""
    for i in range(population.cards):
        row = population.row(i)
        if (
            population.gateway_code(i) == "000"
            and row["maThe"].startswith(("DN4", "HS4", "HC4", "GD4"))
            and row["maDKBD"] == "79024"
            and not row["ngayDu5Nam"]
            and len(row["ngaySinh"]) == 10
            and not row["gtTheDenMoi"]
        ):
            return i
    raise AssertionError("no such card")


def _qr(row: dict[str, str]) -> str:
    return (
        f"{row['maThe']}|{hex_utf8(row['hoTen'])}|{row['ngaySinh']}|"
        f"{'2' if row['gioiTinh'] == 'Nữ' else '1'}|-|79 - 024|{row['gtTheTu']}|{row['gtTheDen']}|"
        "01/01/2026|79010920123456|-|4| 01/01/2020|3f9a1c2b7d4e5f60-5202|$"
    )


def _check_in(rows: list[dict[str, object]] | None, *, lookup: bool = True) -> Outcome:
    with simulator(3000) as (sim, url):
        population = sim.population
        i = _five_year_card(population)
        row = population.row(i)
        if rows is not None:
            sim.copay[row["maSoBHXH"]] = rows
        else:
            sim.copay_restricted = True
        config = load_config(ROOT / "config.toml", env={})
        config = replace(config, insurance=replace(config.insurance, copay_lookup=lookup))
        printer = FakePrinter("")

        def render(_checkin: CheckIn, _reprint: bool) -> Image.Image:
            return Image.new("1", (576, 10), 1)

        service = CheckInService(
            config=config,
            clock=FakeClock(MORNING),
            cards=FakeCardCache(),
            checkins=FakeCheckInStore(),
            online=gateway_client(url),
            printer=printer,
            render_slip=render,
        )
        return service.run(_qr(row), "NOI")


def test_over_the_threshold_the_kiosk_gives_100_from_the_crossing() -> None:
    outcome = _check_in(CROSSING)
    assert outcome.status is Status.ACCEPTED, outcome.detail
    assert outcome.checkin is not None
    assert outcome.checkin.benefit_percent == 100
    assert outcome.checkin.copay_exempt_from == date(2026, 4, 5)


def test_below_the_threshold_the_rules_give_the_card_share() -> None:
    outcome = _check_in(BELOW)
    assert outcome.checkin is not None
    assert (outcome.checkin.benefit_percent, outcome.checkin.copay_exempt_from) == (80, None)


def test_a_failed_look_up_leaves_the_share_to_reception() -> None:
    outcome = _check_in(None)  # the account is restricted: MaKetQua 500
    assert outcome.status is Status.ACCEPTED
    assert outcome.checkin is not None
    assert outcome.checkin.benefit_percent is None


def test_with_the_setting_off_the_look_up_is_not_asked() -> None:
    outcome = _check_in(CROSSING, lookup=False)
    assert outcome.checkin is not None
    assert outcome.checkin.benefit_percent is None
