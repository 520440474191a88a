"""kiosk-web while the central database is gone: the boards keep what they show and keep
hearing from the server, the room page says so in words, and all comes back with the database.

The fault is real: the CI PostgreSQL refuses the test database's connections and drops the
ones open (``ALLOW_CONNECTIONS false`` and ``pg_terminate_backend``), then allows them again.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.ui.web.test_web_app import csrf_of, read_event, sign_in
from tests.ui.web.webhelp import Site, postgres_site, served
from ui.web import app as web_app


@pytest.fixture
def pg_site(tmp_path: Path) -> Iterator[Site]:
    with postgres_site(tmp_path) as made:
        yield made


def set_reachable(site: Site, reachable: bool) -> None:
    """Let the site's database take connections, or refuse them and drop the open ones."""
    url = make_url(site.config.database.url)
    name = url.database
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            allow = "true" if reachable else "false"
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {allow}'))
            if not reachable:
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                )
    finally:
        admin.dispose()


@pytest.mark.slow
def test_the_board_and_the_room_page_live_through_a_lost_database(
    pg_site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = pg_site
    # the server's tick at a quarter of its 3 s, and the watch below at a quarter of 7 s
    monkeypatch.setattr(web_app, "TICK_S", web_app.TICK_S / 4)
    site.check_in(1)
    site.calls.set_room_token("101", "t-101", "test")
    with (
        served(site) as url,
        httpx.Client(base_url=url, timeout=10) as client,
        client.stream("GET", "/events?rooms=101") as stream,
    ):
        lines = stream.iter_lines()
        read_event(lines, "board", time.monotonic() + 5)
        assert sign_in(client, "101", token="t-101").status_code == 303
        csrf = csrf_of(client.get("/room/101").text)
        set_reachable(site, False)
        try:
            # the room's button: a message in both languages, not an error page
            pressed = client.post("/room/101/next", data={"csrf": csrf}, follow_redirects=True)
            assert pressed.status_code == 200
            assert "Không kết nối được cơ sở dữ liệu" in pressed.text
            assert "The database cannot be reached" in pressed.text
            assert client.get("/healthz").status_code == 503
            # the board still hears from the server (so it does not say "mất kết nối")
            # every tick, and no more often: a stream must not hammer a lost database
            ticks = 0
            deadline = time.monotonic() + 7 / 4
            for line in lines:
                if line.startswith("event: tick"):
                    ticks += 1
                if time.monotonic() > deadline:
                    break
            assert 2 <= ticks <= 5
        finally:
            set_reachable(site, True)
        assert client.get("/healthz").status_code == 200
        site.calls.call_next("101", "NOI", site.today(), 2)
        deadline = time.monotonic() + 10
        shown = None
        while shown != "1" and time.monotonic() < deadline:
            # the first may be the re-read after the watch reconnected
            shown = read_event(lines, "board", deadline)["rooms"][0]["called"]
    assert shown == "1"
