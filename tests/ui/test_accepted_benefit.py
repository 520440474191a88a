"""The accepted screen says the visit code and the share, or that reception confirms it.

The hospital of these tests is a cấp cơ bản hospital scoring 60 points (set through the
environment over the shipped config.toml): a self-referred level-4 card gets half of 80 %
from 1 July 2026 (docs/domain.md, route and benefit).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.benefit_rules import RULES, RouteRule
from kiosk.config import Config, load_config
from kiosk.model import CheckIn, PatientSnapshot, Verification
from kiosk.outcome import Outcome, Status
from kiosk.synthetic import SyntheticPerson, bhyt_payload, people
from tests.ui.ui_rig import Rig
from ui.window import KioskWindow

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 25)
Make = Callable[..., tuple[KioskWindow, Rig]]


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return load_config(
        ROOT / "config.toml",
        env={
            "KIOSK_KIOSK_DATA_DIR": str(tmp_path),
            "KIOSK_HOSPITAL_PROFESSIONAL_LEVEL": "co_ban",
            "KIOSK_HOSPITAL_EVALUATION_SCORE": "60",
            "KIOSK_HOSPITAL_FORMER_TUYEN": "none",
        },
    )


def _level_4(registered_here: bool) -> SyntheticPerson:
    return next(
        p
        for p in people(200, seed=5)
        if p.benefit_level == 4
        and (p.facility_code == "79024") == registered_here
        and p.valid_from <= TODAY <= p.valid_to
    )


@pytest.fixture
def persons() -> list[SyntheticPerson]:
    return [_level_4(registered_here=True), _level_4(registered_here=False)]


def _scan(qtbot: QtBot, window: KioskWindow, text: str) -> None:
    with qtbot.waitSignal(window.outcome_shown, timeout=5000):
        window.on_scan(text)


def test_a_self_referred_level_4_card_is_told_40_and_a_registered_one_80(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, _ = make_window(clinics=1)
    _scan(qtbot, window, bhyt_payload(persons[1]))
    assert window.current is window.accepted
    assert window.accepted.benefit.text() == "Tự đến khám (mã 1.13) – Mức hưởng 40%"
    window.toggle_language()
    assert window.accepted.benefit.text() == "Self-referred (code 1.13) – Benefit 40%"
    window.toggle_language()
    window.go_welcome()
    _scan(qtbot, window, bhyt_payload(persons[0]))
    assert window.accepted.benefit.text() == (
        "Đúng nơi đăng ký KCB ban đầu (mã 1.1) – Mức hưởng 80%"
    )


def _checkin(row: RouteRule, share: int | None, person: SyntheticPerson) -> CheckIn:
    return CheckIn(
        id="ci-1",
        local_day=TODAY,
        clinic_code="NOI",
        queue_number=7,
        patient=PatientSnapshot(
            name=person.name,
            birth=person.birth,
            gender=person.gender,
            card_number=person.card_number,
            bhxh_number=person.bhxh_number,
            id_number=person.id_number,
            facility_code=person.facility_code,
            valid_from=person.valid_from,
            valid_to=person.valid_to,
            benefit_level=4,
        ),
        status="accepted",
        reason=None,
        route=row.code,
        benefit_percent=share,
        verification=Verification.ONLINE,
        kiosk_id="KIOSK-01",
        created_at=datetime(2026, 11, 25, 2, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize("row", RULES, ids=[rule.id for rule in RULES])
def test_every_rule_row_shows_its_share_or_the_reception_text(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson], row: RouteRule
) -> None:
    window, _ = make_window(clinics=1)
    # a level-4 card (80 %); a row resting on a fact leaves the figure to reception
    if row.fact is not None:
        share = None
    else:
        share = row.share if row.whatever_card else 80 * row.share // 100
    outcome = Outcome(
        status=Status.ACCEPTED, reason=None, checkin=_checkin(row, share, persons[0]), printed=True
    )
    with qtbot.waitSignal(window.outcome_shown, timeout=5000):
        window.show_outcome(outcome)
    assert window.current is window.accepted
    vi = window.accepted.benefit.text()
    window.toggle_language()
    en = window.accepted.benefit.text()
    if share is None:
        assert vi.endswith(f"(mã {row.code.value}) – Quầy tiếp đón xác nhận mức hưởng"), vi
        assert en.endswith(f"(code {row.code.value}) – Reception confirms the benefit"), en
    else:
        assert vi.endswith(f"(mã {row.code.value}) – Mức hưởng {share}%"), vi
        assert en.endswith(f"(code {row.code.value}) – Benefit {share}%"), en
