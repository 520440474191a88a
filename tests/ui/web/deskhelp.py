"""The reception desk for tests: its check-in use case wired as kiosk-web wires it, printing
PNG/PDF slips into a folder (kiosk.printers.FilePrinter), and a scanned payload."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from httpx import Client

from db.wiring import Wiring, build_service
from kiosk.clock import Clock, SystemClock
from kiosk.printers import FilePrinter
from kiosk.synthetic import bhyt_payload, people
from tests.ui.web.webhelp import Site, served

NAME = "Lê Văn Tâm"  # made up; its name's hex holds "aa", which a Telex input method mangles


@contextmanager
def desk_wiring(site: Site) -> Iterator[tuple[Wiring, Path]]:
    """The desk's use case on the site's database and the folder its slips print to."""
    slips = site.folder / "desk-slips"
    wiring = build_service(
        site.config, SystemClock(), printer=FilePrinter(slips), use_gateway=False
    )
    try:
        yield wiring, slips
    finally:
        wiring.dispose()


@contextmanager
def desk_served(site: Site, clock: Clock | None = None) -> Iterator[tuple[str, Wiring, Path]]:
    """kiosk-web with the desk's use case (:func:`desk_wiring`) on a real server: its base
    URL, the wiring and the folder the desk's slips print to."""
    with (
        desk_wiring(site) as (wiring, slips),
        served(site, clock=clock, desk=wiring.service) as url,
    ):
        yield url, wiring, slips


@contextmanager
def desk_client(site: Site, clock: Clock | None = None) -> Iterator[tuple[Client, Wiring, Path]]:
    """:func:`desk_served` with an HTTP client of it (not signed in yet)."""
    with desk_served(site, clock) as (url, wiring, slips), Client(base_url=url) as client:
        yield client, wiring, slips


def scanned_payload(*, telex: bool = True) -> str:
    """A card's QR payload that is not in the card cache, as a wedge scanner types it: with a
    Vietnamese Telex input method on, the "aa" of its hex name arrives as "â"."""
    person = replace(next(people(1, seed=31)), name=NAME)
    payload = bhyt_payload(person)
    return payload.replace("aa", "â", 1) if telex else payload


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None, html[:500]
    return found.group(1)
