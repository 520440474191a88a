"""The gateway client against each variant of the real gateway, played by the simulator.

One test per variant: the token request's encoding and MD5 case, the three ways a refused token
is answered, the four birth-date forms of a reply, the 10-digit card number, the year-only
request, the kept-alive session with a token taken ahead of time, and the circuit breaker.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from db.insurance.gateway import reply_birth, token_refused
from db.insurance.http import Credentials, InsuranceError, TokenCache, password_md5
from db.insurance.population import Population
from db.insurance.simulator import DEFAULT_PASSWORD, Faults, GatewayBehaviour
from kiosk.circuit import BreakerCheck, BreakerState, CircuitBreaker
from kiosk.model import BirthDate, GatewayFailure, GatewayFailureKind, GatewayReply
from kiosk.ports import CardQuery
from tests.db.simhelp import CREDENTIALS, gateway_client, simulator, transport
from tests.fakes import FakeClock, unused_port


def _birth(text: str) -> BirthDate:
    parsed = reply_birth(text)
    assert parsed is not None
    return parsed


def _valid(population: Population, *, full_birth: bool = True, cccd: bool = False) -> int:
    """A card the simulator answers 000, with a full or year-only birth date."""
    for i in range(population.length):
        row = population.row(i)
        if population.gateway_code(i) != "000" or (len(row["ngaySinh"]) == 10) != full_birth:
            continue
        if len(row["maThe"]) == 15 and (not cccd or row["soCCCD"]):
            return i
    raise AssertionError("no such card in the population")


def _query(population: Population, i: int, *, by_cccd: bool = False) -> CardQuery:
    row = population.row(i)
    code = row["soCCCD"] if by_cccd else row["maThe"]
    return CardQuery(code, row["hoTen"], _birth(row["ngaySinh"]))


def _credentials(uppercase: bool) -> Credentials:
    return Credentials(
        CREDENTIALS.username,
        password_md5(DEFAULT_PASSWORD, uppercase=uppercase),
        CREDENTIALS.officer_name,
        CREDENTIALS.officer_id,
    )


# --- the token request --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("client_body", "accepted", "works"),
    [
        ("form", "any", True),
        ("json", "any", True),
        ("form", "form", True),
        ("json", "json", True),
        ("json", "form", False),  # a service that reads only the form the guidance describes
        ("form", "json", False),
    ],
)
def test_token_body_encoding(client_body: str, accepted: str, works: bool) -> None:
    with simulator(10, behaviour=GatewayBehaviour(token_body=accepted)) as (state, url):
        http = transport()
        clock = FakeClock(datetime.now(UTC))
        tokens = TokenCache(http, url, CREDENTIALS, clock, body=client_body)
        if works:
            assert tokens.get().access_token
        else:
            with pytest.raises(InsuranceError, match="402"):
                tokens.get()
        assert state.counts["token"] == 1


@pytest.mark.parametrize(
    ("uppercase", "accepted", "works"),
    [
        (True, "upper", True),
        (False, "upper", False),
        (False, "lower", True),
        (True, "lower", False),
        (True, "any", True),
        (False, "any", True),
    ],
)
def test_md5_case(uppercase: bool, accepted: str, works: bool) -> None:
    behaviour = GatewayBehaviour(md5_case=accepted)
    with simulator(200, behaviour=behaviour) as (state, url):
        population = state.population
        result = gateway_client(url, _credentials(uppercase)).check(
            _query(population, _valid(population)), 3.0
        )
        if works:
            assert isinstance(result, GatewayReply)
            assert result.code == "000"
        else:
            assert isinstance(result, GatewayFailure)
            assert result.kind is GatewayFailureKind.AUTH


# --- a refused token is renewed once --------------------------------------------------------


@pytest.mark.parametrize("how", ["401", "403", "message"])
def test_a_refused_token_is_renewed_once(how: str) -> None:
    with simulator(200, behaviour=GatewayBehaviour(token_error=how)) as (state, url):
        population = state.population
        gateway = gateway_client(url)
        query = _query(population, _valid(population))
        assert isinstance(gateway.check(query, 3.0), GatewayReply)
        state.tokens.clear()  # the server forgets the token
        again = gateway.check(query, 3.0)
        assert isinstance(again, GatewayReply)
        assert again.code == "000"
        assert (state.counts["token"], state.counts["check"]) == (2, 3)


@pytest.mark.parametrize("how", ["401", "403", "message"])
def test_a_token_refused_twice_is_an_auth_failure(how: str) -> None:
    behaviour = GatewayBehaviour(token_error=how)
    with simulator(200, behaviour=behaviour) as (state, url):
        state.faults.token_ttl_s = -1  # every token is born expired
        population = state.population
        result = gateway_client(url).check(_query(population, _valid(population)), 3.0)
        assert isinstance(result, GatewayFailure)
        assert result.kind is GatewayFailureKind.AUTH
        assert (state.counts["token"], state.counts["check"]) == (2, 2)


def test_token_refusal_words() -> None:
    assert token_refused(401, None)
    assert token_refused(403, None)
    assert token_refused(200, {"maKetQua": "401"})
    assert token_refused(200, {"ghiChu": "Token không đúng!"})
    assert token_refused(200, {"message": "TOKEN hết hạn"})
    assert token_refused(200, {"message": "Invalid token"})
    assert not token_refused(200, {"maKetQua": "000", "ghiChu": "Thẻ còn giá trị sử dụng!"})
    assert not token_refused(200, {"maKetQua": "060", "ghiChu": "Họ tên không đúng!"})


# --- the reply's birth date and card number ------------------------------------------------


@pytest.mark.parametrize("form", ["dd/MM/yyyy", "d/M/yyyy", "MM/yyyy", "yyyy"])
def test_every_reply_birth_date_form_keeps_the_card(form: str) -> None:
    with simulator(300, behaviour=GatewayBehaviour(reply_birth=form)) as (state, url):
        population = state.population
        i = _valid(population)
        born = _birth(population.row(i)["ngaySinh"])
        reply = gateway_client(url).check(_query(population, i), 3.0)
        assert isinstance(reply, GatewayReply)
        assert reply.card is not None
        assert (
            reply.card.birth
            == {
                "dd/MM/yyyy": born,
                "d/M/yyyy": born,
                "MM/yyyy": BirthDate(born.year, born.month),
                "yyyy": BirthDate(born.year),
            }[form]
        )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05/08/1990", BirthDate(1990, 8, 5)),
        ("5/8/1990", BirthDate(1990, 8, 5)),
        ("08/1990", BirthDate(1990, 8)),
        ("8/1990", BirthDate(1990, 8)),
        ("1990", BirthDate(1990)),
    ],
)
def test_reply_birth_forms(text: str, expected: BirthDate) -> None:
    assert reply_birth(text) == expected


@pytest.mark.parametrize("text", ["", "-", "31/02/1990", "1990-08-05", "13/1990", "5/8/90"])
def test_unreadable_reply_birth_dates_are_unknown(text: str) -> None:
    assert reply_birth(text) is None


def test_a_10_digit_card_number_in_the_reply_keeps_the_level_of_the_number_asked() -> None:
    behaviour = GatewayBehaviour(short_card_number=True)
    with simulator(300, behaviour=behaviour) as (state, url):
        population = state.population
        i = _valid(population, cccd=True)
        row = population.row(i)
        gateway = gateway_client(url)
        by_card = gateway.check(_query(population, i), 3.0)
        assert isinstance(by_card, GatewayReply)
        assert by_card.card is not None
        assert by_card.card.card_number == row["maThe"]
        assert by_card.card.benefit_level == int(row["maThe"][2])
        by_id = gateway.check(_query(population, i, by_cccd=True), 3.0)
        assert isinstance(by_id, GatewayReply)
        assert by_id.card is not None
        # nothing in the reply says the level: the check-in keeps the cache's (test_checkin)
        assert by_id.card.card_number == row["maSoBHXH"]
        assert by_id.card.benefit_level is None


# --- the request's birth date --------------------------------------------------------------


def test_a_year_only_birth_date_is_sent_as_the_year_and_matches() -> None:
    with simulator(300) as (state, url):
        population = state.population
        i = _valid(population)  # the card knows the full date
        row = population.row(i)
        year = BirthDate(int(row["ngaySinh"][-4:]))
        month = BirthDate(year.year, int(row["ngaySinh"][3:5]))
        gateway = gateway_client(url)
        for birth in (year, month):
            reply = gateway.check(CardQuery(row["maThe"], row["hoTen"], birth), 3.0)
            assert isinstance(reply, GatewayReply)
            assert reply.code == "000"  # a strict gateway: 070 only for another year
        other = gateway.check(CardQuery(row["maThe"], row["hoTen"], BirthDate(1901)), 3.0)
        assert isinstance(other, GatewayReply)
        assert other.code == "070"


def test_no_birth_date_is_never_sent_empty() -> None:
    with simulator(50) as (state, url):
        gateway = gateway_client(url)
        result = gateway.check(CardQuery("HS4797920123456", "Lê Văn Tâm", None), 3.0)
        assert isinstance(result, GatewayFailure)
        assert result.kind is GatewayFailureKind.INCOMPLETE
        assert state.counts.get("check", 0) == 0


# --- one round trip per check ---------------------------------------------------------------


def test_a_token_taken_ahead_and_one_kept_alive_connection_per_worker() -> None:
    with simulator(300) as (state, url):
        population = state.population
        gateway = gateway_client(url)
        gateway.start(poll_s=0.05)
        try:
            deadline = time.monotonic() + 5
            while state.counts.get("token", 0) == 0 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert state.counts["token"] == 1  # taken at start, before any patient
            connections_before = state.counts["connection"]
            query = _query(population, _valid(population))
            for _ in range(6):
                assert isinstance(gateway.check(query, 3.0), GatewayReply)
            assert state.counts["check"] == 6
            assert state.counts["token"] == 1  # no check waited for a token
            # the checks reused their workers' connections: at most one new per worker
            assert state.counts["connection"] - connections_before <= 2
        finally:
            gateway.close()


def test_a_check_during_the_first_token_fetch_waits_for_it_instead_of_taking_another() -> None:
    with simulator(300, faults=Faults(latency_ms=300)) as (state, url):
        population = state.population
        gateway = gateway_client(url)
        gateway.start(poll_s=0.05)
        try:
            reply = gateway.check(_query(population, _valid(population)), 3.0)
            assert isinstance(reply, GatewayReply)
            assert state.counts["token"] == 1
        finally:
            gateway.close()


def test_the_token_is_renewed_before_it_expires_off_the_check_path() -> None:
    with simulator(10) as (state, url):
        clock = FakeClock(datetime.now(UTC))
        tokens = TokenCache(transport(), url, CREDENTIALS, clock)
        assert tokens.refresh_ahead()
        assert tokens.refresh_ahead()  # not due: nothing taken
        assert state.counts["token"] == 1
        clock.advance(minutes=56)  # the simulator's tokens live an hour: now within 5 minutes
        assert tokens.due()
        assert tokens.refresh_ahead()
        assert state.counts["token"] == 2


def test_a_token_service_that_is_down_does_not_raise_ahead_of_time() -> None:
    url = f"http://127.0.0.1:{unused_port()}"
    tokens = TokenCache(transport(retries=0), url, CREDENTIALS, FakeClock(datetime.now(UTC)))
    assert tokens.refresh_ahead() is False


def test_the_default_budget_is_four_seconds() -> None:
    from kiosk.config import InsuranceSettings

    assert InsuranceSettings().online_budget_s == 4.0


# --- the circuit breaker in front of a dead gateway -----------------------------------------


def test_a_dead_gateway_is_not_hammered() -> None:
    url = f"http://127.0.0.1:{unused_port()}"
    clock = FakeClock(datetime.now(UTC))
    gateway = gateway_client(url, retries=0, clock=clock)
    guarded = BreakerCheck(gateway, CircuitBreaker(clock, failures=3, cooldown_s=60))
    query = CardQuery("HS4797920123456", "Lê Văn Tâm", BirthDate(1960))
    kinds = [guarded.check(query, 0.5) for _ in range(5)]
    assert all(isinstance(k, GatewayFailure) for k in kinds)
    attempts = gateway._http.attempts
    assert [k.kind for k in kinds[3:] if isinstance(k, GatewayFailure)] == [
        GatewayFailureKind.SKIPPED,
        GatewayFailureKind.SKIPPED,
    ]
    assert guarded.breaker.state is BreakerState.OPEN
    clock.advance(seconds=61)
    trial = guarded.check(query, 0.5)
    assert isinstance(trial, GatewayFailure)
    assert trial.kind is not GatewayFailureKind.SKIPPED
    assert gateway._http.attempts > attempts
    skipped = guarded.check(query, 0.5)
    assert isinstance(skipped, GatewayFailure)
    assert skipped.kind is GatewayFailureKind.SKIPPED


def test_the_kiosk_wires_the_gateway_behind_a_breaker_with_a_token_ready(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import tomllib
    from pathlib import Path

    from db.wiring import build_online_check
    from kiosk.config import parse_config

    root = Path(__file__).resolve().parents[3]
    with (root / "config.toml").open("rb") as handle:
        data = tomllib.load(handle)
    monkeypatch.setenv("KIOSK_GATEWAY_PASSWORD", DEFAULT_PASSWORD)
    monkeypatch.setenv("KIOSK_GATEWAY_OFFICER_NAME", CREDENTIALS.officer_name)
    monkeypatch.setenv("KIOSK_GATEWAY_OFFICER_ID", CREDENTIALS.officer_id)
    with simulator(300) as (state, url):
        data["insurance"]["gateway_url"] = url
        data["insurance"]["allow_http"] = True  # the simulator speaks plain http on 127.0.0.1
        config = parse_config(data, {}, root)
        online = build_online_check(config, FakeClock(datetime.now(UTC)))
        assert isinstance(online, BreakerCheck)
        deadline = time.monotonic() + 5
        while state.counts.get("token", 0) == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert state.counts["token"] == 1  # form body, upper-case MD5: the defaults
        population = state.population
        reply = online.check(_query(population, _valid(population)), 4.0)
        assert isinstance(reply, GatewayReply)
        assert reply.code == "000"
        assert state.counts["token"] == 1
