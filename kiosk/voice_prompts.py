"""Write the default spoken prompts with espeak-ng: ``python -m kiosk.voice_prompts DIR``.

``make`` runs it into ``data/voice`` (the ``[audio] prompts_dir`` of ``config.toml``). It
writes one WAV per phrase and per number word (:data:`kiosk.voice.PHRASES`,
:data:`kiosk.voice.NUMBER_WORDS`) in ``vi/`` and ``en/``, the tick of a code read, and a
``README.txt`` that lists every file and the words it must say, so a hospital can replace any
of them with its own recording. Files already there are kept (a hospital's recordings survive
``make``) unless ``--force`` is given.

Without espeak-ng it says so and exits 0: the kiosk then simply has no voice.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from kiosk.outcome import Lang
from kiosk.voice import NUMBER_WORDS, PHRASES, RATE, TICK, to_wav

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


def generate(folder: Path, *, force: bool = False, espeak: str = "espeak-ng") -> int:
    """Write the prompts missing from ``folder`` (all with ``force``); returns how many."""
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kiosk.voice_prompts", description="Write the default spoken prompts."
    )
    parser.add_argument("folder", type=Path)
    parser.add_argument("--force", action="store_true", help="overwrite existing files")
    args = parser.parse_args(argv)
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        print("voice prompts: espeak-ng is not installed: the kiosk will have no voice "
              "(sudo apt-get install espeak-ng, then make again)")  # fmt: skip
        return 0
    try:
        written = generate(args.folder, force=args.force, espeak=espeak)
    except (OSError, subprocess.SubprocessError) as error:
        print(f"voice prompts: espeak-ng failed ({error}): the kiosk will have no voice")
        return 0
    print(f"voice prompts: {written} written in {args.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
