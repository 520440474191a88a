"""Staff during an outage (db.offline.staff_copy): sign-in against the kiosk's copy of the staff
directory, an override and a reprint into the journal, a cancel of central's check-in that
waits, then central back: everything replayed, once.

Central is the ``store`` fixture (an SQLite file, then a fresh PostgreSQL database); the
journal an SQLite file; the outage a central on a closed port (the same journal behind it).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from db.models import audit_log, staff
from db.offline.failover import FailoverStore
from db.offline.replay import replay
from db.offline.staff_copy import OfflineStaff, StaffCopyLoop, replay_staff_actions
from db.store import SqlStore
from db.store.staff_copy import copy_staff, staff_copy_at, waiting_cancels
from kiosk.checkin import CheckInRequest
from kiosk.model import CheckInFlag
from kiosk.outcome import Reason, Status
from kiosk.ports import StaffAccount
from kiosk.staff_auth import LoginResult, StaffAuth, hash_pin
from kiosk.synthetic import bhyt_payload
from tests.builders import draft
from tests.db.offline.test_offline import (
    MORNING,
    service,
    unreachable,
    valid_people,
)
from tests.fakes import FakeClock

PIN = "482915"
HOURS = 12


def _auth(directory: OfflineStaff, clock: FakeClock, **limits: int) -> StaffAuth:
    return StaffAuth(directory, clock, where="K1", origin="kiosk", **limits)  # type: ignore[arg-type]


def _audits(central: SqlStore) -> list[tuple[str, str, str]]:
    with central.engine.connect() as conn:
        rows = conn.execute(
            select(audit_log.c.actor, audit_log.c.action, audit_log.c.target).order_by(
                audit_log.c.id
            )
        ).all()
    return [(r.actor, r.action, r.target) for r in rows]


def _copied(central: SqlStore, journal: SqlStore) -> FakeClock:
    """Lan (staff, code 201) on central, copied into the journal at MORNING: the clock."""
    clock = FakeClock(MORNING)
    central.add_staff(StaffAccount("Lan", "staff", hash_pin(PIN, n=2**10), code="201"))
    assert StaffCopyLoop(FailoverStore(central, journal), clock, copy_hours=HOURS).step()
    return clock


def test_sign_in_during_an_outage_then_the_override_replays(
    store: SqlStore, journal: SqlStore
) -> None:
    clock = FakeClock(MORNING)
    store.add_staff(StaffAccount("Lan", "staff", hash_pin(PIN, n=2**10), code="201"))
    online = FailoverStore(store, journal)
    assert StaffCopyLoop(
        online, clock, copy_hours=HOURS
    ).step()  # central answers: the copy is made
    assert staff_copy_at(journal) == MORNING
    central_one = online.commit_checkin(draft("c1", n=1))  # numbered by central, copied in

    # central goes away; the kiosk's staff sign in against the copy
    down = FailoverStore(unreachable(), journal)
    directory = OfflineStaff(down, clock, copy_hours=HOURS)
    signed = _auth(directory, clock).login("201", PIN)
    assert signed.result is LoginResult.OK, signed
    assert not down.online
    # an override for a patient whose card is not in the replica: into the journal
    person = valid_people(1)[0]
    kiosk = service(down)
    assessment = kiosk.assess(bhyt_payload(person))
    assert assessment.status is Status.NEEDS_RECEPTION
    done = kiosk.staff_check_in(assessment, CheckInRequest("NOI", "Đã xem thẻ"), "Lan")
    assert done.checkin is not None
    assert done.checkin.label == "A-1"
    # a reprint of central's check-in, and its cancel, wait for central ("chờ")
    assert kiosk.reprint(central_one.id, "Lan").printed is True
    cancel = kiosk.cancel(central_one.id, "Lan", "Nhầm phòng")
    assert cancel.reason is Reason.CANCEL_WAITING
    assert waiting_cancels(journal) == {central_one.id}
    listed = {c.id: c for c in down.list_checkins(central_one.local_day)}
    assert listed[central_one.id].flag == CheckInFlag.CANCEL_WAITING  # "chờ hủy" on the list
    assert not listed[central_one.id].cancelled
    assert store.get_checkin(central_one.id).cancelled is False  # type: ignore[union-attr]

    # central is back: the journal's check-ins, then the staff actions
    summary = replay(store, journal, clock)
    assert summary.replayed == 1
    actions = replay_staff_actions(store, journal, clock)
    assert (actions.audits, actions.cancels, actions.held) == (2, 1, 0)  # login, reprint
    replayed = store.get_checkin(done.checkin.id)
    assert replayed is not None
    assert replayed.override_reason == "Đã xem thẻ"
    assert replayed.staff_name == "Lan"
    assert store.get_checkin(central_one.id).cancelled is True  # type: ignore[union-attr]
    assert waiting_cancels(journal) == set()
    copy = journal.get_checkin(central_one.id)
    assert copy is not None
    assert (copy.cancelled, copy.flag) == (True, None)
    audits = _audits(store)
    assert ("Lan", "login", "Lan") in audits
    assert ("Lan", "reprint", central_one.id) in audits
    assert ("Lan", "cancel", central_one.id) in audits
    assert any(a[1] == "override" and a[2] == done.checkin.id for a in audits), audits
    # a second replay hands nothing in twice
    again = replay_staff_actions(store, journal, clock)
    assert (again.audits, again.cancels) == (0, 0)
    assert _audits(store) == audits


def test_an_expired_copy_is_not_used_and_is_wiped(store: SqlStore, journal: SqlStore) -> None:
    clock = _copied(store, journal)
    down = FailoverStore(unreachable(), journal)
    directory = OfflineStaff(down, clock, copy_hours=HOURS)
    clock.advance(hours=HOURS, minutes=1)
    assert _auth(directory, clock).login("201", PIN).result is LoginResult.UNAVAILABLE
    with journal.engine.connect() as conn:
        assert conn.execute(select(staff.c.pin_hash)).all() == []  # no hash left behind
    assert staff_copy_at(journal) is None


def test_failures_during_an_outage_lock_the_copy_on_this_kiosk(
    store: SqlStore, journal: SqlStore
) -> None:
    clock = _copied(store, journal)
    directory = OfflineStaff(FailoverStore(unreachable(), journal), clock, copy_hours=HOURS)
    auth = _auth(directory, clock, kiosk_lock_failures=3, pad_max_failures=50)
    for _ in range(2):
        clock.advance(minutes=1)  # past the pad's growing wait
        assert auth.login("201", "000000").result is LoginResult.WRONG_PIN
    clock.advance(minutes=1)
    assert auth.login("201", "000000").result is LoginResult.LOCKED  # the third locks
    clock.advance(minutes=1)
    assert auth.login("201", PIN).result is LoginResult.LOCKED  # counted in the journal
    locked = journal.get_staff("Lan")
    assert locked is not None
    assert locked.locked_until is not None
    assert locked.locked_until > clock.now()
    assert store.get_staff("Lan").locked_until is None  # type: ignore[union-attr]


def test_an_expired_copy_is_wiped_even_if_nobody_signs_in(
    store: SqlStore, journal: SqlStore
) -> None:
    clock = _copied(store, journal)
    cut_off = StaffCopyLoop(FailoverStore(unreachable(), journal), clock, copy_hours=HOURS)
    assert not cut_off.step()
    assert journal.get_staff("Lan") is not None  # still fresh: kept for sign-in
    clock.advance(hours=HOURS, minutes=1)
    assert not cut_off.step()
    assert journal.get_staff("Lan") is None
    assert staff_copy_at(journal) is None


def test_the_copy_keeps_centrals_sign_in_state(journal: SqlStore) -> None:
    # a lock-out central counted goes on holding at the kiosk while central is down
    locked = StaffAccount(
        "Lan", "staff", hash_pin(PIN, n=2**10), code="201", failed_logins=3, lobby_failures=2,
        failures_since=MORNING, next_try_at=MORNING + timedelta(minutes=1),
        locked_until=MORNING + timedelta(minutes=15),
    )  # fmt: skip
    copy_staff(journal, [locked], MORNING)
    assert journal.get_staff("Lan") == locked
