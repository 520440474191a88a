"""Spoken prompts: what to say, which recorded parts say it, and the WAV that joins them.

Pure Python (``wave`` and numpy), no sound device: the UI hands the joined WAV to an
:class:`AudioOutput`. Prompts come from a folder a hospital can fill with its own recordings,
one sub-folder per language (``vi/``, ``en/``); each file is one phrase or one number word
(:data:`PHRASES`, :data:`NUMBER_WORDS`), so "Số 27, mời Ông/Bà đến phòng 101, tầng 1" is
built from "số", "hai", "mươi", "bảy", "mời Ông/Bà đến phòng", "một", "trăm", "linh", "một",
"tầng", "một" (and the number again, then "Mời Ông nhận phiếu ở khe bên dưới"). Every patient
screen has its prompt (:class:`PromptKind`); the parts are loudness-normalised when they are
made (:mod:`kiosk.voice_prompts`), so that joined parts sound equally loud. A missing or
unreadable file is left out of the sentence (and logged once); nothing here raises to the
caller.
"""

from __future__ import annotations

import io
import logging
import re
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import numpy as np

from kiosk.model import Clinic, Gender
from kiosk.outcome import Lang

log = logging.getLogger(__name__)

RATE = 22_050  # the joined WAV's sample rate (espeak-ng's own); other files are resampled
SILENCE = 0.01  # below this a sample is silence (trimmed off the ends of a part)
TICK = "tick"  # the short sound of a code read, the same in both languages (top of the folder)


class PromptKind(StrEnum):
    """What a screen says; each but READ, ACCEPTED and PRINTER_FAILED is one recorded phrase
    (the file of the same name)."""

    WELCOME = "welcome"
    HOLD_STILL = "hold_still"
    CLOSER = "closer"
    READ = "read"
    CAMERA_LOST = "camera_lost"
    CHECKING = "checking"
    CONFIRM = "confirm"
    BIRTH_YEAR = "birth_year"
    CHOOSE_CLINIC = "choose_clinic"  # and the priority question under the clinics
    TIME_WARNING = "time_warning"
    ACCEPTED = "accepted"
    RECEPTION = "reception"
    RESCAN = "rescan"  # a code the patient can fix: scan again
    CARD_EXPIRED = "card_expired"
    CARD_NOT_FOUND = "card_not_found"
    CARD_REFUSED = "card_refused"  # another card will not do today (revoked, not yet valid…)
    PRINTER_FAILED = "printer_failed"
    HELP_CALLED = "help_called"  # "Gọi nhân viên": staff are on their way
    HELP_FAILED = "help_failed"  # the call did not reach central: go to the desk


@dataclass(frozen=True)
class Prompt:
    """One thing to say; ``number``, ``room`` and ``floor`` fill the "accepted" sentence (the
    number also the printer-failed one); ``gender`` picks "Ông" or "Bà" where the sentence
    names the patient, ``slip``: a slip was printed (say where to take it); ``twice``: the
    number once more after the room (the kiosk's sentence; the board repeats whole calls)."""

    kind: PromptKind
    number: int | None = None
    room: int | None = None
    floor: int | None = None
    gender: Gender | None = None
    slip: bool = False
    twice: bool = False


def accepted_prompt(
    number: int,
    clinic: Clinic | None,
    lang: Lang,
    *,
    gender: Gender | None = None,
    slip: bool = True,
) -> Prompt:
    """ "Number 27, please go to room 101, floor 1. Once more: number 27. Please take your
    slip from the slot below", with what the clinic's texts give."""
    room = floor = None
    if clinic is not None:
        digits = re.search(r"\d+", clinic.room_name(lang))
        room = int(digits.group()) if digits else None
        where = clinic.location(lang)
        found = re.search(r"(?:tầng|floor|level)\s*(\d+)", where, re.IGNORECASE)
        floor = int(found.group(1)) if found else None
    return Prompt(
        PromptKind.ACCEPTED,
        number=number,
        room=room,
        floor=floor,
        gender=gender,
        slip=slip,
        twice=True,
    )


