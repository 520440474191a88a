"""Every screen fits a 1920x1080 landscape and a 1080x1920 portrait kiosk screen exactly.

Each screen is filled as ``make screenshots`` fills it (the longest synthetic texts, both
languages) and checked by :func:`ui.layout_check.layout_problems`: the window keeps its size,
no widget leaves the window or its parent, and every label's and button's text fits its widget.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from kiosk.config import Config, load_config
from ui.layout_check import layout_problems
from ui.screenshots import LANGS, SIZES, build_window, scenes, show_scene

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def still_config(tmp_path: Path) -> Config:
    return load_config(
        ROOT / "config.toml",
        env={"KIOSK_KIOSK_DATA_DIR": str(tmp_path), "KIOSK_KIOSK_HIDE_CURSOR": "false"},
    )


@pytest.fixture
def still_window(qtbot: QtBot, still_config: Config) -> Iterator[Any]:
    window = build_window(still_config)
    qtbot.addWidget(window)
    yield window
    window.allow_close()
    window.shutdown()


@pytest.mark.parametrize(
    "orientations", [("landscape", "portrait"), ("portrait", "landscape")], ids="-then-".join
)
def test_every_screen_fits_exactly(
    orientations: tuple[str, str], still_window: Any, still_config: Config
) -> None:
    """Every screen in both orientations, each shown right after the screen was turned (the
    pages are still laid out the other way): a stale layout must not leave the window too big."""
    problems: list[str] = []
    for lang in LANGS:
        for name, scene in scenes(still_window, still_config):
            for orientation in orientations:
                size = SIZES[orientation]
                show_scene(still_window, size, lang, scene)
                assert still_window.current is not None
                problems += [
                    f"{name}/{orientation}/{lang}: {p}" for p in layout_problems(still_window, size)
                ]
    assert not problems, "\n".join(problems)


def test_the_checker_sees_a_cut_off_label_and_button(qtbot: QtBot, still_window: Any) -> None:
    """The check itself can fail: a long text squeezed into a small widget is reported."""
    show_scene(still_window, SIZES["landscape"], "en", lambda: None)
    assert layout_problems(still_window, SIZES["landscape"]) == []
    assert layout_problems(still_window, (1000, 1000))  # the wrong size is reported
    squeezed = QLabel("a sentence far too long for forty pixels", still_window.welcome)
    squeezed.setWordWrap(False)
    squeezed.setGeometry(10, 10, 40, 40)
    squeezed.show()
    button = QPushButton("another long text", still_window.welcome)
    button.setGeometry(100, 10, 50, 90)
    button.show()
    problems = layout_problems(still_window, SIZES["landscape"])
    assert any("QLabel" in p and "text needs" in p for p in problems)
    assert any("QPushButton" in p and "text needs" in p for p in problems)


def test_patient_buttons_are_big_and_the_number_is_huge(
    still_window: Any, still_config: Config
) -> None:
    """Patients' touch targets stay at least 80 px tall; the number's digits at least 180 px."""
    named = dict(scenes(still_window, still_config))
    for size in SIZES.values():
        for lang in LANGS:
            show_scene(still_window, size, lang, named["accepted"])
            assert still_window.accepted.number.fontMetrics().capHeight() >= 180
            assert still_window.accepted.done_button.height() >= 80
            show_scene(still_window, size, lang, named["confirm"])
            assert min(still_window.confirm.yes.height(), still_window.confirm.no.height()) >= 80
            show_scene(still_window, size, lang, named["choose-clinic"])
            assert min(b.height() for b in still_window.clinics.buttons.values()) >= 80
            assert still_window.lang_button.height() >= 64
