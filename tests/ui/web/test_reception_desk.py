"""The desk's "Chờ tiếp đón" in a real browser (Debian's Chromium by Playwright): a ticket a
kiosk prints appears on the list by itself, its QR scanned into the look-up opens its entry,
and "Đã tiếp" (F4) answers it (who, when) and takes it off the list; the list's routes refuse
a request without a session or without the CSRF token."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kiosk.clock import SystemClock
from kiosk.reception import Referral, SentReason, TicketDesk
from kiosk.reception_ticket import TicketRenderer
from tests.fakes import FakePrinter
from tests.ui.web.desk_browserhelp import sign_in_at
from tests.ui.web.webhelp import Site, needs_chromium, served


def _kiosk(site: Site, kiosk_id: str = "K2") -> tuple[TicketDesk, FakePrinter]:
    """A kiosk's "Đến quầy" on the site's central database (its printer a fake)."""
    printer = FakePrinter()
    desk = TicketDesk(
        site.store,
        printer=printer,
        render=TicketRenderer(site.config).render,
        clock=SystemClock(),
        zone=site.config.kiosk.zone,
        kiosk_id=kiosk_id,
    )
    return desk, printer


@pytest.mark.slow
@needs_chromium
def test_a_kiosk_ticket_shows_live_opens_by_its_scan_and_leaves_when_answered(
    page: Any, site: Site
) -> None:
    site.add_staff()
    kiosk, printer = _kiosk(site)
    with served(site) as url:
        sign_in_at(page, url)
        page.wait_for_function("document.body.dataset.reception === 'live'")
        assert page.locator("#waiting-list .entry").count() == 0
        # a patient at kiosk K2 taps "Đến quầy" on the gateway's refusal: the slip prints
        first = kiosk.issue(Referral(SentReason.GATEWAY, "052", "L.T.Y. …6789"), "reception")
        kiosk.issue(Referral(SentReason.HELP), "welcome")
        assert printer.printed
        entry = page.locator(f'#waiting-list .entry[data-code="{first.ticket.code}"]')
        entry.wait_for(timeout=10_000)  # no reload: the list keeps itself current
        assert "Cổng BHXH trả mã 052" in entry.inner_text()
        assert "L.T.Y. …6789" in entry.inner_text()
        assert page.locator("#waiting-list .entry").count() == 2
        # the handheld scanner types the ticket's QR into the look-up, then Enter
        page.focus("#lookup")
        page.keyboard.type(first.ticket.code)
        page.keyboard.press("Enter")
        page.wait_for_selector("#waiting-list .entry.selected")
        selected = page.locator("#waiting-list .entry.selected")
        assert selected.get_attribute("data-code") == first.ticket.code
        assert page.input_value("#lookup") == ""  # not a card look-up
        assert page.locator("#found").count() == 0
        page.keyboard.press("F4")  # "Đã tiếp"
        entry.wait_for(state="detached", timeout=10_000)
        assert page.locator("#waiting-list .entry").count() == 1
    answered = site.store.reception_entry(
        first.ticket.day,
        first.ticket.number or 0,
    )
    assert answered is not None
    assert answered.answered_by == "Lan"
    assert answered.answered_at is not None


def _get(url: str, cookie: str = "") -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, headers={"Cookie": cookie, "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read() or b"{}")


def test_the_list_needs_a_session_and_an_answer_needs_the_csrf_token(
    site: Site, tmp_path: Path
) -> None:
    kiosk, _ = _kiosk(site)
    issued = kiosk.issue(Referral(SentReason.EXPIRED), "reception")
    with served(site) as url:
        assert _get(f"{url}/desk/reception")[0] == 401
        assert _get(f"{url}/desk/reception/ticket?code={issued.ticket.code}")[0] == 401
        post = urllib.request.Request(
            f"{url}/desk/reception/answer", data=b"id=1&csrf=x", method="POST"
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(post, timeout=5)
        refused.value.close()
        assert refused.value.code == 403
    assert [e.id for e in site.store.waiting_at_reception(date.fromisoformat(str(site.today())))]
