"""The admin screen at a glance: coloured tiles for the camera, the printer, the database
(online, offline, held), the outbox, the cache's age and the last check-in, from the health
report status.json holds; and "Dừng đồng bộ" enabled for as long as a sync runs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from kiosk.health import HealthReport
from tests.fakes import FakeAdmin, FakeClock
from tests.ui.test_staff_mode import log_in
from tests.ui.ui_rig import Make
from ui.screens.admin import TILE_COLOURS
from ui.tiles import Level, health_tiles
from ui.window import KioskWindow

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def _report(now: datetime, **changes: object) -> HealthReport:
    values: dict[str, object] = {
        "kiosk_id": "KIOSK-01",
        "at": now.isoformat(),
        "camera": "ok",
        "printer": "printed",
        "database": "central",
        "outbox_pending": 0,
        "outbox_failed": 0,
        "cache_age_h": 2.0,
        "last_checkin": (now - timedelta(minutes=7)).isoformat(),
    }
    return HealthReport(**{**values, **changes})  # type: ignore[arg-type]


def _open_admin(qtbot: QtBot, window: KioskWindow) -> None:
    log_in(qtbot, window, "987654", code="102")
    window.staff.admin_button.click()
    assert window.current is window.admin_screen


def test_the_tiles_colour_each_part(qtbot: QtBot, make_window: Make, clock: FakeClock) -> None:
    admin = FakeAdmin()
    window, _ = make_window(admin=admin)
    now = clock.now()
    admin.health = _report(
        now,
        camera="lost",
        printer="failed",
        database="offline",
        state="offline",
        outbox_pending=4,
        outbox_failed=0,
        cache_age_h=30.5,
    )
    _open_admin(qtbot, window)
    screen = window.admin_screen
    qtbot.waitUntil(lambda: "Mất kết nối" in screen.tiles["camera"].text(), timeout=5000)
    assert screen.tile_levels == {
        "camera": Level.BAD,
        "printer": Level.BAD,
        "database": Level.WARN,
        "outbox": Level.WARN,
        "cache": Level.BAD,  # older than insurance.max_cache_age_h (26)
        "last_checkin": Level.OK,
    }
    assert "Ngoại tuyến" in screen.tiles["database"].text()
    assert "4 chờ gửi" in screen.tiles["outbox"].text()
    assert "30.5 giờ trước" in screen.tiles["cache"].text()
    local = (now - timedelta(minutes=7)).astimezone(ZONE)
    assert f"{local:%H:%M} (7 phút trước)" in screen.tiles["last_checkin"].text()
    # the colour is the level's: red for the camera, amber for the database
    assert TILE_COLOURS[Level.BAD][0] in screen.tiles["camera"].styleSheet()
    assert TILE_COLOURS[Level.WARN][0] in screen.tiles["database"].styleSheet()
    window.toggle_language()
    assert "Lost" in screen.tiles["camera"].text()
    assert "Offline" in screen.tiles["database"].text()
    # all well: every tile green; the next look at the admin screen shows it
    admin.health = _report(now)
    window.desk.refresh_cache()
    qtbot.waitUntil(lambda: "Working" in screen.tiles["camera"].text(), timeout=5000)
    assert set(screen.tile_levels.values()) == {Level.OK}
    assert TILE_COLOURS[Level.OK][0] in screen.tiles["printer"].styleSheet()


@pytest.mark.parametrize(
    ("state", "level", "word"),
    [
        ("online", Level.OK, "Trực tuyến"),
        ("offline", Level.WARN, "Ngoại tuyến"),
        ("held", Level.BAD, "Có lượt bị giữ lại"),
        ("down", Level.BAD, "Ngừng cấp số"),
        ("something new", Level.BAD, "Ngừng cấp số"),
    ],
)
def test_the_database_tile_shows_the_kiosks_state(state: str, level: Level, word: str) -> None:
    now = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    tiles = health_tiles(
        _report(now, state=state), max_cache_age_h=26, now=now, zone=ZONE, lang="vi"
    )
    database = next(t for t in tiles if t.key == "database")
    assert (database.level, database.value) == (level, word)


def test_held_reads_in_english_and_missing_parts_are_grey() -> None:
    now = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    base = _report(now)
    tiles = health_tiles(
        replace(base, state="held"), max_cache_age_h=26, now=now, zone=ZONE, lang="en"
    )
    database = next(t for t in tiles if t.key == "database")
    assert (database.level, database.value) == (Level.BAD, "Rows held")
    nothing = health_tiles(None, max_cache_age_h=26, now=now, zone=ZONE, lang="vi")
    assert {t.level for t in nothing} == {Level.OFF}
    no_his = health_tiles(
        replace(base, outbox_pending=None, outbox_failed=None, last_checkin=None),
        max_cache_age_h=26,
        now=now,
        zone=ZONE,
        lang="vi",
    )
    levels = {t.key: t.level for t in no_his}
    assert (levels["outbox"], levels["last_checkin"]) == (Level.OFF, Level.OFF)


def test_stop_sync_is_enabled_for_as_long_as_the_bar_moves(qtbot: QtBot, make_window: Make) -> None:
    admin = FakeAdmin(steps=6, step_s=0.05)
    window, _ = make_window(admin=admin)
    _open_admin(qtbot, window)
    screen = window.admin_screen
    assert not screen.cancel_button.isEnabled()  # nothing to stop
    seen: list[tuple[int, bool]] = []
    screen.progress.valueChanged.connect(
        lambda value: seen.append((value, screen.cancel_button.isEnabled()))
    )
    screen.sync_button.click()
    assert screen.cancel_button.isEnabled()
    assert not screen.sync_button.isEnabled()
    qtbot.waitUntil(lambda: screen.result.text() == "synced 6 pages", timeout=5000)
    moved = [enabled for value, enabled in seen if value > 0]
    assert moved, "the bar never moved"
    assert all(moved)  # at every step of the bar, "Dừng đồng bộ" could stop it
    assert not screen.cancel_button.isEnabled()  # done: nothing left to stop
    # away and back mid-sync: still stoppable
    admin.steps = 200
    screen.sync_button.click()
    qtbot.waitUntil(lambda: screen.progress.value() >= 2, timeout=5000)
    screen.back_button.click()
    window.staff.admin_button.click()
    assert screen.cancel_button.isEnabled()
    screen.cancel_button.click()
    qtbot.waitUntil(lambda: admin.cancelled, timeout=5000)
    qtbot.waitUntil(lambda: not screen.cancel_button.isEnabled(), timeout=5000)


def test_a_long_log_path_is_cut_in_the_middle_and_kept_whole_in_its_tooltip(
    qtbot: QtBot,
) -> None:
    """A path has no spaces to wrap at: a long one would push the screen past 1080 px."""
    from ui.screens.admin import LONGEST_PATH, AdminScreen

    screen = AdminScreen()
    qtbot.addWidget(screen)
    path = "/var/lib/kiosk/" + "a-very-deep-folder/" * 8 + "kiosk.log"
    screen.set_facts("KIOSK-01", "9.9", path)
    screen.retranslate("vi")
    shown = screen.facts[2].text()
    assert shown.startswith("Nhật ký: /var/lib/kiosk/")
    assert shown.endswith("a-very-deep-folder/kiosk.log")
    assert len(shown) == len("Nhật ký: ") + LONGEST_PATH
    assert screen.facts[2].toolTip() == path
    screen.set_facts("KIOSK-01", "9.9", "/var/log/kiosk/kiosk.log")
    screen.retranslate("vi")
    assert screen.facts[2].text() == "Nhật ký: /var/log/kiosk/kiosk.log"