#: file name (without .wav) → the words it says, per language: the generator's script and the
#: list a hospital records its own voice from
PHRASES: dict[Lang, dict[str, str]] = {
    "vi": {
        "welcome": "Xin chào. Mời Ông Bà đưa mã QR vào khung hình.",
        "hold_still": "Xin giữ yên.",
        "closer": "Mời Ông Bà đưa mã lại gần camera hơn.",
        "number": "Số",
        "go_to_room": "mời Ông Bà đến phòng",
        "floor": "tầng",
        "reception": "Mời Ông Bà đến quầy tiếp đón.",
        "printer_failed": "Máy in bị lỗi. Mời Ông Bà đưa số này cho quầy tiếp đón.",
        "camera_lost": "Máy ảnh đang kết nối lại. Xin chờ một chút, hoặc đến quầy tiếp đón.",
        "checking": "Đang kiểm tra thẻ. Xin chờ một chút.",
        "confirm": "Đây có phải là Ông Bà không? Xin chạm Đúng, hoặc Không phải tôi.",
        "birth_year": "Mời Ông Bà nhập năm sinh trên bàn phím số, rồi chạm Đồng ý.",
        "choose_clinic": "Mời Ông Bà chạm vào phòng khám muốn khám.",
        "priority": "Nếu đang mang thai hoặc khuyết tật nặng, xin chạm ô ưu tiên trước.",
        "time_warning": "Ông Bà cần thêm thời gian không? Xin chạm Tiếp tục.",
        "rescan": "Chưa đọc được mã. Mời Ông Bà quét lại, hoặc đến quầy tiếp đón.",
        "card_expired": "Thẻ này đã hết hạn. Mời Ông Bà quét thẻ khác, hoặc đến quầy tiếp đón.",
        "card_not_found": "Chưa tìm thấy thẻ này. Mời Ông Bà quét thẻ khác, "
        "hoặc đến quầy tiếp đón.",
        "card_refused": "Thẻ này chưa dùng được hôm nay. Mời Ông Bà quét thẻ khác, "
        "hoặc đến quầy tiếp đón.",
        "again": "Xin nhắc lại:",
        "take_slip": "Mời Ông Bà nhận phiếu ở khe bên dưới.",
        "take_slip_male": "Mời Ông nhận phiếu ở khe bên dưới.",
        "take_slip_female": "Mời Bà nhận phiếu ở khe bên dưới.",
        "help_called": "Nhân viên đang đến. Ông Bà có thể tiếp tục.",
        "help_failed": "Chưa gọi được nhân viên. Mời Ông Bà đến quầy tiếp đón.",
    },
    "en": {
        "welcome": "Welcome. Please hold your QR code up to the camera.",
        "hold_still": "Please hold still.",
        "closer": "Please bring the code closer to the camera.",
        "number": "Number",
        "go_to_room": "please go to room",
        "floor": "floor",
        "reception": "Please go to the reception desk.",
        "printer_failed": "The printer has failed. Please show this number at reception.",
        "camera_lost": "The camera is reconnecting. Please wait a moment, or go to reception.",
        "checking": "Checking your card. Please wait a moment.",
        "confirm": "Is this you? Please touch Yes, or Not me.",
        "birth_year": "Please type your year of birth on the keypad, then touch OK.",
        "choose_clinic": "Please touch the clinic you want to see.",
        "priority": "If you are pregnant or severely disabled, touch the priority box first.",
        "time_warning": "Do you need more time? Please touch Continue.",
        "rescan": "The code could not be read. Please scan again, or go to reception.",
        "card_expired": "This card has expired. Please scan another card, or go to reception.",
        "card_not_found": "This card was not found. Please scan another card, or go to reception.",
        "card_refused": "This card cannot be used today. Please scan another card, "
        "or go to reception.",
        "again": "Once more:",
        "take_slip": "Please take your slip from the slot below.",
        "take_slip_male": "Please take your slip from the slot below.",
        "take_slip_female": "Please take your slip from the slot below.",
        "help_called": "A member of staff is coming. You can carry on.",
        "help_failed": "Staff could not be called. Please go to the reception desk.",
    },
}

