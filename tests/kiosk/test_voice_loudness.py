"""The spoken prompts' parts are equally loud: each part, and the parts of one joined sentence,
within 1 dB of each other.

The prompts are made as ``make voice`` makes them (espeak-ng, normalised with ffmpeg's EBU R128
meter); each part is then measured here by an independent meter: ITU-R BS.1770-4 written with
numpy (K-weighting, 400 ms blocks overlapping by 75 %, the absolute gate at -70 LUFS and the
relative gate 10 LU below), on the part as the kiosk plays it (silent ends trimmed) and repeated
to 3 s when shorter (a lone word is shorter than one block).
"""

from __future__ import annotations

import io
import math
import shutil
import subprocess
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kiosk.model import Gender
from kiosk.outcome import Lang
from kiosk.voice import (
    RATE,
    Prompt,
    PromptKind,
    PromptLibrary,
    accepted_prompt,
    clips,
    read_wav,
    to_wav,
    trim_silence,
)
from kiosk.voice_prompts import TARGET_LUFS, generate, main, scripts
from tests.conftest import made_once
from tests.kiosk.test_voice import ROOM_101

SPREAD_DB = 1.0

needs_tools = pytest.mark.skipif(
    shutil.which("espeak-ng") is None or shutil.which("ffmpeg") is None,
    reason="espeak-ng and ffmpeg make the prompts (Makefile SYSTEM_PACKAGES)",
)


