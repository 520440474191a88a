"""The co-payment look-up (``TraCuuTienMCCT``) against the real simulator on 127.0.0.1.

One test per ``MaKetQua`` (200 with the visits, 204 none, 400 a bad request, 500 a restricted
account), the token in the headers and renewed once when refused, the transport's one retry
loop, and the public documentation's worked examples decided end to end.
"""

from __future__ import annotations

from datetime import date

from db.insurance.gateway import copay_from_json
from kiosk.copay import CopayReply, from_reply
from kiosk.model import GatewayFailure, GatewayFailureKind
from kiosk.ports import CardQuery, CopayLookup
from tests.db.simhelp import card_query, gateway_client, simulator

WORKED = [  # the documentation's example, newest first as the service sorts it
    {"ngayVao": "02/08/2026", "ngayRa": "05/08/2026", "tBNCCTLuyKe": 16500000.0},
    {"ngayVao": "18/06/2026", "ngayRa": "20/06/2026", "tBNCCTLuyKe": 15200000.0},
    {"ngayVao": "02/04/2026", "ngayRa": "05/04/2026", "tBNCCTLuyKe": 14500000.0},
    {"ngayVao": "13/02/2026", "ngayRa": "15/02/2026", "tBNCCTLuyKe": 9800000.0},
]
BELOW = [
    {"ngayVao": "02/08/2026", "ngayRa": "05/08/2026", "tBNCCTLuyKe": 11200000},
    {"ngayVao": "13/02/2026", "ngayRa": "15/02/2026", "tBNCCTLuyKe": 6400000},
]
AT_THRESHOLD = [{"ngayVao": "01/03/2026", "ngayRa": "10/03/2026", "tBNCCTLuyKe": 14040000}]
TODAY = date(2026, 8, 10)


def _ask(rows: list[dict[str, object]] | None, i: int = 5, **state: object) -> CopayReply:
    with simulator(200) as (sim, url):
        population = sim.population
        if rows is not None:
            sim.copay[population.row(i)["maSoBHXH"]] = rows
        for key, value in state.items():
            setattr(sim, key, value)
        client = gateway_client(url)
        assert isinstance(client, CopayLookup)
        reply = client.copay(card_query(population, i), 3.0)
    assert isinstance(reply, CopayReply), reply
    return reply


def test_200_the_worked_example_is_exempt_from_the_first_crossing() -> None:
    reply = _ask(WORKED)
    assert reply.code == "200"
    assert reply.note
    assert len(reply.visits) == 4
    decided = from_reply(reply, TODAY)
    assert decided is not None
    assert (decided.total_vnd, decided.exempt_from) == (16_500_000, date(2026, 4, 5))


def test_200_the_worked_example_below_the_threshold() -> None:
    decided = from_reply(_ask(BELOW), TODAY)
    assert decided is not None
    assert (decided.total_vnd, decided.exempt_from, decided.decided) == (11_200_000, None, True)


def test_200_exactly_at_the_threshold_is_not_over() -> None:
    reply = _ask(AT_THRESHOLD)
    decided = from_reply(reply, date(2026, 6, 20))
    assert decided is not None
    assert decided.exempt_from is None
    # six old base salaries paid when the base salary changes: exempt from the change (cl. 2 c)
    after = from_reply(reply, TODAY)
    assert after is not None
    assert after.exempt_from == date(2026, 7, 1)


def test_204_no_co_payment_this_year() -> None:
    reply = _ask([], i=4)
    assert (reply.code, reply.visits) == ("204", ())
    decided = from_reply(reply, TODAY)
    assert decided is not None
    assert (decided.total_vnd, decided.exempt_from) == (0, None)


def test_400_a_card_code_of_a_length_the_service_refuses() -> None:
    with simulator(50) as (sim, url):
        q = card_query(sim.population, 5)
        reply = gateway_client(url).copay(CardQuery(q.code[:9], q.name, q.birth), 3.0)
    assert isinstance(reply, CopayReply)
    assert reply.code == "400"
    assert from_reply(reply, TODAY) is None  # reception confirms, as without the look-up


def test_500_a_restricted_account_is_a_failure_after_the_one_retry_loop() -> None:
    with simulator(50) as (sim, url):
        sim.copay_restricted = True
        client = gateway_client(url, retries=2)
        reply = client.copay(card_query(sim.population, 5), 3.0)
        asked = sim.counts.get("copay", 0)
    assert isinstance(reply, GatewayFailure)
    assert reply.kind is GatewayFailureKind.UNREACHABLE
    assert asked == 3  # retries + 1, not their square


def test_a_refused_token_is_renewed_once_and_sent_in_the_headers() -> None:
    with simulator(50) as (sim, url):
        sim.copay[sim.population.row(5)["maSoBHXH"]] = WORKED
        client = gateway_client(url)
        query = card_query(sim.population, 5)
        first = client.copay(query, 3.0)
        sim.tokens.clear()  # the service forgot every token: HTTP 401 with no body
        second = client.copay(query, 3.0)
        fetched = client._tokens.fetches
    assert isinstance(first, CopayReply)
    assert isinstance(second, CopayReply)
    assert second.code == "200"
    assert fetched == 2


def test_the_population_answers_every_code_of_its_own() -> None:
    with simulator(200) as (sim, url):
        client = gateway_client(url)
        codes = {}
        for i in range(1, 9):
            reply = client.copay(card_query(sim.population, i), 3.0)
            assert isinstance(reply, CopayReply)
            codes[i] = reply.code
    assert codes[4] == codes[8] == "204"
    assert {codes[i] for i in (1, 2, 3, 5, 6, 7)} == {"200"}


def test_a_reply_row_whose_total_cannot_be_read_is_left_out() -> None:
    reply = copay_from_json(
        {
            "MaKetQua": "200",
            "DataCCT": [
                {"ngayRa": "05/04/2026", "tBNCCTLuyKe": "x"},
                {"ngayRa": "", "tBNCCTLuyKe": 100},
                "junk",
            ],
        }
    )
    assert len(reply.visits) == 1
    assert reply.visits[0].discharged_on is None
