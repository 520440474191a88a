"""Benchmark: the decoder chain against each library alone, on generated and real QR frames,
and the stream reader against frame-by-frame reading on generated approach clips.

Run: ``python -m tests.bench.bench_decode [--frames N] [--hard N] [--field N] [--clips N]``.
Generated frames come in two strata (tests/bench/hard_scenes.STRATA): ``easy`` (the first
generator's conditions) and ``hard`` (motion blur of 5–25 px, defocus with moiré, 20–60 lux
with photon noise, glare bands over a finder, shadow with heavy JPEG, curved and creased
cards, 30–50° tilt, codes of 80–120 px, and combinations), each reported apart. A third
stratum, ``field`` (tests/bench/field_scenes.py, seed 7, 16 conditions cycled), is rendered
by a generator written apart from scanner/scenes.py, with its own optics, sensor and ISP: a
check that the chain is not tuned to its own generator; it has no goal (its frames take about
half a second each to render). The real photos are ``<repo>/../shared/qr-samples`` (or
$KIOSK_QR_SAMPLES), skipped with a reason when missing.
Frames without a QR (an empty lobby, patterned shirts, a printed notice, random squares, a dim
noisy lobby: hard_scenes.no_qr) measure what the kiosk spends while nobody is scanning.
``chain_ungated`` is the former chain (every stage on the whole frame until one reads): the
reference, measured in the same run. Approach clips (hard_scenes.approach_clips: the code moves
in, wobbles and stops, under the hard conditions) go through the kiosk's scan loop on clip time,
once with the stream reader and once with the chain frame by frame (the reference);
``clips_stream_small_modules`` repeats the stream's figures for the clips whose code spans
under 1.5 px a module (the hardest: the kiosk also asks for such a code closer).
``no_qr_zxing`` is zxing-cpp alone with its defaults on the same frames without a code: what
one pass of the library costs on this machine in this run (the machine's speed varies by half
from one hour to the next; the chain's cost is best read against it).
``parity`` holds the stream to the library it starts from: per clip (the approach clips and
``--parity N`` clips of tests/bench/parity_clips.py, a generator written apart: chip-ID cards
old and new, card photos and the VNeID app on a phone's screen, moiré), the stream's time to
confirm minus the reference's (zxing-cpp alone on the frames the scan loop looks at, at its
second read of the clip's text; negative is better). Its goals: no clip the reference confirms
within 2 s is missed, the median difference ≤ 0 ms, the worst ≤ one decode interval
(``goals_met``). ``empty_lobby_stream`` is what the stream reader costs on an empty lobby, CPU
ms a decoded frame and the share of one core at 10, 15 and 30 decodes a second.
``--parity-only`` runs the clips, the parity line and that cost alone; ``--decode-fps`` sets the
loop's rate for them.
Prints a table, then one JSON line. Goals: hard ≥ 90 %, easy ≥ 99 %, real ≥ 130 of 137,
clips read within 1 s ≥ 95 % and within 2 s ≥ 99 %, median ≤ 10 ms on frames with a code
(the easy and hard strata), empty frames ≤ 3 ms median.

Milliseconds are CPU time of the decoding thread (``time.thread_time``) with OpenCV kept to
that one thread: on a 2-core machine shared with other work, wall time measures the neighbours
as much as the decoder; CPU time is what the kiosk would spend.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from kiosk.config import CameraSettings, DecoderSettings
from scanner.decode.chain import DecoderChain, build_decoder
from scanner.decode.regions import to_grey
from scanner.decode.zbar import ZbarDecoder
from scanner.decode.zxing import ZxingDecoder
from scanner.loop import ClipRead, read_clip
from scanner.ports import Decoder, Frame, as_frame
from scanner.stream import StreamDecoder
from tests.bench import field_scenes, hard_scenes, parity_clips

ROOT = Path(__file__).resolve().parents[2]
FIELD_SEED = 7
"""The field stratum's seed, fixed: its figures are quoted for the frames this seed gives."""
WITH_CODE_STRATA = ("easy", "hard")
"""The strata whose chain milliseconds make ``with_code_chain_*`` (the published figures)."""
Read = Callable[[Frame], str | None]


