"""Spoken prompts: the recorded parts of each sentence, numbers in Vietnamese and English, the
joined WAV, and a voice that never fails a check-in."""

from __future__ import annotations

import io
import logging
import stat
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from kiosk.model import Clinic
from kiosk.voice import (
    NUMBER_WORDS,
    PHRASES,
    RATE,
    Prompt,
    PromptKind,
    PromptLibrary,
    Voice,
    accepted_prompt,
    clips,
    number_parts,
    to_wav,
)
from kiosk.voice_prompts import generate, scripts
from kiosk.voice_prompts import main as voice_prompts_main
from tests.fakes import FakeAudioOutput

ROOM_101 = Clinic(
    "NOI", "Khám Nội", "Internal medicine", "Phòng 101", "Tầng 1, khu A", "Ground floor, block A",
    room_en="Room 101",
)  # fmt: skip


def words(names: list[str], lang: str) -> str:
    table = {**PHRASES[lang], **NUMBER_WORDS[lang]}  # type: ignore[index]
    return " ".join(table[name.split("/", 1)[1]] for name in names)


@pytest.mark.parametrize(
    ("n", "vi", "en"),
    [
        (0, "không", "zero"),
        (1, "một", "one"),
        (10, "mười", "ten"),
        (15, "mười lăm", "fifteen"),
        (21, "hai mươi mốt", "twenty one"),
        (25, "hai mươi lăm", "twenty five"),
        (27, "hai mươi bảy", "twenty seven"),
        (100, "một trăm", "one hundred"),
        (101, "một trăm linh một", "one hundred and one"),
        (115, "một trăm mười lăm", "one hundred and fifteen"),
        (203, "hai trăm linh ba", "two hundred and three"),
        (1005, "một nghìn không trăm linh năm", "one thousand and five"),
    ],
)
def test_numbers_are_built_from_recorded_words(n: int, vi: str, en: str) -> None:
    assert words([f"vi/{p}" for p in number_parts(n, "vi")], "vi") == vi
    assert words([f"en/{p}" for p in number_parts(n, "en")], "en") == en


def test_the_accepted_sentence_names_number_room_and_floor() -> None:
    vi = accepted_prompt(27, ROOM_101, "vi")
    assert (vi.number, vi.room, vi.floor) == (27, 101, 1)
    assert words(clips(vi, "vi"), "vi") == (
        "Số hai mươi bảy mời Ông Bà đến phòng một trăm linh một tầng một "
        "Xin nhắc lại: Số hai mươi bảy Mời Ông Bà nhận phiếu ở khe bên dưới."
    )
    en = accepted_prompt(27, ROOM_101, "en")
    assert en.floor is None  # "Ground floor" has no number to say
    assert words(clips(en, "en"), "en") == (
        "Number twenty seven please go to room one hundred and one "
        "Once more: Number twenty seven Please take your slip from the slot below."
    )


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize(
    "kind",
    [PromptKind.WELCOME, PromptKind.HOLD_STILL, PromptKind.RECEPTION, PromptKind.PRINTER_FAILED],
)
def test_each_prompt_has_its_own_file_per_language(kind: PromptKind, lang: str) -> None:
    assert clips(Prompt(kind), lang) == [f"{lang}/{kind.value}"]  # type: ignore[arg-type]
    assert clips(Prompt(PromptKind.READ), lang) == ["tick"]  # type: ignore[arg-type]


def tone(path: Path, seconds: float, rate: int = RATE, channels: int = 1) -> None:
    t = np.arange(int(rate * seconds)) / rate
    samples = np.sin(2 * np.pi * 440 * t) * 0.5
    pcm = (np.repeat(samples[:, None], channels, axis=1) * 32767).astype("<i2")
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm.tobytes())


def frames(wav: bytes) -> tuple[int, int, int]:
    with wave.open(io.BytesIO(wav), "rb") as reader:
        return reader.getnframes(), reader.getframerate(), reader.getnchannels()


