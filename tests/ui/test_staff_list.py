"""Today's list on the staff screen stays short on a busy day: the newest rows, then a hint."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from kiosk.model import CheckIn
from tests import builders
from ui.screens.staff import StaffScreen
from ui.staff_desk import STAFF_LIST_ROWS


def _day(count: int) -> list[CheckIn]:
    return [builders.checkin(id=f"ci-{n:04d}", queue_number=n) for n in range(count, 0, -1)]


def test_a_busy_day_shows_the_newest_rows_and_says_a_search_finds_the_rest(
    qtbot: QtBot,
) -> None:
    screen = StaffScreen()
    qtbot.addWidget(screen)
    screen.set_checkins(_day(STAFF_LIST_ROWS + 1), "vi")
    assert screen.rows.count() == STAFF_LIST_ROWS + 1
    hint = screen.rows.item(STAFF_LIST_ROWS)
    assert (
        hint.text()
        == f"… chỉ hiện {STAFF_LIST_ROWS} lượt mới nhất: tìm theo số hoặc tên để xem thêm"
    )
    assert not hint.flags()  # not a check-in: nothing to select
    screen.rows.setCurrentRow(STAFF_LIST_ROWS)
    assert screen.selected_id() is None
    screen.rows.setCurrentRow(0)
    assert screen.selected_id() == f"ci-{STAFF_LIST_ROWS + 1:04d}"
    screen.set_checkins(_day(STAFF_LIST_ROWS + 1), "en")
    assert screen.rows.item(STAFF_LIST_ROWS).text() == (
        f"… the newest {STAFF_LIST_ROWS} only: search by number or name for more"
    )


def test_a_quiet_day_shows_every_row_and_no_hint(qtbot: QtBot) -> None:
    screen = StaffScreen()
    qtbot.addWidget(screen)
    screen.set_checkins(_day(STAFF_LIST_ROWS), "vi")
    assert screen.rows.count() == STAFF_LIST_ROWS
    assert all(screen.rows.item(i).flags() for i in range(STAFF_LIST_ROWS))