def _normal(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def _opencv() -> Read:
    detector = cv2.QRCodeDetector()

    def read(frame: Frame) -> str | None:
        try:
            text, _, _ = detector.detectAndDecode(to_grey(frame))
        except (cv2.error, UnicodeDecodeError):  # OpenCV trips on some symbols: unread
            return None
        return text or None

    return read


def _decoders() -> dict[str, Read]:
    chain = build_decoder(DecoderSettings())
    ungated = build_decoder(DecoderSettings(), gated=False)
    zxing = ZxingDecoder(binarizers=("local",))  # the library with its defaults
    zbar = ZbarDecoder(inverted_retry=True)

    def via(decoder: Decoder) -> Read:
        def read(frame: Frame) -> str | None:
            found = decoder.decode(frame)
            return None if found is None else str(found.text)

        return read

    return {
        "chain": via(chain),
        "chain_ungated": via(ungated),
        "zxing": via(zxing),
        "zbar": via(zbar),
        "opencv": _opencv(),
    }


def _measure(
    read: Read, items: list[tuple[Frame, str]], times: list[float] | None = None
) -> dict[str, float]:
    times = [] if times is None else times
    mine: list[float] = []
    right = 0
    for frame, expected in items:
        started = time.thread_time()
        text = read(frame)
        mine.append((time.thread_time() - started) * 1000)
        right += text is not None and _normal(text) == _normal(expected)
    times.extend(mine)
    times = sorted(mine)
    return {
        "decoded": right,
        "total": len(items),
        "rate": round(right / len(items), 4),
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 2),
    }


def _measure_no_qr(read: Read, frames: list[Frame]) -> dict[str, float]:
    """Milliseconds per frame without a QR, and how many of them read anything (should be 0)."""
    times, false_reads = [], 0
    for frame in frames:
        started = time.thread_time()
        text = read(frame)
        times.append((time.thread_time() - started) * 1000)
        false_reads += text is not None
    times.sort()
    return {
        "frames": len(frames),
        "false_reads": false_reads,
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 2),
    }


def _real_samples() -> tuple[list[tuple[Frame, str]], str | None]:
    folder = Path(os.environ.get("KIOSK_QR_SAMPLES") or ROOT.parent / "shared" / "qr-samples")
    if not folder.is_dir():
        return [], f"no real samples at {folder}: put shared/ beside the clone"
    items = []
    for expected in sorted(folder.glob("qrcode-*/*.txt")):
        images = [p for p in expected.parent.glob(expected.stem + ".*") if p.suffix != ".txt"]
        image = images[0] if images else None
        frame = None if image is None else cv2.imread(str(image))
        if frame is not None:
            items.append((as_frame(frame), expected.read_text(encoding="utf-8")))
    return items, None


class _Replay:
    """A clip's frames rendered once, replayed to a second reader (the reference)."""

    def __init__(self, clip: hard_scenes.Clip) -> None:
        self._source = clip.frames()
        self._seen: list[Frame] = []

    def __iter__(self) -> Iterator[Frame]:
        yield from self._seen
        for frame in self._source:
            self._seen.append(frame)
            yield frame


def _clip_figures(reads: list[ClipRead], texts: list[str]) -> dict[str, float | None]:
    right = [r.ms_to_read for r, t in zip(reads, texts, strict=True) if r.text == t]
    wrong = sum(r.text is not None and r.text != t for r, t in zip(reads, texts, strict=True))
    times = sorted(ms for ms in right if ms is not None)
    n = len(reads)
    return {
        "clips": n,
        "read": len(times),
        "misread": wrong,
        "within_1s": round(sum(ms <= 1000 for ms in times) / n, 4),
        "within_2s": round(sum(ms <= 2000 for ms in times) / n, 4),
        "median_ms_to_read": round(statistics.median(times), 1) if times else None,
    }


