"""Helpers shared by the db tests: a migrated SQLite store, synthetic cards and drafts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from db.engine import create_kiosk_engine
from db.migrate import upgrade
from db.store import SqlStore
from kiosk.checkin import snapshot_of
from kiosk.model import (
    BirthDate,
    CardRecord,
    CheckInDraft,
    Gender,
    Route,
    Verification,
)

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def sqlite_store(tmp_path: Path, name: str = "kiosk.db", busy_timeout_ms: int = 5000) -> SqlStore:
    engine = create_kiosk_engine(f"sqlite:///{tmp_path / name}", busy_timeout_ms)
    upgrade(engine)
    return SqlStore(engine, zone=ZONE)


def card(n: int, **changes: object) -> CardRecord:
    """A synthetic card: BHXH number 79000000nn, CCCD 0790000000nn."""
    bhxh = f"79{n:08d}"
    values: dict[str, object] = {
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
    return CardRecord(**values)  # type: ignore[arg-type]


def draft(
    key: str,
    clinic: str = "NOI",
    day: date = date(2026, 11, 25),
    n: int = 1,
    created_at: datetime | None = None,
) -> CheckInDraft:
    c = card(n)
    return CheckInDraft(
        idempotency_key=key,
        local_day=day,
        clinic_code=clinic,
        patient=snapshot_of(None, c),
        status="accepted",
        reason=None,
        route=Route.CORRECT,
        benefit_percent=80,
        verification=Verification.CACHE,
        kiosk_id="KIOSK-01",
        created_at=created_at or datetime(2026, 11, 25, 2, 0, tzinfo=UTC),
    )
