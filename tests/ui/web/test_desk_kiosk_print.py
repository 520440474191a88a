"""The desk prints a patient's number on the kiosk they stand at: an override with "Print on:
Kiosk K2" leaves a request in central (nothing on the desk's printer), K2's duty prints it, and
the desk's page follows the request to "printed" (/desk/print/{id}). Over HTTP on uvicorn."""

from __future__ import annotations

import re
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from httpx import Client, Response

from db.wiring import Wiring, build_service
from kiosk.clock import SystemClock
from tests.fakes import FakePrinter
from tests.ui.web.deskhelp import csrf_of, desk_client, scanned_payload
from tests.ui.web.test_desk import sign_in
from tests.ui.web.webhelp import Site
from ui.kiosk_printing import KioskPrinting


def _kiosk(site: Site, kiosk_id: str, printer: FakePrinter) -> Wiring:
    """A kiosk's wiring on the site's database, printing on ``printer``."""
    config = replace(site.config, kiosk=replace(site.config.kiosk, id=kiosk_id))
    return build_service(config, SystemClock(), printer=printer, use_gateway=False)


class closing(AbstractContextManager["closing"]):  # noqa: N801 - read as contextlib's
    """Dispose of a wiring at the end of a ``with``."""

    def __init__(self, wiring: Wiring) -> None:
        self.wiring = wiring

    def __exit__(self, *_: object) -> None:
        self.wiring.dispose()


def _override(client: Client, site: Site, page: str, printer: str) -> Response:
    """The scanned patient sent to the site's first clinic (reason 2), the slip printed on
    ``printer``, from a desk ``page`` (its CSRF token)."""
    form = {
        "csrf": csrf_of(page),
        "scan": scanned_payload(),
        "reason": "2",
        "clinic": site.config.clinics[0].code,
        "printer": printer,
    }
    return client.post("/desk/override", data=form)


def test_an_override_printed_on_the_patients_kiosk(site: Site, tmp_path: Path) -> None:
    site.add_staff()
    site.store.tally_outcome("needs_reception", "K2", datetime.now(UTC))  # K2 sent them here
    k2_printer = FakePrinter()
    k2 = _kiosk(site, "K2", k2_printer)
    with closing(k2), desk_client(site) as (client, _, slips):
        assert sign_in(client).status_code == 303
        desk = client.get("/desk")
        found = client.post(
            "/desk/lookup", data={"csrf": csrf_of(desk.text), "q": scanned_payload()}
        )
        assert '<option value="K2">Kiosk K2</option>' in found.text
        done = _override(client, site, found.text, "K2")
        assert done.status_code == 200, re.findall(r"role=\"alert\">([^<]*)", done.text)
        made = re.search(r'data-print-request="(\d+)" data-state="waiting"', done.text)
        assert made is not None, done.text[:2000]
        assert not slips.exists()  # nothing on the desk's printer
        state = client.get(f"/desk/print/{made.group(1)}").json()
        assert state == {"state": "waiting", "kiosk": "K2", "problem": ""}
        # K2's background duty prints it, the same number
        assert KioskPrinting(site.store, k2.service, "K2", SystemClock()).step() == 1
        assert len(k2_printer.printed) == 1
        assert client.get(f"/desk/print/{made.group(1)}").json()["state"] == "printed"
        # a kiosk not offered today is refused
        other = _override(client, site, client.get("/desk").text, "K9")
        assert other.status_code == 400
