"""The co-payment exemption date is kept with the check-in: a reprinted slip still says
"Miễn cùng chi trả từ dd/MM/yyyy", on SQLite and on PostgreSQL, and a check-in replayed from
the offline journal keeps it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PIL import Image

from db.offline.replay import replay
from db.store import SqlStore
from db.store.engine import create_kiosk_engine
from db.store.migrate import upgrade
from kiosk.config import load_config
from kiosk.model import CheckIn, Route
from kiosk.slip_layout import SlipLine, layout_slip
from tests.builders import MORNING, ZONE, draft
from tests.db.storehelp import store_service
from tests.fakes import FakeClock

ROOT = Path(__file__).resolve().parents[3]
EXEMPT = date(2026, 4, 5)
LINE = "Miễn cùng chi trả từ 05/04/2026"


def test_a_reprinted_slip_still_says_the_exemption(store: SqlStore) -> None:
    config = load_config(ROOT / "config.toml", env={})
    slips: list[tuple[bool, list[str]]] = []

    def render(checkin: CheckIn, reprint: bool) -> Image.Image:
        slip = layout_slip(checkin, None, config.hospital, ZONE, reprint=reprint)
        slips.append((reprint, [i.text for i in slip.items if isinstance(i, SlipLine)]))
        return Image.new("1", (576, 10), 1)

    service = store_service(config, store, render)
    committed = store.commit_checkin(
        draft(route=Route.CORRECT, benefit_percent=100, copay_exempt_from=EXEMPT)
    )
    plain = store.commit_checkin(draft("k2", n=2, route=Route.CORRECT, benefit_percent=80))
    assert service.reprint(committed.id, "Lan").printed
    assert service.reprint(plain.id, "Lan").printed
    (first_reprint, first_lines), (_, plain_lines) = slips
    assert first_reprint
    assert LINE in first_lines
    assert not any(line.startswith("Miễn cùng chi trả") for line in plain_lines)
    listed = {c.id: c.copay_exempt_from for c in store.list_checkins(committed.local_day)}
    assert listed == {committed.id: EXEMPT, plain.id: None}


def test_a_replayed_checkin_keeps_its_exemption(store: SqlStore, tmp_path: Path) -> None:
    engine = create_kiosk_engine(f"sqlite:///{tmp_path / 'offline.db'}")
    upgrade(engine)
    journal = SqlStore(engine, zone=ZONE, clock=FakeClock(MORNING), series="A")
    try:
        offline = journal.commit_checkin(
            draft(route=Route.CORRECT, benefit_percent=100, copay_exempt_from=EXEMPT)
        )
        assert replay(store, journal, FakeClock(MORNING)).as_json()["replayed"] == 1
    finally:
        journal.dispose()
    copied = store.get_checkin(offline.id)
    assert copied is not None
    assert (copied.label, copied.copay_exempt_from) == ("A-1", EXEMPT)
