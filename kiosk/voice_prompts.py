"""Write the default spoken prompts with espeak-ng: ``python -m kiosk.voice_prompts DIR``.

``make`` runs it into ``data/voice`` (the ``[audio] prompts_dir`` of ``config.toml``). It
writes one WAV per phrase and per number word (:data:`kiosk.voice.PHRASES`,
:data:`kiosk.voice.NUMBER_WORDS`) in ``vi/`` and ``en/``, the tick of a code read, and a
``README.txt`` that lists every file and the words it must say, so a hospital can replace any
of them with its own recording. Files already there are kept (a hospital's recordings survive
``make``) unless ``--force`` is given; ``--level`` brings the parts already there (a
hospital's own recordings) to the same loudness as the rest.

Each part is loudness-normalised as it is written: its silent ends trimmed, its integrated
loudness measured with ffmpeg's EBU R128 meter (``ebur128``, ITU-R BS.1770: K-weighted and
gated), and a gain applied to bring it to :data:`TARGET_LUFS`. A sentence is joined from many
parts (a number alone is several words), and espeak-ng says a lone word about 7 dB softer
than a phrase: unnormalised, the loudness jumped 9 dB within one sentence. A part shorter than
the meter's 3 s window is measured repeated to 3 s (its loudness as if said on and on).

Without espeak-ng it says so and exits 0: the kiosk then simply has no voice. Without ffmpeg
it says so and writes the prompts as espeak-ng says them (not normalised).
"""

from __future__ import annotations

import argparse
import logging
import math
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from kiosk.outcome import Lang
from kiosk.voice import NUMBER_WORDS, PHRASES, RATE, TICK, read_wav, to_wav, trim_silence

log = logging.getLogger(__name__)

#: every part's integrated loudness: EBU R128's programme level, which leaves espeak-ng's
#: lone words (the softest parts, about -26 LUFS) room to be lifted without clipping
TARGET_LUFS = -23.0
#: no sample above -1 dBFS after the gain (a part that would be is lifted less, and logged)
PEAK_CEILING = 10 ** (-1 / 20)
METER_WINDOW_S = 3.0  # the meter's integration needs whole 3 s windows to be steady

#: espeak-ng's voices, a little slower than its default for elderly listeners
VOICES: dict[Lang, tuple[str, str]] = {"vi": ("vi", "130"), "en": ("en-gb", "140")}


def tick_wav() -> bytes:
    """A short two-tone chime (the code was read)."""
    t = np.arange(int(RATE * 0.09)) / RATE
    fade = np.minimum(1, np.linspace(8, 0, t.size))
    first = np.sin(2 * np.pi * 1046.5 * t) * fade
    second = np.sin(2 * np.pi * 1568.0 * t) * fade
    return to_wav(np.concatenate([first, np.zeros(int(RATE * 0.02)), second]) * 0.5)


def scripts() -> dict[str, str]:
    """File name (under the folder, without .wav) → the words it says."""
    out: dict[str, str] = {}
    for lang in ("vi", "en"):
        for table in (PHRASES[lang], NUMBER_WORDS[lang]):
            out.update({f"{lang}/{name}": words for name, words in table.items()})
    return out


class LoudnessError(Exception):
    """ffmpeg could not measure a part (the part is then kept as it is)."""


def measure_lufs(samples: np.ndarray, ffmpeg: str) -> float:
    """The integrated loudness of mono samples at :data:`RATE`, in LUFS, by ffmpeg's EBU R128
    meter; a part shorter than the meter's window is measured repeated to fill it."""
    if not samples.size:
        raise LoudnessError("no sound")
    repeats = max(1, math.ceil(METER_WINDOW_S * RATE / samples.size))
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "part.wav"
        source.write_bytes(to_wav(np.tile(samples, repeats)))
        try:
            done = subprocess.run(
                [ffmpeg, "-hide_banner", "-nostats", "-i", str(source), "-af", "ebur128",
                 "-f", "null", "-"],
                capture_output=True, text=True, timeout=60, check=True,
            )  # fmt: skip
        except (OSError, subprocess.SubprocessError) as error:
            raise LoudnessError(f"ffmpeg failed: {error}") from error
    found = re.findall(r"I:\s+(-?[\d.]+|-inf) LUFS", done.stderr)
    if not found or found[-1] == "-inf":
        raise LoudnessError("ffmpeg gave no integrated loudness")
    return float(found[-1])


