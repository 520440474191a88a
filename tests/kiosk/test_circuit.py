"""The circuit breaker in front of the online check: opens, cools down, tries one, closes."""

from __future__ import annotations

import pytest

from kiosk.circuit import BreakerCheck, BreakerState, CircuitBreaker
from kiosk.model import BirthDate, GatewayFailure, GatewayFailureKind, GatewayReply
from kiosk.ports import CardQuery
from tests.fakes import UNREACHABLE, FakeClock, FakeOnlineCheck


def state_of(guarded: BreakerCheck) -> BreakerState:
    """The breaker's state as read now (a call: a type checker keeps no earlier reading)."""
    return guarded.breaker.state


QUERY = CardQuery("HS4797920123456", "Lê Văn Tâm", BirthDate(1960))
OK = GatewayReply(code="000", note="ok", card=None)


def rig(
    failures: int = 3, cooldown_s: float = 60
) -> tuple[FakeClock, FakeOnlineCheck, BreakerCheck]:
    clock = FakeClock()
    online = FakeOnlineCheck({QUERY.code: OK}, failure=UNREACHABLE)
    return (
        clock,
        online,
        BreakerCheck(online, CircuitBreaker(clock, failures=failures, cooldown_s=cooldown_s)),
    )


def kind(result: GatewayReply | GatewayFailure) -> str:
    return result.code if isinstance(result, GatewayReply) else result.kind.value


def test_it_opens_after_n_failures_in_a_row_and_skips_without_asking() -> None:
    _clock, online, guarded = rig()
    results = [kind(guarded.check(QUERY, 4)) for _ in range(5)]
    assert results == ["unreachable"] * 3 + ["skipped"] * 2
    assert len(online.queries) == 3
    assert guarded.breaker.state is BreakerState.OPEN


def test_after_the_cool_down_one_trial_decides() -> None:
    clock, online, guarded = rig()
    for _ in range(3):
        guarded.check(QUERY, 4)
    clock.advance(seconds=59)
    assert kind(guarded.check(QUERY, 4)) == "skipped"
    clock.advance(seconds=2)
    assert kind(guarded.check(QUERY, 4)) == "unreachable"  # the trial failed: open again
    assert kind(guarded.check(QUERY, 4)) == "skipped"
    assert len(online.queries) == 4
    clock.advance(seconds=61)
    online.failure = None  # the gateway is back
    assert kind(guarded.check(QUERY, 4)) == "000"
    assert guarded.breaker.state is BreakerState.CLOSED
    assert kind(guarded.check(QUERY, 4)) == "000"


def test_a_reply_resets_the_count() -> None:
    _clock, online, guarded = rig()
    guarded.check(QUERY, 4)
    guarded.check(QUERY, 4)
    online.failure = None
    guarded.check(QUERY, 4)
    online.failure = UNREACHABLE
    guarded.check(QUERY, 4)
    guarded.check(QUERY, 4)
    assert state_of(guarded) is BreakerState.CLOSED  # 2 in a row, not 4
    guarded.check(QUERY, 4)
    assert state_of(guarded) is BreakerState.OPEN


@pytest.mark.parametrize(
    "neutral", [GatewayFailureKind.AUTH, GatewayFailureKind.INCOMPLETE], ids=str
)
def test_failures_that_say_nothing_of_the_service_do_not_count(
    neutral: GatewayFailureKind,
) -> None:
    _clock, online, guarded = rig(failures=1)
    online.failure = GatewayFailure(neutral, "")
    for _ in range(3):
        guarded.check(QUERY, 4)
    assert guarded.breaker.state is BreakerState.CLOSED
    assert len(online.queries) == 3


def test_only_one_trial_at_a_time() -> None:
    clock, _online, guarded = rig(failures=1)
    breaker = guarded.breaker
    breaker.record(success=False)
    clock.advance(seconds=61)
    assert breaker.allow()
    assert breaker.state is BreakerState.TRIAL
    assert not breaker.allow()  # a second patient while the trial runs: the cache decides
    breaker.record(success=True)
    assert breaker.allow()


def test_a_breaker_needs_sane_settings() -> None:
    with pytest.raises(ValueError, match="cool-down"):
        CircuitBreaker(FakeClock(), failures=0)
    with pytest.raises(ValueError, match="cool-down"):
        CircuitBreaker(FakeClock(), cooldown_s=0)