SMALL_MODULE_PX = 1.5
"""Clips whose code spans fewer frame pixels a module than this are also reported apart."""


PARITY_HORIZON_MS = 2000.0
"""A clip the reference confirms within this long must not be missed by the stream."""


@dataclass
class _Parity:
    """Per clip, the stream's time to confirm against the reference's (zxing-cpp alone on the
    frames the loop looks at, its second read of the clip's text)."""

    interval_ms: float
    diffs: dict[str, float] = field(default_factory=dict)  # name: stream - reference, ms
    missed: list[str] = field(default_factory=list)  # the reference within 2 s, the stream not
    later: list[str] = field(default_factory=list)  # the reference after 2 s, the stream not
    beyond: int = 0  # read by the stream, never confirmed by the reference
    clips: int = 0

    def add(self, name: str, text: str, stream: ClipRead, library: ClipRead) -> None:
        self.clips += 1
        right = stream.text == text and stream.ms_to_read is not None
        if library.text != text or library.ms_to_read is None:
            self.beyond += right
            return
        if right:
            assert stream.ms_to_read is not None
            self.diffs[name] = round(stream.ms_to_read - library.ms_to_read, 1)
        elif library.ms_to_read <= PARITY_HORIZON_MS:
            self.missed.append(name)
        else:
            self.later.append(name)

    def line(self) -> dict[str, object]:
        diffs = sorted(self.diffs.values())
        median = statistics.median(diffs) if diffs else 0.0
        worst = diffs[-1] if diffs else 0.0
        goals = {
            "no_miss_within_2s": not self.missed,
            "median_le_0ms": median <= 0,
            "worst_le_one_interval": worst <= self.interval_ms + 1e-6,
        }
        return {
            "clips": self.clips,
            "reference_confirmed": len(self.diffs) + len(self.missed) + len(self.later),
            "both_confirmed": len(diffs),
            "missed_within_2s": self.missed,
            "missed_after_2s": self.later,
            "stream_only": self.beyond,
            "median_diff_ms": round(median, 1),
            "worst_diff_ms": worst,
            "best_diff_ms": diffs[0] if diffs else 0.0,
            "behind": {k: v for k, v in self.diffs.items() if v > 0},
            "diffs": self.diffs,
            "decode_interval_ms": round(self.interval_ms, 1),
            "goals": goals,
            "goals_met": all(goals.values()),
        }


def _stream_read(frames: Iterable[Frame], fps: float, settings: CameraSettings) -> ClipRead:
    return read_clip(
        frames,
        fps,
        StreamDecoder(_chain()),
        decode_fps=settings.decode_fps,
        confirm_reads=settings.confirm_reads,
    )


def _parity_own(n: int, settings: CameraSettings, parity: _Parity) -> dict[str, str]:
    """The parity over ``n`` clips of the parity generator (tests/bench/parity_clips.py);
    returns the stream's difference per condition."""
    by_condition: dict[str, list[str]] = {}
    for clip in parity_clips.parity_clips(n):
        frames = list(clip.frames())
        library = parity_clips.reference(frames, clip.fps, settings.decode_fps)
        stream = _stream_read(frames, clip.fps, settings)
        parity.add(clip.name, clip.text, stream, library)
        shown = parity.diffs.get(clip.name)
        mark = "-" if shown is None else f"{shown:+.0f}"
        mark = "missed" if clip.name in parity.missed else mark
        by_condition.setdefault(clip.condition, []).append(mark)
    return {c: " ".join(marks) for c, marks in by_condition.items()}


