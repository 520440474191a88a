"""Outcomes of a check-in attempt, with the one catalogue of patient-facing messages.

A reason is a stable code for logs and tests; its message is plain Vietnamese or English a
patient can act on. The UI shows ``outcome.message(lang)`` and never writes its own wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from kiosk.calling import Place
from kiosk.model import (
    Benefit,
    BhytPayload,
    CardRecord,
    CccdPayload,
    CheckIn,
    Gender,
    Payload,
    Route,
    Verification,
)

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
    # a BHYT QR whose card field has a shape the kiosk cannot place: reception, not a refusal
    CARD_NUMBER_UNPLACED = "card_number_unplaced"
    BAD_ID_NUMBER = "bad_id_number"
    UNREADABLE_CARD = "unreadable_card"  # a card payload whose fields are damaged or misplaced
    # the card
    CARD_NOT_FOUND = "card_not_found"
    CARD_NOT_YET_VALID = "card_not_yet_valid"
    CARD_EXPIRED = "card_expired"
    EXPIRY_UNCONFIRMED = "expiry_unconfirmed"  # only the QR or the cache says expired
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
    GATEWAY_REJECTED = "gateway_rejected"  # 050-051: no such card / wrong number
    # 052/053: the province or benefit code of the number asked is wrong; reception confirms
    CARD_CODE_UNCONFIRMED = "card_code_unconfirmed"
    UNKNOWN_OBJECT_CODE = "unknown_object_code"  # card letters not in the table: staff confirm
    # the visit
    ALREADY_CHECKED_IN = "already_checked_in"
    NO_CLINIC_OPEN = "no_clinic_open"
    UNKNOWN_CLINIC = "unknown_clinic"
    CHECKIN_NOT_FOUND = "checkin_not_found"
    CHECKIN_CANCELLED = "checkin_cancelled"
    CANCEL_WAITING = "cancel_waiting"  # central down: the cancel waits in the journal
    # the machinery
    DATABASE_UNAVAILABLE = "database_unavailable"
    RECORD_REFUSED = "record_refused"  # the database refused this check-in's data
    PRINTER_FAILED = "printer_failed"
    GATEWAY_CONFIG_ERROR = "gateway_config_error"  # 054/055/401: staff alert, cache decides
    GATEWAY_UNAVAILABLE = "gateway_unavailable"  # cache decided
    GATEWAY_BAD_REQUEST = "gateway_bad_request"  # 205: our request was malformed (a bug)
    GATEWAY_UNKNOWN_CODE = "gateway_unknown_code"  # a maKetQua not in the table
    GATEWAY_DATA_MISMATCH = "gateway_data_mismatch"  # 080/090: staff alert, cache decides
    STAFF_OVERRIDE = "staff_override"
    # a QR holding only a number (anyone can make one): the patient proves it is theirs
    BIRTH_YEAR_REQUIRED = "birth_year_required"
    BIRTH_YEAR_WRONG = "birth_year_wrong"  # says nothing about the card
    BIRTH_YEAR_RETRY = "birth_year_retry"  # the first wrong year of a scan: once more
    BARE_CODE_AT_RECEPTION = "bare_code_at_reception"

    # numbered from the kiosk's own series while the central database was unreachable
    OFFLINE_NUMBER = "offline_number"


MESSAGES: dict[str, dict[str, str]] = {
    "vi": {
        Status.ACCEPTED: "Đăng ký khám thành công. Vui lòng nhận phiếu.",
        Status.NEEDS_CONFIRMATION: "Vui lòng xác nhận thông tin của Ông/Bà.",
        Status.NEEDS_RECEPTION: "Vui lòng đến quầy tiếp đón để được hỗ trợ.",
        Status.REJECTED: "Không thể đăng ký khám bằng thẻ này.",
        Reason.NOT_A_CARD: "Mã QR này không phải thẻ BHYT hay CCCD.",
        Reason.BAD_CARD_NUMBER: "Mã thẻ BHYT không hợp lệ.",
        Reason.CARD_NUMBER_UNPLACED: "Chưa nhận dạng được số thẻ BHYT. "
        "Vui lòng đến quầy tiếp đón để được tiếp nhận.",
        Reason.BAD_ID_NUMBER: "Số CCCD không hợp lệ.",
        Reason.UNREADABLE_CARD: "Không đọc được đầy đủ thông tin trên thẻ. "
        "Vui lòng quét lại hoặc đến quầy tiếp đón.",
        Reason.CARD_NOT_FOUND: "Không tìm thấy thẻ BHYT. Vui lòng đến quầy tiếp đón.",
        Reason.CARD_NOT_YET_VALID: "Thẻ BHYT chưa đến ngày có giá trị sử dụng.",
        Reason.CARD_EXPIRED: "Thẻ BHYT đã hết hạn sử dụng.",
        Reason.EXPIRY_UNCONFIRMED: "Chưa kiểm tra được hạn thẻ trên cổng BHXH. "
        "Vui lòng đến quầy tiếp đón để được tiếp nhận.",
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
        Reason.CARD_CODE_UNCONFIRMED: "Quầy tiếp đón cần xác nhận mã thẻ BHYT. "
        "Vui lòng đến quầy tiếp đón.",
        Reason.UNKNOWN_OBJECT_CODE: "Quầy tiếp đón cần xác nhận loại đối tượng trên thẻ BHYT. "
        "Vui lòng đến quầy tiếp đón.",
        Reason.ALREADY_CHECKED_IN: "Ông/Bà đã đăng ký khám hôm nay. Đây là số thứ tự của Ông/Bà.",
        Reason.NO_CLINIC_OPEN: "Hiện không có phòng khám nào đang mở.",
        Reason.UNKNOWN_CLINIC: "Phòng khám không tồn tại.",
        Reason.CHECKIN_NOT_FOUND: "Không tìm thấy lượt đăng ký này.",
        Reason.CHECKIN_CANCELLED: "Đã hủy lượt đăng ký; số thứ tự không được cấp lại.",
        Reason.CANCEL_WAITING: "Hủy đang chờ: máy chủ mất kết nối, sẽ hủy khi có lại.",
        Reason.DATABASE_UNAVAILABLE: "Hệ thống đang bận. Vui lòng đến quầy tiếp đón.",
        Reason.RECORD_REFUSED: "Chưa lưu được thông tin của Ông/Bà. Vui lòng đến quầy tiếp đón.",
        Reason.PRINTER_FAILED: "Máy in gặp sự cố. Vui lòng đưa số này cho quầy tiếp đón.",
        Reason.GATEWAY_CONFIG_ERROR: "Lỗi cấu hình cổng BHXH: đã báo nhân viên.",
        Reason.GATEWAY_UNAVAILABLE: "Thẻ được kiểm tra theo dữ liệu lưu tại bệnh viện.",
        Reason.GATEWAY_BAD_REQUEST: "Lỗi gửi yêu cầu tới cổng BHXH: đã báo nhân viên.",
        Reason.GATEWAY_UNKNOWN_CODE: "Cổng BHXH trả về mã chưa biết: đã báo nhân viên.",
        Reason.GATEWAY_DATA_MISMATCH: "Cổng BHXH báo thông tin thẻ chưa khớp: đã báo nhân viên.",
        Reason.STAFF_OVERRIDE: "Nhân viên đã xác nhận đăng ký.",
        "benefit_share": "BHYT chi trả {percent}%",
        "benefit_by_reception": "Quầy tiếp đón xác nhận phần BHYT chi trả",
        "route_code": "{label} (mã {code})",
        Reason.BIRTH_YEAR_REQUIRED: "Ông/Bà vui lòng nhập năm sinh để xác nhận.",
        Reason.BIRTH_YEAR_WRONG: "Chưa xác nhận được. Vui lòng đến quầy tiếp đón.",
        Reason.BIRTH_YEAR_RETRY: "Năm sinh chưa đúng. Xin nhập lại năm sinh.",
        Reason.BARE_CODE_AT_RECEPTION: "Mã này chỉ có số thẻ: vui lòng đến quầy tiếp đón.",
        Reason.OFFLINE_NUMBER: "Đăng ký thành công. Số thứ tự này hợp lệ "
        "(cấp khi mạng của bệnh viện tạm gián đoạn).",
    },
    "en": {
        Status.ACCEPTED: "You are checked in. Please take your slip.",
        Status.NEEDS_CONFIRMATION: "Please confirm your details.",
        Status.NEEDS_RECEPTION: "Please go to the reception desk for help.",
        Status.REJECTED: "This card cannot be used to check in.",
        Reason.NOT_A_CARD: "This QR code is not a health-insurance card or a citizen ID.",
        Reason.BAD_CARD_NUMBER: "The health-insurance card number is not valid.",
        Reason.CARD_NUMBER_UNPLACED: "The kiosk does not recognise this card number. "
        "Please go to the reception desk to be received.",
        Reason.BAD_ID_NUMBER: "The citizen ID number is not valid.",
        Reason.UNREADABLE_CARD: "The card's details could not be read completely. "
        "Please scan again or go to reception.",
        Reason.CARD_NOT_FOUND: "Your insurance card was not found. Please go to reception.",
        Reason.CARD_NOT_YET_VALID: "Your insurance card is not valid yet.",
        Reason.CARD_EXPIRED: "Your insurance card has expired.",
        Reason.EXPIRY_UNCONFIRMED: "Your card's validity could not be checked online. "
        "Please go to reception: you will be seen.",
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
        Reason.CARD_CODE_UNCONFIRMED: "Reception needs to confirm your card's number. "
        "Please go to reception.",
        Reason.UNKNOWN_OBJECT_CODE: "Reception needs to confirm the insurance group on your "
        "card. Please go to reception.",
        Reason.ALREADY_CHECKED_IN: "You have already checked in today. This is your number.",
        Reason.NO_CLINIC_OPEN: "No clinic is open right now.",
        Reason.UNKNOWN_CLINIC: "That clinic does not exist.",
        Reason.CHECKIN_NOT_FOUND: "That check-in was not found.",
        Reason.CHECKIN_CANCELLED: "The check-in was cancelled; its number will not be reused.",
        Reason.CANCEL_WAITING: "Cancel waiting: the server is unreachable; it goes through once "
        "it is back.",
        Reason.DATABASE_UNAVAILABLE: "The system is busy. Please go to the reception desk.",
        Reason.RECORD_REFUSED: "Your details could not be saved. Please go to the reception desk.",
        Reason.PRINTER_FAILED: "The printer has a problem. Please show this number at reception.",
        Reason.GATEWAY_CONFIG_ERROR: "Insurance gateway configuration error: staff alerted.",
        Reason.GATEWAY_UNAVAILABLE: "Your card was checked against the hospital's records.",
        Reason.GATEWAY_BAD_REQUEST: "The request to the insurance gateway was malformed: "
        "staff alerted.",
        Reason.GATEWAY_UNKNOWN_CODE: "The insurance gateway sent an unknown result code: "
        "staff alerted.",
        Reason.GATEWAY_DATA_MISMATCH: "The insurance gateway reported details that do not "
        "match: staff alerted.",
        Reason.STAFF_OVERRIDE: "Checked in by staff.",
        "benefit_share": "Insurance pays {percent}%",
        "benefit_by_reception": "Reception confirms what insurance pays",
        "route_code": "{label} (code {code})",
        Reason.BIRTH_YEAR_REQUIRED: "Please type your year of birth to confirm.",
        Reason.BIRTH_YEAR_WRONG: "We could not confirm this. Please go to reception.",
        Reason.BIRTH_YEAR_RETRY: "That year does not match. Please type your year of birth again.",
        Reason.BARE_CODE_AT_RECEPTION: "This code holds only a card number: "
        "please go to reception.",
        Reason.OFFLINE_NUMBER: "You are checked in. This number is valid "
        "(given while the hospital network was down).",
    },
}

# How the patient came, as the slip and the accepted screen name each visit code.
_SELF_VI, _SELF_EN = "Tự đến khám", "Self-referred"
_IN_VI, _IN_EN = "Tự đến, điều trị nội trú", "Self-referred inpatient"
_PRIMARY_VI, _PRIMARY_EN = "Cơ sở KCB cấp ban đầu", "Primary-care facility"
_LISTED_VI, _LISTED_EN = "Bệnh theo danh mục TT 01/2025", "Listed disease"
ROUTE_LABELS: dict[str, dict[Route, str]] = {
    "vi": {
        Route.REGISTERED: "Đúng nơi đăng ký KCB ban đầu",
        Route.PRIMARY_STATION: _PRIMARY_VI,
        Route.REFERRAL: "Có phiếu chuyển cơ sở KCB",
        Route.RESIDENCE: "Lưu trú, tạm trú",
        Route.APPOINTMENT: "Có phiếu hẹn khám lại",
        Route.ORGAN_DONOR: "Người hiến bộ phận cơ thể",
        Route.NEWBORN: "Trẻ sơ sinh",
        Route.PRIMARY_OTHER: _PRIMARY_VI,
        Route.BASIC_UNDER_50: _SELF_VI,
        Route.BASIC_50_70: _SELF_VI,
        Route.BASIC_FORMER_UPPER: _SELF_VI,
        Route.BASIC_INPATIENT: _IN_VI,
        Route.BASIC_LISTED_DISEASE: _LISTED_VI,
        Route.SPECIALISED_LISTED_DISEASE: _LISTED_VI,
        Route.SPECIALISED_FORMER_PROVINCE: _SELF_VI,
        Route.EMERGENCY: "Cấp cứu",
        Route.FORMER_CENTRAL: _SELF_VI,
        Route.SPECIALISED_FORMER_PROVINCE_INPATIENT: _IN_VI,
        Route.FORMER_DISTRICT: _SELF_VI,
        Route.HARDSHIP_INPATIENT: "Điều trị nội trú (vùng khó khăn)",
        Route.CORRECT: "Đúng tuyến",
        Route.OPEN: "Thông tuyến",
        Route.OUTSIDE: "Trái tuyến",
    },
    "en": {
        Route.REGISTERED: "Registered here",
        Route.PRIMARY_STATION: _PRIMARY_EN,
        Route.REFERRAL: "Referral slip",
        Route.RESIDENCE: "Staying away from home",
        Route.APPOINTMENT: "Follow-up appointment",
        Route.ORGAN_DONOR: "Organ donor",
        Route.NEWBORN: "Newborn",
        Route.PRIMARY_OTHER: _PRIMARY_EN,
        Route.BASIC_UNDER_50: _SELF_EN,
        Route.BASIC_50_70: _SELF_EN,
        Route.BASIC_FORMER_UPPER: _SELF_EN,
        Route.BASIC_INPATIENT: _IN_EN,
        Route.BASIC_LISTED_DISEASE: _LISTED_EN,
        Route.SPECIALISED_LISTED_DISEASE: _LISTED_EN,
        Route.SPECIALISED_FORMER_PROVINCE: _SELF_EN,
        Route.EMERGENCY: "Emergency",
        Route.FORMER_CENTRAL: _SELF_EN,
        Route.SPECIALISED_FORMER_PROVINCE_INPATIENT: _IN_EN,
        Route.FORMER_DISTRICT: _SELF_EN,
        Route.HARDSHIP_INPATIENT: "Inpatient (hardship area)",
        Route.CORRECT: "Correct route",
        Route.OPEN: "Open route",
        Route.OUTSIDE: "Outside the route",
    },
}
_BEFORE_2025 = frozenset({Route.CORRECT, Route.OPEN, Route.OUTSIDE})


def route_text(route: Route, lang: Lang) -> str:
    """How the patient came, as the slip and the screen name it ("Tự đến khám (mã 1.13)")."""
    label = ROUTE_LABELS[lang][route]
    if route in _BEFORE_2025:
        return label
    return MESSAGES[lang]["route_code"].format(label=label, code=route.value)


def share_text(percent: int | None, lang: Lang) -> str:
    """The fund's share in plain words ("BHYT chi trả 40%"), or that reception confirms it
    when None."""
    if percent is None:
        return MESSAGES[lang]["benefit_by_reception"]
    return MESSAGES[lang]["benefit_share"].format(percent=percent)


def benefit_text(route: Route | None, percent: int | None, lang: Lang) -> str:
    """What the slip and the accepted screen say, in large print, of the fund's share for this
    visit: the share ("BHYT chi trả 40%"), or, when None, that reception confirms it
    (docs/domain.md, route and benefit). The visit code is :func:`route_text`, in small print:
    it is for staff, and its words ("Đúng nơi đăng ký KCB ban đầu") are jargon to a patient."""
    return share_text(percent, lang)


def says_benefit(checkin: CheckIn) -> bool:
    """Whether a check-in has a share to tell: not for a patient with no insurance card at all."""
    patient = checkin.patient
    insured = bool(patient.card_number or patient.bhxh_number)
    return insured or checkin.route is not None or checkin.benefit_percent is not None


def checkin_benefit_text(checkin: CheckIn, lang: Lang) -> str:
    """:func:`benefit_text` of a check-in; "" when :func:`says_benefit` is false."""
    if not says_benefit(checkin):
        return ""
    return benefit_text(checkin.route, checkin.benefit_percent, lang)


def checkin_route_text(checkin: CheckIn, lang: Lang) -> str:
    """The visit code of a check-in for the small print ("Tự đến khám (mã 1.13)"); "" when it
    has none or says nothing of a benefit."""
    if checkin.route is None or not says_benefit(checkin):
        return ""
    return route_text(checkin.route, lang)


#: how a sentence addresses the patient when the card does not say who they are
UNKNOWN_ADDRESS = "Ông/Bà"
_ADDRESS = {Gender.MALE: "Ông", Gender.FEMALE: "Bà"}


def address(gender: Gender | None) -> str:
    """How to address the patient: "Ông" or "Bà" from the card's gender, "Ông/Bà" unknown."""
    return _ADDRESS[gender] if gender is not None else UNKNOWN_ADDRESS


