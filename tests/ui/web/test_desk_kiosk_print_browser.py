"""Printing on the patient's kiosk, in a real browser (Debian's Chromium by Playwright): the
desk chooses Kiosk K2, the page shows "chờ kiosk in", K2's duty prints, and the page follows
the request to "đã in" by itself (desk.js polls /desk/print/{id})."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from db.wiring import build_service
from kiosk.clock import SystemClock
from tests.fakes import FakePrinter
from tests.ui.web.desk_browserhelp import sign_in_at
from tests.ui.web.deskhelp import desk_served, scanned_payload
from tests.ui.web.webhelp import Site, needs_chromium
from ui.kiosk_printing import KioskPrinting

pytestmark = needs_chromium


@pytest.mark.slow
def test_the_desk_follows_a_kiosk_print_to_printed(site: Site, page: Any) -> None:
    site.add_staff()
    site.store.tally_outcome("needs_reception", "K2", datetime.now(UTC))
    printer = FakePrinter()
    config = replace(site.config, kiosk=replace(site.config.kiosk, id="K2"))
    k2 = build_service(config, SystemClock(), printer=printer, use_gateway=False)
    try:
        with desk_served(site) as (url, _, slips):
            sign_in_at(page, url)
            page.keyboard.type(scanned_payload())
            page.keyboard.press("Enter")
            page.wait_for_selector("#found")
            page.select_option("#printer", "K2")
            page.click(".reason-button >> nth=1")
            waiting = page.wait_for_selector('[data-print-request][data-state="waiting"]')
            assert "chờ kiosk in" in waiting.inner_text()
            assert KioskPrinting(site.store, k2.service, "K2", SystemClock()).step() == 1
            printed = page.wait_for_selector(
                '.done [data-print-request][data-state="printed"]', timeout=15_000
            )
            assert "đã in" in printed.inner_text()
            assert len(printer.printed) == 1
            assert not slips.exists()
    finally:
        k2.dispose()