def _lobby_cost(frames: list[Frame], settings: CameraSettings) -> dict[str, object]:
    """What an empty lobby costs the stream reader: CPU ms a decoded frame, and the share of
    one core at 10, 15 and 30 decodes a second (the frames not decoded cost a no-op watch)."""
    reader = StreamDecoder(_chain())
    times = []
    for _ in range(3):
        for frame in frames:
            started = time.thread_time()
            reader.decode(frame)
            times.append((time.thread_time() - started) * 1000)
    median, p95 = statistics.median(times), _pct(times, 0.95)
    return {
        "decoded_frames": len(times),
        "median_ms": round(median, 2),
        "p95_ms": p95,
        "share_of_core": {str(fps): round(median * fps / 1000, 3) for fps in (10, 15, 30)},
        "decode_fps": settings.decode_fps,
    }


def _clips(
    n: int, seed: int, settings: CameraSettings, parity: _Parity | None = None
) -> dict[str, object]:
    """Time-to-read on ``n`` approach clips: the stream reader and the chain frame by frame
    (and, given ``parity``, the reference on the same frames)."""
    stream_reads: list[ClipRead] = []
    plain_reads: list[ClipRead] = []
    texts: list[str] = []
    small: list[bool] = []
    by_condition: dict[str, list[int]] = {}
    for clip in hard_scenes.approach_clips(n, seed):
        replay = _Replay(clip)
        readers: list[tuple[Decoder, list[ClipRead]]] = [
            (StreamDecoder(_chain()), stream_reads),
            (_chain(), plain_reads),
        ]
        for decoder, out in readers:
            out.append(
                read_clip(
                    replay,
                    clip.fps,
                    decoder,
                    decode_fps=settings.decode_fps,
                    confirm_reads=settings.confirm_reads,
                )
            )
        texts.append(clip.text)
        small.append(clip.module_px < SMALL_MODULE_PX)
        got = stream_reads[-1]
        if parity is not None:
            library = parity_clips.reference(list(replay), clip.fps, settings.decode_fps)
            parity.add(f"approach-{len(texts) - 1:03d}-{clip.condition}", clip.text, got, library)
        mark = by_condition.setdefault(clip.condition, [0, 0, 0])
        mark[2] += 1
        if got.text == clip.text and got.ms_to_read is not None:
            mark[0] += got.ms_to_read <= 1000
            mark[1] += got.ms_to_read <= 2000
    kept = [i for i, tiny in enumerate(small) if tiny]
    return {
        "clips_stream": _clip_figures(stream_reads, texts),
        "clips_stream_small_modules": _clip_figures(
            [stream_reads[i] for i in kept], [texts[i] for i in kept]
        )
        if kept
        else {},
        "clips_frame_by_frame": _clip_figures(plain_reads, texts),
        "clips_stream_by_condition": {
            c: f"{a}/{t} in 1 s, {b}/{t} in 2 s" for c, (a, b, t) in by_condition.items()
        },
    }


def _chain() -> DecoderChain:
    return build_decoder(DecoderSettings())


def _by_condition(read: Read, items: list[tuple[str, Frame, str]]) -> dict[str, str]:
    out: dict[str, list[int]] = {}
    for condition, frame, expected in items:
        text = read(frame)
        mark = out.setdefault(condition, [0, 0])
        mark[0] += text is not None and _normal(text) == _normal(expected)
        mark[1] += 1
    return {c: f"{a}/{t}" for c, (a, t) in out.items()}


def _pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))], 2)


def _print_table(result: dict[str, object]) -> None:
    for key, value in result.items():
        if isinstance(value, dict) and "frames" in value:
            print(
                f"{key:22} {value['false_reads']:4} false reads of {value['frames']:<4} "
                f"median {value['median_ms']:6.2f} ms  p95 {value['p95_ms']:6.2f} ms"
            )
        elif isinstance(value, dict) and "decoded" in value:
            print(
                f"{key:22} {value['decoded']:4}/{value['total']:<4} "
                f"median {value['median_ms']:6.2f} ms  p95 {value['p95_ms']:6.2f} ms"
            )
        elif key == "parity" and isinstance(value, dict):
            print(
                f"{key:22} {value['both_confirmed']}/{value['reference_confirmed']} of "
                f"{value['clips']} clips: median {value['median_diff_ms']:+.0f} ms, worst "
                f"{value['worst_diff_ms']:+.0f} ms (interval {value['decode_interval_ms']}), "
                f"missed {len(value['missed_within_2s'])}  goals_met {value['goals_met']}"
            )
        elif isinstance(value, dict):
            print(f"{key:22} {value}")


