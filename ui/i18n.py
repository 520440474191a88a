"""The one catalogue of UI wording (Vietnamese and English).

Patient outcome sentences are not here: they come from :mod:`kiosk.outcome` via
``outcome.message(lang)``. Everything else a screen says is looked up with :func:`tr`.
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk.outcome import Lang, Outcome, Reason

#: a message that can be shown in either language (kept by a screen, re-rendered on a toggle)
Text = Callable[[Lang], str]

TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "switch_language": "English",
        "welcome_title": "Đăng ký khám bệnh",
        "welcome_hint": "Đưa thẻ BHYT, thẻ căn cước (mặt sau có mã QR) hoặc điện thoại vào khung",
        "welcome_vssid": "Ứng dụng VssID",
        "welcome_card": "Thẻ BHYT",
        "welcome_cccd": "Căn cước công dân",
        "camera_lost": "Máy ảnh đang kết nối lại…",
        "out_of_service": "Máy đăng ký tạm ngưng phục vụ.\nVui lòng đến quầy tiếp đón.",
        "camera_starting": "Đang mở máy ảnh…",
        "reading": "Đang đọc mã…",
        "checking": "Đang kiểm tra thẻ, vui lòng chờ…",
        "choose_clinic": "Chọn phòng khám",
        "priority_question": "Ông/Bà có thuộc diện ưu tiên không?",
        "priority_note": "Chạm một ô nếu đúng, rồi chọn phòng khám. Nhân viên kiểm tra tại phòng.",
        "priority_pregnant": "Đang mang thai",
        "priority_disability": "Khuyết tật nặng",
        "confirm_title": "Đây có phải là Ông/Bà không?",
        "yes": "✓  Đúng",
        "no": "✗  Không phải tôi",
        "born": "Năm sinh {year}",
        "confirm_check_name": "Xin xem lại họ tên",
        "confirm_check_birth": "Xin xem lại năm sinh",
        "card_last4": "Thẻ …{last4}",
        "queue_number": "Số thứ tự",
        "take_slip": "Vui lòng nhận phiếu bên dưới",
        "ahead_wait": "Trước Ông/Bà còn {ahead} người · chờ khoảng {lo}–{hi} phút",
        "checked_in": "Đăng ký khám thành công",
        "reception_where": "→ {where}",
        "printer_failed_title": "Chưa in được phiếu",
        "show_reception": "Vui lòng đưa số này cho quầy tiếp đón",
        "number_kept": "Số của Ông/Bà đã được giữ. Quầy tiếp đón sẽ in lại phiếu.",
        "printer_down_banner": "Máy in đang hỏng: Ông/Bà nhận số trên màn hình, "
        "đưa số đó cho quầy tiếp đón.",
        "time_warning": "Ông/Bà cần thêm thời gian?",
        "continue": "Tiếp tục",
        "rescan": "Quét lại",
        "hold_still": "Giữ yên…",
        "closer": "Đưa mã lại gần hơn",
        "read_ok": "Đã đọc được mã",
        "waited": "Đã chờ {s} giây",
        "lens_here": "Camera ở đây",
        "back_in": "Về màn hình chính sau {s} giây",
        "done": "Xong",
        "staff_alert_printer": "Máy in gặp sự cố — đã báo nhân viên",
        "pin_title": "Nhân viên: nhập mã nhân viên và mã PIN",
        "pin_wrong": "Mã nhân viên hoặc PIN sai.",
        "pin_locked": "Đã khoá {m} phút {s} giây do nhập sai nhiều lần.",
        "staff_code": "Mã nhân viên",
        "birth_year_title": "Ông/Bà sinh năm nào?",
        "birth_year_hint": "Năm sinh, ví dụ 1975",
        "year_readback": "Năm sinh {year} – đúng không?",
        "year_fix": "Sửa",
        "retry_print": "Thử in lại",
        "other_card": "Quét thẻ khác",
        "reception_go": "Đến quầy",
        "pin_label": "Mã PIN",
        "pin_wait": "Mã nhân viên hoặc PIN sai. Vui lòng thử lại sau {s} giây.",
        "pin_unavailable": "Không kiểm tra được mã PIN lúc này (cơ sở dữ liệu). Vui lòng thử lại.",
        "short_pin": "Mã PIN của bạn chỉ có 4–5 chữ số: vẫn dùng được đến khi đổi, "
        "vui lòng đổi sang PIN 6 chữ số (kiosk-admin staff passwd).",
        "pin_checking": "Đang kiểm tra…",
        "cancel": "Huỷ",
        "ok": "Đồng ý",
        "clear": "Xoá",
        "staff_title": "Chế độ nhân viên: {name}",
        "logout": "Đăng xuất",
        "manual_entry": "Nhập mã thẻ BHYT / số BHXH / số CCCD",
        "lookup": "Tra cứu",
        "scan_card": "Quét thẻ",
        "scan_waiting": "Đưa thẻ vào camera…",
        "scanned_card": "(thẻ vừa quét)",
        "lookup_valid": "Thẻ hợp lệ – chưa đăng ký",
        "check_in": "Đăng ký",
        "override": "Đăng ký thay",
        "override_reason": "Lý do đăng ký thay",
        "need_reason": "Vui lòng nhập lý do.",
        "today": "Đăng ký hôm nay",
        "search": "Tìm theo số hoặc tên",
        "reprint": "In lại",
        "cancel_checkin": "Huỷ số",
        "cancel_reason": "Lý do huỷ",
        "cancelled": "đã huỷ",
        "offline": "số ngoại tuyến",
        "list_more": "… chỉ hiện 50 lượt mới nhất: tìm theo số hoặc tên để xem thêm",
        "flag_duplicate": "trùng thẻ: đã đăng ký ở máy khác",
        "flag_label_collision": "trùng số phiếu với máy khác: kiểm tra phiếu",
        "admin": "Quản trị",
        "admin_title": "Quản trị máy kiosk",
        "cache_cards": "Thẻ trong bộ nhớ: {n}",
        "cache_last_sync": "Đồng bộ lần cuối: {when} ({age} giờ trước)",
        "cache_never": "Chưa đồng bộ lần nào",
        "cache_old": "Cảnh báo: dữ liệu thẻ cũ hơn {h} giờ",
        "his_off": "Gửi HIS: tắt",
        "his_status": "Gửi HIS: {pending} chờ gửi, {delivered} đã gửi, {failed} lỗi",
        "his_error": "Lỗi gửi HIS gần nhất: {error}",
        "sync": "Đồng bộ thẻ",
        "sync_cancel": "Dừng đồng bộ",
        "printer_test": "In trang thử",
        "camera_test": "Thử máy ảnh",
        "kiosk_id": "Mã kiosk: {id}",
        "version": "Phiên bản: {v}",
        "log_location": "Nhật ký: {path}",
        "back": "Quay lại",
        "exit_app": "Thoát ứng dụng",
        "working": "Đang xử lý…",
        "staff_done": "Đã đăng ký số {n} — {clinic}",
        "patient_name": "Họ tên (không có thẻ)",
        "birth_year": "Năm sinh (yyyy)",
        "need_name": "Vui lòng nhập họ tên người bệnh.",
        "bad_year": "Năm sinh phải là 4 chữ số, ví dụ 1975.",
        "failed": "Có lỗi: {detail}",
    },
    "en": {
        "switch_language": "Tiếng Việt",
        "welcome_title": "Patient check-in",
        "welcome_hint": "Hold up your insurance card, citizen ID card (QR code on the back) "
        "or phone",
        "welcome_vssid": "VssID app",
        "welcome_card": "Insurance card",
        "welcome_cccd": "Chip ID card",
        "camera_lost": "Camera reconnecting…",
        "out_of_service": "This kiosk is out of service.\nPlease go to the reception desk.",
        "camera_starting": "Starting the camera…",
        "reading": "Reading the code…",
        "checking": "Checking your card, please wait…",
        "choose_clinic": "Choose a clinic",
        "priority_question": "Do you have priority?",
        "priority_note": "Touch a box if it applies, then choose a clinic. Staff check it.",
        "priority_pregnant": "Pregnant",
        "priority_disability": "Severe disability",
        "confirm_title": "Is this you?",
        "yes": "✓  Yes",
        "no": "✗  Not me",
        "born": "Born {year}",
        "confirm_check_name": "Please check the name",
        "confirm_check_birth": "Please check the year of birth",
        "card_last4": "Card …{last4}",
        "queue_number": "Queue number",
        "take_slip": "Please take your slip below",
        "ahead_wait": "{ahead} ahead of you · about {lo}–{hi} minutes",
        "checked_in": "You are checked in",
        "reception_where": "→ {where}",
        "printer_failed_title": "The slip could not be printed",
        "show_reception": "Please show this number at reception",
        "number_kept": "Your number is kept. Reception will reprint your slip.",
        "printer_down_banner": "The printer is out of order: you get your number on screen "
        "only. Show it at reception.",
        "time_warning": "Do you need more time?",
        "continue": "Continue",
        "rescan": "Scan again",
        "hold_still": "Hold still…",
        "closer": "Bring it closer",
        "read_ok": "Code read",
        "waited": "Waiting {s} s",
        "lens_here": "The camera is here",
        "back_in": "Back to the start in {s} s",
        "done": "Done",
        "staff_alert_printer": "Printer problem — staff alerted",
        "pin_title": "Staff: enter your staff code and PIN",
        "pin_wrong": "Wrong staff code or PIN.",
        "pin_locked": "Locked for {m} min {s} s after too many wrong PINs.",
        "staff_code": "Staff code",
        "birth_year_title": "What year were you born?",
        "birth_year_hint": "Year of birth, e.g. 1975",
        "year_readback": "Born in {year} – is that right?",
        "year_fix": "Change",
        "retry_print": "Try printing again",
        "other_card": "Other card",
        "reception_go": "Reception",
        "pin_label": "PIN",
        "pin_wait": "Wrong staff code or PIN. Try again in {s} s.",
        "pin_unavailable": "The PIN cannot be checked right now (database). Please try again.",
        "short_pin": "Your PIN has only 4–5 digits: it works until changed; please change it "
        "to a 6-digit PIN (kiosk-admin staff passwd).",
        "pin_checking": "Checking…",
        "cancel": "Cancel",
        "ok": "OK",
        "clear": "Clear",
        "staff_title": "Staff mode: {name}",
        "logout": "Log out",
        "manual_entry": "Enter card number / BHXH number / citizen ID",
        "lookup": "Look up",
        "scan_card": "Scan card",
        "scan_waiting": "Hold the card to the camera…",
        "scanned_card": "(card just scanned)",
        "lookup_valid": "Card valid – not checked in yet",
        "check_in": "Check in",
        "override": "Check in anyway",
        "override_reason": "Reason for the override",
        "need_reason": "Please enter a reason.",
        "today": "Today's check-ins",
        "search": "Search by number or name",
        "reprint": "Reprint",
        "cancel_checkin": "Cancel number",
        "cancel_reason": "Reason for cancelling",
        "cancelled": "cancelled",
        "offline": "offline number",
        "list_more": "… the newest 50 only: search by number or name for more",
        "flag_duplicate": "duplicate: card checked in at another kiosk",
        "flag_label_collision": "slip number also printed by another kiosk: check the slip",
        "admin": "Admin",
        "admin_title": "Kiosk administration",
        "cache_cards": "Cards in the cache: {n}",
        "cache_last_sync": "Last sync: {when} ({age} h ago)",
        "cache_never": "Never synced",
        "cache_old": "Warning: card data older than {h} hours",
        "his_off": "HIS delivery: off",
        "his_status": "HIS delivery: {pending} pending, {delivered} delivered, {failed} failed",
        "his_error": "Latest HIS error: {error}",
        "sync": "Sync cards",
        "sync_cancel": "Stop sync",
        "printer_test": "Print a test page",
        "camera_test": "Test the camera",
        "kiosk_id": "Kiosk id: {id}",
        "version": "Version: {v}",
        "log_location": "Log: {path}",
        "back": "Back",
        "exit_app": "Quit the app",
        "working": "Working…",
        "staff_done": "Checked in as number {n} — {clinic}",
        "patient_name": "Full name (no card)",
        "birth_year": "Year of birth (yyyy)",
        "need_name": "Please enter the patient's name.",
        "bad_year": "The year of birth must be 4 digits, e.g. 1975.",
        "failed": "Something went wrong: {detail}",
    },
}


#: what staff read about a card, where the patient's sentence would tell them to go to
#: reception or address "Ông/Bà" (staff are reception); other reasons read the same for both
STAFF_REASONS: dict[str, dict[str, str]] = {
    "vi": {
        Reason.UNREADABLE_CARD: "Mã trên thẻ bị hỏng hoặc thiếu thông tin.",
        Reason.CARD_NOT_FOUND: "Không tìm thấy thẻ BHYT trong dữ liệu.",
        Reason.VALIDITY_UNKNOWN: "Chưa xác định được hạn thẻ.",
        Reason.MILITARY_OR_POLICE: "Thẻ BHXH Quân đội / Công an: kiểm tra giấy tờ tùy thân.",
        Reason.CHILD_WITHOUT_CARD: "Trẻ em chưa có thẻ BHYT.",
        Reason.NAME_MISMATCH: "Họ tên không khớp với thẻ BHYT.",
        Reason.NAME_NEEDS_CONFIRMATION: "Họ tên chỉ khớp khi bỏ dấu: xác nhận với người bệnh.",
        Reason.BIRTH_MISMATCH: "Ngày sinh không khớp với thẻ BHYT.",
        Reason.BIRTH_NEEDS_CONFIRMATION: "Năm sinh cần xác nhận với người bệnh.",
        Reason.PATIENT_DENIED_IDENTITY: "Người bệnh nói thông tin chưa đúng.",
        Reason.TREATED_ELSEWHERE: "Thẻ đang được sử dụng ở cơ sở khác.",
        Reason.GATEWAY_REJECTED: "Cổng BHXH không xác nhận thẻ này.",
        Reason.ALREADY_CHECKED_IN: "Đã đăng ký hôm nay: số cũ được giữ.",
        Reason.DATABASE_UNAVAILABLE: "Cơ sở dữ liệu không trả lời.",
        Reason.PRINTER_FAILED: "Máy in gặp sự cố: phiếu cần in lại.",
        Reason.CARD_NUMBER_UNPLACED: "Số thẻ trên mã QR không đúng dạng nào đã biết: "
        "tra thẻ bằng mã số BHXH hoặc CCCD.",
        Reason.CARD_CODE_UNCONFIRMED: "Cổng BHXH báo sai mã tỉnh hoặc mã quyền lợi trên thẻ: "
        "đối chiếu thẻ với giấy tờ.",
        Reason.GATEWAY_DATA_MISMATCH: "Cổng BHXH báo giới tính hoặc nơi ĐKKCB ban đầu chưa "
        "khớp: kiểm tra lại thẻ.",
    },
    "en": {
        Reason.UNREADABLE_CARD: "The card's code is damaged or incomplete.",
        Reason.CARD_NOT_FOUND: "The insurance card is not in the card data.",
        Reason.VALIDITY_UNKNOWN: "The card's validity is unknown.",
        Reason.MILITARY_OR_POLICE: "Military / police insurance card: check ID papers.",
        Reason.CHILD_WITHOUT_CARD: "A child without an insurance card.",
        Reason.NAME_MISMATCH: "The name does not match the insurance card.",
        Reason.NAME_NEEDS_CONFIRMATION: "The name matches only without diacritics: ask the "
        "patient.",
        Reason.BIRTH_MISMATCH: "The date of birth does not match the insurance card.",
        Reason.BIRTH_NEEDS_CONFIRMATION: "The year of birth needs the patient's confirmation.",
        Reason.PATIENT_DENIED_IDENTITY: "The patient said the details are wrong.",
        Reason.TREATED_ELSEWHERE: "The card is in use at another facility.",
        Reason.GATEWAY_REJECTED: "The insurance gateway did not confirm this card.",
        Reason.ALREADY_CHECKED_IN: "Already checked in today: the first number is kept.",
        Reason.DATABASE_UNAVAILABLE: "The database is not answering.",
        Reason.PRINTER_FAILED: "The printer has a problem: the slip needs a reprint.",
        Reason.CARD_NUMBER_UNPLACED: "The QR's card number has no known shape: look the card "
        "up by its BHXH or citizen ID number.",
        Reason.CARD_CODE_UNCONFIRMED: "The insurance gateway says the card's province or "
        "benefit code is wrong: check the card against ID papers.",
        Reason.GATEWAY_DATA_MISMATCH: "The insurance gateway says the gender or the registered "
        "facility does not match: check the card.",
    },
}


def staff_message(outcome: Outcome, lang: Lang) -> str:
    """An outcome as reception staff read it (not as the patient is told), then, a line each,
    the alerts staff have words for (e.g. the gateway's 080/090 that did not stop the patient)."""
    staff = STAFF_REASONS[lang]
    if outcome.reason is not None and outcome.reason in staff:
        said = staff[outcome.reason]
    else:
        said = outcome.message(lang)
    alerts = [staff[a] for a in outcome.alerts if a in staff and a is not outcome.reason]
    return "\n".join([said, *alerts])


def tr(key: str, lang: Lang, **values: object) -> str:
    """The text for ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    text = TEXT[lang][key]
    return text.format(**values) if values else text


def text(key: str, **values: object) -> Text:
    """``tr(key, …)`` in whatever language the screen shows now or after a toggle."""
    return lambda lang: tr(key, lang, **values)


def no_text(lang: Lang) -> str:
    return ""


def other(lang: Lang) -> Lang:
    """The language the toggle button switches to."""
    return "en" if lang == "vi" else "vi"
