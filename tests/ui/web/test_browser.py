"""The board and the room page in a real browser: Debian's Chromium driven by Playwright
(launched by ``executable_path``; nothing is downloaded)."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.ui.web.webhelp import (
    CHROMIUM,
    Site,
    browser_page,
    free_port,
    needs_chromium,
    served,
    start_process,
)

pytestmark = needs_chromium


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    with browser_page(browser, 1920, 1080) as made:
        yield made


# the text colour of an element and the first opaque background behind it
COLOURS = """(selector) => {
  let el = document.querySelector(selector);
  const fg = getComputedStyle(el).color;
  while (el && getComputedStyle(el).backgroundColor === 'rgba(0, 0, 0, 0)') el = el.parentElement;
  return [fg, el ? getComputedStyle(el).backgroundColor : 'rgb(255, 255, 255)'];
}"""


def contrast(fg: str, bg: str) -> float:
    """WCAG contrast ratio of two CSS rgb() colours."""

    def luminance(css: str) -> float:
        channels = [int(v) / 255 for v in re.findall(r"\d+", css)[:3]]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    light, dark = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def called(page: Any, room: str) -> Any:
    return page.locator(f'.called[data-room="{room}"]')


def test_the_board_shows_a_call_within_a_second(site: Site, page: Any) -> None:
    site.check_in(1)
    site.check_in(2, clinic="NHI")
    with served(site) as url:
        page.goto(f"{url}/board?rooms=101,105")
        assert called(page, "101").get_attribute("data-called") == ""
        page.wait_for_selector('body[data-stream="open"]')  # the first event came
        site.calls.call_next("101", "NOI", site.today(), 2)
        started = time.monotonic()  # the call is committed: from here the board has 1 s
        page.wait_for_selector('.called[data-room="101"][data-called="1"]', timeout=1000)
        took = time.monotonic() - started
        assert took < 1.0
        assert called(page, "105").get_attribute("data-called") == ""
        # readable from 5 m: the called number is at least 12 % of the screen's height
        size = page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('.called')).fontSize)"
        )
        assert size >= 0.12 * 1080
        for selector in (".called", ".next", ".where", "#offline"):
            fg, bg = page.evaluate(COLOURS, selector)
            assert contrast(fg, bg) >= 7.0, selector
        assert "Nguyễn" not in page.content()


@pytest.mark.slow
def test_the_board_says_when_the_server_is_gone_and_recovers(site: Site, page: Any) -> None:
    """A kiosk-web process killed like a crash: "mất kết nối" within 10 s and a bit; a new
    process on the same port: the board hides it and shows the calls made meanwhile.

    The page's clock is Playwright's: its seconds are jumped over, not waited for (the
    server's ticks and the browser's reconnection keep real time)."""
    port = free_port()
    server = start_process(site, port)
    try:
        page.clock.install()
        page.goto(f"http://127.0.0.1:{port}/board?rooms=101")
        offline = page.locator("#offline")
        assert offline.is_hidden()
        server.kill()
        server.wait(timeout=10)
        # the last word came at most a tick (3 s) before the kill: 6 s on, not yet lost
        page.clock.fast_forward(6_000)
        assert offline.is_hidden()
        page.clock.fast_forward(5_000)  # 11 s without a word: lost
        page.wait_for_selector("#offline", state="visible", timeout=2_000)
        assert "mất kết nối" in offline.inner_text()
        site.check_in(1)
        site.calls.call_next("101", "NOI", site.today(), 2)  # while the board is cut off
        server = start_process(site, port)
        page.wait_for_selector("#offline", state="hidden", timeout=15_000)
        page.wait_for_selector('.called[data-room="101"][data-called="1"]', timeout=5_000)
    finally:
        server.kill()
        server.wait(timeout=10)


@pytest.mark.slow
def test_the_room_page_calls_recalls_and_marks_absent(site: Site, page: Any) -> None:
    site.add_staff()
    first, second = site.check_in(1), site.check_in(2, birth=None)
    with served(site) as url:
        board = page.context.new_page()
        board.goto(f"{url}/board?rooms=101")
        page.goto(f"{url}/room/101")
        page.fill('input[name="code"]', "201")
        page.fill('input[name="pin"]', "246813")
        page.click("#signin")
        page.wait_for_selector("#next")
        assert page.locator("#waiting tbody tr").count() == 2
        page.click("#next")
        page.wait_for_selector('#live[data-called="1"]')
        board.wait_for_selector('.called[data-room="101"][data-called="1"]', timeout=2000)
        page.click("#recall")
        page.wait_for_selector('#live[data-state="recalled"]')
        page.click("#absent")
        page.wait_for_selector('#live[data-called=""]')
        assert [s for s, _, _ in site.calls.history(first.id)] == ["called", "recalled", "absent"]
        page.click("#next")
        page.wait_for_selector('#live[data-called="2"]')
        assert "Không còn ai chờ" in page.inner_text("#waiting")
        page.click("#done")
        page.wait_for_selector('#live[data-called=""]')
        assert [s for s, _, _ in site.calls.history(second.id)] == ["called", "done"]
        board.close()


def test_chromium_is_the_debian_one() -> None:
    version = subprocess.run(
        [str(CHROMIUM), "--version"], capture_output=True, text=True, check=False, timeout=30
    )
    assert "Chromium" in version.stdout
