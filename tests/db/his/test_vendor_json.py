"""``his.kind = "json"``: the sample mapping in docs/his.md gives the sample body shown there,
the formats convert, a wrong mapping is refused naming its key, and events reach a server."""

from __future__ import annotations

import json
import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from db.his.delivery import RetryPolicy, deliver_pending
from db.his.vendor_json import FORMATS, SOURCES, parse_mapping, vendor_body
from db.store import SqlStore
from db.store.outbox import event_payload
from db.wiring import build_his_sender
from kiosk.config import HIS_JSON_FIELDS, HIS_JSON_FORMATS, Config, ConfigError, parse_config
from kiosk.model import BirthDate
from tests import builders
from tests.builders import draft
from tests.db.his_server import his_server
from tests.fakes import FakeClock

ROOT = Path(__file__).resolve().parents[3]
CLINIC = {"code": "NOI", "name_vi": "Khám Nội tổng quát", "name_en": "Internal medicine"}


def _docs_section() -> tuple[dict[str, Any], Any]:
    text = (ROOT / "docs" / "his.md").read_text(encoding="utf-8")
    section = text.split("## A vendor's JSON", 1)[1].split("\n## ", 1)[0]
    [toml] = re.findall(r"```toml\n(.*?)```", section, re.DOTALL)
    [sample] = re.findall(r"```json\n(.*?)```", section, re.DOTALL)
    return tomllib.loads(toml), json.loads(sample)


def _config(table: dict[str, Any], tmp_path: Path) -> Config:
    hospital = {"facility_codes": ["79010"]}
    return parse_config({**table, "hospital": hospital, "clinics": [CLINIC]}, {}, tmp_path)


def _payload(**patient: Any) -> dict[str, Any]:
    checkin = builders.his_checkin(
        "5f1c0a9e2b7d4c3f8e6a1b2c3d4e5f60",
        datetime(2026, 11, 25, 1, 5, 30, tzinfo=UTC),
        **{"birth": BirthDate(1975, 2, 3), **patient},
    )
    return event_payload("checkin", checkin, "8d2f6c1e0b9a4e7d9c3b2a1f0e9d8c7b")


def test_the_sample_mapping_in_the_docs_gives_the_sample(tmp_path: Path) -> None:
    table, sample = _docs_section()
    body = vendor_body(_config(table, tmp_path))(_payload())
    assert json.loads(body) == sample
    assert list(json.loads(body)) == list(sample)  # in the mapping's order
    assert "Trần Thị Mẫu Thử" in body  # UTF-8, not \\u escapes


@pytest.mark.parametrize(
    ("mapping", "field", "expected"),
    [
        ({"NgaySinh": "birth|yyyyMMdd"}, "NgaySinh", "19750203"),
        ({"NgaySinh": "birth|dd/MM/yyyy"}, "NgaySinh", "03/02/1975"),
        ({"NgayVao": "created_at|dd/MM/yyyy HH:mm"}, "NgayVao", "25/11/2026 08:05"),
        ({"GioiTinh": "gender|Nam/Nữ"}, "GioiTinh", "Nữ"),
        ({"GioiTinh": "gender|1/2"}, "GioiTinh", 2),
        ({"Ngay": "local_day|yyyyMMdd"}, "Ngay", "20261125"),
    ],
)
def test_formats(tmp_path: Path, mapping: dict[str, str], field: str, expected: object) -> None:
    table = {"his": {"kind": "json", "url": "https://his.local/api", "json_fields": mapping}}
    assert vendor_body(_config(table, tmp_path)).values(_payload())[field] == expected


def test_a_birth_year_alone_stays_a_year(tmp_path: Path) -> None:
    table = {
        "his": {"kind": "json", "url": "https://h/api", "json_fields": {"NS": "birth|dd/MM/yyyy"}}
    }
    values = vendor_body(_config(table, tmp_path)).values(_payload(birth=BirthDate(1975)))
    assert values == {"NS": "1975"}


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"HoTen": "nme"}, r"his.json_fields.HoTen: unknown kiosk field 'nme'"),
        ({"NgaySinh": "birth|MM-dd"}, r"his.json_fields.NgaySinh: unknown format 'MM-dd'"),
        ({"HoTen": "name|dd/MM/yyyy"}, r"the format 'dd/MM/yyyy' does not apply to 'name'"),
        ({}, r"his.json_fields: his.kind = 'json' needs"),
    ],
)
def test_a_wrong_mapping_is_refused_naming_its_key(
    tmp_path: Path, mapping: dict[str, str], message: str
) -> None:
    table = {"his": {"kind": "json", "url": "https://his.local/api", "json_fields": mapping}}
    with pytest.raises(ConfigError, match=message):  # when the settings are read
        _config(table, tmp_path)
    with pytest.raises(ConfigError, match=message):  # and, as a second guard, by the sender
        parse_mapping(tuple(mapping.items()))


def test_the_settings_know_the_same_fields_and_formats_as_the_sender() -> None:
    assert tuple(SOURCES) == HIS_JSON_FIELDS
    assert {name: fields for name, (fields, _) in FORMATS.items()} == dict(HIS_JSON_FORMATS)


def test_every_event_reaches_the_vendor(
    outbox_store: SqlStore, clock: FakeClock, tmp_path: Path
) -> None:
    made = outbox_store.commit_checkin(draft("k1", n=7))
    outbox_store.cancel_checkin(made.id, "thu", "x")
    mapping = {"MaLK": "checkin_id", "SuKien": "event", "DaHuy": "cancelled"}
    with his_server() as (his, url):
        table = {"his": {"kind": "json", "url": url, "allow_http": True, "json_fields": mapping}}
        sender = build_his_sender(_config(table, tmp_path))
        assert sender is not None
        deliver_pending([outbox_store.outbox], sender, clock, RetryPolicy())
    assert [r.body for r in his.received] == [
        {"MaLK": made.id, "SuKien": "checkin", "DaHuy": False},
        {"MaLK": made.id, "SuKien": "cancel", "DaHuy": True},
    ]
    assert all(r.headers["Idempotency-Key"] for r in his.received)
