"""The loudspeaker adapter: a kiosk without a voice folder, Qt Multimedia or a sound device
starts silent, with one line in the log saying why."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.config import AudioSettings
from kiosk.voice import Prompt, PromptKind, SilentSpeaker, Voice
from ui.audio import build_speaker


def test_switched_off_is_silent(qtbot: QtBot, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="ui.audio"):
        speaker = build_speaker(AudioSettings(enabled=False))
    assert isinstance(speaker, SilentSpeaker)
    assert [r.getMessage() for r in caplog.records] == ["voice: off (audio.enabled = false)"]


def test_no_prompt_folder_is_silent_and_says_so_once(
    qtbot: QtBot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="ui.audio"):
        speaker = build_speaker(AudioSettings(prompts_dir=tmp_path / "nowhere"))
    assert isinstance(speaker, SilentSpeaker)
    assert len(caplog.records) == 1
    assert "no prompt folder" in caplog.records[0].getMessage()
    speaker.say(Prompt(PromptKind.WELCOME), "vi")


def test_with_or_without_a_sound_device_the_speaker_never_fails(
    qtbot: QtBot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "vi").mkdir()
    with caplog.at_level(logging.INFO, logger="ui.audio"):
        speaker = build_speaker(AudioSettings(prompts_dir=tmp_path))
    assert len(caplog.records) == 1  # "prompts from …" or "off, no sound output device"
    assert isinstance(speaker, SilentSpeaker | Voice)
    for kind in PromptKind:
        speaker.say(Prompt(kind, number=3, room=101, floor=1), "vi")