def _goals(result: dict[str, object], no_qr: dict[str, float]) -> dict[str, bool]:
    goals: dict[str, bool] = {}
    for stratum, floor in (("easy", 0.99), ("hard", 0.90)):
        chain = result[f"{stratum}_chain"]
        assert isinstance(chain, dict)
        singles = [
            v["decoded"]
            for k, v in result.items()
            if k.startswith(f"{stratum}_")
            and isinstance(v, dict)
            and "decoded" in v
            and not k.startswith(f"{stratum}_chain")
        ]
        goals[f"{stratum}_rate_ge_{round(floor * 100)}"] = chain["rate"] >= floor
        if singles:
            goals[f"{stratum}_ge_best_single"] = chain["decoded"] >= max(singles)
    median = result["with_code_chain_median_ms"]
    assert isinstance(median, float)
    goals["with_code_median_le_10ms"] = median <= 10.0
    goals["empty_median_le_3ms"] = no_qr["median_ms"] <= 3.0
    goals["no_qr_no_false_reads"] = no_qr["false_reads"] == 0
    real_chain = result.get("real_chain")
    if isinstance(real_chain, dict):
        goals["real_ge_130"] = real_chain["decoded"] >= 130
    stream = result.get("clips_stream")
    if isinstance(stream, dict):
        goals["clips_within_1s_ge_95"] = stream["within_1s"] >= 0.95
        goals["clips_within_2s_ge_99"] = stream["within_2s"] >= 0.99
        goals["clips_no_misreads"] = stream["misread"] == 0
    return goals


