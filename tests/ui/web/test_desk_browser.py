"""The reception desk in a real browser (Debian's Chromium by Playwright, nothing downloaded):
sign in, a handheld scanner's wedge typing into the look-up, an override by one key printed on
the desk's file printer — the key presses and clicks of the whole override counted — CSRF
refused without the token, and the session's end after the idle minutes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.fakes import FakeClock
from tests.ui.web.desk_browserhelp import sign_in_at
from tests.ui.web.deskhelp import desk_served, scanned_payload
from tests.ui.web.webhelp import Site, needs_chromium, served

pytestmark = needs_chromium
MAX_OVERRIDE_PRESSES = 8  # issue 31: an override with a handheld scan, after sign-in


class Keys:
    """The staff member's hands: every key press and click counted (a scan is one press of
    the scanner's trigger; the scanner types the payload and its Enter by itself)."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.presses = 0

    def press(self, key: str) -> None:
        self.presses += 1
        self.page.keyboard.press(key)

    def scan(self, payload: str, *, before_enter: Any = None) -> None:
        self.presses += 1  # the trigger
        self.page.keyboard.type(payload)  # the wedge: as keystrokes into the focused field
        if before_enter is not None:
            before_enter()
        self.page.keyboard.press("Enter")


def sign_in(page: Any, url: str) -> None:
    sign_in_at(page, url)


def test_an_override_from_a_scan_takes_two_presses_and_prints(page: Any, site: Site) -> None:
    site.add_staff()
    with desk_served(site) as (url, wiring, slips):
        sign_in(page, url)
        assert page.locator("[data-who]").get_attribute("data-who") == "Lan"
        hands = Keys(page)
        payload = scanned_payload(telex=True)

        def filled() -> None:  # the wedge's text is in the look-up field, as scanned
            assert page.input_value("#lookup") == payload

        hands.scan(payload, before_enter=filled)
        page.wait_for_selector("#found")
        assert page.locator("#found").get_attribute("data-status") == "needs_reception"
        hands.press("2")  # "Chưa có trong dữ liệu – đã xem thẻ"
        page.wait_for_selector("#done")
        assert page.locator("#done").get_attribute("data-printed") == "yes"
        assert hands.presses == 2
        assert hands.presses <= MAX_OVERRIDE_PRESSES
        assert len(list(slips.glob("*.png"))) == 1
        checkin = wiring.store.list_checkins(site.today(), None)[0]
        assert checkin.override_reason == "Chưa có trong dữ liệu – đã xem thẻ"
        assert checkin.patient.name == "Lê Văn Tâm"
        # F2 reprints the number just given, even with the look-up focused for the next scan
        assert page.evaluate("document.activeElement.id") == "lookup"
        with page.expect_navigation():
            hands.press("F2")
        assert page.locator("#done").get_attribute("data-printed") == "yes"
        assert len(list(slips.glob("*.png"))) == 2


def test_a_post_without_the_csrf_token_is_refused(page: Any, site: Site) -> None:
    site.add_staff()
    with desk_served(site) as (url, _, slips):
        sign_in(page, url)
        # the browser's own session cookie goes along; the token does not
        answer = page.request.post(
            f"{url}/desk/override", form={"scan": scanned_payload(), "reason": "1"}
        )
        assert answer.status == 403
        assert not slips.exists()


def test_the_session_expires_after_the_idle_minutes(page: Any, site: Site) -> None:
    site.add_staff()
    clock = FakeClock(datetime.now(UTC))
    with served(site, clock=clock) as url:
        sign_in(page, url)
        clock.advance(minutes=site.config.staff.desk_session_minutes)
        page.reload()
        page.wait_for_selector("#signin")
        assert page.locator("#lookup").count() == 0
