"""Render sample slips of synthetic patients to PNG: ``python -m tools.slip_gallery docs/slips``.

The pictures show what a slip looks like on 80 mm (576 dots) and 58 mm (384 dots) paper, with
long names and every Vietnamese letter; ``make slips`` refreshes them for the README.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.config import HospitalSettings
from kiosk.model import BirthDate, CheckIn, Clinic, Gender, PatientSnapshot, Route, Verification
from kiosk.reception import ReceptionTicket, Referral, SentReason
from kiosk.reception_ticket import layout_ticket
from kiosk.slip_layout import Slip, layout_slip
from kiosk.slip_render import SlipFontError, render_slip

HOSPITAL = HospitalSettings(
    department="SỞ Y TẾ THÀNH PHỐ HỒ CHÍ MINH",
    name="BỆNH VIỆN ĐA KHOA MẪU",
    facility_codes=("79024",),
)
CLINIC = Clinic(
    code="NOI",
    name_vi="Khám Nội tổng quát",
    name_en="General internal medicine",
    room="Phòng 101",
    location_vi="Tầng 1, khu A",
    location_en="Ground floor, block A",
)
LONG_CLINIC = Clinic(
    code="TMH",
    name_vi="Khám Tai Mũi Họng và Phẫu thuật đầu cổ",
    name_en="Ear, nose and throat",
    room="Phòng 203",
    location_vi="Tầng 2, khu A, cạnh thang máy số 3",
    location_en="First floor, block A",
)
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
WIDTHS = (576, 384)
SAMPLE_BIRTH = BirthDate(1990, 8, 15)


def sample_checkin(
    name: str,
    *,
    number: int = 12,
    card: str | None = "HS4797920123456",
    gender: Gender = Gender.FEMALE,
    birth: BirthDate | None = SAMPLE_BIRTH,
    route: Route | None = Route.REGISTERED,
    percent: int | None = 80,
    verification: Verification = Verification.ONLINE,
    checkin_id: str = "ci-20261125-0012",
    facility: str = "79024",
    copay_exempt_from: date | None = None,
) -> CheckIn:
    """A check-in of a made-up patient (never a real person)."""
    return CheckIn(
        id=checkin_id,
        local_day=date(2026, 11, 25),
        clinic_code="NOI",
        queue_number=number,
        patient=PatientSnapshot(
            name=name,
            birth=birth,
            gender=gender,
            card_number=card,
            bhxh_number=card[-10:] if card else None,
            id_number="079190001234",
            facility_code=facility if card else None,
            valid_from=date(2026, 1, 1) if card else None,
            valid_to=date(2026, 12, 31) if card else None,
            benefit_level=4 if card else None,
        ),
        status="accepted",
        reason=None,
        route=route if card else None,
        benefit_percent=percent if card else None,
        verification=verification,
        kiosk_id="KIOSK-01",
        created_at=datetime(2026, 11, 25, 2, 7, tzinfo=UTC),  # 09:07 in Hồ Chí Minh City
        copay_exempt_from=copay_exempt_from,
    )


def gallery() -> dict[str, Slip]:
    """The sample slips, by file stem."""
    plain = sample_checkin("Trần Thị Mỹ Lệ")
    long_name = sample_checkin(
        "Tôn Nữ Hoàng Phương Uyển Thục Quỳnh Nguyễn Ngọc Ẩn",
        number=137,
        verification=Verification.CACHE,
        route=Route.BASIC_50_70,  # self-referred, from 1 July 2026: half of the card's 80 %
        percent=40,
        facility="74001",  # a card of Bình Dương, now Hồ Chí Minh City
    )
    letters = sample_checkin(
        "Ưng Đặng Ẵng Ấu Ầm Ẩn Ẫn Ập Ểu Ễu Ệ Ỗ Ồ Ộ Ỡ Ở Ợ Ữ Ự Ừ Ỳ Ỹ Ỷ Ỵ",
        number=5,
        gender=Gender.MALE,
        birth=BirthDate(1935),
        route=Route.REFERRAL,  # a referral slip: reception confirms the share
        percent=None,
        facility="01C54",
    )
    cccd_only = sample_checkin(
        "Lê Văn Đức", number=88, card=None, gender=Gender.MALE, verification=Verification.NONE
    )
    # five continuous years, the year's co-payment over six months' base salary since 5 April
    copay = sample_checkin(
        "Phạm Thị Thu Tâm", number=23, percent=100, copay_exempt_from=date(2026, 4, 5)
    )
    return {
        "slip-plain": layout_slip(plain, CLINIC, HOSPITAL, ZONE),
        "slip-copay-exempt": layout_slip(copay, CLINIC, HOSPITAL, ZONE),
        "slip-long-name": layout_slip(long_name, LONG_CLINIC, HOSPITAL, ZONE),
        "slip-every-letter": layout_slip(letters, CLINIC, HOSPITAL, ZONE),
        "slip-cccd-only": layout_slip(cccd_only, CLINIC, HOSPITAL, ZONE),
        "slip-reprint": layout_slip(plain, CLINIC, HOSPITAL, ZONE, reprint=True),
        **reception_tickets(),
    }


def reception_tickets() -> dict[str, Slip]:
    """Reception tickets ("Đến quầy"): a numbered one, and one printed with central down."""
    at = datetime(2026, 11, 25, 2, 9, tzinfo=UTC)  # 09:09 in Hồ Chí Minh City
    gateway = Referral(SentReason.GATEWAY, "052", "T.T.M.L. …3456")
    numbered = ReceptionTicket(7, date(2026, 11, 25), at, "KIOSK-01", gateway)
    offline = ReceptionTicket(
        None, date(2026, 11, 25), at, "KIOSK-02", Referral(SentReason.CAMERA_LOST)
    )
    where = "Sảnh chính, tầng 1"
    return {
        "slip-reception-ticket": layout_ticket(numbered, HOSPITAL, ZONE, where),
        "slip-reception-ticket-offline": layout_ticket(offline, HOSPITAL, ZONE, where),
    }


def write_gallery(folder: Path, font_path: str = "") -> list[Path]:
    """Render every sample slip at both paper widths into ``folder``; return the files."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for stem, slip in gallery().items():
        for dots in WIDTHS:
            path = folder / f"{stem}-{dots}.png"
            render_slip(slip, dots, font_path).save(path, optimize=True)
            written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.slip_gallery", description=__doc__)
    parser.add_argument("folder", type=Path, help="where to write the PNG files")
    parser.add_argument("--font", default="", help="a .ttf font (default: DejaVu / Noto Sans)")
    args = parser.parse_args(argv)
    try:
        written = write_gallery(args.folder, args.font)
    except SlipFontError as error:
        print(f"slip_gallery: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