_VI_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_EN_SMALL = (
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
    *("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"),
    *("eighteen", "nineteen"),
)
_EN_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]

#: file name → word, for the parts numbers are built from
NUMBER_WORDS: dict[Lang, dict[str, str]] = {
    "vi": {
        **{f"n{i}": w for i, w in enumerate(_VI_DIGITS)},
        "muoi_10": "mười",  # 10-19
        "muoi": "mươi",  # the tens of 20-99
        "mot_after_tens": "mốt",  # 21, 31, …
        "lam": "lăm",  # 15, 25, …
        "tram": "trăm",
        "linh": "linh",  # 101: một trăm linh một
        "nghin": "nghìn",
    },
    "en": {
        **{f"n{i}": w for i, w in enumerate(_EN_SMALL)},
        **{f"n{(i + 2) * 10}": w for i, w in enumerate(_EN_TENS)},
        "hundred": "hundred",
        "thousand": "thousand",
        "and": "and",
    },
}


def _vi_below_100(n: int, after_hundred: bool) -> list[str]:
    tens, unit = divmod(n, 10)
    if tens == 0:
        return (["linh"] if after_hundred else []) + [f"n{unit}"]
    parts = ["muoi_10"] if tens == 1 else [f"n{tens}", "muoi"]
    if unit == 1 and tens > 1:
        parts.append("mot_after_tens")
    elif unit == 5:
        parts.append("lam")
    elif unit:
        parts.append(f"n{unit}")
    return parts


def number_parts(n: int, lang: Lang) -> list[str]:
    """The recorded words of a whole number from 0 to 9999 (file names, in order)."""
    if not 0 <= n <= 9999:
        raise ValueError(f"numbers from 0 to 9999 are spoken, not {n}")
    if lang == "vi":
        thousands, rest = divmod(n, 1000)
        hundreds, below = divmod(rest, 100)
        parts: list[str] = []
        if thousands:
            parts += [f"n{thousands}", "nghin"]
        if hundreds or (thousands and rest):
            parts += [f"n{hundreds}", "tram"]
        if below or not parts:
            parts += _vi_below_100(below, after_hundred=bool(parts))
        return parts
    thousands, rest = divmod(n, 1000)
    hundreds, below = divmod(rest, 100)
    parts = []
    if thousands:
        parts += [f"n{thousands}", "thousand"]
    if hundreds:
        parts += [f"n{hundreds}", "hundred"]
    if below or not parts:
        if parts:
            parts.append("and")
        if below < 20:
            parts.append(f"n{below}")
        else:
            tens, unit = divmod(below, 10)
            parts.append(f"n{tens * 10}")
            if unit:
                parts.append(f"n{unit}")
    return parts


def _number(n: int | None, lang: Lang) -> list[str]:
    return ["number", *number_parts(n, lang)] if n is not None and 0 <= n <= 9999 else []


def clips(prompt: Prompt, lang: Lang) -> list[str]:
    """The files that say ``prompt`` in ``lang``, in order (paths under the prompt folder)."""
    kind = prompt.kind
    if kind is PromptKind.READ:
        return [TICK]
    if kind is PromptKind.CHOOSE_CLINIC:  # the priority question sits under the clinics
        names = [kind.value, "priority"]
    elif kind is PromptKind.PRINTER_FAILED:
        names = [kind.value, *_number(prompt.number, lang)]
    elif kind is not PromptKind.ACCEPTED:
        names = [kind.value]
    else:
        # the number twice (a patient who missed it the first time hears it again), where to
        # go, and where the slip comes out: "Mời Ông…" or "Mời Bà…" when the card says
        names = _number(prompt.number, lang)
        if prompt.room is not None and 0 <= prompt.room <= 9999:
            names += ["go_to_room", *number_parts(prompt.room, lang)]
        if prompt.floor is not None and 0 <= prompt.floor <= 9999:
            names += ["floor", *number_parts(prompt.floor, lang)]
        if prompt.twice and prompt.number is not None and names:
            names += ["again", *_number(prompt.number, lang)]
        if prompt.slip:
            names.append(f"take_slip_{prompt.gender.value}" if prompt.gender else "take_slip")
    return [f"{lang}/{name}" for name in names]


