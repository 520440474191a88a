"""A kiosk whose database is unreachable at start shows "out of service" and starts by itself."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from kiosk.config import load_config
from ui.app import wait_for_database

ROOT = Path(__file__).resolve().parents[2]


def test_out_of_service_until_the_database_can_be_opened(qtbot: QtBot, tmp_path: Path) -> None:
    blocker = tmp_path / "db"
    blocker.write_text("a file where the database folder should be", encoding="utf-8")
    config = load_config(ROOT / "config.toml", env={})
    config = replace(
        config,
        database=replace(config.database, url=f"sqlite:///{blocker / 'kiosk.db'}"),
        camera=replace(config.camera, device=str(tmp_path / "no-camera")),
    )
    seen: list[str] = []

    def look_then_repair() -> None:
        seen.extend(
            w.text()
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QLabel) and w.isVisible()
        )
        blocker.unlink()  # the database server is back

    QTimer.singleShot(300, look_then_repair)
    parts = wait_for_database(config, retry_s=0.1)
    assert parts is not None
    try:
        assert any("tạm ngưng phục vụ" in text and "out of service" in text for text in seen)
        assert parts.store.count_cards() == 0
    finally:
        parts.camera.close()
        parts.store.dispose()
