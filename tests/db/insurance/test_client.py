"""The feed and gateway clients against the real simulator on 127.0.0.1."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from db.insurance.feed import FeedClient, parse_page
from db.insurance.http import Credentials, InsuranceError, password_md5
from db.insurance.population import SPECIAL_CODES, Population
from db.insurance.simulator import DEFAULT_PASSWORD, Faults
from kiosk.config import InsuranceSettings
from kiosk.masking import mask_name, mask_number
from kiosk.model import BirthDate, CardStatus, GatewayFailure, GatewayFailureKind, GatewayReply
from kiosk.ports import CardQuery
from tests.db.simhelp import card_query, feed_client, gateway_client, simulator
from tests.fakes import FakeClock, hostile_feed, unused_port


def test_md5_and_masks() -> None:
    assert password_md5("abc") == "900150983cd24fb0d6963f7d28e17f72"
    assert password_md5("abc", uppercase=True) == "900150983CD24FB0D6963F7D28E17F72"
    assert mask_number("HS4797920123456") == "***********3456"
    assert mask_name("Nguyễn Văn Đức") == "Nguyễn V*** Đ***"
    assert DEFAULT_PASSWORD not in repr(Credentials("u", password_md5(DEFAULT_PASSWORD), "n", "i"))


def test_token_is_cached_until_it_expires() -> None:
    with simulator(2000) as (state, url):
        clock = FakeClock(datetime.now(UTC))
        feed = feed_client(url, clock=clock)
        feed.fetch("")
        feed.fetch("500")
        assert state.counts["token"] == 1
        clock.advance(hours=2)  # past the simulator's one-hour expires_in
        feed.fetch("1000")
        assert state.counts["token"] == 2


def test_a_refused_token_is_refreshed_once() -> None:
    with simulator(2000) as (state, url):
        feed = feed_client(url)
        feed.fetch("")
        state.tokens.clear()  # the server forgets every token: the next request gets 401
        page = feed.fetch("500")
        assert len(page.cards) == 500
        assert state.counts["token"] == 2
        assert state.counts["changes"] == 3


def test_tokens_refused_twice_is_an_error() -> None:
    with simulator(100, faults=Faults(token_ttl_s=-1)) as (state, url):
        feed = feed_client(url)
        with pytest.raises(InsuranceError, match="401"):
            feed.fetch("")
        assert state.counts["token"] == 2
        assert state.counts["changes"] == 2


def test_5xx_is_retried_then_reported() -> None:
    with simulator(100, faults=Faults(error_rate=1.0)) as (state, url):
        feed = feed_client(url, retries=3)
        with pytest.raises(InsuranceError, match="HTTP 5"):
            feed.fetch("")
        assert state.counts["token"] == 4  # the token request itself failed 1 + 3 times


def test_4xx_is_never_retried() -> None:
    with simulator(100) as (state, url):
        feed = feed_client(url, retries=5)
        with pytest.raises(InsuranceError, match="HTTP 400"):
            feed.fetch("999999")
        assert state.counts["changes"] == 1


def test_connection_errors_are_retried() -> None:
    url = f"http://127.0.0.1:{unused_port()}"
    feed = feed_client(url, retries=2)
    with pytest.raises(InsuranceError, match="cannot reach"):
        feed.fetch("")
    assert feed._http.attempts == 3


def test_reply_size_is_bounded_and_not_retried() -> None:
    with simulator(2000) as (state, url):
        feed = feed_client(url, page_size=1000, max_bytes=20_000)
        with pytest.raises(InsuranceError, match="limit"):
            feed.fetch("")
        assert state.counts["changes"] == 1


def test_truncated_and_malformed_bodies_are_retried() -> None:
    faults = Faults(truncate_rate=0.3, malformed_rate=0.3)
    with simulator(3000, faults=faults) as (state, url):
        feed = feed_client(url, retries=10)
        total = sum(len(p.cards) for p in feed.pages(""))
        assert total == 3000
        assert state.counts["changes"] > 6  # some pages needed a second try


def test_bad_records_are_reported_and_skipped() -> None:
    with simulator(1000, faults=Faults(bad_record_rate=0.1)) as (_state, url):
        page = feed_client(url, page_size=1000).fetch("")
        assert 50 < len(page.rejected) < 200
        assert len(page.cards) + len(page.rejected) == 1000
        assert all("*" in r.key or r.key == "?" for r in page.rejected)


def test_every_result_code_is_parsed() -> None:
    with simulator(5000) as (state, url):
        population = state.population
        gateway = gateway_client(url)
        by_code: dict[str, int] = {}
        for i in range(5000):
            by_code.setdefault(population.gateway_code(i), i)
        expected = {"000", "003", "004", "010", "110", *SPECIAL_CODES}
        expected |= {f"12{k}" for k in range(5)}
        assert expected <= set(by_code)
        for code in sorted(expected):
            reply = gateway.check(card_query(population, by_code[code]), 2.0)
            assert isinstance(reply, GatewayReply), code
            assert reply.code == code
            assert reply.note
        replaced = gateway.check(card_query(population, by_code["003"]), 2.0)
        assert isinstance(replaced, GatewayReply)
        assert replaced.card is not None
        assert replaced.card.replacement is not None
        assert replaced.card.replacement.valid_to is not None
        revoked = gateway.check(card_query(population, by_code["110"]), 2.0)
        assert isinstance(revoked, GatewayReply)
        assert revoked.card is not None
        assert revoked.card.status is CardStatus.REVOKED
        valid = gateway.check(card_query(population, by_code["000"]), 2.0)
        assert isinstance(valid, GatewayReply)
        assert valid.card is not None
        assert valid.card.bhxh_number == population.row(by_code["000"])["maSoBHXH"]
        with_visit = next(i for i in range(0, 5000, 3) if population.gateway_code(i) == "000")
        visited = gateway.check(card_query(population, with_visit), 2.0)
        assert isinstance(visited, GatewayReply)
        admitted = visited.visits[0].admitted_at
        assert admitted == datetime(2026, 11, 20, 1, 15, tzinfo=UTC)  # 08:15 in HCMC
        # mismatches, unknown cards and officer problems
        q = card_query(population, by_code["000"])
        wrong_name = gateway.check(CardQuery(q.code, "Zzz Yyy", q.birth), 2.0)
        assert isinstance(wrong_name, GatewayReply)
        assert wrong_name.code == "060"
        wrong_birth = gateway.check(CardQuery(q.code, q.name, BirthDate(1900)), 2.0)
        assert isinstance(wrong_birth, GatewayReply)
        assert wrong_birth.code == "070"
        unknown = gateway.check(CardQuery("9999999999", q.name, q.birth), 2.0)
        assert isinstance(unknown, GatewayReply)
        assert unknown.code == "050"
        base = gateway_client(url)._credentials
        for creds, code in (
            (Credentials(base.username, base.password_md5, base.officer_name, "1"), "054"),
            (Credentials(base.username, base.password_md5, "X", base.officer_id), "055"),
        ):
            officer = gateway_client(url, creds).check(q, 2.0)
            assert isinstance(officer, GatewayReply)
            assert officer.code == code


def test_gateway_auth_failure_after_one_refresh() -> None:
    with simulator(200) as (state, url):
        state.password = "something-else"
        result = gateway_client(url).check(card_query(state.population, 20), 1.5)
        assert isinstance(result, GatewayFailure)
        assert result.kind is GatewayFailureKind.AUTH


def _timed_check(url: str, budget: float, population: Population) -> tuple[object, float]:
    gateway = gateway_client(url)
    started = time.monotonic()
    result = gateway.check(card_query(population, 20), budget)
    return result, time.monotonic() - started


def test_gateway_down_fails_within_budget() -> None:
    population = Population(100)
    result, took = _timed_check(f"http://127.0.0.1:{unused_port()}", 0.5, population)
    assert isinstance(result, GatewayFailure)
    assert result.kind in (GatewayFailureKind.UNREACHABLE, GatewayFailureKind.TIMEOUT)
    assert took < 0.6


@pytest.mark.parametrize(
    "faults", [Faults(latency_ms=3000), Faults(drip_ms=300)], ids=["slow", "drip"]
)
def test_gateway_slow_fails_within_budget(faults: Faults) -> None:
    with simulator(100, faults=faults) as (state, url):
        result, took = _timed_check(url, 0.5, state.population)
        assert isinstance(result, GatewayFailure)
        assert result.kind is GatewayFailureKind.TIMEOUT
        assert took < 0.6


@pytest.mark.parametrize("mode", ["error", "not_json"])
def test_a_failing_feed_page_costs_retries_plus_one_requests_each_after_a_pause(
    mode: str,
) -> None:
    # One retry loop, the transport's: a client retrying around it made one page cost 36 GETs.
    pauses: list[float] = []
    with hostile_feed(mode) as server:
        feed = feed_client(server.url, retries=3, sleep=pauses.append)
        with pytest.raises(InsuranceError, match="HTTP 503" if mode == "error" else "not valid"):
            feed.fetch("")
        assert server.pages == 4
    assert len(pauses) == 3  # a backoff before every retry, bad JSON included
    assert all(0 < pause <= 0.05 for pause in pauses)


def test_the_feed_url_must_be_https_unless_allowed() -> None:
    settings = InsuranceSettings(username="79024_BV", feed_url="http://127.0.0.1:9")
    env = {settings.password_env: DEFAULT_PASSWORD}
    with pytest.raises(InsuranceError, match="https://"):
        FeedClient.from_settings(settings, env=env)
    with pytest.raises(InsuranceError, match="https://"):
        FeedClient.from_settings(settings, url="http://feed.example", env=env)
    FeedClient.from_settings(settings, url="https://feed.example", env=env)
    allowed = InsuranceSettings(username="79024_BV", allow_http=True)
    FeedClient.from_settings(allowed, url="http://127.0.0.1:9", env=env)


def test_a_rejected_feed_record_gives_its_cursor_and_never_its_value() -> None:
    long_name = "Nguyễn Thị Hồng " * 20  # 320 characters, over the 200 cap
    reply = {
        "cards": [
            {"maThe": "HS4797900000031", "hoTen": long_name},
            {"maSoBHXH": "\u202e" + "x" * 5000, "hoTen": "Lê Văn Thử"},
            {"maSoBHXH": "79000-00033", "removed": True},
            {"maSoBHXH": "7900000034", "removed": True},
        ],
        "next_cursor": "c2",
        "has_more": False,
    }
    page = parse_page("c1", reply)
    assert page.removals == ["7900000034"]
    assert [(r.position, r.key, r.cursor) for r in page.rejected] == [
        (0, "***********0031", "c1"),
        (1, "?", "c1"),
        (2, "?", "c1"),
    ]
    assert "longer than 200 characters" in page.rejected[0].reason
    assert "Hồng" not in repr(page.rejected)