def addressed(text: str, gender: Gender | None) -> str:
    """A sentence written with "Ông/Bà", said to this patient ("Mời Bà đến phòng 101").

    Every sentence of the catalogues is written with the slash; only here is it narrowed, so
    a new sentence needs nothing more. English has no such word and passes through.
    """
    return text.replace(UNKNOWN_ADDRESS, address(gender))


def message_for(key: Status | Reason, lang: Lang, gender: Gender | None = None) -> str:
    """The patient-facing sentence for a status or reason in one language, addressed to a
    patient of ``gender`` ("Ông/Bà" when None)."""
    return addressed(MESSAGES[lang][key], gender)


@dataclass(frozen=True)
class Decision:
    """What the eligibility rules concluded about a card, before any number is allocated."""

    status: Status
    reason: Reason | None
    route: Route | None = None
    benefit_percent: int | None = None
    card: CardRecord | None = None  # the card the decision stands on (the new one if replaced)
    detail: str = ""  # technical detail for logs and staff (never shown to the public)
    benefit: Benefit | None = None  # the rule row behind route and benefit_percent


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
    place: Place | None = None  # where the check-in stands in its clinic's queue, when known

    @property
    def gender(self) -> Gender | None:
        """The patient's gender as far as this outcome may say: the check-in's, else what the
        QR itself carries. Never the cache's card of a bare code (that would tell whoever
        holds a made-up code something of the card's owner before the year is proven)."""
        if self.checkin is not None:
            return self.checkin.patient.gender
        if isinstance(self.payload, BhytPayload | CccdPayload):
            return self.payload.gender
        return None

    def message(self, lang: Lang) -> str:
        """The sentence to show the patient: the reason's message, else the status's, with
        "Ông" or "Bà" when the gender is known."""
        return message_for(self.reason or self.status, lang, self.gender)
