"""The kiosk's loudspeaker: spoken prompts played through Qt Multimedia.

:func:`build_speaker` is what the composition root calls: the configured prompt folder and
the default sound device, or — voice switched off, no prompt folder, no Qt Multimedia, no sound
device — a silent speaker and one line in the log. A kiosk never fails for want of a voice.
"""

from __future__ import annotations

import io
import logging
import wave
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QLoggingCategory, QObject

from kiosk.settings import AudioSettings
from kiosk.voice import RATE, PromptLibrary, SilentSpeaker, Speaker, Voice

log = logging.getLogger(__name__)


class NoAudioDeviceError(Exception):
    """Qt Multimedia found no sound output on this machine."""


class QtAudioOutput(QObject):
    """Plays 16-bit mono WAVs at the prompts' rate on the default output (one QAudioSink,
    reused: a new prompt stops the one playing)."""

    def __init__(self, volume: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Qt Multimedia lists every optional codec library it did not find: noise on a kiosk
        QLoggingCategory.setFilterRules("qt.multimedia.symbolsresolver=false")
        from PySide6.QtMultimedia import QAudioFormat, QAudioSink, QMediaDevices

        device = QMediaDevices.defaultAudioOutput()
        if device.isNull():
            raise NoAudioDeviceError("no sound output device")
        fmt = QAudioFormat()
        fmt.setSampleRate(RATE)
        fmt.setChannelCount(1)
        fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
        if not device.isFormatSupported(fmt):
            raise NoAudioDeviceError(f"{device.description()} cannot play {RATE} Hz mono")
        self._sink: Any = QAudioSink(device, fmt, self)
        self._sink.setVolume(volume)
        self._buffer = QBuffer(self)

    def play(self, wav: bytes) -> None:
        with wave.open(io.BytesIO(wav), "rb") as reader:
            pcm = reader.readframes(reader.getnframes())
        self._sink.stop()
        self._buffer.close()
        self._buffer.setData(QByteArray(pcm))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self._sink.start(self._buffer)

    def close(self) -> None:
        self._sink.stop()
        self._buffer.close()


def build_speaker(settings: AudioSettings, parent: QObject | None = None) -> Speaker:
    """The configured voice, or silence with one log line saying why."""
    if not settings.enabled:
        log.info("voice: off (audio.enabled = false)")
        return SilentSpeaker()
    if not settings.prompts_dir.is_dir():
        log.warning("voice: off, no prompt folder %s (make writes one)", settings.prompts_dir)
        return SilentSpeaker()
    try:
        output = QtAudioOutput(settings.volume, parent)
    except ImportError as error:
        log.warning("voice: off, Qt Multimedia is not installed (%s)", error)
        return SilentSpeaker()
    except NoAudioDeviceError as error:
        log.warning("voice: off, %s", error)
        return SilentSpeaker()
    log.info("voice: prompts from %s", settings.prompts_dir)
    return Voice(PromptLibrary(settings.prompts_dir), output)
