"""The insurance simulator: a deterministic, lazy population and a real foreground server."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest

from db.cards.rows import record_from_row
from db.insurance.population import Population
from kiosk.synthetic import (
    CARD_OBJECTS,
    FAMILY_NAMES,
    GIVEN_NAMES,
    MIDDLE_NAMES,
    REFERENCE_DAY,
)
from tests.conftest import REPO_ROOT
from tests.db.simhelp import CREDENTIALS, simulator

TONES = {"\u0301", "\u0300", "\u0309", "\u0303", "\u0323"}  # sắc huyền hỏi ngã nặng
LETTERS = set("ăâêôơưđ")


def test_population_is_deterministic_and_lazy() -> None:
    started = time.perf_counter()
    big = Population(1_000_000, seed=3)
    last = big.row(999_999)
    assert time.perf_counter() - started < 0.5  # nothing generated up front
    assert Population(1_000_000, seed=3).row(999_999) == last
    assert Population(1_000_000, seed=4).row(999_999) != last
    assert big.index_of(last["maSoBHXH"]) == 999_999


def test_population_covers_what_the_kiosk_meets() -> None:
    population = Population(5000, seed=1)
    rows = [population.row(i) for i in range(5000)]
    for row in rows:
        record_from_row(row, "feed")  # every generated record is valid
    objects = {r["maThe"][:2] for r in rows if len(r["maThe"]) == 15}
    assert objects == {o.code for o in CARD_OBJECTS}
    names = "".join(r["hoTen"] for r in rows)
    marks = set(unicodedata.normalize("NFD", names))
    assert marks >= TONES
    assert set(names.lower()) >= LETTERS
    assert "Đ" in names
    known = {
        *FAMILY_NAMES,
        *(n for g in (*MIDDLE_NAMES.values(), *GIVEN_NAMES.values()) for n in g),
    }
    assert {part for r in rows for part in r["hoTen"].split()} <= known  # the patients' names
    assert {r["trangThai"] for r in rows} == {"active", "revoked", "deregistered"}
    assert any(r["maTheMoi"] for r in rows)
    assert any(r["gtTheDen"].endswith(str(REFERENCE_DAY.year - 3)) for r in rows)  # expired
    assert any(len(r["maThe"]) == 10 for r in rows)
    assert sum(bool(r["soCCCD"]) for r in rows) > 4000
    assert len({r["maSoBHXH"] for r in rows}) == 5000
    assert len({r["soCCCD"] for r in rows if r["soCCCD"]}) == sum(bool(r["soCCCD"]) for r in rows)


def _day(text: str) -> date:
    return date(int(text[6:]), int(text[3:5]), int(text[:2]))


@pytest.mark.parametrize("day", [date(2025, 1, 1), date(2031, 3, 10), date(2040, 12, 31)])
def test_the_cards_are_valid_around_the_day_the_population_is_built_for(day: date) -> None:
    population = Population(2000, seed=5, day=day)
    assert Population(2000, seed=5, day=day).row(1234) == population.row(1234)
    for i in range(2000):
        row, code = population.row(i), population.gateway_code(i)
        valid = _day(row["gtTheTu"]) <= day <= _day(row["gtTheDen"])
        if code == "000" and row["gtTheDenMoi"]:  # renewed under its own number
            assert _day(row["gtTheDen"]) < day <= _day(row["gtTheDenMoi"]), row
            assert not row["maTheMoi"]
        elif code == "000":
            assert valid, row
        elif code == "010":
            assert _day(row["gtTheDen"]) < day, row
        elif code == "003":
            assert _day(row["gtTheDen"]) < day <= _day(row["gtTheDenMoi"]), row


def test_change_log_updates_and_removes() -> None:
    population = Population(1000, seed=2)
    population.add_changes(500)
    kinds = [population.change(p) for p in range(1000, 1500)]
    assert any(c.removed for c in kinds)
    assert any(not c.removed for c in kinds)
    final = list(population.final_rows())
    assert len(final) < 1000
    updated = next(c for c in kinds if not c.removed and population.current(c.index))
    assert population.current(updated.index) != population.row(updated.index)


def _token(url: str) -> str:
    request = urllib.request.Request(
        url + "/api/token/take",
        data=json.dumps({"username": "79024_BV", "password": CREDENTIALS.password_md5}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as reply:
        return str(json.loads(reply.read())["APIKey"]["access_token"])


def test_feed_is_gzip_and_needs_a_token() -> None:
    with simulator(300) as (_state, url):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url + "/api/cards/changes?since=0&limit=10", timeout=5)
        assert refused.value.code == 401
        refused.value.close()
        request = urllib.request.Request(
            url + "/api/cards/changes?since=100&limit=250",
            headers={"Authorization": "Bearer " + _token(url), "Accept-Encoding": "gzip"},
        )
        with urllib.request.urlopen(request, timeout=5) as reply:
            assert reply.headers["Content-Encoding"] == "gzip"
            page = json.loads(gzip.decompress(reply.read()))
        assert len(page["cards"]) == 200
        assert page["next_cursor"] == "300"
        assert page["has_more"] is False


@contextmanager
def _cli_simulator(*flags: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``kiosk-admin insurance-sim`` in the foreground on a free port: the process and its URL.
    The block must stop it (SIGTERM); it is killed if still running at the end."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "db.cli", "insurance-sim", "--port", "0", *flags],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "http://127.0.0.1:" in line
        yield process, line.split()[3]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_cli_serves_in_the_foreground_and_stops_on_sigterm() -> None:
    with _cli_simulator("--cards", "500") as (process, url):
        with urllib.request.urlopen(url + "/health", timeout=5) as reply:
            assert json.loads(reply.read())["cards"] == 500
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def test_cli_flags_set_the_gateway_variants() -> None:
    flags = ["--md5-case", "lower", "--token-body", "form", "--reply-birth", "yyyy"]
    flags += ["--short-card-number", "--token-error", "403", "--day", "2031-03-10"]
    with _cli_simulator("--cards", "300", *flags) as (process, url):
        lower = CREDENTIALS.password_md5.lower()
        with pytest.raises(urllib.error.HTTPError) as as_json:  # form only
            urllib.request.urlopen(
                urllib.request.Request(
                    url + "/api/token/take",
                    data=json.dumps({"username": "79024_BV", "password": lower}).encode(),
                    headers={"Content-Type": "application/json"},
                ),
                timeout=5,
            )
        assert as_json.value.code == 400
        as_json.value.close()
        form = urllib.parse.urlencode({"username": "79024_BV", "password": lower}).encode()
        with urllib.request.urlopen(url + "/api/token/take", data=form, timeout=5) as reply:
            key = json.loads(reply.read())["APIKey"]
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(
                urllib.request.Request(
                    url + "/api/egw/KQNhanLichSuKCB2024?token=wrong", data=b"{}", method="POST"
                ),
                timeout=5,
            )
        assert refused.value.code == 403
        refused.value.close()
        population = Population(300, day=date(2031, 3, 10))
        i = next(i for i in range(300) if population.gateway_code(i) == "000")
        row = population.row(i)
        body = {
            "maThe": row["maThe"],
            "hoTen": row["hoTen"],
            "ngaySinh": row["ngaySinh"],
            "hoTenCb": CREDENTIALS.officer_name,
            "cccdCb": CREDENTIALS.officer_id,
        }
        query = urllib.parse.urlencode({"token": key["access_token"], "id_token": "x"})
        check = urllib.request.Request(
            f"{url}/api/egw/KQNhanLichSuKCB2024?{query}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(check, timeout=5) as reply:
            answer = json.loads(reply.read())
        assert answer["maKetQua"] == "000"
        assert answer["ngaySinh"] == row["ngaySinh"][-4:]
        assert answer["maThe"] == row["maSoBHXH"]
        assert answer["gtTheDen"] == row["gtTheDen"]  # the cards of --day
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
