"""kiosk-web over HTTP: the board, its events, its voice, the room page's sign-in, lock-out and
CSRF, the HIS's signed API, and no Qt anywhere under ui/web."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import re
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.db.clihelp import run_python
from tests.fakes import FakeClock
from tests.ui.web.webhelp import PIN, ROOT, Site, opened_site, postgres_site, served
from ui.web.app import parse_rooms

Client = httpx.Client


@pytest.fixture
def client(site: Site) -> Iterator[Client]:
    """An HTTP client of the app served by a real uvicorn on 127.0.0.1."""
    with served(site) as url, Client(base_url=url, timeout=10) as made:
        yield made


def called_attrs(html: str) -> dict[str, str]:
    """Room → the number its called-number element carries (``data-room``, ``data-called``)."""
    return dict(re.findall(r'data-room="([^"]*)" data-called="([^"]*)"', html))


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_the_board_shows_the_called_number_and_the_next_never_a_name(
    site: Site, client: Client
) -> None:
    for n in range(1, 5):
        site.check_in(n)
    site.check_in(9, clinic="NHI")
    site.calls.call_next("101", "NOI", site.today(), 2)
    page = client.get("/board?rooms=101,105")
    assert page.status_code == 200
    assert called_attrs(page.text) == {"101": "1", "105": ""}
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    shown = re.search(r'id="state"[^>]*>(.*?)</script>', page.text, re.S)
    assert shown is not None, "the board's first state is in the page"
    state = json.loads(shown.group(1))
    assert [n["label"] for n in state["rooms"][0]["next"]] == ["2", "3", "4"]
    assert [n["label"] for n in state["rooms"][1]["next"]] == ["1"]  # NHI numbers its own
    assert "Nguyễn" not in page.text  # card(n)'s name
    assert "N.V." not in page.text  # no initials unless the setting says so


def test_initials_on_the_board_only_when_set(site: Site) -> None:
    from dataclasses import replace

    config = replace(site.config, queue=replace(site.config.queue, board_names="initials"))
    site.check_in(1)
    with served(site, config=config) as url:
        page = httpx.get(f"{url}/board?rooms=101").text
    assert "N.V.T." in page  # "Nguyễn Văn Thử 1"
    assert "Nguyễn" not in page


def test_the_rooms_of_a_board_are_room_codes_only() -> None:
    assert parse_rooms("101, 102,,<script>,101") == ("101", "102")


def read_event(lines: Iterator[str], kind: str, deadline: float) -> dict[str, Any]:
    """The data of the next ``kind`` event in an SSE line stream."""
    event = ""
    for line in lines:
        if time.monotonic() > deadline:
            break
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and event == kind:
            data: dict[str, Any] = json.loads(line.split(":", 1)[1])
            return data
    raise AssertionError(f"no {kind} event in time")


@pytest.fixture(params=["sqlite", "postgresql"])
def any_site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Site]:
    """A site on an SQLite file, and on a fresh database of the CI PostgreSQL."""
    with opened_site(tmp_path) if request.param == "sqlite" else postgres_site(tmp_path) as made:
        yield made


def test_the_events_carry_each_call_to_a_board(any_site: Site) -> None:
    """A real uvicorn; an SSE client gets the board at once, then the call within a second
    and a half of the store's call_next (PostgreSQL: its NOTIFY; SQLite: a 0.25 s poll), and
    a new check-in as the next number waiting."""
    site = any_site
    site.check_in(1)
    with (
        served(site) as url,
        httpx.Client(timeout=10) as http,
        http.stream("GET", f"{url}/events?rooms=101") as stream,
    ):
        lines = stream.iter_lines()
        first = read_event(lines, "board", time.monotonic() + 5)
        assert first["rooms"][0]["called"] is None
        started = time.monotonic()
        site.calls.call_next("101", "NOI", site.today(), 2)
        got = read_event(lines, "board", time.monotonic() + 5)
        took = time.monotonic() - started
        site.check_in(2)
        waiting = read_event(lines, "board", time.monotonic() + 5)
    room = got["rooms"][0]
    assert room["called"] == "1"
    assert room["call"]
    assert took < 1.5
    assert [n["label"] for n in waiting["rooms"][0]["next"]] == ["2"]


def test_the_voice_says_the_call_twice(site: Site, client: Client) -> None:
    reply = client.get("/voice/call.wav?label=12&room=101")
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(reply.content)) as wav:
        seconds = wav.getnframes() / wav.getframerate()
    # "Số mười hai, mời đến phòng một trăm linh một": 8 parts of 0.1 s and 7 breaths, twice
    once = 8 * 0.1 + 7 * 0.08
    assert seconds == pytest.approx(2 * once + 0.7, abs=0.05)
    assert client.get("/voice/call.wav?label=x").status_code == 400


def sign_in(client: Client, room: str, **fields: str) -> httpx.Response:
    page = client.get(f"/room/{room}")
    return client.post(
        f"/room/{room}/signin", data={"csrf": csrf_of(page.text), **fields}, follow_redirects=False
    )


def test_staff_sign_in_locks_out_after_wrong_pins_like_the_kiosk(site: Site) -> None:
    site.add_staff()
    clock = FakeClock()
    with served(site, clock=clock) as url, Client(base_url=url) as client:
        assert sign_in(client, "101", code="201", pin="000000").status_code == 401
        # a staff PC's rule: growing waits between failures, a lock after the fifth
        refused = sign_in(client, "101", code="201", pin="111111")
        assert refused.status_code == 429
        assert "Vui lòng chờ" in refused.text
        account = site.store.get_staff("Lan")
        assert account is not None
        assert account.failed_logins == 1  # a try during the wait is not counted
        for failures in range(2, 6):
            clock.advance(seconds=20)  # past each wait
            last = sign_in(client, "101", code="201", pin="999999")
            assert (last.status_code == 423) is (failures == 5)
        assert "tạm khóa" in last.text
        clock.advance(seconds=20)
        right = sign_in(client, "101", code="201", pin=PIN)
        assert right.status_code == 423  # locked: the right PIN does not open it
        site.store.unlock_staff("Lan")
        ok = sign_in(client, "101", code="201", pin=PIN)
        assert ok.status_code == 303
        cookie = ok.headers["set-cookie"]
        assert "httponly" in cookie.lower()
        assert "samesite=strict" in cookie.lower()
        assert "Đang chờ" in client.get("/room/101").text


def test_a_room_token_signs_in_and_the_buttons_call(site: Site, client: Client) -> None:
    site.calls.set_room_token("101", "room-101-token", "test")
    first, second = site.check_in(1), site.check_in(2)
    assert sign_in(client, "101", token="wrong").status_code == 401
    assert sign_in(client, "101", token="room-101-token").status_code == 303
    page = client.get("/room/101").text
    csrf = csrf_of(page)
    assert "Gọi số tiếp theo" in page
    for action in ("next", "recall", "absent", "next", "done"):
        done = client.post(f"/room/101/{action}", data={"csrf": csrf}, follow_redirects=False)
        assert done.status_code == 303
    assert [s for s, _, _ in site.calls.history(first.id)] == ["called", "recalled", "absent"]
    assert [(s, r) for s, r, _ in site.calls.history(second.id)] == [
        ("called", "101"),
        ("done", "101"),
    ]
    assert site.calls.live_calls(["101"], site.today()) == {}
    assert "Không còn ai chờ" in client.get("/room/101").text
    # a token is for its own room only
    assert sign_in(client, "105", token="room-101-token").status_code == 401


def test_forms_without_the_csrf_token_are_refused(site: Site, client: Client) -> None:
    site.calls.set_room_token("101", "room-101-token", "test")
    site.check_in(1)
    page = client.get("/room/101")
    refused = client.post("/room/101/signin", data={"token": "room-101-token", "csrf": "x"})
    assert refused.status_code == 403
    assert csrf_of(page.text)
    sign_in(client, "101", token="room-101-token")
    assert client.post("/room/101/next", data={}).status_code == 403
    assert client.post("/room/101/next", data={"csrf": "forged"}).status_code == 403
    assert site.calls.live_calls(["101"], site.today()) == {}


def test_a_session_is_for_its_room_and_expires(site: Site) -> None:
    from dataclasses import replace

    config = replace(site.config, queue=replace(site.config.queue, room_session_minutes=1))
    site.calls.set_room_token("101", "t-101", "test")
    with served(site, config=config) as url, Client(base_url=url) as client:
        sign_in(client, "101", token="t-101")
        assert "Đang chờ" in client.get("/room/101").text
        assert "Đang chờ" not in client.get("/room/105").text  # another room: sign in again
        cookies = client.cookies
    other_secret = b"another-secret-of-32-bytes-long!"
    with served(site, config=config, secret=other_secret) as url, Client(base_url=url) as other:
        other.cookies = cookies
        assert "Đang chờ" not in other.get("/room/101").text  # not signed with this secret


def test_the_his_calls_with_a_signed_request(
    site: Site, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.check_in(1)
    body = json.dumps({"room": "101", "action": "next"}).encode()
    assert client.post("/api/call", content=body).status_code == 404  # off without a key
    monkeypatch.setenv("KIOSK_CALL_API_KEY", "his-key")
    stamp = str(int(time.time()))
    mac = hmac.new(b"his-key", stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    forged = {"X-Kiosk-Timestamp": stamp, "X-Kiosk-Signature": "sha256=" + "0" * 64}
    assert client.post("/api/call", content=body, headers=forged).status_code == 401
    signed = {"X-Kiosk-Timestamp": stamp, "X-Kiosk-Signature": f"sha256={mac}"}
    reply = client.post("/api/call", content=body, headers=signed)
    assert reply.json() == {"label": "1", "clinic": "NOI", "room": "101", "priority": None}
    old = str(int(time.time()) - 3600)
    mac_old = hmac.new(b"his-key", old.encode() + b"." + body, hashlib.sha256).hexdigest()
    stale = {"X-Kiosk-Timestamp": old, "X-Kiosk-Signature": f"sha256={mac_old}"}
    assert client.post("/api/call", content=body, headers=stale).status_code == 401


def test_no_qt_under_ui_web() -> None:
    probe = (
        "import sys, ui.web.main, ui.web.app; "
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken'))))"
    )
    result = run_python(["-c", probe], cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    for path in (ROOT / "ui" / "web").rglob("*.py"):
        assert "PySide6" not in path.read_text(encoding="utf-8"), path
