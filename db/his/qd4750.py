"""The check-in table (bảng check-in, "XML0") of QĐ 4750/QĐ-BYT as amended by QĐ 3176/QĐ-BYT:
one row per check-in, in the standard's envelope, as UTF-8 XML.

Vietnamese HIS already produce this table for the BHXH portal (``checkInKcbQd3176``), so many
can take it from the kiosk as it is. The envelope is the portal's::

    <CHI_TIEU_TRANG_THAI_KCB>
      <DSACH_TRANG_THAI_KCB>
        <TRANG_THAI_KCB> MA_LK, STT, MA_BN, HO_TEN, ... DU_PHONG </TRANG_THAI_KCB>
      </DSACH_TRANG_THAI_KCB>
      <CHUKYDONVI/>
    </CHI_TIEU_TRANG_THAI_KCB>

Every element of the row is present, in the standard's order; what the kiosk does not know is
empty. ``CHUKYDONVI`` (the facility's signature) stays empty: the HIS signs what it forwards to
the portal. The field table, with types and lengths, is ``checkin_qd4750.xsd`` next to this
module (docs/his.md says which lengths come from the standard's own text).

The table has no cancel marker (a check-in row only reports that a visit started; later rows
correct it by ``MA_LK``), so only ``checkin`` events make a row: a cancel or a reprint sends
nothing in this format.

Rows go to ``his.url`` (POST, ``application/xml``) or, for an HIS that picks files up, into
``his.folder``: one file per event, written atomically (a temporary file in the same folder,
flushed to disk, then renamed), so the HIS never reads half a file.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from db.his.delivery import SendResult
from db.his.event_fields import local_moment, printed_label, visit_code
from db.his.http import Endpoint, HttpHisSender, event_body, idempotent_sender
from db.store.outbox import OutboxItem
from kiosk.atomic_write import write_atomically
from kiosk.config import Config, ConfigError

XSD = Path(__file__).with_name("checkin_qd4750.xsd")
FIELDS = (
    "MA_LK",
    "STT",
    "MA_BN",
    "HO_TEN",
    "SO_CCCD",
    "NGAY_SINH",
    "GIOI_TINH",
    "MA_THE_BHYT",
    "MA_DKBD",
    "GT_THE_TU",
    "GT_THE_DEN",
    "MA_DOITUONG_KCB",
    "NGAY_VAO",
    "NGAY_VAO_NOI_TRU",
    "LY_DO_VNT",
    "MA_LY_DO_VNT",
    "MA_LOAI_KCB",
    "MA_CSKCB",
    "MA_DICH_VU",
    "TEN_DICH_VU",
    "MA_THUOC",
    "TEN_THUOC",
    "MA_VAT_TU",
    "TEN_VAT_TU",
    "NGAY_YL",
    "DU_PHONG",
)
"""The row's elements in the standard's order (QĐ 4750, with QĐ 3176's additions)."""

VISIT_KIND = "01"  # MA_LOAI_KCB: khám bệnh (an outpatient examination)
_GENDER = {"male": "1", "female": "2"}  # else 3: chưa xác định


def birth_value(birth: str | None) -> str:
    """NGAY_SINH, ``yyyyMMddHHmm``: an unknown day and month are ``0000``, the time ``0000``
    (``"1975"`` gives ``197500000000``)."""
    if not birth:
        return ""
    digits = birth.replace("-", "")
    return (digits + "0000" if len(digits) == 4 else digits) + "0000"


def _day(iso: str | None) -> str:
    return iso.replace("-", "") if iso else ""


def row_values(
    payload: Mapping[str, Any], hospital_code: str, zone: ZoneInfo, clinic_name: str
) -> dict[str, str]:
    """The row of a check-in event, field by field (empty: not known to the kiosk)."""
    person = payload["patient"]
    values = dict.fromkeys(FIELDS, "")
    values.update(
        MA_LK=str(payload["checkin_id"]),
        STT="1",
        # The patient's code in the hospital: the kiosk's stable key for them.
        MA_BN=str(person.get("bhxh_number") or person.get("id_number") or payload["checkin_id"]),
        HO_TEN=str(person.get("name") or ""),
        SO_CCCD=str(person.get("id_number") or ""),
        NGAY_SINH=birth_value(person.get("birth")),
        GIOI_TINH=_GENDER.get(str(person.get("gender")), "3"),
        MA_THE_BHYT=str(person.get("card_number") or ""),
        MA_DKBD=str(person.get("facility_code") or "") if person.get("card_number") else "",
        GT_THE_TU=_day(person.get("valid_from")),
        GT_THE_DEN=_day(person.get("valid_to")),
        MA_DOITUONG_KCB=visit_code(payload) or "",
        NGAY_VAO=local_moment(payload, zone).strftime("%Y%m%d%H%M"),
        MA_LOAI_KCB=VISIT_KIND,
        MA_CSKCB=hospital_code,
        TEN_DICH_VU=clinic_name,
        # The reserve field: the slip's label when it is an alias of the check-in's number
        # (the table has no queue number of its own; MA_LK is the check-in).
        DU_PHONG=printed_label(payload) or "",
    )
    return values


def checkin_xml(values: Mapping[str, str]) -> bytes:
    """The row in the standard's envelope, as UTF-8 XML with its declaration."""
    root = ET.Element("CHI_TIEU_TRANG_THAI_KCB")
    row = ET.SubElement(ET.SubElement(root, "DSACH_TRANG_THAI_KCB"), "TRANG_THAI_KCB")
    for name in FIELDS:
        ET.SubElement(row, name).text = values.get(name, "")
    ET.SubElement(root, "CHUKYDONVI")
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


@dataclass(frozen=True)
class RowMaker:
    """Turns a check-in event into its XML row; other events into nothing."""

    hospital_code: str
    zone: ZoneInfo
    config: Config

    def __call__(self, payload: Mapping[str, Any]) -> str | None:
        if payload.get("event") != "checkin":
            return None  # the table has no cancel marker; a reprint changes nothing
        clinic = self.config.clinic(str(payload.get("clinic_code")))
        name = clinic.name_vi if clinic is not None else str(payload.get("clinic_code"))
        try:
            values = row_values(payload, self.hospital_code, self.zone, name)
        except (KeyError, ValueError, TypeError) as error:
            raise ValueError(f"event {payload.get('event_id')}: no QĐ 4750 row: {error}") from error
        return checkin_xml(values).decode("utf-8")


def row_maker(config: Config) -> RowMaker:
    """The row maker of this hospital; ConfigError without a facility code (MA_CSKCB)."""
    if not config.hospital.facility_codes:
        raise ConfigError(
            "hospital.facility_codes: his.kind = 'qd4750' needs the hospital's code (MA_CSKCB)"
        )
    return RowMaker(config.hospital.facility_codes[0], config.kiosk.zone, config)


def http_sender(config: Config, endpoint: Endpoint) -> HttpHisSender:
    """Rows POSTed to ``his.url`` as ``application/xml``, with an Idempotency-Key header."""
    return idempotent_sender(endpoint, "application/xml; charset=utf-8", row_maker(config))


@dataclass(frozen=True)
class FolderSender:
    """Writes each row as one file into a folder the HIS picks files up from."""

    folder: Path
    make_row: RowMaker
    deadline_s: float = 10.0

    def send(self, item: OutboxItem) -> SendResult:
        row = event_body(self.make_row, item.payload)
        if isinstance(row, SendResult):
            return row
        name = f"XML0_{item.payload['checkin_id']}_{item.event_id}.xml"
        try:
            write_atomically(self.folder / name, row.encode("utf-8"))
        except OSError as error:
            return SendResult(ok=False, detail=f"cannot write into his.folder: {error.strerror}")
        return SendResult(ok=True, detail=f"written as {name}")


def folder_sender(config: Config) -> FolderSender:
    """Rows written into ``his.folder``."""
    return FolderSender(Path(config.his.folder), row_maker(config), config.his.timeout_s)