def main() -> None:
    cv2.setNumThreads(1)  # every decoding cost on the measured thread (see the docstring)
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=520, help="easy generated frames")
    parser.add_argument("--hard", type=int, default=300, help="hard generated frames")
    parser.add_argument(
        "--field", type=int, default=240, help="field frames (independent generator; 0 skips)"
    )
    parser.add_argument("--clips", type=int, default=120, help="approach clips (≥ 100)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-qr", type=int, default=8, help="no-QR frames per condition")
    parser.add_argument("--only", default="", help="comma-separated decoders (default: all)")
    parser.add_argument(
        "--parity", type=int, default=36, help="clips of the parity generator (0: approach only)"
    )
    parser.add_argument(
        "--parity-only",
        action="store_true",
        help="only the approach clips, the parity line and the empty lobby's cost",
    )
    parser.add_argument(
        "--decode-fps",
        type=int,
        default=0,
        help="the scan loop's decodes a second for the clips (default: camera.decode_fps)",
    )
    args = parser.parse_args()
    if args.parity_only:
        _parity_main(args)
        return

    started = time.perf_counter()
    strata = {
        "easy": list(hard_scenes.generate(args.frames, args.seed, stratum="easy")),
        "hard": list(hard_scenes.generate(args.hard, args.seed, stratum="hard")),
    }
    gen_s = time.perf_counter() - started
    started = time.perf_counter()
    if args.field:
        strata["field"] = list(field_scenes.generate(args.field, FIELD_SEED))
    field_gen_s = time.perf_counter() - started
    real, skipped = _real_samples()
    decoders = _decoders()
    if args.only:
        decoders = {k: v for k, v in decoders.items() if k in args.only.split(",") or k == "chain"}
    no_qr_frames = [
        (condition, hard_scenes.no_qr(condition, np.random.default_rng((args.seed, index, n))))
        for index, condition in enumerate(hard_scenes.NO_QR_CONDITIONS)
        for n in range(args.no_qr)
    ]
    empty = [frame for _, frame in no_qr_frames]
    lobby = [frame for condition, frame in no_qr_frames if condition == "lobby"]

    result: dict[str, object] = {
        "bench": "decode",
        "easy_frames": len(strata["easy"]),
        "hard_frames": len(strata["hard"]),
        "field_frames": len(strata.get("field", [])),
        "seed": args.seed,
    }
    with_code_ms: list[float] = []
    for name, read in decoders.items():
        for stratum, items in strata.items():
            pairs = [(frame, text) for _, frame, text in items]
            # only easy + hard count towards with_code_chain_*, as before the field stratum
            # was added, so the published milliseconds stay comparable from run to run
            times = with_code_ms if name == "chain" and stratum in WITH_CODE_STRATA else None
            result[f"{stratum}_{name}"] = _measure(read, pairs, times)
        if real:
            result[f"real_{name}"] = _measure(read, real)
    result["hard_chain_by_condition"] = _by_condition(decoders["chain"], strata["hard"])
    if "field" in strata:
        result["field_chain_by_condition"] = _by_condition(decoders["chain"], strata["field"])
    no_qr = _measure_no_qr(decoders["chain"], empty)
    result["no_qr_chain"] = no_qr
    if "zxing" in decoders:  # the library alone: what this machine makes of one zxing pass
        result["no_qr_zxing"] = _measure_no_qr(decoders["zxing"], empty)
    if "chain_ungated" in decoders:
        reference = _measure_no_qr(decoders["chain_ungated"], empty)
        result["no_qr_chain_ungated"] = reference
        result["no_qr_reference_median_ms"] = reference["median_ms"]
    result["no_qr_chain_median_ms"] = no_qr["median_ms"]
    empty_lobby = _measure_no_qr(decoders["chain"], lobby)["median_ms"]
    result["empty_lobby_chain_median_ms"] = empty_lobby
    result["with_code_chain_median_ms"] = round(statistics.median(with_code_ms), 2)
    result["with_code_chain_p95_ms"] = _pct(with_code_ms, 0.95)
    if skipped:
        result["real_skipped"] = skipped
    clips_started = time.perf_counter()
    camera = CameraSettings(decode_fps=args.decode_fps or CameraSettings().decode_fps)
    parity = _Parity(1000 / camera.decode_fps)
    if args.clips:
        result.update(_clips(args.clips, args.seed, camera, parity))
    if args.parity:
        result["parity_by_condition"] = _parity_own(args.parity, camera, parity)
    result["parity"] = parity.line()
    result["empty_lobby_stream"] = _lobby_cost(lobby, camera)
    clips_s = time.perf_counter() - clips_started

    _print_table(result)
    goals = _goals(result, no_qr)
    goals["parity"] = bool(parity.line()["goals_met"])
    result["goals_met"] = goals
    result["generate_s"] = round(gen_s, 1)
    result["field_generate_s"] = round(field_gen_s, 1)
    result["clips_s"] = round(clips_s, 1)
    print(json.dumps(result, ensure_ascii=False))


def _parity_main(args: argparse.Namespace) -> None:
    """``--parity-only``: the approach clips, the parity line and the lobby's cost alone."""
    started = time.perf_counter()
    camera = CameraSettings(decode_fps=args.decode_fps or CameraSettings().decode_fps)
    parity = _Parity(1000 / camera.decode_fps)
    lobby = [
        hard_scenes.no_qr("lobby", np.random.default_rng((args.seed, 0, n)))
        for n in range(args.no_qr)
    ]
    result: dict[str, object] = {"bench": "decode", "parity_only": True, "seed": args.seed}
    if args.clips:
        result.update(_clips(args.clips, args.seed, camera, parity))
    if args.parity:
        result["parity_by_condition"] = _parity_own(args.parity, camera, parity)
    result["parity"] = line = parity.line()
    result["empty_lobby_stream"] = _lobby_cost(lobby, camera)
    _print_table(result)
    result["goals_met"] = {"parity": bool(line["goals_met"])}
    result["clips_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
