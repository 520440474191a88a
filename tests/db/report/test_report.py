"""The daily report: figures from the database; PNG, HTML and CSV for empty and full days."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from PIL import Image

from db.report.figures import day_report
from db.report.render import write_report
from db.store import SqlStore
from tests.builders import ZONE, draft
from tests.db.storehelp import open_sqlite_store

DAY = date(2026, 11, 25)
RunCli = Callable[..., subprocess.CompletedProcess[bytes]]


def _fill(store: SqlStore) -> None:
    """A morning: NOI and NHI check-ins from 07 h to 11 h local, overrides, refusals."""
    start = datetime(2026, 11, 25, 0, 5, tzinfo=UTC)  # 07:05 in Hồ Chí Minh City
    n = 0
    for hour in range(5):
        for minute in range(0, 60, 6 if hour in (1, 2) else 15):
            n += 1
            at = start + timedelta(hours=hour, minutes=minute)
            d = draft(f"k{n}", clinic="NOI" if n % 3 else "NHI", n=n, created_at=at)
            if n % 10 == 0:
                d = replace(d, status="override", staff_name="thu")
            store.commit_checkin(d)
    made = store.commit_checkin(draft("cancelled", n=999, created_at=start))
    store.cancel_checkin(made.id, "thu", "nhầm")
    for i in range(6):
        store.tally_outcome("needs_reception", "KIOSK-01", start + timedelta(minutes=10 * i))
    for i in range(3):
        store.tally_outcome("rejected", "KIOSK-02", start + timedelta(hours=2, minutes=i))


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_figures_of_a_full_day(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path)
    _fill(store)
    report = day_report(store.engine, DAY, ZONE)
    store.dispose()
    assert report.clinics == ("NHI", "NOI")
    assert report.checkins == 3 * 4 + 2 * 10  # the cancelled one left out
    assert sorted(report.by_hour) == [7, 8, 9, 10, 11]
    assert report.by_hour[8]["NOI"] + report.by_hour[8]["NHI"] == 10
    totals = report.outcome_totals()
    assert totals == {
        "accepted": 29,
        "overridden": 3,
        "offline": 0,
        "reception": 6,
        "rejected": 3,
    }
    assert abs(sum(report.shares().values()) - 1.0) < 1e-9
    assert report.outcomes_by_hour[9]["rejected"] == 3


def test_files_of_a_full_and_an_empty_day(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path)
    _fill(store)
    full = write_report(day_report(store.engine, DAY, ZONE), tmp_path / "out", "Bệnh viện thử")
    empty = write_report(day_report(store.engine, date(2026, 11, 26), ZONE), tmp_path / "out")
    store.dispose()
    for files in (full, empty):
        with Image.open(files.png) as image:
            assert image.format == "PNG"
            assert image.size == (1000, 650)
        page = files.html.read_text(encoding="utf-8")
        assert f'src="{files.png.name}"' in page
    assert full.png.name == "report-2026-11-25.png"
    rows = _rows(full.csv)
    assert rows[0] == [
        "hour",
        "NHI",
        "NOI",
        "checkins",
        "accepted",
        "overridden",
        "offline",
        "reception",
        "rejected",
    ]
    by_hour = {r[0]: r for r in rows[1:]}
    assert by_hour["08:00"][3] == "10"
    assert "Bệnh viện thử" in full.html.read_text(encoding="utf-8")
    assert "<td>36</td>" not in empty.html.read_text(encoding="utf-8")
    empty_rows = _rows(empty.csv)
    assert all(set(r[1:]) <= {"0"} for r in empty_rows[1:])


def test_report_command_writes_the_files(run_cli: RunCli, tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path)
    _fill(store)
    store.dispose()
    env = {"KIOSK_DATABASE_URL": f"sqlite:///{tmp_path / 'kiosk.db'}"}
    out = tmp_path / "reports"
    result = run_cli(["report", "--date", "2026-11-25", "--out", str(out)], env=env)
    assert result.returncode == 0, result.stderr.decode()
    assert b"2026-11-25: 32 check-ins" in result.stdout
    assert {p.name for p in out.iterdir()} == {
        "report-2026-11-25.png",
        "report-2026-11-25.html",
        "report-2026-11-25.csv",
    }
    bad = run_cli(["report", "--date", "25/11/2026"], env=env)
    assert bad.returncode == 2


def test_matplotlib_is_loaded_only_by_the_report() -> None:
    code = (
        "import sys, db.cli, db.report.figures, db.commands.report, db.wiring, ui.admin_tools;"
        "print('matplotlib' in sys.modules)"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert shown.strip() == "False"


def test_the_report_names_its_database_and_an_empty_day_points_to_the_demos(
    run_cli: RunCli, tmp_path: Path
) -> None:
    # the demo's check-ins are in its own database (data_dir/demo/kiosk.db); the kiosk's is empty
    demo = tmp_path / "data" / "demo"
    demo.mkdir(parents=True)
    store = open_sqlite_store(demo)
    _fill(store)
    store.dispose()
    open_sqlite_store(tmp_path).dispose()
    env = {
        "KIOSK_DATABASE_URL": f"sqlite:///{tmp_path / 'kiosk.db'}",
        "KIOSK_KIOSK_DATA_DIR": str(tmp_path / "data"),
    }
    empty = run_cli(["report", "--date", "2026-11-25"], env=env)
    assert empty.returncode == 0, empty.stderr.decode()
    out, err = empty.stdout.decode(), empty.stderr.decode()
    assert f"database: sqlite:///{tmp_path / 'kiosk.db'}" in out.splitlines()
    assert "2026-11-25: 0 check-ins" in out
    assert f"warning: no check-in on 2026-11-25 in sqlite:///{tmp_path / 'kiosk.db'}" in err
    command = err.strip().splitlines()[-1].strip()
    demo_url = f"sqlite:///{demo / 'kiosk.db'}"
    assert command == f"KIOSK_DATABASE_URL={demo_url} kiosk-admin report --date 2026-11-25"
    # the command it gives reports the demo's day
    shown = run_cli(["report", "--date", "2026-11-25"], env={**env, "KIOSK_DATABASE_URL": demo_url})
    assert shown.returncode == 0, shown.stderr.decode()
    assert f"database: {demo_url}" in shown.stdout.decode()
    assert "2026-11-25: 32 check-ins" in shown.stdout.decode()
    assert shown.stderr.decode() == ""  # a day with check-ins: no warning
    as_json = run_cli(["report", "--date", "2026-11-25", "--json"], env=env)
    assert b'"database": "sqlite:///' in as_json.stdout