def read_wav(path: Path) -> np.ndarray:
    """A WAV file as mono float samples at :data:`RATE`."""
    with wave.open(str(path), "rb") as wav:
        width, channels, rate = wav.getsampwidth(), wav.getnchannels(), wav.getframerate()
        raw = wav.readframes(wav.getnframes())
    if width == 2:
        samples = np.frombuffer(raw, "<i2").astype(np.float32) / 32768
    elif width == 1:
        samples = (np.frombuffer(raw, np.uint8).astype(np.float32) - 128) / 128
    else:
        raise ValueError(f"{width * 8}-bit samples (8 or 16 expected)")
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    if rate != RATE and len(samples):
        # linear interpolation: ample for speech from a kiosk's loudspeaker
        positions = np.arange(0, len(samples), rate / RATE)
        samples = np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)
    return samples


def trim_silence(samples: np.ndarray) -> np.ndarray:
    """The samples from the first to the last audible one: recordings start and end in
    silence, and joined parts would drag without this."""
    loud = np.flatnonzero(np.abs(samples) > SILENCE)
    return samples[loud[0] : loud[-1] + 1] if loud.size else samples[:0]


def to_wav(samples: np.ndarray) -> bytes:
    """Mono float samples (-1..1) as a 16-bit PCM WAV file at :data:`RATE`."""
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(pcm.tobytes())
    return out.getvalue()


class PromptLibrary:
    """The WAV parts in a folder, joined into one WAV per sentence (parts kept in memory)."""

    GAP_S = 0.08  # a breath between parts

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._parts: dict[str, np.ndarray] = {}
        self._missing: set[str] = set()

    def compose(self, names: Sequence[str]) -> bytes | None:
        """One WAV saying the parts in order; None when none of them could be read."""
        gap = np.zeros(int(RATE * self.GAP_S), np.float32)
        pieces: list[np.ndarray] = []
        for name in names:
            part = self._part(name)
            if part is not None:
                pieces += [part, gap]
        if not pieces:
            return None
        return to_wav(np.concatenate(pieces[:-1]))

    def _part(self, name: str) -> np.ndarray | None:
        cached = self._parts.get(name)
        if cached is not None or name in self._missing:
            return cached
        path = self.folder / f"{name}.wav"
        try:
            samples = read_wav(path)
        except (OSError, EOFError, ValueError, wave.Error) as error:
            self._missing.add(name)  # said once in the log, not at every patient
            log.warning("voice prompt %s left out: %s", path, error)
            return None
        samples = trim_silence(samples)
        self._parts[name] = samples
        return samples


class AudioOutput(Protocol):
    """A loudspeaker: plays one WAV (stopping whatever it was playing)."""

    def play(self, wav: bytes) -> None: ...

    def close(self) -> None: ...


class Speaker(Protocol):
    """What the window asks for: say this prompt in this language (never raises)."""

    def say(self, prompt: Prompt, lang: Lang) -> None: ...


class Voice:
    """The real :class:`Speaker`: prompt → recorded parts → one WAV → the audio output."""

    def __init__(self, library: PromptLibrary, output: AudioOutput) -> None:
        self._library = library
        self._output = output

    def say(self, prompt: Prompt, lang: Lang) -> None:
        try:
            wav = self._library.compose(clips(prompt, lang))
            if wav is not None:
                self._output.play(wav)
        except Exception:  # a voice problem must never stop a check-in
            log.exception("voice prompt %s failed", prompt.kind)


class SilentSpeaker:
    """No voice (switched off, or no sound device)."""

    def say(self, prompt: Prompt, lang: Lang) -> None:
        return None
