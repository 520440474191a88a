"""Each fleet invariant holds on a good record and fails on the bad one it is there for."""

from __future__ import annotations

from tests.fleet import invariants as inv

DAY = "2026-12-08"
ALICE = frozenset({"0123456789", "079123456789"})
BOB = frozenset({"0987654321", "079987654321"})


def slip(patient: str, label: str, checkin_id: str, kiosk: str = "K1") -> inv.Slip:
    return inv.Slip(kiosk, patient, "NOI", DAY, label, checkin_id)


def central(
    checkin_id: str, label: str, keys: frozenset[str], alias: str | None = None
) -> inv.CentralCheckIn:
    return inv.CentralCheckIn(checkin_id, "NOI", DAY, label, alias, keys, False)


def event(kind: str, event_id: str, checkin_id: str, keys: frozenset[str]) -> inv.HisEvent:
    return inv.HisEvent(kind, event_id, checkin_id, "NOI", DAY, keys)


KEYS = {"alice": ALICE, "bob": BOB}


def test_a_slip_has_one_checkin_under_its_label_or_alias() -> None:
    rows = [central("c1", "1", ALICE), central("c2", "2", BOB, alias="A-1")]
    slips = [slip("alice", "1", "c1"), slip("alice", "1", "c1"), slip("bob", "A-1", "c2")]
    verdict, held = inv.one_checkin_per_slip(slips, rows, KEYS, [])
    assert (verdict.ok, verdict.checked, held) == (True, 2, 0)


def test_a_slip_under_another_label_or_with_two_checkins_fails() -> None:
    relabelled, _ = inv.one_checkin_per_slip(
        [slip("bob", "A-1", "c2")], [central("c2", "2", BOB)], KEYS, []
    )
    assert not relabelled.ok
    assert "slip A-1 but central has 2" in relabelled.violations[0]
    doubled, _ = inv.one_checkin_per_slip(
        [slip("bob", "A-1", "c2")], [central("c2", "2", BOB), central("c3", "3", BOB)], KEYS, []
    )
    assert not doubled.ok
    lost, _ = inv.one_checkin_per_slip([slip("bob", "A-1", "c2")], [], KEYS, [])
    assert not lost.ok
    assert "0 check-ins" in lost.violations[0]
    held, count = inv.one_checkin_per_slip([slip("bob", "A-1", "c2")], [], KEYS, ["c2"])
    assert (held.ok, count) == (True, 1)  # reception's, counted apart


def test_two_patients_with_one_label_fail() -> None:
    assert inv.labels_unique([slip("alice", "A-1", "c1"), slip("alice", "A-1", "c1")]).ok
    shared = inv.labels_unique([slip("alice", "A-1", "c1"), slip("bob", "A-1", "c9", "K5")])
    assert not shared.ok
    assert shared.violations == ["NOI A-1: 2 patients hold it (kiosks K1, K5)"]


def test_a_kiosk_offline_past_the_settle_time_fails() -> None:
    assert inv.online_after_faults({"K1": 0.2, "K2": 2.9}, 3.0).ok
    late = inv.online_after_faults({"K1": 0.2, "K2": 3.5, "K3": None}, 3.0)
    assert (late.ok, late.count) == (False, 2)


def test_one_checkin_event_per_visit_and_cancels_after_their_checkins() -> None:
    rows = [central("c1", "1", ALICE), central("c2", "2", BOB)]
    good = [
        event("checkin", "e1", "c1", ALICE),
        event("checkin", "e1", "c1", ALICE),  # the same event again: the HIS dedups it
        event("checkin", "e2", "c2", BOB),
        event("cancel", "e3", "c2", BOB),
    ]
    assert inv.his_one_event_per_visit(good, rows, ["c2"]).ok
    twice = [*good, event("checkin", "e4", "c1", ALICE)]
    assert not inv.his_one_event_per_visit(twice, rows, ["c2"]).ok
    early = [good[3], good[0], good[2]]
    assert not inv.his_one_event_per_visit(early, rows, ["c2"]).ok
    assert not inv.his_one_event_per_visit(good[:3], rows, ["c2"]).ok  # the cancel never came


def test_a_name_or_an_id_number_in_a_log_line_fails() -> None:
    names = ["Nguyễn Thị Ánh"]
    numbers = ["079123456789"]
    clean = [("l1", "checked in c1: NOI #A-1"), ("l2", "event 0791234567890 not an ID")]
    assert inv.no_personal_data(clean, names, numbers).ok
    assert not inv.no_personal_data([("l3", "for Nguyễn Thị Ánh")], names, numbers).ok
    assert not inv.no_personal_data([("l4", "card 079123456789 refused")], names, numbers).ok
