"""``/fleet`` from the kiosk register: every kiosk's last health record (state, camera, printer,
both outboxes, cache age, last check-in, version, last seen), a kiosk unseen for more than
three health intervals in red, a prefix another kiosk owns; over HTTP and in Chromium."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from httpx import Client

from tests.fakes import FakeClock
from tests.ui.web.desk_browserhelp import sign_in_at
from tests.ui.web.fleethelp import fleet_of_three
from tests.ui.web.test_desk import sign_in
from tests.ui.web.webhelp import Site, needs_chromium, served


def test_the_fleet_shows_each_kiosks_last_health_record(site: Site) -> None:
    site.add_staff("Minh", code="202", role="admin")
    fleet_of_three(site)
    # the web server's clock two hours behind: "last seen" is aged by the database's clock
    behind = FakeClock(datetime.now(UTC) - timedelta(hours=2))
    with served(site, clock=behind) as url, Client(base_url=url) as client:
        assert sign_in(client, "202").status_code == 303
        page = client.get("/fleet").text
    rows = {
        k: page.split(f'data-kiosk="{k}"')[1].split("</tr>")[0]
        for k in ("KIOSK-01", "KIOSK-02", "KIOSK-03")
    }
    assert 'data-state="offline"' in rows["KIOSK-01"]
    assert "3 / 0" in rows["KIOSK-01"]  # central's outbox
    assert "journal</span>: 7 / 0" in rows["KIOSK-01"]  # and the journal's
    assert "failed" in rows["KIOSK-01"]
    assert "1.4.0" in rows["KIOSK-01"]
    assert "2.0 h" in rows["KIOSK-01"]
    assert 'data-state="down"' in rows["KIOSK-02"]
    assert 'data-prefix-held-by="KIOSK-01"' in rows["KIOSK-02"]
    assert "lost" in rows["KIOSK-02"]
    assert "data-unseen" not in rows["KIOSK-01"]
    assert 'data-unseen="10"' in rows["KIOSK-03"]
    assert "not seen for 10 min" in rows["KIOSK-03"]
    assert 'id="sync"' in page  # the sync state stays
    assert 'id="outbox"' in page  # and the dead letters


@needs_chromium
def test_the_fleet_in_a_browser_marks_an_unseen_kiosk_in_red(page: Any, site: Site) -> None:
    site.add_staff("Minh", code="202", role="admin")
    fleet_of_three(site)
    with served(site) as url:
        sign_in_at(page, url, code="202")
        page.goto(f"{url}/fleet")
        states = page.eval_on_selector_all(
            "tr[data-kiosk]", "rows => rows.map(r => [r.dataset.kiosk, r.dataset.state])"
        )
        assert states == [["KIOSK-01", "offline"], ["KIOSK-02", "down"], ["KIOSK-03", "online"]]
        unseen = page.locator('tr[data-kiosk="KIOSK-03"] [data-unseen]')
        assert unseen.is_visible()
        assert "not seen for 10 min" in unseen.inner_text()
        color = unseen.evaluate("e => getComputedStyle(e).color")
        assert color == "rgb(155, 28, 28)"  # the page's red
        held = page.locator('tr[data-kiosk="KIOSK-02"] [data-prefix-held-by]')
        assert "KIOSK-01" in held.inner_text()
        assert page.locator("#outbox").is_visible()
