"""Patients a kiosk sends to reception: the reason of each outcome (gateway code included),
the masked hint, the ticket's code the desk scans, its slip, and "Đến quầy" with central up
(the day's number) and down (no number, the ticket still prints)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from db.store import SqlStore
from db.store.engine import create_kiosk_engine
from kiosk.config import load_config
from kiosk.model import BhytPayload
from kiosk.outcome import Outcome, Reason, Status
from kiosk.payload import parse_payload
from kiosk.reception import (
    ReceptionTicket,
    Referral,
    SentReason,
    TicketDesk,
    parse_ticket_code,
    patient_hint,
    referral_of,
    staff_words,
    ticket_code,
)
from kiosk.reception_ticket import TicketRenderer, layout_ticket
from kiosk.synthetic import bhyt_payload, people
from tests.builders import ZONE
from tests.db.storehelp import open_sqlite_store
from tests.fakes import FakeClock, FakePrinter

NOON = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)  # 12:00 in Hồ Chí Minh City
ROOT = Path(__file__).resolve().parents[2]


def test_each_outcome_names_its_reason_in_both_words() -> None:
    cases = [
        (Outcome(Status.REJECTED, Reason.CARD_EXPIRED, detail="gateway 010"), "expired", ""),
        (Outcome(Status.NEEDS_RECEPTION, Reason.CARD_NOT_FOUND), "not_found", ""),
        (Outcome(Status.REJECTED, Reason.GATEWAY_REJECTED, detail="gateway 050"), "gateway", "050"),
        (Outcome(Status.NEEDS_RECEPTION, Reason.BIRTH_YEAR_WRONG), "birth_year_limit", ""),
        (Outcome(Status.NEEDS_RECEPTION, Reason.RECORD_REFUSED), "held", ""),
        (Outcome(Status.REJECTED, Reason.CARD_REVOKED), "rejected", "card_revoked"),
        # a gateway code the cached record overruled is not the reason
        (
            Outcome(
                Status.NEEDS_RECEPTION,
                Reason.VALIDITY_UNKNOWN,
                detail="gateway 054 (officer): decided from the cached record; x",
            ),
            "other",
            "validity_unknown",
        ),
    ]  # fmt: skip
    for outcome, reason, detail in cases:
        referral = referral_of(outcome)
        assert (referral.reason, referral.detail) == (reason, detail), outcome
    assert staff_words("gateway", "052", "K2") == "Cổng BHXH trả mã 052"
    assert staff_words("help", "", "K2") == "Bấm Gọi nhân viên ở kiosk K2"


def test_the_hint_is_initials_and_the_last_four_digits_never_the_name_or_number() -> None:
    person = next(people(1, seed=7))
    payload = parse_payload(bhyt_payload(person))
    assert isinstance(payload, BhytPayload)
    outcome = Outcome(Status.REJECTED, Reason.CARD_EXPIRED, payload=payload)
    hint = referral_of(outcome).hint
    card = payload.card_number
    initials = "".join(f"{w[0]}." for w in person.name.split())
    assert hint == f"{initials} …{card[-4:]}"
    assert card not in hint
    assert all(word not in hint for word in person.name.split() if len(word) > 1)
    assert patient_hint("", None) == ""
    assert len(patient_hint("A B C D E F G H", "0123456789")) <= 24


def test_the_ticket_code_reads_back_and_nothing_else_does() -> None:
    day = date(2026, 11, 25)
    assert ticket_code(day, 7) == "RT-20261125-7"
    assert parse_ticket_code(" rt-20261125-7 ") == (day, 7)
    assert parse_ticket_code(ticket_code(day, None)) == (day, 0)
    for text in ("RT-20261325-7", "RT-2026112-7", "0123456789", "RT-20261125-"):
        assert parse_ticket_code(text) is None


def _desk(store: SqlStore, printer: FakePrinter) -> TicketDesk:
    config = load_config(ROOT / "config.toml")
    return TicketDesk(
        store,
        printer=printer,
        render=TicketRenderer(config).render,
        clock=FakeClock(NOON),
        zone=ZONE,
        kiosk_id="K2",
    )


def test_den_quay_raises_the_entry_and_prints_the_numbered_ticket(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path)
    printer = FakePrinter()
    try:
        desk = _desk(store, printer)
        referral = Referral(SentReason.GATEWAY, "052", "L.T.Y. …6789")
        first = desk.issue(referral, "reception")
        second = desk.issue(Referral(SentReason.EXPIRED), "reception")
        assert (first.ticket.number, second.ticket.number) == (1, 2)
        assert first.printed
        assert [name for name, _ in printer.printed] == [
            "reception-RT-20261125-1",
            "reception-RT-20261125-2",
        ]
        entry = store.waiting_at_reception(date(2026, 11, 25))[0]
        assert (entry.ticket, entry.kiosk_id, entry.reason, entry.hint) == (
            1,
            "K2",
            "gateway",
            "L.T.Y. …6789",
        )
    finally:
        store.dispose()


def test_with_central_down_the_ticket_still_prints_without_a_number(tmp_path: Path) -> None:
    # a server that refuses connections: the real driver's failure, not a stand-in
    down = SqlStore(create_kiosk_engine("postgresql+psycopg://postgres@127.0.0.1:9/none"))
    printer = FakePrinter()
    try:
        issued = _desk(down, printer).issue(Referral(SentReason.NOT_FOUND), "reception")
    finally:
        down.dispose()
    assert issued.ticket.number is None
    assert issued.printed
    assert [name for name, _ in printer.printed] == ["reception-RT-20261125-0"]


def test_the_slip_says_the_number_the_reason_in_both_languages_the_kiosk_and_the_time() -> None:
    config = load_config(ROOT / "config.toml")
    ticket = replace(_ticket(), referral=Referral(SentReason.GATEWAY, "052", "L.T.Y. …6789"))
    slip = layout_ticket(ticket, config.hospital, ZONE, "Sảnh A")
    text = slip.text()
    assert "\n7\n" in text
    assert "Lý do: Cổng BHXH chưa xác nhận thẻ (mã 052)" in text
    assert "Reason: The insurance gateway did not confirm the card (code 052)" in text
    assert "Máy / Kiosk: K2" in text
    assert "Ngày giờ: 25/11/2026 12:00" in text
    assert "L.T.Y. …6789" in text
    assert slip.code_payload == "RT-20261125-7"
    offline = layout_ticket(replace(ticket, number=None), config.hospital, ZONE).text()
    assert "CHƯA CÓ SỐ" in offline
    assert "\n7\n" not in offline


def _ticket() -> ReceptionTicket:
    return ReceptionTicket(7, date(2026, 11, 25), NOON, "K2", Referral(SentReason.EXPIRED))


def test_the_gallery_ticket_prints_a_code_the_desk_scanner_reads_at_both_widths() -> None:
    import numpy as np
    import zxingcpp

    from kiosk.slip_render import render_slip
    from tools.slip_gallery import WIDTHS, reception_tickets

    slips = reception_tickets()
    for stem, number in (("slip-reception-ticket", 7), ("slip-reception-ticket-offline", 0)):
        slip = slips[stem]
        for dots in WIDTHS:
            image = render_slip(slip, dots).convert("L")
            assert image.width == dots
            read = [r.text for r in zxingcpp.read_barcodes(np.asarray(image))]
            assert read == [f"RT-20261125-{number}"], (stem, dots)
            assert parse_ticket_code(read[0]) == (date(2026, 11, 25), number)
