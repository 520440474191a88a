"""A VNeID screen (light and dark, the căn cước QR format) read through the scan loop and
checked in by the citizen ID it carries (docs/domain.md §1)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from kiosk.checkin import CheckInService
from kiosk.config import DecoderSettings, load_config
from kiosk.model import CccdPayload, CheckIn
from kiosk.outcome import Status
from kiosk.payload import is_card_payload, parse_payload
from kiosk.synthetic import SyntheticPerson, card_record, people
from scanner.decode.chain import build_decoder
from scanner.loop import read_clip
from scanner.vneid_screens import vneid_frame, vneid_screen, vneid_text
from tests.fakes import FakeCardCache, FakeCheckInStore, FakeClock, FakePrinter

ROOT = Path(__file__).resolve().parents[2]
MORNING = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 09:00 local


def _person() -> SyntheticPerson:
    return next(
        p
        for p in people(200, seed=11)
        if p.valid_to >= date(2026, 11, 25) and p.facility_code == "79024" and p.id_number
    )


def test_the_screen_shows_the_can_cuoc_format_in_both_modes() -> None:
    text = vneid_text(_person())
    parsed = parse_payload(text)
    assert isinstance(parsed, CccdPayload)
    assert len(text.split("|")) > 7  # the căn cước's longer QR, read past its known fields
    light, dark = vneid_screen(text, dark=False), vneid_screen(text, dark=True)
    assert light.shape == dark.shape
    # the screen around the QR panel is light in one mode and dark in the other
    assert light[light.shape[0] // 5, 20].mean() > 200
    assert dark[dark.shape[0] // 5, 20].mean() < 60


@pytest.mark.parametrize("dark", [False, True])
def test_a_vneid_screen_checks_in_by_cccd_through_the_scan_loop(dark: bool) -> None:
    person = _person()
    text = vneid_text(person)
    rng = np.random.default_rng(7 if dark else 8)
    frames = [vneid_frame(text, rng, dark=dark) for _ in range(12)]
    read = read_clip(
        frames,
        30.0,
        build_decoder(DecoderSettings()),
        decode_fps=10,
        confirm_reads=2,
        accept=is_card_payload,
    )
    assert read.text == text

    cards = FakeCardCache()
    cards.save_card(card_record(person))

    def render(_checkin: CheckIn, _reprint: bool) -> Image.Image:
        return Image.new("1", (576, 10), 1)

    service = CheckInService(
        config=load_config(ROOT / "config.toml", env={}),
        clock=FakeClock(MORNING),
        cards=cards,
        checkins=FakeCheckInStore(),
        online=None,
        printer=FakePrinter(""),
        render_slip=render,
    )
    outcome = service.run(read.text, "NOI")
    assert outcome.status is Status.ACCEPTED, outcome.detail
    assert outcome.checkin is not None
    assert outcome.checkin.patient.id_number == person.id_number
    assert isinstance(outcome.payload, CccdPayload)
