"""The lobby's policy without a window: each screen's wait and its warning, the "checking…"
watchdog, the camera cues and the language left behind. Time moves only when the fake clock is
told to; tests/ui/test_lobby.py proves the window applies these answers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk.settings import KioskSettings
from kiosk.voice import PromptKind
from tests.fakes import FakeClock
from ui.lobby import (
    CLOSER_AFTER_S,
    HOLD_STILL_AFTER_S,
    SIGHTING_KEEP_S,
    WATCHDOG_GRACE_S,
    Lobby,
    Wait,
)

KIOSK = KioskSettings()  # idle 30 s, questions 60 s, no slip 120 s, the warning 20 s before
BUDGET_S = 4.0


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def lobby(clock: FakeClock) -> Lobby:
    return Lobby(KIOSK, BUDGET_S, clock)


def test_each_kind_of_screen_waits_its_own_time(lobby: Lobby) -> None:
    assert lobby.timeout_for(Wait.QUESTION) == 60
    assert lobby.timeout_for(Wait.RESULT) == 30
    assert lobby.timeout_for(Wait.PRINTER_FAILED) == 120
    assert lobby.timeout_for(Wait.FOREVER) is None
    assert lobby.countdown(Wait.FOREVER, personal=True) is None
    other = Lobby(replace(KIOSK, question_timeout_s=90, idle_timeout_s=20), BUDGET_S, FakeClock())
    assert (other.timeout_for(Wait.QUESTION), other.timeout_for(Wait.RESULT)) == (90, 20)


def test_a_question_warns_for_its_last_20_s_then_expires(lobby: Lobby, clock: FakeClock) -> None:
    clock.advance(seconds=60 - 21)
    before = lobby.countdown(Wait.QUESTION, personal=True)
    assert before is not None
    assert (before.warn, before.expired, before.shown) == (False, False, 21)
    clock.advance(seconds=1)
    warned = lobby.countdown(Wait.QUESTION, personal=True)
    assert warned is not None
    assert (warned.warn, warned.expired, warned.shown) == (True, False, 20)
    clock.advance(seconds=19.5)
    last = lobby.countdown(Wait.QUESTION, personal=True)
    assert last is not None
    assert (last.warn, last.shown) == (True, 1)  # rounded up: "1" until the very end
    clock.advance(seconds=0.5)
    gone = lobby.countdown(Wait.QUESTION, personal=True)
    assert gone is not None
    assert gone.expired


@pytest.mark.parametrize(("wait", "seconds"), [(Wait.RESULT, 30), (Wait.PRINTER_FAILED, 120)])
def test_a_result_screen_never_covers_itself_with_a_warning(
    lobby: Lobby, clock: FakeClock, wait: Wait, seconds: int
) -> None:
    for _ in range(seconds - 1):
        clock.advance(seconds=1)
        countdown = lobby.countdown(wait, personal=True)
        assert countdown is not None
        assert not countdown.warn
        assert not countdown.expired
    clock.advance(seconds=1)
    gone = lobby.countdown(wait, personal=True)
    assert gone is not None
    assert gone.expired


def test_a_screen_without_personal_data_expires_without_a_warning(
    lobby: Lobby, clock: FakeClock
) -> None:
    clock.advance(seconds=25)
    countdown = lobby.countdown(Wait.RESULT, personal=False)
    assert countdown is not None
    assert not countdown.warn
    clock.advance(seconds=5)
    expired = lobby.countdown(Wait.RESULT, personal=False)
    assert expired is not None
    assert expired.expired


def test_a_touch_gives_the_whole_time_again(lobby: Lobby, clock: FakeClock) -> None:
    clock.advance(seconds=25)
    lobby.touched()
    clock.advance(seconds=19)
    countdown = lobby.countdown(Wait.RESULT, personal=True)
    assert countdown is not None
    assert (countdown.warn, countdown.shown) == (False, 11)
    assert lobby.idle_for() == pytest.approx(19)
    lobby.touched()  # a question too: the whole minute again
    clock.advance(seconds=39)
    question = lobby.countdown(Wait.QUESTION, personal=True)
    assert question is not None
    assert (question.warn, question.shown) == (False, 21)


def test_checking_gives_up_after_the_online_budget_and_its_grace(
    lobby: Lobby, clock: FakeClock
) -> None:
    clock.advance(seconds=100)  # long before the step: does not count
    lobby.busy_started()
    clock.advance(seconds=3.2)
    watch = lobby.watch_busy()
    assert int(watch.waited_s) == 3  # "Đã chờ 3 giây"
    assert watch.limit_s == BUDGET_S + WATCHDOG_GRACE_S
    assert not watch.overdue
    clock.advance(seconds=BUDGET_S + WATCHDOG_GRACE_S - 3.2 - 0.5)
    assert not lobby.watch_busy().overdue
    clock.advance(seconds=0.5)
    assert lobby.watch_busy().overdue


def watch(
    lobby: Lobby, *, holding: bool = False, language_chosen: bool = False
) -> PromptKind | None:
    """What the welcome screen says at this tick."""
    return lobby.watch_welcome(holding=holding, language_chosen=language_chosen).say


def test_a_code_in_view_is_greeted_once_then_asked_to_hold_still_once(
    lobby: Lobby, clock: FakeClock
) -> None:
    assert not lobby.watch_welcome(holding=False, language_chosen=False).in_view
    lobby.sighted(far=False)
    seen = lobby.watch_welcome(holding=False, language_chosen=False)
    assert (seen.in_view, seen.far, seen.say) == (True, False, PromptKind.WELCOME)
    said = []
    for _ in range(8):  # 4 s in view, seen every half second, never read
        clock.advance(seconds=0.5)
        lobby.sighted(far=False)
        said.append(watch(lobby))
    assert [s for s in said if s] == [PromptKind.HOLD_STILL]
    assert said.index(PromptKind.HOLD_STILL) == HOLD_STILL_AFTER_S / 0.5 - 1
    # out of view: no cue; back in view: no second greeting for the same patient
    clock.advance(seconds=SIGHTING_KEEP_S)
    gone = lobby.watch_welcome(holding=False, language_chosen=False)
    assert not gone.in_view
    lobby.sighted(far=False)
    assert watch(lobby) is None
    # the next patient is greeted again
    lobby.next_patient()
    assert not lobby.watch_welcome(holding=False, language_chosen=False).in_view
    lobby.sighted(far=False)
    assert watch(lobby) is PromptKind.WELCOME


def test_a_code_too_far_away_is_asked_closer_once_and_never_hold_still(
    lobby: Lobby, clock: FakeClock
) -> None:
    lobby.sighted(far=True)
    first = lobby.watch_welcome(holding=False, language_chosen=False)
    assert (first.in_view, first.far, first.say) == (True, True, PromptKind.WELCOME)
    said = []
    for _ in range(8):
        clock.advance(seconds=0.5)
        lobby.sighted(far=True)
        said.append(watch(lobby))
    assert [s for s in said if s] == [PromptKind.CLOSER]
    assert said.index(PromptKind.CLOSER) == CLOSER_AFTER_S / 0.5 - 1
    clock.advance(seconds=0.5)
    lobby.sighted(far=False)  # nearer now: readable, not read yet
    nearer = lobby.watch_welcome(holding=False, language_chosen=False)
    assert (nearer.in_view, nearer.far) == (True, False)


def test_no_cue_over_a_reads_tick(lobby: Lobby) -> None:
    lobby.sighted(far=False)
    held = lobby.watch_welcome(holding=True, language_chosen=False)
    assert not held.in_view
    assert held.say is None


def test_a_chosen_language_goes_back_after_the_idle_time(lobby: Lobby, clock: FakeClock) -> None:
    clock.advance(seconds=29)
    assert not lobby.watch_welcome(holding=False, language_chosen=True).reset_language
    clock.advance(seconds=1)
    assert lobby.watch_welcome(holding=False, language_chosen=True).reset_language
    assert not lobby.watch_welcome(holding=False, language_chosen=False).reset_language


def test_a_camera_lost_for_15_s_sends_patients_to_reception_until_it_is_back(
    lobby: Lobby, clock: FakeClock
) -> None:
    assert KIOSK.camera_lost_reception_s == 15
    lobby.camera_changed("lost")
    clock.advance(seconds=14.9)
    assert not lobby.camera_gone()  # a camera reconnecting by itself: the scan is still invited
    lobby.camera_changed("lost")  # said again: the loss still counts from the first time
    clock.advance(seconds=0.1)
    assert lobby.camera_gone()
    lobby.next_patient()  # a patient's ticket and back to the start: still gone
    assert lobby.camera_gone()
    lobby.camera_changed("ok")
    assert not lobby.camera_gone()
    lobby.camera_changed("lost")
    clock.advance(seconds=14)
    assert not lobby.camera_gone()  # a new loss counts afresh
    other = Lobby(replace(KIOSK, camera_lost_reception_s=5), BUDGET_S, clock)
    other.camera_changed("lost")
    clock.advance(seconds=5)
    assert other.camera_gone()
