"""Benchmark: the decoder chain against each library alone, on generated and real QR frames.

Run: ``python tests/bench/bench_decode.py [--frames N]``. Generated frames cover every scene
condition (scanner.scenes); the real photos are ``<repo>/../shared/qr-samples`` (or
$KIOSK_QR_SAMPLES), skipped with a reason when missing. Prints a table, then one JSON line.
Goals: generated ≥ 99 % and ≥ the best single library, median ≤ 5 ms; real ≥ 130 of 137.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from kiosk.config import DecoderSettings  # noqa: E402
from scanner import scenes  # noqa: E402
from scanner.decoders import ZbarDecoder, ZxingDecoder, build_decoder, to_grey  # noqa: E402
from scanner.ports import Frame  # noqa: E402

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
    zxing = ZxingDecoder(binarizers=("local",))  # the library with its defaults
    zbar = ZbarDecoder(inverted_retry=True)

    def via(decoder: object) -> Read:
        def read(frame: Frame) -> str | None:
            found = decoder.decode(frame)  # type: ignore[attr-defined]
            return None if found is None else str(found.text)

        return read

    return {"chain": via(chain), "zxing": via(zxing), "zbar": via(zbar), "opencv": _opencv()}


def _measure(read: Read, items: list[tuple[Frame, str]]) -> dict[str, float]:
    times, right = [], 0
    for frame, expected in items:
        started = time.perf_counter()
        text = read(frame)
        times.append((time.perf_counter() - started) * 1000)
        right += text is not None and _normal(text) == _normal(expected)
    times.sort()
    return {
        "decoded": right,
        "total": len(items),
        "rate": round(right / len(items), 4),
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
            items.append((np.ascontiguousarray(frame), expected.read_text(encoding="utf-8")))
    return items, None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=520, help="generated frames (≥ 500)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    started = time.perf_counter()
    generated = [(frame, text) for _, frame, text in scenes.generate(args.frames, args.seed)]
    gen_s = time.perf_counter() - started
    real, skipped = _real_samples()
    decoders = _decoders()
    empty = [(scenes.lobby(np.random.default_rng(i)), "") for i in range(20)]

    result: dict[str, object] = {"bench": "decode", "frames": len(generated), "seed": args.seed}
    for name, read in decoders.items():
        result[f"generated_{name}"] = _measure(read, generated)
        if real:
            result[f"real_{name}"] = _measure(read, real)
    chain_empty = _measure(decoders["chain"], empty)
    result["no_qr_chain_median_ms"] = chain_empty["median_ms"]
    if skipped:
        result["real_skipped"] = skipped

    for key, value in result.items():
        if isinstance(value, dict):
            print(
                f"{key:20} {value['decoded']:4}/{value['total']:<4} "
                f"median {value['median_ms']:6.2f} ms  p95 {value['p95_ms']:6.2f} ms"
            )
    gen = {k: v for k, v in result.items() if k.startswith("generated_") and isinstance(v, dict)}
    best_single = max(v["decoded"] for k, v in gen.items() if k != "generated_chain")
    chain = result["generated_chain"]
    assert isinstance(chain, dict)
    goals = {
        "generated_rate_99": chain["rate"] >= 0.99,
        "generated_ge_best_single": chain["decoded"] >= best_single,
        "generated_median_le_5ms": chain["median_ms"] <= 5.0,
    }
    real_chain = result.get("real_chain")
    if isinstance(real_chain, dict):
        goals["real_ge_130"] = real_chain["decoded"] >= 130
    result["goals_met"] = goals
    result["generate_s"] = round(gen_s, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
