"""Outcomes of a check-in attempt, with the one catalogue of patient-facing messages.

A reason is a stable code for logs and tests; its message is plain Vietnamese or English a
patient can act on. The UI shows ``outcome.message(lang)`` and never writes its own wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from kiosk.model import CardRecord, CheckIn, Payload, Route, Verification

Lang = Literal["vi", "en"]


class Status(StrEnum):
    """What the kiosk decided."""

    ACCEPTED = "accepted"
    NEEDS_CONFIRMATION = "needs_confirmation"
    NEEDS_RECEPTION = "needs_reception"
    REJECTED = "rejected"


class Reason(StrEnum):
    """Why: one code per distinct situation a patient or staff member must hear about."""

    # the payload
    NOT_A_CARD = "not_a_card"
    BAD_CARD_NUMBER = "bad_card_number"
    BAD_ID_NUMBER = "bad_id_number"
    UNREADABLE_CARD = "unreadable_card"  # a card payload whose fields are damaged or misplaced
    # the card
    CARD_NOT_FOUND = "card_not_found"
    CARD_NOT_YET_VALID = "card_not_yet_valid"
    CARD_EXPIRED = "card_expired"
    CARD_REVOKED = "card_revoked"
    CARD_DEREGISTERED = "card_deregistered"
    CARD_REPLACED = "card_replaced"  # accepted on the new card
    VALIDITY_UNKNOWN = "validity_unknown"
    MILITARY_OR_POLICE = "military_or_police"
    CHILD_WITHOUT_CARD = "child_without_card"
    NAME_MISMATCH = "name_mismatch"
    NAME_NEEDS_CONFIRMATION = "name_needs_confirmation"
    BIRTH_MISMATCH = "birth_mismatch"
    BIRTH_NEEDS_CONFIRMATION = "birth_needs_confirmation"
    PATIENT_DENIED_IDENTITY = "patient_denied_identity"
    TREATED_ELSEWHERE = "treated_elsewhere"  # checked by another facility after last discharge
    GATEWAY_REJECTED = "gateway_rejected"  # 050-053: no such card / wrong number
    # the visit
    ALREADY_CHECKED_IN = "already_checked_in"
    NO_CLINIC_OPEN = "no_clinic_open"
    UNKNOWN_CLINIC = "unknown_clinic"
    CHECKIN_NOT_FOUND = "checkin_not_found"
    CHECKIN_CANCELLED = "checkin_cancelled"
    # the machinery
    DATABASE_UNAVAILABLE = "database_unavailable"
    PRINTER_FAILED = "printer_failed"
    GATEWAY_CONFIG_ERROR = "gateway_config_error"  # 054/055/401: staff alert, cache decides
    GATEWAY_UNAVAILABLE = "gateway_unavailable"  # cache decided
    GATEWAY_BAD_REQUEST = "gateway_bad_request"  # 205: our request was malformed (a bug)
    GATEWAY_UNKNOWN_CODE = "gateway_unknown_code"  # a maKetQua not in the table
    STAFF_OVERRIDE = "staff_override"


MESSAGES: dict[str, dict[str, str]] = {
    "vi": {
        Status.ACCEPTED: "Đăng ký khám thành công. Vui lòng nhận phiếu.",
        Status.NEEDS_CONFIRMATION: "Vui lòng xác nhận thông tin của Ông/Bà.",
        Status.NEEDS_RECEPTION: "Vui lòng đến quầy tiếp đón để được hỗ trợ.",
        Status.REJECTED: "Không thể đăng ký khám bằng thẻ này.",
        Reason.NOT_A_CARD: "Mã QR này không phải thẻ BHYT hay CCCD.",
        Reason.BAD_CARD_NUMBER: "Mã thẻ BHYT không hợp lệ.",
        Reason.BAD_ID_NUMBER: "Số CCCD không hợp lệ.",
        Reason.UNREADABLE_CARD: "Không đọc được đầy đủ thông tin trên thẻ. "
        "Vui lòng quét lại hoặc đến quầy tiếp đón.",
        Reason.CARD_NOT_FOUND: "Không tìm thấy thẻ BHYT. Vui lòng đến quầy tiếp đón.",
        Reason.CARD_NOT_YET_VALID: "Thẻ BHYT chưa đến ngày có giá trị sử dụng.",
        Reason.CARD_EXPIRED: "Thẻ BHYT đã hết hạn sử dụng.",
        Reason.CARD_REVOKED: "Thẻ BHYT đã bị thu hồi.",
        Reason.CARD_DEREGISTERED: "Thẻ BHYT đã bị báo giảm, không còn giá trị.",
        Reason.CARD_REPLACED: "Thẻ đã được cấp mới; dùng thông tin thẻ mới.",
        Reason.VALIDITY_UNKNOWN: "Chưa xác định được hạn thẻ. Vui lòng đến quầy tiếp đón.",
        Reason.MILITARY_OR_POLICE: "Thẻ do BHXH Quân đội / Công an quản lý: "
        "vui lòng mang giấy tờ tùy thân đến quầy tiếp đón.",
        Reason.CHILD_WITHOUT_CARD: "Trẻ em chưa có thẻ BHYT: vui lòng đến quầy tiếp đón.",
        Reason.NAME_MISMATCH: "Họ tên không khớp với thẻ BHYT. Vui lòng đến quầy tiếp đón.",
        Reason.NAME_NEEDS_CONFIRMATION: "Vui lòng xác nhận họ tên của Ông/Bà.",
        Reason.BIRTH_MISMATCH: "Ngày sinh không khớp với thẻ BHYT. Vui lòng đến quầy tiếp đón.",
        Reason.BIRTH_NEEDS_CONFIRMATION: "Vui lòng xác nhận năm sinh của Ông/Bà.",
        Reason.PATIENT_DENIED_IDENTITY: "Thông tin chưa đúng. Vui lòng đến quầy tiếp đón.",
        Reason.TREATED_ELSEWHERE: "Thẻ đang được sử dụng ở cơ sở khác. Vui lòng đến quầy tiếp đón.",
        Reason.GATEWAY_REJECTED: "Cổng BHXH không xác nhận thẻ này. Vui lòng đến quầy tiếp đón.",
        Reason.ALREADY_CHECKED_IN: "Ông/Bà đã đăng ký khám hôm nay. Đây là số thứ tự của Ông/Bà.",
        Reason.NO_CLINIC_OPEN: "Hiện không có phòng khám nào đang mở.",
        Reason.UNKNOWN_CLINIC: "Phòng khám không tồn tại.",
        Reason.CHECKIN_NOT_FOUND: "Không tìm thấy lượt đăng ký này.",
        Reason.CHECKIN_CANCELLED: "Đã hủy lượt đăng ký; số thứ tự không được cấp lại.",
        Reason.DATABASE_UNAVAILABLE: "Hệ thống đang bận. Vui lòng đến quầy tiếp đón.",
        Reason.PRINTER_FAILED: "Máy in gặp sự cố. Vui lòng đưa số này cho quầy tiếp đón.",
        Reason.GATEWAY_CONFIG_ERROR: "Lỗi cấu hình cổng BHXH: đã báo nhân viên.",
        Reason.GATEWAY_UNAVAILABLE: "Thẻ được kiểm tra theo dữ liệu lưu tại bệnh viện.",
        Reason.GATEWAY_BAD_REQUEST: "Lỗi gửi yêu cầu tới cổng BHXH: đã báo nhân viên.",
        Reason.GATEWAY_UNKNOWN_CODE: "Cổng BHXH trả về mã chưa biết: đã báo nhân viên.",
        Reason.STAFF_OVERRIDE: "Nhân viên đã xác nhận đăng ký.",
    },
    "en": {
        Status.ACCEPTED: "You are checked in. Please take your slip.",
        Status.NEEDS_CONFIRMATION: "Please confirm your details.",
        Status.NEEDS_RECEPTION: "Please go to the reception desk for help.",
        Status.REJECTED: "This card cannot be used to check in.",
        Reason.NOT_A_CARD: "This QR code is not a health-insurance card or a citizen ID.",
        Reason.BAD_CARD_NUMBER: "The health-insurance card number is not valid.",
        Reason.BAD_ID_NUMBER: "The citizen ID number is not valid.",
        Reason.UNREADABLE_CARD: "The card's details could not be read completely. "
        "Please scan again or go to reception.",
        Reason.CARD_NOT_FOUND: "Your insurance card was not found. Please go to reception.",
        Reason.CARD_NOT_YET_VALID: "Your insurance card is not valid yet.",
        Reason.CARD_EXPIRED: "Your insurance card has expired.",
        Reason.CARD_REVOKED: "Your insurance card has been revoked.",
        Reason.CARD_DEREGISTERED: "Your insurance card is no longer active.",
        Reason.CARD_REPLACED: "A new card was issued; its details are used.",
        Reason.VALIDITY_UNKNOWN: "We could not confirm your card's validity. "
        "Please go to reception.",
        Reason.MILITARY_OR_POLICE: "This card is managed by military or police insurance: "
        "please bring your ID papers to reception.",
        Reason.CHILD_WITHOUT_CARD: "A child without an insurance card: please go to reception.",
        Reason.NAME_MISMATCH: "The name does not match the insurance card. Please go to reception.",
        Reason.NAME_NEEDS_CONFIRMATION: "Please confirm your name.",
        Reason.BIRTH_MISMATCH: "The date of birth does not match the insurance card. "
        "Please go to reception.",
        Reason.BIRTH_NEEDS_CONFIRMATION: "Please confirm your year of birth.",
        Reason.PATIENT_DENIED_IDENTITY: "The details are not right. Please go to reception.",
        Reason.TREATED_ELSEWHERE: "This card is in use at another facility. "
        "Please go to reception.",
        Reason.GATEWAY_REJECTED: "The insurance service did not confirm this card. "
        "Please go to reception.",
        Reason.ALREADY_CHECKED_IN: "You have already checked in today. This is your number.",
        Reason.NO_CLINIC_OPEN: "No clinic is open right now.",
        Reason.UNKNOWN_CLINIC: "That clinic does not exist.",
        Reason.CHECKIN_NOT_FOUND: "That check-in was not found.",
        Reason.CHECKIN_CANCELLED: "The check-in was cancelled; its number will not be reused.",
        Reason.DATABASE_UNAVAILABLE: "The system is busy. Please go to the reception desk.",
        Reason.PRINTER_FAILED: "The printer has a problem. Please show this number at reception.",
        Reason.GATEWAY_CONFIG_ERROR: "Insurance gateway configuration error: staff alerted.",
        Reason.GATEWAY_UNAVAILABLE: "Your card was checked against the hospital's records.",
        Reason.GATEWAY_BAD_REQUEST: "The request to the insurance gateway was malformed: "
        "staff alerted.",
        Reason.GATEWAY_UNKNOWN_CODE: "The insurance gateway sent an unknown result code: "
        "staff alerted.",
        Reason.STAFF_OVERRIDE: "Checked in by staff.",
    },
}


def message_for(key: Status | Reason, lang: Lang) -> str:
    """The patient-facing sentence for a status or reason in one language."""
    return MESSAGES[lang][key]


@dataclass(frozen=True)
class Decision:
    """What the eligibility rules concluded about a card, before any number is allocated."""

    status: Status
    reason: Reason | None
    route: Route | None = None
    benefit_percent: int | None = None
    card: CardRecord | None = None  # the card the decision stands on (the new one if replaced)
    detail: str = ""  # technical detail for logs and staff (never shown to the public)


@dataclass(frozen=True)
class Outcome:
    """The result of one check-in attempt, as the UI and the CLI show it."""

    status: Status
    reason: Reason | None
    checkin: CheckIn | None = None
    payload: Payload | None = None
    verification: Verification | None = None
    printed: bool | None = None  # None: nothing was printed (no check-in, or not yet)
    slip_path: str | None = None
    alerts: tuple[Reason, ...] = ()  # problems for staff that did not stop the patient
    detail: str = ""

    def message(self, lang: Lang) -> str:
        """The sentence to show the patient: the reason's message, else the status's."""
        return message_for(self.reason or self.status, lang)
