"""The slip layout: what a slip says, in which order, for every kind of check-in."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kiosk.benefit_rules import RULES, RouteRule
from kiosk.calling import Place, Priority
from kiosk.config import HospitalSettings
from kiosk.model import (
    BirthDate,
    CheckIn,
    Clinic,
    Gender,
    PatientSnapshot,
    Route,
    Verification,
)
from kiosk.slip_layout import Align, Size, SlipCode, SlipLine, layout_slip, print_test_slip
from kiosk.synthetic import person
from tests import builders
from tests.builders import ZONE

HOSPITAL = HospitalSettings(department="SỞ Y TẾ TỈNH MẪU", name="BỆNH VIỆN ĐA KHOA MẪU")
CLINIC = Clinic("NHI", "Khám Nhi", "Paediatrics", "Phòng 105", "Tầng 1, khu B", "Ground floor")


def checkin_of(index: int = 3, **changes: object) -> CheckIn:
    """A check-in of the synthetic person ``index`` (built by hand: no store involved)."""
    values: dict[str, object] = {
        "id": "ci-0042",
        "clinic_code": "NHI",
        "queue_number": 42,
        "patient": builders.patient(person(index)),
        "route": Route.REGISTERED,
        "verification": Verification.ONLINE,
        "kiosk_id": "KIOSK-07",
        "created_at": datetime(2026, 11, 25, 2, 5, tzinfo=UTC),
    }
    return builders.checkin(**{**values, **changes})


def texts(checkin: CheckIn, **kwargs: Any) -> list[str]:
    return [line.text for line in layout_slip(checkin, CLINIC, HOSPITAL, ZONE, **kwargs).lines]


def test_a_slip_lists_everything_top_to_bottom() -> None:
    checkin = checkin_of()
    p = checkin.patient
    assert p.birth is not None
    assert p.valid_from
    assert p.valid_to
    gender = "Nam" if p.gender is Gender.MALE else "Nữ"
    you = "Ông" if p.gender is Gender.MALE else "Bà"
    assert texts(checkin) == [
        "SỞ Y TẾ TỈNH MẪU",
        "BỆNH VIỆN ĐA KHOA MẪU",
        "PHIẾU KHÁM BỆNH",
        "Số thứ tự",
        "42",
        "→ PHÒNG 105",
        "Tầng 1, khu B",
        "Khám Nhi",
        p.name,
        f"Năm sinh: {p.birth.year} – Giới tính: {gender}",
        f"Thẻ BHYT (4 số cuối): {(p.card_number or '')[-4:]}",
        f"Nơi ĐKKCB: {p.facility_code}",
        f"Hạn thẻ: {p.valid_from:%d/%m/%Y} – {p.valid_to:%d/%m/%Y}",
        "BHYT chi trả 80%",
        "Đúng nơi đăng ký KCB ban đầu (mã 1.1)",
        "Đã kiểm tra trực tuyến",
        "Ngày giờ: 25/11/2026 09:05",
        "Máy: KIOSK-07",
        f"Mời {you} đến phòng 105, chờ gọi số 42",
    ]


def test_the_card_number_is_masked_unless_configured_in_full() -> None:
    checkin = checkin_of()
    number = checkin.patient.card_number
    assert number
    assert not any(number in line for line in texts(checkin))
    assert f"Thẻ BHYT (4 số cuối): {number[-4:]}" in texts(checkin)
    assert not any("…" in line for line in texts(checkin))  # "…2019" reads like a year
    assert f"Thẻ BHYT: {number}" in texts(checkin, card_number="full")


def test_the_qr_carries_the_checkin_id_just_before_the_closing_line() -> None:
    slip = layout_slip(checkin_of(), CLINIC, HOSPITAL, ZONE)
    assert slip.code_payload == "ci-0042"
    assert isinstance(slip.items[-2], SlipCode)
    you = "Ông" if checkin_of().patient.gender is Gender.MALE else "Bà"
    assert slip.items[-1] == SlipLine(
        f"Mời {you} đến phòng 105, chờ gọi số 42", Size.BODY, True, Align.CENTER
    )


@pytest.mark.parametrize(
    ("gender", "said"), [(Gender.MALE, "Ông"), (Gender.FEMALE, "Bà"), (None, "Ông/Bà")]
)
def test_the_slip_addresses_the_patient_by_the_cards_gender(
    gender: Gender | None, said: str
) -> None:
    base = checkin_of()
    checkin = replace(base, patient=replace(base.patient, gender=gender))
    place = Place(ahead=3, wait_minutes=(10, 20), priority=None)
    lines = texts(checkin, place=place)
    assert f"Mời {said} đến phòng 105, chờ gọi số 42" in lines
    assert f"Trước {said} còn 3 người – chờ khoảng 10–20 phút" in lines
    if gender is not None:
        assert not any("Ông/Bà" in line for line in lines)


def test_where_to_go_stands_out_and_the_time_is_readable() -> None:
    slip = layout_slip(checkin_of(), CLINIC, HOSPITAL, ZONE)
    lines = list(slip.lines)
    room = next(line for line in lines if line.text.startswith("→"))
    floor = next(line for line in lines if line.text == "Tầng 1, khu B")
    clinic = next(line for line in lines if line.text == "Khám Nhi")
    name = next(line for line in lines if line.text == checkin_of().patient.name)
    when = next(line for line in lines if line.text.startswith("Ngày giờ"))
    # the room and the floor: white on black at title size, right under the number
    for where in (room, floor):
        assert (where.size, where.bold, where.inverse) == (Size.TITLE, True, True)
    assert lines.index(room) == lines.index(next(x for x in lines if x.text == "42")) + 1
    assert lines.index(floor) < lines.index(clinic)
    assert clinic.size is Size.BODY
    assert not clinic.inverse
    assert name.size is not Size.TITLE  # the room, not the name, is what to read first
    assert when.size is Size.TITLE


def test_without_a_room_the_footer_just_says_to_wait() -> None:
    roomless = replace(CLINIC, room="", location_vi="")
    slip = layout_slip(checkin_of(), roomless, HOSPITAL, ZONE)
    assert slip.lines[-1].text == "Vui lòng chờ tới lượt khám"
    assert not any(line.text.startswith("→") for line in slip.lines)


def test_the_number_is_the_largest_text_and_the_name_is_in_full() -> None:
    slip = layout_slip(checkin_of(11), CLINIC, HOSPITAL, ZONE)
    number = next(line for line in slip.lines if line.text == "42")
    assert number.size is Size.NUMBER
    assert number.bold
    assert [line for line in slip.lines if line.size is Size.NUMBER] == [number]
    assert person(11).name in [line.text for line in slip.lines]


def test_local_date_and_time_follow_the_zone_across_midnight() -> None:
    # 17:30 UTC is 00:30 the next day in Hồ Chí Minh City
    late = checkin_of(created_at=datetime(2026, 11, 25, 17, 30, tzinfo=UTC))
    assert "Ngày giờ: 26/11/2026 00:30" in texts(late)
    london = layout_slip(late, CLINIC, HOSPITAL, ZoneInfo("Europe/London"))
    assert "Ngày giờ: 25/11/2026 17:30" in [line.text for line in london.lines]


@pytest.mark.parametrize(
    ("route", "percent", "expected"),
    [
        (Route.REGISTERED, 80, ["BHYT chi trả 80%", "Đúng nơi đăng ký KCB ban đầu (mã 1.1)"]),
        (Route.BASIC_50_70, 40, ["BHYT chi trả 40%", "Tự đến khám (mã 1.13)"]),
        (Route.FORMER_CENTRAL, 0, ["BHYT chi trả 0%", "Tự đến khám (mã 3.1)"]),
        (None, 95, ["BHYT chi trả 95%"]),
        # check-ins recorded before the 2025 rules still print
        (Route.CORRECT, 80, ["BHYT chi trả 80%", "Đúng tuyến"]),
        (Route.OPEN, 100, ["BHYT chi trả 100%", "Thông tuyến"]),
        (Route.OUTSIDE, 40, ["BHYT chi trả 40%", "Trái tuyến"]),
    ],
)
def test_route_and_benefit_share(
    route: Route | None, percent: int | None, expected: list[str]
) -> None:
    slip = layout_slip(checkin_of(route=route, benefit_percent=percent), CLINIC, HOSPITAL, ZONE)
    lines = [line.text for line in slip.lines]
    start = lines.index(expected[0])
    assert lines[start : start + len(expected)] == expected
    share = slip.lines[start]
    assert share.bold
    assert share.size is Size.BODY
    for code in slip.lines[start + 1 : start + len(expected)]:
        assert code.size is Size.SMALL
        assert not code.bold


@pytest.mark.parametrize(("route", "room"), [(Route.REFERRAL, True), (None, True), (None, False)])
def test_a_slip_reception_must_confirm_numbers_its_steps(route: Route | None, room: bool) -> None:
    clinic = CLINIC if room else replace(CLINIC, room="", location_vi="")
    checkin = checkin_of(route=route, benefit_percent=None)
    lines = [line.text for line in layout_slip(checkin, clinic, HOSPITAL, ZONE).lines]
    second = "2. Đến phòng 105, chờ gọi số 42" if room else "2. Chờ gọi số 42"
    assert lines[-2:] == ["1. Đến quầy tiếp đón để xác nhận phần BHYT chi trả", second]
    # said once, as a step: no other sentence about reception or the room to contradict it
    assert sum("quầy tiếp đón" in t.lower() for t in lines) == 1
    assert not any(t.startswith("Mời") for t in lines)
    if route is not None:
        assert "Có phiếu chuyển cơ sở KCB (mã 1.3)" in lines


def test_the_co_payment_exemption_is_printed_under_the_share_when_it_applies() -> None:
    exempt = checkin_of(
        route=Route.REGISTERED, benefit_percent=100, copay_exempt_from=date(2026, 4, 5)
    )
    lines = [line.text for line in layout_slip(exempt, CLINIC, HOSPITAL, ZONE).lines]
    share = lines.index("BHYT chi trả 100%")
    assert lines[share + 1] == "Miễn cùng chi trả từ 05/04/2026"
    plain = checkin_of(route=Route.REGISTERED, benefit_percent=100)
    assert not any(t.startswith("Miễn cùng chi trả") for t in texts(plain))


def _row_share(row: RouteRule) -> int | None:
    """What a level-4 card (80 %) is told at this row, worked out by hand."""
    if row.fact is not None:
        return None
    return row.share if row.whatever_card else 80 * row.share // 100


@pytest.mark.parametrize("row", RULES, ids=[rule.id for rule in RULES])
def test_every_rule_row_prints_its_share_or_the_reception_text(row: RouteRule) -> None:
    share = _row_share(row)
    lines = texts(checkin_of(route=row.code, benefit_percent=share))
    assert any(t.endswith(f"(mã {row.code.value})") for t in lines)
    if share is None:
        assert "1. Đến quầy tiếp đón để xác nhận phần BHYT chi trả" in lines
    else:
        assert f"BHYT chi trả {share}%" in lines
    assert sum("BHYT chi trả" in t for t in lines) == 1


def test_verification_from_the_cache_is_said_and_none_is_left_out() -> None:
    assert "Kiểm tra theo dữ liệu lưu tại bệnh viện" in texts(
        checkin_of(verification=Verification.CACHE)
    )
    none = texts(checkin_of(verification=Verification.NONE))
    assert not any("kiểm tra" in t.lower() for t in none)


def test_missing_fields_are_left_out_for_a_cccd_only_patient() -> None:
    patient = PatientSnapshot(
        name="Lê Thị Hồng Nhung",
        birth=None,
        gender=Gender.FEMALE,
        card_number=None,
        bhxh_number=None,
        id_number="079190001234",
        facility_code=None,
        valid_from=None,
        valid_to=None,
        benefit_level=None,
    )
    lines = texts(checkin_of(patient=patient, route=None, benefit_percent=None))
    assert "Giới tính: Nữ" in lines
    for absent in ("Thẻ BHYT", "Nơi ĐKKCB", "Hạn thẻ", "chi trả", "Đúng tuyến", "Năm sinh"):
        assert not any(absent in t for t in lines), absent
    assert all(t.strip() for t in lines)
    assert not any("079190001234" in t for t in lines)


def test_a_card_known_only_until_a_date_says_so() -> None:
    base = checkin_of()
    patient = replace(base.patient, valid_from=None, valid_to=date(2026, 12, 31))
    assert "Hạn thẻ: đến 31/12/2026" in texts(replace(base, patient=patient))


def test_a_reprint_says_in_lai_first_and_prominently() -> None:
    slip = layout_slip(checkin_of(), CLINIC, HOSPITAL, ZONE, reprint=True)
    first = slip.lines[0]
    assert first.text == "IN LẠI"
    assert first.bold
    assert first.inverse
    assert first.size is Size.TITLE
    assert slip.reprint
    assert "IN LẠI" not in texts(checkin_of())
    assert slip.lines[1:] == layout_slip(checkin_of(), CLINIC, HOSPITAL, ZONE).lines


def test_decomposed_names_are_printed_precomposed() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn  Văn Đức")
    base = checkin_of()
    checkin = replace(base, patient=replace(base.patient, name=decomposed))
    assert "Nguyễn Văn Đức" in texts(checkin)


def test_an_unknown_clinic_prints_its_code() -> None:
    slip = layout_slip(checkin_of(clinic_code="XYZ"), None, HOSPITAL, ZONE)
    assert "XYZ" in [line.text for line in slip.lines]


def test_the_layout_is_pure() -> None:
    checkin = checkin_of()
    assert layout_slip(checkin, CLINIC, HOSPITAL, ZONE) == layout_slip(
        checkin, CLINIC, HOSPITAL, ZONE
    )


def test_the_print_test_page_has_every_vietnamese_letter_and_a_ruler() -> None:
    slip = print_test_slip(HOSPITAL, "Máy in: file")
    text = slip.text()
    for letter in "ăằắẳẵặâầấẩẫậđêềếểễệôồốổỗộơờớởỡợưừứửữự":
        assert letter in text
        assert letter.upper() in text
    assert HOSPITAL.name in text
    assert any(getattr(item, "ruler", False) for item in slip.items)


def test_birth_year_only_cards_print_the_year() -> None:
    base = checkin_of()
    patient = replace(base.patient, birth=BirthDate(1951), gender=Gender.MALE)
    assert "Năm sinh: 1951 – Giới tính: Nam" in texts(replace(base, patient=patient))


def test_an_offline_number_prints_its_label_and_says_it_is_valid() -> None:
    offline = texts(checkin_of(queue_number=3, series="A"))
    assert offline[offline.index("Số thứ tự") + 1] == "A-3"
    assert "Số thứ tự hợp lệ (cấp khi mạng gián đoạn)" in offline
    online = texts(checkin_of(queue_number=3))
    assert online[online.index("Số thứ tự") + 1] == "3"
    assert not any("hợp lệ" in line for line in online)


def test_a_priority_number_is_marked_and_the_wait_is_said() -> None:
    place = Place(ahead=3, priority=Priority.AGE_75, wait_minutes=(10, 25))
    lines = texts(checkin_of(), place=place)
    assert lines[lines.index("42") + 1] == "Ư – Ưu tiên khám"
    assert lines[-1] == "Trước Bà còn 3 người – chờ khoảng 10–25 phút"  # person 3: a woman
    plain = texts(checkin_of(), place=Place(0, None, (0, 5)))
    assert "Ư – Ưu tiên khám" not in plain
    assert plain[-1] == "Trước Bà còn 0 người – chờ khoảng 0–5 phút"
    assert not any(line.startswith("Trước") for line in texts(checkin_of()))  # not known
