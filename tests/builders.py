"""Cards, patients, drafts and check-ins for tests: one ordinary value each, keyword overrides.

Each builder gives the same plain value every time (a level-4 card valid all of 2026, an
accepted check-in at the NOI clinic on 25/11/2026 at 09:00 in Hồ Chí Minh City); a test names
only the fields it is about.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.benefit_rules import ProfessionalLevel
from kiosk.checkin import snapshot_of
from kiosk.model import (
    BirthDate,
    CardRecord,
    CheckIn,
    CheckInDraft,
    Gender,
    PatientSnapshot,
    Route,
    Verification,
)
from kiosk.route import HospitalRules
from kiosk.synthetic import SyntheticPerson, card_record

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = date(2026, 11, 25)
MORNING = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 09:00 in Hồ Chí Minh City
# a cấp cơ bản hospital scoring 60 points: self-referred outpatients get half of their
# card's share from 1 July 2026 (visit code 1.13)
RULES = HospitalRules(
    own_codes=("79024",),
    accepted_codes=("79099",),
    level=ProfessionalLevel.CO_BAN,
    score=60,
    own_accounts=("79024_BV",),
)


def card(n: int = 1, **changes: Any) -> CardRecord:
    """A synthetic card: BHXH number 79000000nn, CCCD 0790000000nn."""
    bhxh = f"79{n:08d}"
    values: dict[str, Any] = {
        "card_number": f"HS479{bhxh}",
        "bhxh_number": bhxh,
        "name": f"Nguyễn Văn Thử {n}",
        "birth": BirthDate(1980, 5, 17),
        "gender": Gender.MALE,
        "facility_code": "79024",
        "valid_from": date(2026, 1, 1),
        "valid_to": date(2026, 12, 31),
        "benefit_level": 4,
        "area_code": "79",
        "id_number": f"079{n:09d}",
        "address": "Quận 3, TP Hồ Chí Minh",
    }
    values.update(changes)
    return CardRecord(**values)


def patient(of: CardRecord | SyntheticPerson | None = None, **changes: Any) -> PatientSnapshot:
    """The patient kept with a check-in of this card or synthetic person (default: card 1)."""
    if isinstance(of, SyntheticPerson):
        of = card_record(of)
    return replace(snapshot_of(None, of or card()), **changes)


def _accepted(fields: dict[str, Any]) -> dict[str, Any]:
    """What a draft and its check-in share: an accepted visit to NOI, checked in the cache."""
    values: dict[str, Any] = {
        "local_day": DAY,
        "clinic_code": "NOI",
        "patient": patient(),
        "status": "accepted",
        "reason": None,
        "route": Route.CORRECT,
        "benefit_percent": 80,
        "verification": Verification.CACHE,
        "kiosk_id": "KIOSK-01",
        "created_at": MORNING,
    }
    return values | fields


def draft(
    key: str = "k1",
    clinic: str = "NOI",
    day: date = DAY,
    n: int = 1,
    created_at: datetime = MORNING,
    **changes: Any,
) -> CheckInDraft:
    """An accepted draft of card ``n`` (``patient=`` for another), checked in the cache."""
    given = {"local_day": day, "clinic_code": clinic, "patient": patient(card(n))}
    return CheckInDraft(
        **_accepted({"idempotency_key": key, **given, "created_at": created_at, **changes})
    )


def checkin(**changes: Any) -> CheckIn:
    """A committed check-in as a store would give it, built without one."""
    return CheckIn(**_accepted({"id": "ci-0001", "queue_number": 1, **changes}))


def his_checkin(id: str, created_at: datetime, **patient_changes: Any) -> CheckIn:
    """The HIS mappings' sample: number 12, registered at 80 %, of a patient with every field
    a mapping reads (``patient_changes`` on top)."""
    person: dict[str, Any] = {
        "name": "Trần Thị Mẫu Thử",
        "birth": BirthDate(1975),
        "gender": Gender.FEMALE,
        "card_number": "GD4797912345678",
        "bhxh_number": "7912345678",
        "id_number": "079175000001",
        "facility_code": "79024",
        "valid_from": date(2026, 1, 1),
        "valid_to": date(2026, 12, 31),
        "benefit_level": 4,
    }
    return checkin(
        id=id,
        queue_number=12,
        patient=patient(**{**person, **patient_changes}),
        route=Route.REGISTERED,
        benefit_percent=80,
        created_at=created_at,
    )