def _biquad_response(b: tuple[float, float, float], a: tuple[float, float, float], n: int) -> Any:
    z = np.exp(-1j * np.pi * np.arange(n // 2 + 1) / (n // 2))  # z^-1 on the rfft's bins
    return (b[0] + b[1] * z + b[2] * z * z) / (a[0] + a[1] * z + a[2] * z * z)


def k_weighted(samples: np.ndarray, rate: int) -> np.ndarray:
    """The signal through BS.1770's K-weighting (the head's high shelf, then the RLB high
    pass), the two biquads' coefficients derived for ``rate`` as pyloudnorm does, applied in
    the frequency domain (padded: both filters' impulse responses die out within 0.5 s)."""
    shelf_gain, shelf_q, shelf_fc = 4.0, 1 / math.sqrt(2), 1500.0
    a_ = 10 ** (shelf_gain / 40)
    w0 = 2 * math.pi * shelf_fc / rate
    alpha = math.sin(w0) / (2 * shelf_q)
    cos = math.cos(w0)
    shelf = (
        (
            a_ * ((a_ + 1) + (a_ - 1) * cos + 2 * math.sqrt(a_) * alpha),
            -2 * a_ * ((a_ - 1) + (a_ + 1) * cos),
            a_ * ((a_ + 1) + (a_ - 1) * cos - 2 * math.sqrt(a_) * alpha),
        ),
        (
            (a_ + 1) - (a_ - 1) * cos + 2 * math.sqrt(a_) * alpha,
            2 * ((a_ - 1) - (a_ + 1) * cos),
            (a_ + 1) - (a_ - 1) * cos - 2 * math.sqrt(a_) * alpha,
        ),
    )
    w0 = 2 * math.pi * 38.0 / rate
    alpha = math.sin(w0) / (2 * 0.5)
    cos = math.cos(w0)
    high_pass = ((1 + cos) / 2, -(1 + cos), (1 + cos) / 2), (1 + alpha, -2 * cos, 1 - alpha)
    n = 1 << math.ceil(math.log2(samples.size + rate // 2))
    spectrum = np.fft.rfft(samples.astype(np.float64), n)
    for b, a in (shelf, high_pass):
        spectrum *= _biquad_response(b, a, n)
    return np.fft.irfft(spectrum, n)[: samples.size]


def integrated_lufs(samples: np.ndarray, rate: int = RATE) -> float:
    """BS.1770-4 integrated loudness of a mono signal (LUFS)."""
    weighted = k_weighted(samples, rate)
    block, step = int(0.4 * rate), int(0.1 * rate)
    starts = range(0, weighted.size - block + 1, step)
    power = np.array([np.mean(weighted[s : s + block] ** 2) for s in starts])
    loudness = -0.691 + 10 * np.log10(np.maximum(power, 1e-20))
    kept = power[loudness > -70]
    relative = -0.691 + 10 * np.log10(np.mean(kept)) - 10
    kept = power[(loudness > -70) & (loudness > relative)]
    return float(-0.691 + 10 * np.log10(np.mean(kept)))


def part_lufs(samples: np.ndarray) -> float:
    """A part's loudness as the kiosk plays it: trimmed, repeated to 3 s when shorter."""
    part = trim_silence(samples)
    return integrated_lufs(np.tile(part, max(1, math.ceil(3 * RATE / part.size))))


def tone(seconds: float, level: float, hz: float = 1000.0) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    return (np.sin(2 * np.pi * hz * t) * level).astype(np.float32)


def test_the_meter_reads_a_1_khz_sine_as_the_standard_says() -> None:
    """BS.1770: a 0 dBFS 1 kHz sine in one channel reads -3.01 LUFS; 10 dB down, -13.01; the
    meter is what the spread test trusts, so it is checked against the standard first."""
    assert integrated_lufs(tone(5, 1.0)) == pytest.approx(-3.01, abs=0.1)
    assert integrated_lufs(tone(5, 10 ** (-10 / 20))) == pytest.approx(-13.01, abs=0.1)
    # the K-weighting lifts high frequencies (the shelf) and cuts the lowest (the high pass)
    assert integrated_lufs(tone(5, 1.0, 8000)) > -3.01 + 3
    assert integrated_lufs(tone(5, 1.0, 25)) < -3.01 - 3
    # a quiet stretch is gated out: half a tone, half near-silence, reads as the tone
    quiet = np.concatenate([tone(3, 0.5), tone(3, 0.0001)])
    assert integrated_lufs(quiet) == pytest.approx(integrated_lufs(tone(3, 0.5)), abs=0.5)


def _write_prompts(folder: Path) -> None:
    written = generate(folder, espeak=str(shutil.which("espeak-ng")), ffmpeg=shutil.which("ffmpeg"))
    assert written == len(scripts()) + 1  # every part and the tick


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return made_once(tmp_path_factory, "voice", _write_prompts)


@pytest.mark.slow
@needs_tools
def test_every_part_is_within_1_db_of_every_other(made: Path) -> None:
    measured = {name: part_lufs(read_wav(made / f"{name}.wav")) for name in scripts()}
    loudest, softest = (
        max(measured, key=measured.__getitem__),
        min(measured, key=measured.__getitem__),
    )
    spread = measured[loudest] - measured[softest]
    assert spread <= SPREAD_DB, (
        f"{loudest} {measured[loudest]:.2f}, {softest} {measured[softest]:.2f}"
    )
    # and where they were aimed: the meters agree within a fraction of a dB
    assert np.mean(list(measured.values())) == pytest.approx(TARGET_LUFS, abs=1.0)


def _joined_parts(library: PromptLibrary, names: list[str], wav: bytes) -> list[np.ndarray]:
    """The joined WAV cut back into its parts, at the lengths and gaps the library joins."""
    with wave.open(io.BytesIO(wav), "rb") as reader:
        pcm = reader.readframes(reader.getnframes())
    joined = np.frombuffer(pcm, "<i2").astype(np.float32) / 32768
    gap = int(RATE * library.GAP_S)
    parts, at = [], 0
    for name in names:
        length = library._part(name).size  # type: ignore[union-attr]
        parts.append(joined[at : at + length])
        at += length + gap
    assert at - gap == joined.size  # the cut lines up with the whole
    return parts


@pytest.mark.slow
@needs_tools
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_number_sentence_parts_are_within_1_db(made: Path, lang: Lang) -> None:
    """ "Số 127, mời Ông đến phòng 101, tầng 1. Xin nhắc lại: số 127. Mời Ông nhận phiếu…":
    about twenty parts joined; each as heard in the joined WAV."""
    library = PromptLibrary(made)
    prompt = accepted_prompt(127, ROOM_101, lang, gender=Gender.MALE)
    names = clips(prompt, lang)
    assert len(names) >= 15
    wav = library.compose(names)
    assert wav is not None
    levels = [part_lufs(part) for part in _joined_parts(library, names, wav)]
    assert max(levels) - min(levels) <= SPREAD_DB, dict(zip(names, levels, strict=True))


@needs_tools
def test_without_normalising_the_parts_are_far_apart(tmp_path: Path) -> None:
    """The guard's reason, measured: espeak-ng's own words and phrases differ by several dB."""
    levels = []
    for words in ("một", "Xin chào. Mời Ông Bà đưa mã QR vào khung hình."):
        path = tmp_path / "part.wav"
        subprocess.run(["espeak-ng", "-v", "vi", "-s", "130", "-w", str(path), words], check=True)
        levels.append(part_lufs(read_wav(path)))
    assert abs(levels[0] - levels[1]) > 3 * SPREAD_DB


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg levels the parts")
def test_a_hospitals_own_recordings_are_levelled_with_the_rest(tmp_path: Path) -> None:
    """``--level``: recordings made at different levels (here a loud long tone and a soft
    short one) come out within 1 dB, at the target."""
    loud, soft = tmp_path / "vi" / "welcome.wav", tmp_path / "vi" / "n1.wav"
    soft.parent.mkdir(parents=True)
    loud.write_bytes(to_wav(tone(1.5, 0.9, 440)))
    soft.write_bytes(to_wav(tone(0.4, 0.05, 700)))
    before = [part_lufs(read_wav(p)) for p in (loud, soft)]
    assert abs(before[0] - before[1]) > 10
    assert main([str(tmp_path), "--level"]) == 0
    after = [part_lufs(read_wav(p)) for p in (loud, soft)]
    assert abs(after[0] - after[1]) <= SPREAD_DB
    assert after[0] == pytest.approx(TARGET_LUFS, abs=1.0)


def test_every_prompt_kind_is_said_in_both_languages() -> None:
    """Each kind of prompt has its recorded parts in both languages' scripts."""
    known = set(scripts())
    langs: tuple[Lang, ...] = ("vi", "en")
    for lang in langs:
        for kind in PromptKind:
            prompt = Prompt(kind, number=8, room=101, floor=1, slip=True)
            names = clips(prompt, lang)
            assert names, (kind, lang)
            assert all(n in known or n == "tick" for n in names), (kind, lang)
