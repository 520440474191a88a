"""The gateway answers of 2026 against the real simulator on 127.0.0.1, read and decided.

One test per code added for public clients' readings: 080 (gender) and 090 (registered
facility) fall back to the cache with a staff alert; 052/053 (a stale province or benefit code
in the number asked) send the patient to reception unless the cached card's number agrees with
the gateway; and a 000 reply carrying new validity dates without ``maTheMoi`` is a renewal.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from db.cards.rows import record_from_row
from db.insurance.population import RENEWED_KIND, Population
from kiosk.eligibility import decide
from kiosk.gateway_codes import interpret
from kiosk.model import CodeKind, CodePayload, GatewayReply
from kiosk.outcome import Reason, Status
from kiosk.ports import CardQuery
from kiosk.synthetic import REFERENCE_DAY
from tests.builders import RULES
from tests.db.simhelp import card_query, gateway_client, simulator


def _card_with(population: Population, code: str, *, long_number: bool = True) -> int:
    for i in range(population.cards):
        if population.gateway_code(i) == code and (len(population.row(i)["maThe"]) == 15) == (
            long_number
        ):
            return i
    raise AssertionError(f"no card answering {code}")


def _asked(population: Population, i: int) -> tuple[CardQuery, GatewayReply]:
    with simulator(population.cards) as (_state, url):
        query = card_query(population, i)
        reply = gateway_client(url).check(query, 3.0)
    assert isinstance(reply, GatewayReply)
    return query, reply


@pytest.mark.parametrize("code", ["080", "090"])
def test_a_mismatch_the_kiosk_cannot_fix_falls_back_to_the_cache_with_a_staff_alert(
    code: str,
) -> None:
    population = Population(2000)
    i = _card_with(population, code)
    query, reply = _asked(population, i)
    assert reply.code == code
    assert reply.note
    verdict = interpret(reply.code)
    assert verdict.staff_alert is Reason.GATEWAY_DATA_MISMATCH
    cached = record_from_row(population.row(i), source="feed")
    payload = CodePayload(query.code, query.code, CodeKind.CARD_NUMBER)
    day = max(cached.valid_from or REFERENCE_DAY, REFERENCE_DAY)
    decision = decide(payload, cached, day, RULES, reply)
    assert decision.detail.startswith(f"gateway {code}")
    assert "cached record" in decision.detail
    assert decision.status is not Status.REJECTED


@pytest.mark.parametrize("code", ["052", "053"])
def test_a_stale_code_goes_to_reception_with_the_reason_for_staff(code: str) -> None:
    population = Population(2000)
    i = _card_with(population, code)
    query, reply = _asked(population, i)
    assert reply.code == code
    payload = CodePayload(query.code, query.code, CodeKind.CARD_NUMBER)
    decision = decide(payload, None, REFERENCE_DAY, RULES, reply)
    assert (decision.status, decision.reason) == (
        Status.NEEDS_RECEPTION,
        Reason.CARD_CODE_UNCONFIRMED,
    )
    assert interpret(code).meaning in decision.detail
    assert str(reply.note) in decision.detail  # the gateway's own words, for staff


@pytest.mark.parametrize("code", ["052", "053"])
def test_a_stale_code_is_decided_by_a_cache_that_agrees_with_the_gateway(code: str) -> None:
    population = Population(2000)
    i = _card_with(population, code)
    query, reply = _asked(population, i)
    row = population.row(i)
    number = row["maThe"]
    # the cache holds the current number: it differs where the gateway says the QR's is wrong
    current = (
        number[:3] + ("48" if number[3:5] != "48" else "01") + number[5:]
        if code == "052"
        else number[:2] + ("2" if number[2] != "2" else "1") + number[3:]
    )
    cached = replace(
        record_from_row({**row, "maThe": current, "mucHuong": ""}, source="feed"),
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
    )
    payload = CodePayload(query.code, query.code, CodeKind.CARD_NUMBER)
    decision = decide(payload, cached, REFERENCE_DAY, RULES, reply)
    assert decision.status in (Status.ACCEPTED, Status.NEEDS_RECEPTION)
    assert decision.reason is not Reason.CARD_CODE_UNCONFIRMED
    assert "the cached card's number agrees" in decision.detail
    assert decision.card is not None
    assert decision.card.card_number == current


def test_a_000_reply_with_new_dates_is_a_renewal() -> None:
    population = Population(2000)
    i = next(
        i
        for i in range(RENEWED_KIND, population.cards, 50)
        if population.gateway_code(i) == "000" and len(population.row(i)["maThe"]) == 15
    )
    query, reply = _asked(population, i)
    assert reply.code == "000"
    assert reply.card is not None
    renewal = reply.card.replacement
    assert renewal is not None
    assert renewal.card_number == reply.card.card_number  # renewed under its own number
    assert reply.card.valid_to is not None
    assert reply.card.valid_to < REFERENCE_DAY  # the old window is over
    payload = CodePayload(query.code, query.code, CodeKind.CARD_NUMBER)
    decision = decide(payload, None, REFERENCE_DAY, RULES, reply)
    assert decision.status is Status.ACCEPTED, decision.detail
    assert decision.card is not None
    assert decision.card.valid_to == renewal.valid_to
