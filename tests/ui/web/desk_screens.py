"""Screenshots of the reception desk and the fleet page in Debian's Chromium for the docs:
``python -m tests.ui.web.desk_screens docs/screens`` writes ``desk.png`` (a scan of a card not
in the cache, the preset reasons one key away), ``desk-done.png`` (the number printed) and
``fleet.png`` (an admin's view of three kiosks in the register), all at 1366×768, a reception
PC.

The patients are synthetic (kiosk.synthetic); names are masked on the desk as on every screen.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.ui.web.desk_browserhelp import sign_in_at
from tests.ui.web.deskhelp import desk_served, scanned_payload
from tests.ui.web.fleethelp import fleet_of_three
from tests.ui.web.screens import morning, shoot_when_shown
from tests.ui.web.webhelp import chromium, make_site


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = make_site(Path(tmp))
        site.add_staff("Minh", code="201", role="admin")
        morning(site)
        fleet_of_three(site)
        with (
            desk_served(site) as (url, _, _),
            chromium() as browser,
        ):
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            sign_in_at(page, url)
            page.keyboard.type(scanned_payload())
            page.keyboard.press("Enter")
            shoot_when_shown(page, "#found", out / "desk.png")
            page.keyboard.press("2")
            shoot_when_shown(page, "#done", out / "desk-done.png")
            page.goto(f"{url}/fleet")
            shoot_when_shown(page, "#outbox", out / "fleet.png")
        site.store.dispose()
    print(f"wrote desk.png, desk-done.png and fleet.png in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screens"))