def normalise(path: Path, ffmpeg: str) -> float:
    """Trim ``path``'s silent ends and bring it to :data:`TARGET_LUFS`; returns the gain (dB).

    Raises:
        LoudnessError: the part could not be measured (it is left as it was).
    """
    samples = trim_silence(read_wav(path))
    gain_db = TARGET_LUFS - measure_lufs(samples, ffmpeg)
    peak = float(np.max(np.abs(samples)))
    most_db = 20 * math.log10(PEAK_CEILING / peak)
    if gain_db > most_db:
        log.warning(
            "voice prompt %s lifted %.1f dB, not %.1f dB (it would clip)", path, most_db, gain_db
        )
        gain_db = most_db
    pad = np.zeros(int(RATE * 0.05), np.float32)  # a breath of silence at each end
    scaled = samples * np.float32(10 ** (gain_db / 20))
    path.write_bytes(to_wav(np.concatenate([pad, scaled, pad])))
    return gain_db


def generate(
    folder: Path, *, force: bool = False, espeak: str = "espeak-ng", ffmpeg: str | None = None
) -> int:
    """Write the prompts missing from ``folder`` (all with ``force``); returns how many.

    ``ffmpeg``: normalise each part's loudness with it (None: as espeak-ng says them).
    """
    written = 0
    for name, words in scripts().items():
        path = folder / f"{name}.wav"
        if path.exists() and not force:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        voice, speed = VOICES["vi" if name.startswith("vi/") else "en"]
        subprocess.run(
            [espeak, "-v", voice, "-s", speed, "-w", str(path), words],
            check=True,
            capture_output=True,
            timeout=30,
        )
        if ffmpeg is not None:
            try:
                normalise(path, ffmpeg)
            except (LoudnessError, OSError, ValueError) as error:
                print(f"voice prompts: {path} kept as espeak-ng said it: {error}")
        written += 1
    tick = folder / f"{TICK}.wav"
    if force or not tick.exists():
        tick.write_bytes(tick_wav())
        written += 1
    listing = "\n".join(f"{name}.wav\t{words}" for name, words in scripts().items())
    (folder / "README.txt").write_text(
        "Spoken prompts of the check-in kiosk. Replace any file with a recording of the same\n"
        "words (WAV, 8 or 16 bit, any rate, mono or stereo). Numbers are joined from the\n"
        "number words.\n\n" + listing + f"\n{TICK}.wav\t(a short chime: the code was read)\n",
        encoding="utf-8",
    )
    return written


def level(folder: Path, ffmpeg: str) -> int:
    """Bring every part already in ``folder`` to :data:`TARGET_LUFS` (a hospital's recordings
    among espeak-ng's); returns how many were levelled."""
    done = 0
    for name in scripts():
        path = folder / f"{name}.wav"
        if not path.exists():
            continue
        try:
            normalise(path, ffmpeg)
        except (LoudnessError, OSError, ValueError) as error:
            print(f"voice prompts: {path} left as it is: {error}")
            continue
        done += 1
    return done


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kiosk.voice_prompts", description="Write the default spoken prompts."
    )
    parser.add_argument("folder", type=Path)
    parser.add_argument("--force", action="store_true", help="overwrite existing files")
    parser.add_argument(
        "--level",
        action="store_true",
        help="bring the parts already there (your own recordings) to the same loudness",
    )
    args = parser.parse_args(argv)
    if args.level:
        found = shutil.which("ffmpeg")
        if found is None:
            print("voice prompts: --level needs ffmpeg (sudo apt-get install ffmpeg)")
            return 1
        print(f"voice prompts: {level(args.folder, found)} parts at {TARGET_LUFS:g} LUFS")
        return 0
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        print("voice prompts: espeak-ng is not installed: the kiosk will have no voice "
              "(sudo apt-get install espeak-ng, then make again)")  # fmt: skip
        return 0
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        print("voice prompts: ffmpeg is not installed: the prompts are written without "
              "loudness normalisation, some parts of a sentence louder than others "
              "(sudo apt-get install ffmpeg, then make voice with --force)")  # fmt: skip
    try:
        written = generate(args.folder, force=args.force, espeak=espeak, ffmpeg=ffmpeg)
    except (OSError, subprocess.SubprocessError) as error:
        print(f"voice prompts: espeak-ng failed ({error}): the kiosk will have no voice")
        return 0
    levelled = f", each at {TARGET_LUFS:g} LUFS" if ffmpeg else ", not normalised"
    print(f"voice prompts: {written} written in {args.folder}{levelled}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
