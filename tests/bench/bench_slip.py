"""Benchmark: render one check-in slip and encode it as ESC/POS raster bytes, at both widths.

Goal: at most 50 ms a slip (layout + rendering + encoding). Reference measured in the same run:
encoding a blank image of the same size through python-escpos alone (what any raster print
costs, whatever our rendering). Run: ``python -m tests.bench.bench_slip [--slips N]``; the last
line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from zoneinfo import ZoneInfo

from escpos.printer import Dummy
from PIL import Image

from kiosk.escpos_printer import encode_image
from kiosk.slip_layout import layout_slip
from kiosk.slip_render import FontSet, draw_plan, find_font, plan_slip
from kiosk.synthetic import people
from tools.slip_gallery import CLINIC, HOSPITAL, sample_checkin

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
GOAL_MS = 50.0


def measure(slips: int, dots: int, fonts: FontSet) -> dict[str, float]:
    base = sample_checkin("x")
    checkins = [
        replace(base, queue_number=i + 1, patient=replace(base.patient, name=p.name))
        for i, p in enumerate(people(slips, seed=7))
    ]
    total: list[float] = []
    render: list[float] = []
    sizes: list[int] = []
    heights: list[int] = []
    for checkin in checkins:
        start = time.perf_counter()
        slip = layout_slip(checkin, CLINIC, HOSPITAL, ZONE)
        image = draw_plan(plan_slip(slip, dots, fonts), fonts)
        rendered = time.perf_counter()
        data = encode_image(image)
        done = time.perf_counter()
        render.append((rendered - start) * 1000)
        total.append((done - start) * 1000)
        sizes.append(len(data))
        heights.append(image.height)
    # reference: python-escpos encoding a blank image of the same size, nothing else
    blank = Image.new("1", (dots, int(statistics.median(heights))), 1)
    reference: list[float] = []
    for _ in range(slips):
        start = time.perf_counter()
        printer = Dummy()
        data = printer.profile.profile_data
        printer.profile.profile_data = {**data, "media": {"width": {"pixels": dots}}}
        printer.image(blank, impl="bitImageRaster")
        printer.cut()
        reference.append((time.perf_counter() - start) * 1000)
    median = statistics.median(total)
    ref = statistics.median(reference)
    return {
        "ms_per_slip_median": round(median, 2),
        "ms_per_slip_p95": round(sorted(total)[int(0.95 * (len(total) - 1))], 2),
        "ms_render_median": round(statistics.median(render), 2),
        "ms_reference_escpos_blank_median": round(ref, 2),
        "ratio_to_reference": round(median / ref, 2) if ref else 0.0,
        "bytes_per_slip_median": int(statistics.median(sizes)),
        "height_dots_median": int(statistics.median(heights)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--slips", type=int, default=200, help="slips per width")
    args = parser.parse_args()
    fonts = FontSet(find_font())
    encode_image(Image.new("1", (384, 8), 1))  # warm up: python-escpos loads its profiles once
    results = {str(dots): measure(args.slips, dots, fonts) for dots in (576, 384)}
    worst = max(r["ms_per_slip_median"] for r in results.values())
    for dots, figures in results.items():
        print(f"{dots} dots: {figures}")
    summary = {
        "benchmark": "slip_render_escpos",
        "slips_per_width": args.slips,
        "goal_ms": GOAL_MS,
        "meets_goal": worst <= GOAL_MS,
        "results": results,
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
