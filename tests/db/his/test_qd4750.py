"""The QĐ 4750 check-in table (XML0): rows that validate against the XSD written from the
standard's field table, POSTed to a server on 127.0.0.1 or written atomically into a folder."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from db.his.delivery import RetryPolicy, deliver_pending
from db.his.qd4750 import FIELDS, XSD, birth_value, checkin_xml, row_values
from db.store import SqlStore
from db.store.outbox import event_payload
from db.wiring import build_his_sender
from kiosk.config import Config, ConfigError, parse_config
from kiosk.model import BirthDate, Gender, Route
from tests import builders
from tests.builders import ZONE, draft
from tests.db.his_server import his_server
from tests.fakes import FakeClock

CLINIC = {"code": "NOI", "name_vi": "Khám Nội tổng quát", "name_en": "Internal medicine"}
POLICY = RetryPolicy(max_attempts=3, backoff_s=10, backoff_max_s=15, lease_s=60)
SCHEMA = etree.XMLSchema(etree.parse(str(XSD)))


def _payload() -> dict[str, Any]:
    checkin = builders.checkin(
        id="5f1c0a9e2b7d4c3f8e6a1b2c3d4e5f60",
        queue_number=12,
        patient=builders.patient(
            name="Trần Thị Mẫu Thử",
            birth=BirthDate(1975),
            gender=Gender.FEMALE,
            card_number="GD4797912345678",
            bhxh_number="7912345678",
            id_number="079175000001",
            facility_code="79024",
            valid_from=date(2026, 1, 1),
            valid_to=date(2026, 12, 31),
        ),
        route=Route.REGISTERED,
        created_at=datetime(2026, 11, 25, 1, 5, 30, tzinfo=UTC),
    )
    return event_payload("checkin", checkin, "8d2f6c1e0b9a4e7d9c3b2a1f0e9d8c7b")


def _valid(xml: bytes) -> etree._Element:
    document = etree.fromstring(xml)
    SCHEMA.assertValid(document)
    return document


def test_a_checkin_row_validates_and_holds_what_the_kiosk_knows() -> None:
    values = row_values(_payload(), "79010", ZONE, "Khám Nội tổng quát")
    xml = checkin_xml(values)
    assert xml.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    document = _valid(xml)
    [row] = document.iterfind("DSACH_TRANG_THAI_KCB/TRANG_THAI_KCB")
    assert [child.tag for child in row] == list(FIELDS)
    got = {child.tag: child.text or "" for child in row}
    assert got["MA_LK"] == "5f1c0a9e2b7d4c3f8e6a1b2c3d4e5f60"
    assert got["HO_TEN"] == "Trần Thị Mẫu Thử"  # UTF-8, not escaped away
    assert (got["NGAY_SINH"], got["GIOI_TINH"]) == ("197500000000", "2")
    assert (got["MA_THE_BHYT"], got["MA_DKBD"]) == ("GD4797912345678", "79024")
    assert (got["GT_THE_TU"], got["GT_THE_DEN"]) == ("20260101", "20261231")
    assert got["NGAY_VAO"] == "202611250805"  # local time, yyyyMMddHHmm
    assert (got["MA_LOAI_KCB"], got["MA_CSKCB"], got["MA_DOITUONG_KCB"]) == ("01", "79010", "1.1")
    assert got["NGAY_YL"] == ""  # not known at the kiosk
    assert document.find("CHUKYDONVI") is not None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("NGAY_VAO", "2026112508"),  # not 12 digits
        ("MA_LOAI_KCB", "1"),  # a number that lost its 0
        ("HO_TEN", ""),  # required
        ("GIOI_TINH", "0"),
        ("MA_DOITUONG_KCB", "1.111"),  # over 4 characters
        ("MA_CSKCB", "7901"),
    ],
)
def test_the_xsd_refuses_a_wrong_row(field: str, value: str) -> None:
    values = row_values(_payload(), "79010", ZONE, "Khám Nội")
    with pytest.raises(etree.DocumentInvalid, match=field):
        _valid(checkin_xml({**values, field: value}))


def test_birth_dates_as_precise_as_the_card() -> None:
    assert birth_value("1975") == "197500000000"
    assert birth_value("1975-02-03") == "197502030000"
    assert birth_value(None) == ""


def test_a_patient_without_card_still_makes_a_valid_row() -> None:
    payload = _payload()
    payload["patient"] = {**payload["patient"], "card_number": None, "valid_from": None}
    payload["route"] = None
    values = row_values(payload, "79010", ZONE, "Khám Nội")
    _valid(checkin_xml(values))
    assert (values["MA_THE_BHYT"], values["MA_DKBD"], values["MA_DOITUONG_KCB"]) == ("", "", "")


def _config(tmp_path: Path, **his: object) -> Config:
    table = {"kind": "qd4750", **his}
    hospital = {"facility_codes": ["79010"]}
    return parse_config({"his": table, "hospital": hospital, "clinics": [CLINIC]}, {}, tmp_path)


def test_rows_are_posted_as_xml_and_a_cancel_sends_none(
    outbox_store: SqlStore, clock: FakeClock, tmp_path: Path
) -> None:
    made = outbox_store.commit_checkin(draft("k1", n=7))
    outbox_store.cancel_checkin(made.id, "thu", "x")
    with his_server() as (his, url):
        sender = build_his_sender(_config(tmp_path, url=url, allow_http=True))
        assert sender is not None
        report = deliver_pending([outbox_store.outbox], sender, clock, POLICY)
    assert report.delivered == 2
    [got] = his.received  # the check-in only: the table has no cancel marker
    assert got.headers["Content-Type"] == "application/xml; charset=utf-8"
    row = _valid(got.raw).find("DSACH_TRANG_THAI_KCB/TRANG_THAI_KCB")
    assert row is not None
    assert row.findtext("MA_LK") == made.id
    assert row.findtext("TEN_DICH_VU") == "Khám Nội tổng quát"


def test_rows_are_written_atomically_into_a_folder(
    outbox_store: SqlStore, clock: FakeClock, tmp_path: Path
) -> None:
    drop = tmp_path / "his-in"
    drop.mkdir()
    first = outbox_store.commit_checkin(draft("k1", n=7))
    outbox_store.commit_checkin(draft("k2", n=8))
    outbox_store.cancel_checkin(first.id, "thu", "x")
    sender = build_his_sender(_config(tmp_path, folder=str(drop)))
    assert sender is not None
    report = deliver_pending([outbox_store.outbox], sender, clock, POLICY)
    assert report.delivered == 3
    files = sorted(drop.iterdir())
    assert len(files) == 2  # two check-ins; no temporary file left behind
    assert all(f.name.startswith("XML0_") and f.suffix == ".xml" for f in files)
    for file in files:
        _valid(file.read_bytes())


def test_an_unwritable_folder_is_tried_again(
    outbox_store: SqlStore, clock: FakeClock, tmp_path: Path
) -> None:
    outbox_store.commit_checkin(draft("k1", n=7))
    sender = build_his_sender(_config(tmp_path, folder=str(tmp_path / "missing")))
    assert sender is not None
    report = deliver_pending([outbox_store.outbox], sender, clock, POLICY)
    assert (report.retried, report.delivered) == (1, 0)
    assert "cannot write into his.folder" in (outbox_store.outbox.last_error() or "")


def test_the_hospital_code_is_needed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"hospital.facility_codes: his.kind = 'qd4750'"):
        parse_config({"his": {"kind": "qd4750", "folder": "in"}, "clinics": [CLINIC]}, {}, tmp_path)


def test_the_row_is_stable_for_a_repeat() -> None:
    values = row_values(_payload(), "79010", ZONE, "Khám Nội")
    again = row_values(replace_payload(_payload()), "79010", ZONE, "Khám Nội")
    assert checkin_xml(values) == checkin_xml(again)


def replace_payload(payload: dict[str, object]) -> dict[str, object]:
    return {**payload, "event_id": "another-try"}
