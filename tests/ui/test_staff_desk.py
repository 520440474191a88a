"""The staff desk without a window: look-up, check-in (staff confirm what a patient would),
override with a typed identity, reprint, cancel and today's list, as signals."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import SignalInstance
from pytestqt.qtbot import QtBot

from kiosk.checkin import CheckInRequest, Identity
from kiosk.config import Config
from kiosk.model import CheckIn
from kiosk.outcome import Outcome, Status
from kiosk.staff_auth import LoginResult, MemoryStaffDirectory, StaffAuth
from kiosk.synthetic import SyntheticPerson, bhyt_payload, card_record
from tests.fakes import FakeAdmin, FakeClock
from tests.ui.ui_rig import Rig, build_rig, diacritics_differ
from ui.staff_desk import STAFF_LIST_ROWS, Lookup, StaffDesk
from ui.workers import TaskRunner


@pytest.fixture
def rig(config: Config, clock: FakeClock, persons: list[SyntheticPerson]) -> Rig:
    # the first person's card is in the cache with the given name typed without its marks
    cards = [diacritics_differ(card_record(persons[0]))] + [card_record(p) for p in persons[1:]]
    return build_rig(config, clock, cards)


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[TaskRunner]:
    runner = TaskRunner("service")
    yield runner
    runner.stop()


@pytest.fixture
def desk(
    runner: TaskRunner, rig: Rig, clock: FakeClock, staff_directory: MemoryStaffDirectory
) -> Iterator[StaffDesk]:
    auth = StaffAuth(staff_directory, clock, logout_after_s=120)
    desk = StaffDesk(rig.service, auth, FakeAdmin(), runner)
    yield desk
    desk.stop()


def sign_in(qtbot: QtBot, desk: StaffDesk) -> None:
    attempt = answer(qtbot, desk.signed_in, lambda: desk.sign_in("101", "1234"))
    assert attempt.result is LoginResult.OK


def answer(qtbot: QtBot, signal: SignalInstance, ask: Callable[[], None]) -> Any:
    """What the desk sends through ``signal`` once ``ask()`` is run."""
    with qtbot.waitSignal(signal, timeout=5000) as sent:
        ask()
    assert sent.args is not None
    return sent.args[0]


def look_up(qtbot: QtBot, desk: StaffDesk, code: str) -> Lookup:
    lookup: Lookup = answer(qtbot, desk.looked_up, lambda: desk.lookup(code))
    return lookup


def check_in(qtbot: QtBot, desk: StaffDesk, request: CheckInRequest) -> Outcome:
    outcome: Outcome = answer(qtbot, desk.checked_in, lambda: desk.check_in(request))
    return outcome


def test_staff_confirm_the_person_they_see(
    qtbot: QtBot, desk: StaffDesk, rig: Rig, persons: list[SyntheticPerson]
) -> None:
    sign_in(qtbot, desk)
    lookup = look_up(qtbot, desk, bhyt_payload(persons[0]))
    assert lookup.outcome.status is Status.NEEDS_CONFIRMATION
    assert (lookup.can_check_in, lookup.can_override, lookup.needs_identity) == (
        True,
        False,
        False,
    )
    with qtbot.waitSignal(desk.checkins, timeout=5000) as listed:  # the list follows
        outcome = check_in(qtbot, desk, CheckInRequest("NOI"))
    assert outcome.status is Status.ACCEPTED
    assert outcome.checkin is not None
    assert outcome.checkin.staff_name == "Lan"
    assert desk.assessment is None  # done: the next code starts afresh
    assert listed.args is not None
    assert [c.id for c in listed.args[0]] == [outcome.checkin.id]
    assert len(rig.printer.printed) == 1


def test_nothing_is_checked_in_without_a_staff_session(
    qtbot: QtBot, desk: StaffDesk, rig: Rig, persons: list[SyntheticPerson]
) -> None:
    look_up(qtbot, desk, bhyt_payload(persons[1]))
    with qtbot.assertNotEmitted(desk.working):
        desk.check_in(CheckInRequest("NOI"))
    assert not rig.store.checkins


def test_an_override_carries_the_identity_staff_typed(
    qtbot: QtBot, desk: StaffDesk, rig: Rig, persons: list[SyntheticPerson]
) -> None:
    sign_in(qtbot, desk)
    lookup = look_up(qtbot, desk, "7999999999")  # a bare number nobody has
    assert (lookup.can_check_in, lookup.can_override, lookup.needs_identity) == (
        False,
        True,
        True,
    )
    request = CheckInRequest("NOI", "Thẻ giấy", Identity("Đỗ Thị Ánh", 1965))
    outcome = check_in(qtbot, desk, request)
    assert outcome.checkin is not None
    assert outcome.checkin.patient.name == "Đỗ Thị Ánh"
    assert outcome.checkin.patient.birth is not None
    assert outcome.checkin.patient.birth.year == 1965
    assert outcome.checkin.override_reason == "Thẻ giấy"


def test_reprint_and_cancel_answer_and_refresh_the_list(
    qtbot: QtBot,
    desk: StaffDesk,
    runner: TaskRunner,
    rig: Rig,
    persons: list[SyntheticPerson],
) -> None:
    answers: list[Outcome] = []
    lists: list[list[CheckIn]] = []
    desk.checked_in.connect(answers.append)
    desk.cancelled.connect(answers.append)
    desk.checkins.connect(lambda rows: lists.append(list(rows)))
    sign_in(qtbot, desk)
    look_up(qtbot, desk, bhyt_payload(persons[1]))
    desk.check_in(CheckInRequest("NOI"))
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    first = answers[-1].checkin
    assert first is not None
    desk.reprint(first.id)
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    assert answers[-1].checkin == first
    assert len(rig.printer.printed) == 2
    desk.cancel(first.id, "Bệnh nhân về")
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    assert [c.cancelled for c in lists[-1]] == [True]  # the list follows each answer
    desk.search("no such name")
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    assert lists[-1] == []


def test_todays_list_asks_for_one_more_row_than_the_screen_shows(
    desk: StaffDesk, rig: Rig, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[int | None] = []
    service = rig.service
    real = service.todays_checkins

    def counting(search: str | None = None, limit: int | None = None) -> Any:
        asked.append(limit)
        return real(search, limit)

    monkeypatch.setattr(service, "todays_checkins", counting)
    with qtbot.waitSignal(desk.checkins, timeout=5000):
        desk.search("")
    assert asked == [STAFF_LIST_ROWS + 1]
