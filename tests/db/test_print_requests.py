"""Printing on the patient's kiosk: the desk asks in central (db.store.print_requests), the kiosk
named prints from its background duty (ui.kiosk_printing: the reprint path, the same number)
and marks the request; another kiosk never prints it. On an SQLite file, then PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from PIL import Image

from db.store import SqlStore
from db.store.print_requests import (
    FAILED,
    PRINTED,
    WAITING,
    get_request,
    known_kiosks,
    request_print,
    todays_requests,
)
from db.store.staff_copy import AUDIT, queue_action, waiting_actions
from kiosk.checkin import CheckInRequest, CheckInService
from kiosk.config import Config, load_config
from kiosk.model import CheckIn
from kiosk.outcome import Status
from kiosk.printers import FilePrinter
from kiosk.synthetic import bhyt_payload, people
from tests.fakes import FakeClock, FakePrinter
from ui.kiosk_printing import KioskPrinting

ROOT = Path(__file__).resolve().parents[2]


def _service(store: SqlStore, kiosk_id: str, printer: object, clock: FakeClock) -> CheckInService:
    config: Config = load_config(ROOT / "config.toml", env={})
    config = replace(config, kiosk=replace(config.kiosk, id=kiosk_id))

    def render(checkin: CheckIn, reprint: bool) -> Image.Image:
        return Image.new("1", (576, 100), 1)

    return CheckInService(
        config=config,
        clock=clock,
        cards=store,
        checkins=store,
        online=None,
        printer=printer,  # type: ignore[arg-type]
        render_slip=render,
        tally=store,
    )


def _desk_override(desk: CheckInService, seed: int) -> CheckIn:
    """An override at the desk whose slip is printed elsewhere (not on the desk's printer)."""
    assessment = desk.assess(bhyt_payload(next(people(1, seed=seed))))
    assert assessment.status is Status.NEEDS_RECEPTION
    outcome = desk.staff_check_in(
        assessment, CheckInRequest("NOI", "Đã xem thẻ"), "Lan", printing=False
    )
    assert outcome.checkin is not None
    assert outcome.printed is None  # nothing printed at the desk
    return outcome.checkin


def test_the_chosen_kiosk_prints_and_no_other(store: SqlStore, tmp_path: Path) -> None:
    clock = FakeClock()
    desk_printer = FakePrinter()
    desk = _service(store, "DESK", desk_printer, clock)
    slips = tmp_path / "k2-slips"
    k1_printer = FakePrinter()
    k1 = KioskPrinting(store, _service(store, "K1", k1_printer, clock), "K1", clock)
    k2 = KioskPrinting(store, _service(store, "K2", FilePrinter(slips), clock), "K2", clock)
    checkin = _desk_override(desk, 31)
    day = checkin.local_day
    made = request_print(store, checkin.id, "K2", staff="Lan", day=day, at=clock.now())
    assert get_request(store, made).state == WAITING  # type: ignore[union-attr]

    assert k1.step() == 0  # K1 polls first: not its request
    assert k1_printer.printed == []
    assert get_request(store, made).state == WAITING  # type: ignore[union-attr]
    assert k2.step() == 1
    assert len(list(slips.glob("*.png"))) == 1  # the FilePrinter's PNG, on K2
    slip = next(slips.glob("*.png")).name
    assert f"-NOI-{checkin.queue_number:04d}-reprint-" in slip  # the same number
    assert get_request(store, made).state == PRINTED  # type: ignore[union-attr]
    assert k2.step() == 0  # printed once
    assert desk_printer.printed == []
    # the same number, printed the reprint way and audited under who asked
    again = store.get_checkin(checkin.id)
    assert again is not None
    assert again.label == checkin.label
    audits = store.audit_entries(checkin.id)
    assert [(a["actor"], a["action"]) for a in audits if a["action"] == "reprint"] == [
        ("Lan", "reprint")
    ]
    assert [r.id for r in todays_requests(store, day)] == [made]


def test_a_failed_print_is_marked_with_its_problem(store: SqlStore) -> None:
    clock = FakeClock()
    desk = _service(store, "DESK", FakePrinter(), clock)
    k3 = KioskPrinting(store, _service(store, "K3", FakePrinter("paper_out"), clock), "K3", clock)
    checkin = _desk_override(desk, 32)
    made = request_print(
        store, checkin.id, "K3", staff="Lan", day=checkin.local_day, at=clock.now()
    )
    assert k3.step() == 1
    failed = get_request(store, made)
    assert failed is not None
    assert failed.state == FAILED
    assert failed.problem == "paper_out"


def test_the_desk_is_offered_the_kiosks_seen_today(store: SqlStore) -> None:
    clock = FakeClock()
    desk = _service(store, "DESK", FakePrinter(), clock)
    checkin = _desk_override(desk, 34)
    assert list(known_kiosks(store, checkin.local_day, "DESK")) == []  # the desk is no kiosk
    kiosk = _service(store, "K7", FakePrinter(), clock)
    kiosk.assess(bhyt_payload(next(people(1, seed=33))))  # sent to reception: tallied for K7
    assert list(known_kiosks(store, checkin.local_day, "DESK")) == ["K7"]


def test_requests_and_waiting_staff_actions_go_with_their_days_check_ins(
    store: SqlStore,
) -> None:
    clock = FakeClock()
    desk = _service(store, "DESK", FakePrinter(), clock)
    checkin = _desk_override(desk, 35)
    day = checkin.local_day
    made = request_print(store, checkin.id, "K2", staff="Lan", day=day, at=clock.now())
    queue_action(store, AUDIT, actor="Lan", action="login", target="Lan", at=clock.now())
    store.purge_before(day)  # keeps the day itself
    assert get_request(store, made) is not None
    assert len(waiting_actions(store)) == 1
    store.purge_before(day + timedelta(days=1))
    assert get_request(store, made) is None
    assert waiting_actions(store) == []
