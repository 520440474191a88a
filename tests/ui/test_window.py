"""The patient flow through the real window (offscreen) and the real check-in service, with
fake ports (card cache, store, gateway, printer) and a fake camera loop."""

from __future__ import annotations

import numpy as np
import zxingcpp
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.outcome import Outcome, Reason, Status
from kiosk.synthetic import SyntheticPerson, bhyt_payload, card_record
from tests.fakes import FakeClock, FakeScanLoop
from tests.ui.ui_rig import (
    Make,
    checked_in,
    expired,
    out_of_paper,
    rescan_goes_home,
    revoked,
    scan_and_wait,
    scan_until,
    stranger,
    to_confirm,
)


def test_accepted_with_one_open_clinic_shows_number_1(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, rig = checked_in(qtbot, make_window, persons[0], clinics=1)
    assert window.accepted.number.text() == "1"
    # room first: its own line, the second size, before the clinic's name
    assert window.accepted.room.text() == "Phòng 101 – Tầng 1, khu A"
    assert window.accepted.clinic.text() == "Khám Nội tổng quát"
    sizes = [w.font().pixelSize() for w in (window.accepted.number, window.accepted.room)]
    assert sizes[0] > sizes[1] > window.accepted.clinic.font().pixelSize()
    lines = window.accepted.text_box
    assert lines.indexOf(window.accepted.room) < lines.indexOf(window.accepted.clinic)
    assert window.accepted.slip.text()  # "take your slip"
    shown = window.accepted.patient.text()
    given = persons[0].name.split()[-1]
    assert persons[0].name not in shown
    assert given not in shown.split()
    assert str(persons[0].birth.year) in shown
    assert persons[0].card_number[-4:] in shown
    assert len(rig.printer.printed) == 1
    # the service ran off the GUI thread
    assert rig.threads
    assert "MainThread" not in rig.threads
    # the next patient (after "Done") gets 2
    window.accepted.done_button.click()
    scan_and_wait(qtbot, window, bhyt_payload(persons[1]))
    assert window.accepted.number.text() == "2"


def test_a_second_scan_shows_the_same_number_without_a_second_slip(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, rig = make_window()
    scan_and_wait(qtbot, window, bhyt_payload(persons[0]))
    window.go_welcome()
    with qtbot.waitSignal(window.outcome_shown, timeout=5000) as blocker:
        window.on_scan(bhyt_payload(persons[0]))
    assert blocker.args[0].reason is Reason.ALREADY_CHECKED_IN
    assert window.current is window.accepted
    assert window.accepted.number.text() == "1"
    assert len(rig.store.checkins) == 1
    assert len(rig.printer.printed) == 1
    assert window.accepted.slip.text() == ""  # no new slip: "take your slip" is not said


def test_clinic_choice_with_several_open(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, rig = make_window(clinics=3)
    scan_until(qtbot, window, bhyt_payload(persons[0]), window.clinics)
    assert set(window.clinics.buttons) == {"NOI", "NHI", "TMH"}
    with qtbot.waitSignal(window.outcome_shown, timeout=5000):
        window.clinics.buttons["NHI"].click()  # type: ignore[attr-defined]  # buttons: dict[str, object]
    assert window.current is window.accepted
    assert window.accepted.room.text().startswith("Phòng 105")
    assert next(iter(rig.store.checkins.values())).clinic_code == "NHI"


def test_needs_confirmation_yes_checks_in(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, rig = make_window()
    to_confirm(qtbot, window, rig, persons[0])
    assert window.confirm.title.text() == "Đây có phải là Ông không?"  # persons[0]: a man
    assert window.confirm.name.text().startswith(persons[0].name.split()[0])
    assert persons[0].name not in window.confirm.name.text()
    words = persons[0].name.split()
    assert window.confirm.name.text().startswith(" ".join([words[0], words[1][0] + "."]))
    assert "*" not in window.confirm.name.text()
    with qtbot.waitSignal(window.outcome_shown, timeout=5000) as blocker:
        window.confirm.yes.click()
    assert blocker.args[0].status is Status.ACCEPTED
    assert window.current is window.accepted


def test_needs_confirmation_no_sends_to_reception(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, rig = make_window()
    to_confirm(qtbot, window, rig, persons[0])
    with qtbot.waitSignal(window.outcome_shown, timeout=5000) as blocker:
        window.confirm.no.click()
    assert blocker.args[0].reason is Reason.PATIENT_DENIED_IDENTITY
    assert window.current is window.reception
    assert not rig.store.checkins
    # "Không phải tôi" is not an end: scan again, or the desk
    rescan_goes_home(window, "Quét lại")


def test_unknown_card_needs_reception_and_says_where(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, rig = make_window()
    scan_and_wait(qtbot, window, bhyt_payload(stranger(persons)))
    assert window.current is window.reception
    # said once: the reason's sentence, then where reception is
    assert window.reception.heading.text() == "Không tìm thấy thẻ BHYT. Vui lòng đến quầy tiếp đón."
    assert window.reception.reason.text() == ""
    assert window.reception.where.text() == "→ " + window.config.kiosk.reception_vi
    assert window.reception.rescan_button.text() == "Quét thẻ khác"  # or the desk
    assert window.reception.done_button.text() == "Đến quầy"
    assert not rig.store.checkins


def test_rejected_shows_why(qtbot: QtBot, make_window: Make) -> None:
    window, _ = make_window()
    scan_and_wait(qtbot, window, "hello world!")
    assert window.current is window.reception
    assert window.reception.heading.text() == "Không thể đăng ký khám bằng thẻ này."
    assert "không phải thẻ BHYT" in window.reception.reason.text()
    # the patient can fix this one: "Scan again" goes back to the camera (or the desk)
    rescan_goes_home(window, "Quét lại")


def test_printer_failure_shows_number_and_alerts_staff(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, rig = out_of_paper(qtbot, make_window, persons[0])
    assert window.printer_failed.number.text() == "1"
    assert "quầy tiếp đón" in window.printer_failed.show_text.text()
    assert window.printer_failed.kept.text() == (
        "Số của Ông đã được giữ. Quầy tiếp đón sẽ in lại phiếu."  # persons[0]: a man
    )
    checkin = next(iter(rig.store.checkins.values()))
    assert checkin.print_state.value == "failed"
    window.go_welcome()
    assert window.welcome.alert.isVisibleTo(window)
    # the printer comes back: the alert goes away with the next good slip
    rig.printer.problem = ""
    scan_and_wait(qtbot, window, bhyt_payload(persons[1]))
    assert not window.welcome.alert.isVisibleTo(window)


def test_idle_countdown_returns_to_welcome_and_clears(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson], clock: FakeClock
) -> None:
    window, _ = make_window()
    scan_and_wait(qtbot, window, bhyt_payload(persons[0]))
    clock.advance(seconds=19)
    window.tick()
    assert window.current is window.accepted
    assert window.accepted.countdown.widget.text() == "Về màn hình chính sau 11 giây"
    clock.advance(seconds=11)
    window.tick()
    assert window.stack.currentWidget() is window.welcome
    assert window.accepted.number.text() == ""
    assert window.accepted.patient.text() == ""


def test_a_late_result_after_reset_is_dropped(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, rig = make_window(online_gate=True)
    window.on_scan(bhyt_payload(persons[0]))
    qtbot.waitUntil(rig.gate.asked.is_set, timeout=5000)  # the check is under way
    window.go_welcome()
    rig.gate.gate.set()  # its result lands after the reset
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=5000)
    QApplication.processEvents()
    assert window.current is window.welcome
    assert not rig.store.checkins


def test_english_toggle(qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]) -> None:
    window, _ = make_window()
    assert window.lang_button.text() == "English"
    window.lang_button.click()
    assert window.welcome.title.text() == "Patient check-in"
    assert window.lang_button.text() == "Tiếng Việt"
    scan_and_wait(qtbot, window, bhyt_payload(persons[0]))
    assert window.accepted.heading.text() == "You are checked in"
    assert "General internal medicine" in window.accepted.clinic.text()
    window.lang_button.click()
    assert window.accepted.heading.text() == "Đăng ký khám thành công"
    window.lang_button.click()
    # the next patient starts in Vietnamese again
    window.accepted.done_button.click()
    assert window.lang == "vi"
    assert window.welcome.title.text() == "Đăng ký khám bệnh"
    assert window.lang_button.text() == "English"


def test_closing_keys_do_nothing(qtbot: QtBot, make_window: Make) -> None:
    window, _ = make_window()
    qtbot.keyClick(window, "\x1b")
    assert window.close() is False
    assert window.isVisible()


def test_fake_camera_qr_frame_reaches_success_with_number_1(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    text = bhyt_payload(persons[0])
    qr = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode).to_image(scale=4)
    frame = np.full((720, 1280, 3), 90, np.uint8)
    image = np.asarray(qr)
    h, w = image.shape[:2]
    frame[100 : 100 + h, 300 : 300 + w] = image[..., None]
    scan = FakeScanLoop([(frame, text)])
    window, _ = make_window(scan=scan)
    with qtbot.waitSignal(window.outcome_shown, timeout=5000) as blocker:
        pass
    assert blocker.args[0].checkin.queue_number == 1
    assert window.current is window.accepted
    assert window.accepted.number.text() == "1"


def test_camera_lost_is_shown_and_recovers(qtbot: QtBot, make_window: Make) -> None:
    scan = FakeScanLoop()
    scan.camera = "lost"
    window, _ = make_window(scan=scan)
    qtbot.waitUntil(lambda: window.welcome.preview._overlay == "Máy ảnh đang kết nối lại…")
    scan.camera = "ok"
    qtbot.waitUntil(lambda: window.welcome.preview._overlay == "")


def test_expired_card_without_the_gateway_goes_to_reception_not_refused(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    # only the QR and the cache say "expired": Decree 188/2025 Art. 38 cl. 2 (docs/domain.md)
    window, rig = make_window()
    old = expired(persons[2])
    rig.cards.save_card(card_record(old))
    scan_and_wait(qtbot, window, bhyt_payload(old))
    assert window.current is window.reception
    said = f"{window.reception.heading.text()} {window.reception.reason.text()}"
    assert "Chưa kiểm tra được hạn thẻ" in said  # not "Không thể đăng ký"
    assert "quầy tiếp đón" in said
    assert "Không thể đăng ký" not in said
    assert not rig.store.checkins


def test_revoked_card_is_rejected(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, rig = make_window()
    rig.cards.save_card(revoked(card_record(persons[3])))
    scan_and_wait(qtbot, window, bhyt_payload(persons[3]))
    assert window.current is window.reception
    assert window.reception.heading.text() == "Không thể đăng ký khám bằng thẻ này."
    assert window.reception.reason.text() == "Thẻ BHYT đã bị thu hồi."
    assert not rig.store.checkins


def test_database_unavailable_sends_to_reception_and_loses_no_number(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, rig = make_window()
    rig.store.unavailable = True
    scan_and_wait(qtbot, window, bhyt_payload(persons[0]))
    assert window.current is window.reception
    busy = Outcome(Status.NEEDS_RECEPTION, Reason.DATABASE_UNAVAILABLE)
    assert window.reception.heading.text() == busy.message("vi")
    assert "Hệ thống đang bận" in window.reception.heading.text()
    assert not rig.printer.printed
    # the database is back: the next patient gets number 1, nothing was consumed
    rig.store.unavailable = False
    window.go_welcome()
    scan_and_wait(qtbot, window, bhyt_payload(persons[1]))
    assert window.accepted.number.text() == "1"


def test_is_this_you_shows_the_name_as_initials_not_stars() -> None:
    from ui.present import initials_name

    assert initials_name("Lưu Thị Yến") == "Lưu T. Yến"
    assert initials_name("Nguyễn Thị Ngọc Ánh") == "Nguyễn T. N. Ánh"
    assert initials_name("Lê Na") == "Lê Na"
    assert "*" not in initials_name("Trần Văn Bình")
