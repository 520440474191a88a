"""Staff mode in the real window: PIN pad and lockout, manual entry, override, reprint, cancel,
automatic logout, and the admin screen's sync with progress."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from kiosk.ports import StaffAccount
from kiosk.staff_auth import MemoryStaffDirectory, hash_pin
from kiosk.synthetic import SyntheticPerson, bhyt_payload
from tests.fakes import FakeAdmin, FakeClock
from tests.ui.ui_rig import Make, Rig, stranger
from ui.screens.keypad import CLEAR, SPACE
from ui.window import LONG_PRESS_MS, KioskWindow


def enter_pin(qtbot: QtBot, window: KioskWindow, pin: str, code: str = "101") -> None:
    for digit in code:
        window.pin.keypad.press(digit)
    window.pin.ok.click()  # with a code but no PIN: on to the PIN
    assert window.pin.keypad.target is window.pin.pin
    for digit in pin:
        window.pin.keypad.press(digit)
    window.pin.ok.click()
    assert window.runner.busy
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=5000)


def log_in(qtbot: QtBot, window: KioskWindow, pin: str = "1234", code: str = "101") -> None:
    window.open_staff()
    enter_pin(qtbot, window, pin, code)
    assert window.current is window.staff


def test_long_press_in_the_corner_opens_the_pin_pad(qtbot: QtBot, make_window: Make) -> None:
    window, _ = make_window()
    qtbot.mousePress(window.corner, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    qtbot.wait(200)
    qtbot.mouseRelease(window.corner, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert window.current is window.welcome  # a short tap does nothing
    qtbot.mousePress(window.corner, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    qtbot.waitUntil(lambda: window.current is window.pin, timeout=LONG_PRESS_MS + 2000)
    qtbot.mouseRelease(window.corner, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))


def test_a_look_up_that_lands_after_logout_is_not_shown(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, rig = make_window(online_gate=True)
    log_in(qtbot, window)
    shown: list[object] = []
    window.desk.looked_up.connect(shown.append)
    window.staff.scan_button.click()
    window.on_scan(bhyt_payload(persons[0]))  # scanned at the desk, when asked: a look-up
    qtbot.waitUntil(rig.gate.asked.is_set, timeout=5000)  # under way
    window.staff.logout.emit()
    assert window.current is window.welcome
    rig.gate.gate.set()  # the look-up lands after the logout
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=5000)
    QApplication.processEvents()
    assert shown == []  # dropped: nothing of that patient reaches the staff screen
    assert window.desk.assessment is None
    assert window.current is window.welcome


def test_a_card_held_up_mid_override_does_not_take_the_staff_screen(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, rig = make_window()
    log_in(qtbot, window)
    staff = window.staff
    for key in "7999999999":  # a card the cache does not know: an override, typed by hand
        staff.keypad.press(key)
    staff.lookup_button.click()
    qtbot.waitUntil(staff.override_button.isEnabled, timeout=5000)
    staff.patient_name.setText("Nguyễn Thị Mai")
    staff.reason.setText("Thẻ mới cấp")
    before = staff.result.text()
    assessment = window.desk.assessment
    assert assessment is not None
    window.on_scan(bhyt_payload(persons[1]))  # the lobby's next patient holds a card up
    qtbot.wait(50)
    assert not window.runner.busy  # nothing was looked up
    assert staff.code.text() == "7999999999"
    assert staff.patient_name.text() == "Nguyễn Thị Mai"
    assert staff.patient_name.isVisibleTo(window)
    assert staff.result.text() == before
    assert not staff.check_in_button.isEnabled()
    assert staff.override_button.isEnabled()
    assert window.desk.assessment is assessment
    staff.override_button.click()
    qtbot.waitUntil(lambda: "Đã đăng ký số 1" in staff.result.text(), timeout=5000)
    checkin = next(iter(rig.store.checkins.values()))
    assert checkin.patient.name == "Nguyễn Thị Mai"
    # staff ask for the camera: now a card held up is looked up, and said to be unregistered
    staff.scan_button.click()
    window.on_scan(bhyt_payload(persons[1]))
    qtbot.waitUntil(staff.check_in_button.isEnabled, timeout=5000)
    assert staff.result.text().startswith("Thẻ hợp lệ – chưa đăng ký")
    assert "thành công" not in staff.result.text()
    assert len(rig.store.checkins) == 1
    assert not staff.armed  # one read per press
    window.on_scan(bhyt_payload(persons[2]))
    qtbot.wait(50)
    assert not window.runner.busy


def test_a_result_is_shown_only_under_the_code_that_produced_it(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, rig = make_window(online_gate=True)
    log_in(qtbot, window)
    staff = window.staff
    for key in persons[0].bhxh_number:
        staff.keypad.press(key)
    staff.lookup_button.click()
    qtbot.waitUntil(rig.gate.asked.is_set, timeout=5000)  # under way
    staff.keypad.press(CLEAR)  # staff change the code before the answer lands
    for key in persons[1].bhxh_number:
        staff.keypad.press(key)
    rig.gate.gate.set()
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=5000)
    QApplication.processEvents()
    assert not staff.check_in_button.isEnabled()
    assert persons[0].bhxh_number[-4:] not in staff.result.text()
    # looked up now, the typed code gets its own answer
    staff.lookup_button.click()
    qtbot.waitUntil(lambda: persons[1].bhxh_number[-4:] in staff.result.text(), timeout=5000)
    assessment = window.desk.assessment
    assert assessment is not None
    assert assessment.card is not None
    assert assessment.card.bhxh_number == persons[1].bhxh_number


def test_wrong_pins_slow_the_pad_then_pause_it_without_locking_the_account(
    qtbot: QtBot, make_window: Make, clock: FakeClock, staff_directory: MemoryStaffDirectory
) -> None:
    window, _ = make_window()
    window.open_staff()
    for wait in (1, 2, 4, 8):
        enter_pin(qtbot, window, "000000")
        assert window.pin.message.text() == (
            f"Mã nhân viên hoặc PIN sai. Vui lòng thử lại sau {wait} giây."
        )
        enter_pin(qtbot, window, "1234")  # even the right PIN must wait its turn
        assert window.current is window.pin
        clock.advance(seconds=wait)
    enter_pin(qtbot, window, "000000")
    assert window.pin.message.text().startswith("Mã nhân viên hoặc PIN sai")
    # this kiosk's pad rests (any code), but the lobby has not locked Lan's account
    enter_pin(qtbot, window, "1234")
    assert window.current is window.pin
    assert staff_directory.accounts["Lan"].locked_until is None
    assert staff_directory.accounts["Lan"].lobby_failures == 5
    clock.advance(minutes=15)
    enter_pin(qtbot, window, "1234")
    assert window.stack.currentWidget() is window.staff
    assert "Lan" in window.staff.title.text()
    assert not window.staff.admin_button.isVisibleTo(window)


def test_manual_entry_with_the_keypad_checks_in(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, rig = make_window()
    log_in(qtbot, window)
    for key in persons[0].bhxh_number:
        window.staff.keypad.press(key)
    assert window.staff.code.text() == persons[0].bhxh_number
    window.staff.lookup_button.click()
    qtbot.waitUntil(window.staff.check_in_button.isEnabled, timeout=5000)
    assert not window.staff.override_button.isEnabled()
    window.staff.clinic.setCurrentIndex(1)  # NHI
    window.staff.check_in_button.click()
    qtbot.waitUntil(lambda: window.staff.rows.count() == 1, timeout=5000)
    checkin = next(iter(rig.store.checkins.values()))
    assert checkin.clinic_code == "NHI"
    assert checkin.patient.bhxh_number == persons[0].bhxh_number
    assert "Đã đăng ký số 1" in window.staff.result.text()
    assert len(rig.printer.printed) == 1


def test_manual_entry_records_the_staff_member(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, rig = make_window()
    log_in(qtbot, window)
    window.staff.code.setText(persons[0].bhxh_number)
    window.staff.lookup_button.click()
    qtbot.waitUntil(window.staff.check_in_button.isEnabled, timeout=5000)
    window.staff.check_in_button.click()
    qtbot.waitUntil(lambda: window.staff.rows.count() == 1, timeout=5000)
    checkin = next(iter(rig.store.checkins.values()))
    assert checkin.staff_name == "Lan"


def test_override_needs_a_reason_and_writes_an_audit_row(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, rig = make_window()
    log_in(qtbot, window)
    window.staff.scan_button.click()
    window.on_scan(bhyt_payload(stranger(persons)))
    qtbot.waitUntil(window.staff.override_button.isEnabled, timeout=5000)
    assert not window.staff.check_in_button.isEnabled()
    assert "Không tìm thấy thẻ" in window.staff.result.text()
    window.staff.override_button.click()  # no reason yet
    assert window.staff.result.text() == "Vui lòng nhập lý do."
    assert not rig.store.checkins
    window.staff.reason.setText("Thẻ mới cấp, chưa có trong dữ liệu")
    window.staff.override_button.click()
    qtbot.waitUntil(lambda: bool(rig.store.audit), timeout=5000)
    actor, action, target, _, after = rig.store.audit[0]
    assert (actor, action, after) == ("Lan", "override", "Thẻ mới cấp, chưa có trong dữ liệu")
    assert rig.store.checkins[target].override_reason == "Thẻ mới cấp, chưa có trong dữ liệu"


def test_reprint_and_cancel_from_todays_list(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, rig = make_window()
    for p in persons[:2]:
        with qtbot.waitSignal(window.outcome_shown, timeout=5000):
            window.on_scan(bhyt_payload(p))
        window.accepted.done_button.click()
    log_in(qtbot, window)
    qtbot.waitUntil(lambda: window.staff.rows.count() == 2, timeout=5000)
    window.staff.search_box.setText("2")
    qtbot.waitUntil(lambda: window.staff.rows.count() == 1, timeout=5000)
    window.staff.rows.setCurrentRow(0)
    target = window.staff.selected_id()
    assert target is not None
    assert rig.store.checkins[target].queue_number == 2
    window.staff.reprint_button.click()
    qtbot.waitUntil(lambda: len(rig.printer.printed) == 3, timeout=5000)
    assert ("Lan", "reprint", target, None, None) in rig.store.audit
    window.staff.rows.setCurrentRow(0)
    window.staff.cancel_button.click()  # a reason is required
    assert not rig.store.checkins[target].cancelled
    window.staff.cancel_reason.setText("Bệnh nhân về")
    window.staff.rows.setCurrentRow(0)
    window.staff.cancel_button.click()
    qtbot.waitUntil(lambda: rig.store.checkins[target].cancelled, timeout=5000)
    qtbot.waitUntil(lambda: "đã huỷ" in window.staff.rows.item(0).text(), timeout=5000)
    # the cancelled number is not reused
    window.logout()
    with qtbot.waitSignal(window.outcome_shown, timeout=5000):
        window.on_scan(bhyt_payload(persons[2]))
    assert window.accepted.number.text() == "3"


def test_staff_session_logs_out_after_inactivity(
    qtbot: QtBot, make_window: Make, clock: FakeClock
) -> None:
    window, _ = make_window()
    log_in(qtbot, window)
    clock.advance(seconds=119)
    window.tick()
    assert window.current is window.staff
    clock.advance(seconds=1)
    window.tick()
    assert window.stack.currentWidget() is window.welcome
    assert window.staff_auth.session is None


def test_admin_sync_with_progress_and_cancel(qtbot: QtBot, make_window: Make) -> None:
    admin = FakeAdmin(steps=4, step_s=0.05)
    window, _ = make_window(admin=admin)
    log_in(qtbot, window, "987654", code="102")
    assert window.staff.admin_button.isVisibleTo(window)
    window.staff.admin_button.click()
    assert window.current is window.admin_screen
    qtbot.waitUntil(lambda: "1.234" in window.admin_screen.cards.text(), timeout=5000)
    assert window.admin_screen.last_sync.text() == "Chưa đồng bộ lần nào"
    assert "Cảnh báo" in window.admin_screen.warning.text()
    assert "KIOSK-01" in window.admin_screen.facts[0].text()
    values: list[int] = []
    window.admin_screen.progress.valueChanged.connect(values.append)
    window.admin_screen.sync_button.click()
    assert window.admin_screen.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: window.admin_screen.result.text() == "synced 4 pages", timeout=5000)
    assert values[-1] == 4
    assert len(set(values)) >= 3  # the bar moved step by step
    assert window.admin_screen.sync_button.isEnabled()
    qtbot.waitUntil(lambda: "1.244" in window.admin_screen.cards.text(), timeout=5000)
    # a long sync can be cancelled
    admin.steps, admin.step_s = 100, 0.05
    window.admin_screen.sync_button.click()
    qtbot.waitUntil(lambda: window.admin_screen.progress.value() >= 2, timeout=5000)
    window.admin_screen.cancel_button.click()
    qtbot.waitUntil(lambda: admin.cancelled, timeout=5000)
    qtbot.waitUntil(lambda: "cancelled" in window.admin_screen.result.text(), timeout=5000)
    window.admin_screen.printer_button.click()
    qtbot.waitUntil(lambda: window.admin_screen.result.text() == "test page printed")


def test_plain_staff_cannot_open_admin(qtbot: QtBot, make_window: Make) -> None:
    window, _ = make_window()
    log_in(qtbot, window)
    window.open_admin()
    assert window.current is window.staff


def test_override_of_an_unknown_code_asks_for_name_and_birth_year(
    qtbot: QtBot, make_window: Make
) -> None:
    window, rig = make_window()
    log_in(qtbot, window)
    assert not window.staff.patient_name.isVisibleTo(window)
    for key in "7999999999":
        window.staff.keypad.press(key)
    window.staff.lookup_button.click()
    qtbot.waitUntil(window.staff.override_button.isEnabled, timeout=5000)
    assert window.staff.patient_name.isVisibleTo(window)
    window.staff.reason.setText("Thẻ giấy, chưa có trong dữ liệu")
    window.staff.override_button.click()
    assert window.staff.result.text() == "Vui lòng nhập họ tên người bệnh."
    window.staff.patient_name.setText("  Đỗ   Thị Ánh ")
    window.staff.patient_birth.setText("19x5")
    window.staff.override_button.click()
    assert window.staff.result.text() == "Năm sinh phải là 4 chữ số, ví dụ 1975."
    assert not rig.store.checkins
    window.staff.patient_birth.setText("1965")
    window.staff.override_button.click()
    _overridden(qtbot, rig, "Đỗ Thị Ánh", 1965, "Thẻ giấy, chưa có trong dữ liệu")


def _overridden(qtbot: QtBot, rig: Rig, name: str, year: int, reason: str) -> None:
    """The check-in staff made by override has come, with this name, birth year and reason."""
    qtbot.waitUntil(lambda: bool(rig.store.checkins), timeout=5000)
    checkin = next(iter(rig.store.checkins.values()))
    assert checkin.patient.name == name
    assert checkin.patient.birth is not None
    assert checkin.patient.birth.year == year
    assert checkin.override_reason == reason


def tap(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(8, widget.height() // 2))


def tap_keys(qtbot: QtBot, window: KioskWindow, keys: str) -> None:
    """Tap the on-screen keys (a space: the space key)."""
    for key in keys:
        tap(qtbot, window.staff.keypad.keys[SPACE if key == " " else key.upper()])


def test_keypad_alone_enters_a_vietnamese_name_by_telex_and_overrides(
    qtbot: QtBot, make_window: Make
) -> None:
    window, rig = make_window()
    log_in(qtbot, window)
    staff = window.staff
    tap_keys(qtbot, window, "CH 4")  # card numbers start with letters such as C; no spaces
    assert staff.code.text() == "CH4"
    tap(qtbot, staff.keypad.keys[CLEAR])
    assert staff.code.text() == ""
    tap_keys(qtbot, window, "7999999999")
    assert staff.code.text() == "7999999999"
    tap(qtbot, staff.lookup_button)
    qtbot.waitUntil(staff.override_button.isEnabled, timeout=5000)
    # tapped fields choose where the keypad types; letters for a name go through Telex
    tap(qtbot, staff.patient_birth)
    tap_keys(qtbot, window, "19A8x50")  # letters do not go into a year; four digits at most
    assert staff.patient_birth.text() == "1985"
    tap(qtbot, staff.patient_name)
    tap_keys(qtbot, window, "nguyeenx  vawn ddwcf")  # a second space is not typed
    assert staff.patient_name.text() == "Nguyễn Văn Đừc"
    tap(qtbot, staff.keypad.keys["⌫"])
    tap(qtbot, staff.keypad.keys["⌫"])
    tap_keys(qtbot, window, "uwcs")
    assert staff.patient_name.text() == "Nguyễn Văn Đức"
    assert staff.code.text() == "7999999999"  # the other fields kept their text
    tap(qtbot, staff.reason)
    tap_keys(qtbot, window, "ther giaays")  # the reason too, by Telex
    assert staff.reason.text() == "Thẻ giấy"
    tap(qtbot, staff.override_button)
    _overridden(qtbot, rig, "Nguyễn Văn Đức", 1985, "Thẻ giấy")
    qtbot.waitUntil(lambda: staff.rows.count() == 1, timeout=5000)
    assert staff.keypad.target is staff.code  # the identity fields are gone: back to the code


def test_the_admin_screen_says_when_a_four_digit_pin_is_still_in_use(
    qtbot: QtBot, make_window: Make, staff_directory: MemoryStaffDirectory
) -> None:
    staff_directory.add_staff(StaffAccount("Hoa", "admin", hash_pin("4321", n=2**10), code="103"))
    window, _ = make_window()
    log_in(qtbot, window, "4321", code="103")
    window.staff.admin_button.click()
    assert "4–5 chữ số" in window.admin_screen.pin_notice.text()
    window.logout()
    log_in(qtbot, window, "987654", code="102")
    window.staff.admin_button.click()
    assert window.admin_screen.pin_notice.text() == ""


def test_an_offline_number_is_shown_as_valid_and_marked_in_todays_list(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, rig = make_window()
    rig.store.series = "A"  # the store numbers as the kiosk's offline journal does
    with qtbot.waitSignal(window.outcome_shown, timeout=5000):
        window.on_scan(bhyt_payload(persons[0]))
    assert window.accepted.number.text() == "A-1"
    assert "hợp lệ" in window.accepted.heading.text()
    target = next(iter(rig.store.checkins))
    rig.store.checkins[target] = replace(rig.store.checkins[target], flag="duplicate")
    log_in(qtbot, window)
    qtbot.waitUntil(lambda: window.staff.rows.count() == 1, timeout=5000)
    row = window.staff.rows.item(0).text()
    assert "A-1" in row
    assert "số ngoại tuyến" in row
    assert "trùng thẻ" in row
