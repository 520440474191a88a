"""The admin screen shows the HIS outbox, today's chart, and a prefix another kiosk owns."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from pytestqt.qtbot import QtBot

from tests.fakes import FakeAdmin
from tests.ui.test_staff_mode import log_in
from tests.ui.ui_rig import Make


def test_admin_screen_shows_outbox_counts_error_and_chart(
    qtbot: QtBot, make_window: Make, tmp_path: Path
) -> None:
    chart = tmp_path / "today.png"
    Image.new("RGB", (1000, 650), "white").save(chart)
    admin = FakeAdmin(outbox=(3, 120, 1), outbox_error="HTTP 503: busy", chart=str(chart))
    window, _ = make_window(admin=admin)
    log_in(qtbot, window, "987654", code="102")
    window.staff.admin_button.click()
    screen = window.admin_screen
    qtbot.waitUntil(lambda: "3 chờ gửi" in screen.his.text(), timeout=5000)
    assert screen.his.text() == "Gửi HIS: 3 chờ gửi, 120 đã gửi, 1 lỗi"
    assert "HTTP 503: busy" in screen.his_error.text()
    shown = screen.chart.pixmap()
    assert not shown.isNull()
    assert shown.height() <= max(240, screen.height() // 3)  # the buttons stay on screen
    window.toggle_language()
    assert screen.his.text() == "HIS delivery: 3 pending, 120 delivered, 1 failed"


def test_admin_screen_without_a_his(qtbot: QtBot, make_window: Make) -> None:
    window, _ = make_window(admin=FakeAdmin())
    log_in(qtbot, window, "987654", code="102")
    window.staff.admin_button.click()
    qtbot.waitUntil(lambda: window.admin_screen.his.text() == "Gửi HIS: tắt", timeout=5000)
    assert window.admin_screen.chart.pixmap().isNull()


def test_admin_screen_says_when_another_kiosk_owns_the_prefix(
    qtbot: QtBot, make_window: Make
) -> None:
    window, _ = make_window(admin=FakeAdmin(prefix_taken=("A", "KIOSK-07")))
    log_in(qtbot, window, "987654", code="102")
    window.staff.admin_button.click()
    notice = window.admin_screen.prefix_notice
    qtbot.waitUntil(lambda: "KIOSK-07" in notice.text(), timeout=5000)
    assert notice.isVisible()
    assert notice.text() == "Không lấy số ngoại tuyến: tiền tố A là của KIOSK-07"
    window.toggle_language()
    assert notice.text() == "No offline numbers: prefix A is KIOSK-07's"


def test_admin_screen_hides_the_notice_when_the_prefix_is_this_kiosks(
    qtbot: QtBot, make_window: Make
) -> None:
    window, _ = make_window(admin=FakeAdmin())
    log_in(qtbot, window, "987654", code="102")
    window.staff.admin_button.click()
    qtbot.waitUntil(lambda: "1.234" in window.admin_screen.cards.text(), timeout=5000)
    assert not window.admin_screen.prefix_notice.isVisible()
