"""The daily report as files: a PNG chart, a small HTML page with the chart and the table, a CSV.

The only module that imports matplotlib, with its Agg backend (no screen needed). It is loaded
only by ``kiosk-admin report`` and by the admin screen's chart, never at start-up.

The chart has two panels: check-ins per local hour, stacked by clinic; and how the day's scans
ended (accepted, overridden, offline, sent to reception, rejected) as shares of one bar.
"""

from __future__ import annotations

import csv
import html
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # before pyplot: files only, whatever the environment says

import matplotlib.pyplot as plt

from db.report.figures import OUTCOMES, DayReport

LABELS = {
    "accepted": "Tự động / accepted",
    "overridden": "Nhân viên / overridden",
    "offline": "Ngoại tuyến / offline",
    "reception": "Quầy tiếp đón / reception",
    "rejected": "Từ chối / rejected",
}
COLOURS = {
    "accepted": "#15803d",
    "overridden": "#2563eb",
    "offline": "#a16207",
    "reception": "#ea580c",
    "rejected": "#b91c1c",
}
_CLINIC_COLOURS = ("#0f766e", "#7c3aed", "#0369a1", "#be185d", "#4d7c0f", "#9a3412", "#334155")


@dataclass(frozen=True)
class ReportFiles:
    """Where one day's report was written."""

    png: Path
    html: Path
    csv: Path


def _hours(report: DayReport) -> list[int]:
    used = set(report.by_hour) | set(report.outcomes_by_hour)
    first, last = (min(used), max(used)) if used else (7, 17)
    return list(range(min(first, 7), max(last, 17) + 1))  # at least the usual day 07-17 h


def render_chart(report: DayReport, path: Path, title: str = "") -> Path:
    """Draw the chart of ``report`` into the PNG file ``path``."""
    hours = _hours(report)
    figure, (bars, shares) = plt.subplots(
        2, 1, figsize=(10, 6.5), dpi=100, gridspec_kw={"height_ratios": [4, 1]}
    )
    try:
        bottom = [0] * len(hours)
        for i, clinic in enumerate(report.clinics):
            counts = [report.by_hour[h][clinic] if h in report.by_hour else 0 for h in hours]
            bars.bar(
                hours,
                counts,
                bottom=bottom,
                label=clinic,
                color=_CLINIC_COLOURS[i % len(_CLINIC_COLOURS)],
            )
            bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
        heading = title or f"Lượt đăng ký khám / check-ins {report.day:%d/%m/%Y}"
        bars.set_title(f"{heading}: {report.checkins} lượt / check-ins")
        bars.set_xlabel("Giờ / hour")
        bars.set_ylabel("Lượt / check-ins")
        bars.set_xticks(hours, [f"{h:02d}" for h in hours])
        bars.set_xlim(hours[0] - 0.6, hours[-1] + 0.6)
        bars.yaxis.get_major_locator().set_params(integer=True)
        if report.clinics:
            bars.legend(title="Phòng khám / clinic", loc="upper right", fontsize="small")
        else:
            bars.text(
                0.5,
                0.5,
                "Chưa có lượt nào / no check-ins",
                transform=bars.transAxes,
                ha="center",
                va="center",
                color="#64748b",
            )
            bars.set_ylim(0, 1)
        totals = report.outcome_totals()
        scans = sum(totals.values())
        left = 0.0
        for name in OUTCOMES:
            share = totals[name] / scans if scans else 0.0
            if share:
                shares.barh(0, share, left=left, color=COLOURS[name], label=LABELS[name])
                if share >= 0.06:
                    shares.text(
                        left + share / 2,
                        0,
                        f"{share:.0%}",
                        ha="center",
                        va="center",
                        color="white",
                        fontweight="bold",
                    )
                left += share
        shares.set_xlim(0, 1)
        shares.set_yticks([])
        shares.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        shares.set_title(f"Kết quả quét / how scans ended ({scans})", fontsize="medium")
        if scans:
            shares.legend(
                loc="upper center", bbox_to_anchor=(0.5, -0.45), ncol=5, fontsize="x-small"
            )
        figure.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, format="png")
    finally:
        plt.close(figure)
    return path


def _table_rows(report: DayReport) -> list[list[str]]:
    rows = []
    for hour in _hours(report):
        clinics: Counter[str] = report.by_hour.get(hour) or Counter()
        outcomes: Counter[str] = report.outcomes_by_hour.get(hour) or Counter()
        rows.append(
            [f"{hour:02d}:00"]
            + [str(clinics.get(c, 0)) for c in report.clinics]
            + [str(sum(clinics.values()))]
            + [str(outcomes.get(o, 0)) for o in OUTCOMES]
        )
    return rows


def _header(report: DayReport) -> list[str]:
    return ["hour", *report.clinics, "checkins", *OUTCOMES]


def write_csv(report: DayReport, path: Path) -> Path:
    """One row per hour: check-ins per clinic, their total, and scans per outcome."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(_header(report))
        writer.writerows(_table_rows(report))
    return path


def write_html(report: DayReport, path: Path, chart: Path, title: str = "") -> Path:
    """A page with the chart, the shares and the hourly table (the chart beside it)."""
    heading = html.escape(title or f"Báo cáo ngày / daily report {report.day:%d/%m/%Y}")
    head = "".join(f"<th>{html.escape(h)}</th>" for h in _header(report))
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>"
        for row in _table_rows(report)
    )
    totals = report.outcome_totals()
    shares = report.shares()
    share_rows = "".join(
        f"<tr><td>{html.escape(LABELS[name])}</td><td>{totals[name]}</td>"
        f"<td>{shares[name]:.1%}</td></tr>"
        for name in OUTCOMES
    )
    page = f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>{heading}</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #cbd5e1;padding:2px 8px;text-align:right}}th{{background:#f1f5f9}}
td:first-child{{text-align:left}}</style></head>
<body><h1>{heading}</h1>
<p>Lượt đăng ký / check-ins: <b>{report.checkins}</b></p>
<img src="{html.escape(chart.name)}" alt="check-ins per hour per clinic" width="1000">
<h2>Kết quả quét / how scans ended</h2>
<table><tr><th>outcome</th><th>scans</th><th>share</th></tr>{share_rows}</table>
<h2>Theo giờ / by hour</h2>
<table><tr>{head}</tr>{body}</table>
</body></html>
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def write_report(report: DayReport, folder: Path, title: str = "") -> ReportFiles:
    """The PNG, HTML and CSV of one day in ``folder``, named ``report-YYYY-MM-DD.*``."""
    stem = f"report-{report.day.isoformat()}"
    png = render_chart(report, folder / f"{stem}.png", title)
    return ReportFiles(
        png=png,
        html=write_html(report, folder / f"{stem}.html", png, title),
        csv=write_csv(report, folder / f"{stem}.csv"),
    )