def test_parts_are_joined_into_one_wav_and_a_hospitals_own_format_is_converted(
    tmp_path: Path,
) -> None:
    tone(tmp_path / "vi" / "number.wav", 0.5)
    tone(tmp_path / "vi" / "n2.wav", 0.25, rate=44_100, channels=2)  # a hospital's recording
    tone(tmp_path / "vi" / "muoi.wav", 0.25)
    tone(tmp_path / "vi" / "n7.wav", 0.25)
    out = FakeAudioOutput()
    Voice(PromptLibrary(tmp_path), out).say(Prompt(PromptKind.ACCEPTED, number=27), "vi")
    assert len(out.played) == 1
    n, rate, channels = frames(out.played[0])
    assert (rate, channels) == (RATE, 1)
    gaps = 3 * PromptLibrary.GAP_S
    assert n / RATE == pytest.approx(0.5 + 0.25 * 3 + gaps, abs=0.01)


def test_a_missing_part_is_left_out_and_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    tone(tmp_path / "en" / "hold_still.wav", 0.3)
    out = FakeAudioOutput()
    voice = Voice(PromptLibrary(tmp_path), out)
    with caplog.at_level(logging.WARNING, logger="kiosk.voice"):
        for _ in range(3):
            voice.say(Prompt(PromptKind.WELCOME), "en")
    assert out.played == []
    assert len([r for r in caplog.records if "welcome" in r.getMessage()]) == 1
    voice.say(Prompt(PromptKind.HOLD_STILL), "en")
    assert len(out.played) == 1


class BrokenOutput:
    def play(self, wav: bytes) -> None:
        raise OSError("the sound card went away")

    def close(self) -> None: ...


def test_a_broken_loudspeaker_never_stops_a_check_in(tmp_path: Path) -> None:
    (tmp_path / "vi").mkdir()
    (tmp_path / "vi" / "reception.wav").write_bytes(to_wav(np.zeros(100, np.float32)))
    Voice(PromptLibrary(tmp_path), BrokenOutput()).say(Prompt(PromptKind.RECEPTION), "vi")
    (tmp_path / "vi" / "reception.wav").write_bytes(b"not a wav")
    Voice(PromptLibrary(tmp_path), FakeAudioOutput()).say(Prompt(PromptKind.RECEPTION), "vi")


def fake_espeak(tmp_path: Path) -> Path:
    """A stand-in for espeak-ng: writes a short tone to the -w path, notes the voice asked."""
    fake = tmp_path / "espeak-ng"
    fake.write_text(
        f"#!{sys.executable}\n"
        "import sys, wave\n"
        "path = sys.argv[sys.argv.index('-w') + 1]\n"
        "with wave.open(path, 'wb') as w:\n"
        "    w.setnchannels(1); w.setsampwidth(2); w.setframerate(22050)\n"
        "    w.writeframes(b'\\x10\\x00' * 2205)\n"
        "open(path + '.voice', 'w').write(sys.argv[sys.argv.index('-v') + 1])\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    return fake


def test_the_generator_writes_every_part_and_keeps_a_hospitals_recordings(
    tmp_path: Path,
) -> None:
    fake = fake_espeak(tmp_path)
    folder = tmp_path / "voice"
    own = folder / "vi" / "welcome.wav"
    tone(own, 1.0)  # the hospital's own recording
    before = own.read_bytes()
    written = generate(folder, espeak=str(fake))
    assert written == len(scripts())  # every part but the kept one, plus the tick
    assert own.read_bytes() == before
    assert (folder / "vi" / "n7.wav.voice").read_text() == "vi"
    assert (folder / "en" / "hundred.wav.voice").read_text().startswith("en")
    assert (folder / "tick.wav").exists()
    listing = (folder / "README.txt").read_text(encoding="utf-8")
    assert "vi/go_to_room.wav\tmời Ông Bà đến phòng" in listing
    library = PromptLibrary(folder)
    for lang in ("vi", "en"):
        for kind in PromptKind:
            prompt = Prompt(kind, number=27, room=101, floor=1)
            assert library.compose(clips(prompt, lang)) is not None


def test_without_ffmpeg_the_prompts_are_written_as_they_are_and_it_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = fake_espeak(tmp_path)
    tools = {"espeak-ng": str(fake)}  # no ffmpeg on this machine
    monkeypatch.setattr("kiosk.voice_prompts.shutil.which", tools.get)
    folder = tmp_path / "voice"
    assert voice_prompts_main([str(folder)]) == 0
    said = capsys.readouterr().out
    assert "ffmpeg is not installed" in said
    assert "without loudness normalisation" in said
    assert "not normalised" in said
    assert all((folder / f"{name}.wav").exists() for name in scripts())
