"""Room first: every clinic of the shipped config.toml and of the built-in default has a room
and a floor, and the accepted screen shows "Phòng 101 – Tầng 1, khu A" on its own line, the
second-biggest text after the number, above the clinic's name."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.config import Config, parse_config
from kiosk.synthetic import SyntheticPerson
from tests.ui.ui_rig import Make, checked_in


def test_every_clinic_of_the_shipped_and_default_config_has_a_room_and_floor(
    config: Config, tmp_path: Path
) -> None:
    built_in = parse_config({}, {}, tmp_path)
    for clinic in (*config.clinics, *built_in.clinics):
        assert clinic.room.strip(), clinic.code
        assert clinic.location_vi.strip(), clinic.code
        assert clinic.location_en.strip(), clinic.code


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_the_room_has_its_own_line_at_the_second_size(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson], size: tuple[int, int]
) -> None:
    window, _ = checked_in(qtbot, make_window, persons[0], clinics=1, size=size)
    screen = window.accepted
    assert screen.room.text() == "Phòng 101 – Tầng 1, khu A"
    assert screen.clinic.text() == "Khám Nội tổng quát"  # its own line, not the room's
    sizes = {
        w.text(): w.font().pixelSize()
        for w in (screen.room, screen.clinic, screen.benefit, screen.slip, screen.caption)
        if w.text()
    }
    assert screen.number.font().pixelSize() > sizes[screen.room.text()]
    assert sizes[screen.room.text()] == max(sizes.values())  # second only to the number
    # read in order: the number, the room, then the clinic
    room_at = screen.room.mapTo(window, screen.room.rect().topLeft())
    clinic_at = screen.clinic.mapTo(window, screen.clinic.rect().topLeft())
    assert room_at.y() < clinic_at.y()
    window.toggle_language()
    assert screen.room.text() == "Room 101 – Ground floor, block A"
