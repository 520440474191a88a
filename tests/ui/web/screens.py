"""Screenshots of kiosk-web in Debian's Chromium for the docs: ``python -m tests.ui.web.screens
docs/screens`` writes ``board.png`` (1920×1080, a TV) and ``room.png`` (1366×768, a room's PC).

A morning of synthetic patients (kiosk.synthetic: made-up names, shown only as initials on the
room page) checked in to two clinics; three rooms have called; one priority patient waits.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.checkin import snapshot_of
from kiosk.synthetic import card_record, people
from tests.builders import draft
from tests.ui.web.webhelp import Site, chromium, make_site, served


def morning(site: Site) -> None:
    """Check-ins at NOI (rooms 101) and NHI (105), a few of them called."""
    day = site.today()
    start = datetime.now(UTC) - timedelta(minutes=50)
    cast = list(people(14, seed=3))
    for n, person in enumerate(cast):
        clinic = "NHI" if n % 4 == 3 else "NOI"
        site.store.commit_checkin(
            draft(
                key=f"screen-{n}",
                clinic=clinic,
                day=day,
                patient=snapshot_of(None, card_record(person)),
                created_at=start + timedelta(minutes=3 * n),
            )
        )
    calls = site.calls
    for _ in range(3):
        calls.call_next("101", "NOI", day, 2)
    calls.call_next("105", "NHI", day, 2)


def shoot_when_shown(page: Any, selector: str, path: Path, *, full_page: bool = True) -> None:
    """Wait until ``selector`` is on the Playwright ``page``, then save its screenshot to
    ``path`` (the whole page, or only the viewport with ``full_page=False``)."""
    page.wait_for_selector(selector)
    page.screenshot(path=str(path), full_page=full_page)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = make_site(Path(tmp))
        site.add_staff()
        morning(site)
        with served(site) as url, chromium() as browser:
            board = browser.new_page(viewport={"width": 1920, "height": 1080})
            board.goto(f"{url}/board?rooms=101,105,203")
            shoot_when_shown(board, 'body[data-stream="open"]', out / "board.png", full_page=False)
            room = browser.new_page(viewport={"width": 1366, "height": 768})
            room.goto(f"{url}/room/101")
            room.fill('input[name="code"]', "201")
            room.fill('input[name="pin"]', "246813")
            room.click("#signin")
            shoot_when_shown(room, "#next", out / "room.png")
        site.store.dispose()
    print(f"wrote {out / 'board.png'} and {out / 'room.png'}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screens"))
