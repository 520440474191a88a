"""Fuzzing the parser and the rules with well over 100,000 random and mutated payloads.

Each hypothesis example derives a batch of mutations of a valid BHYT or CCCD payload (dropped,
duplicated and swapped fields, flipped characters, odd-length hex, huge fields, control
characters, truncation) and runs every one through ``parse_payload`` and ``decide``. Nothing may
raise; every rejection, and every decision that is not an acceptance, carries a reason.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.eligibility import decide
from kiosk.gateway_codes import KNOWN_CODES
from kiosk.model import (
    BhytPayload,
    CardCheck,
    CardRecord,
    CccdPayload,
    CodePayload,
    GatewayReply,
    ReplacementCard,
    Visit,
)
from kiosk.outcome import MESSAGES, Decision, Reason, Status
from kiosk.payload import MAX_PAYLOAD_CHARS, InvalidPayload, is_card_payload, parse_payload
from kiosk.synthetic import bhyt_payload, card_record, cccd_payload, people
from tests.builders import RULES

BATCH = 100
MUTATED_EXAMPLES = 1100  # x BATCH = 110,000 mutated payloads
RANDOM_EXAMPLES = 400  # x BATCH = 40,000 random strings
PEOPLE = list(people(60, seed=11))
NOISE = "0123456789abcdefABCDEF|$-– /\r\n\x00\t\ufeffđĐưỮạ😀\u200b\ufffd"


def _bases(index: int) -> list[str]:
    person = PEOPLE[index % len(PEOPLE)]
    return [
        bhyt_payload(person, "15"),
        bhyt_payload(person, "17"),
        bhyt_payload(person, "10"),
        cccd_payload(person, 7),
        cccd_payload(person, 11),
        person.card_number,
        person.bhxh_number,
        person.id_number,
    ]


def _fields(text: str) -> list[str]:
    return text.split("|")


def _drop(rng: random.Random, text: str) -> str:
    parts = _fields(text)
    del parts[rng.randrange(len(parts))]
    return "|".join(parts)


def _duplicate(rng: random.Random, text: str) -> str:
    parts = _fields(text)
    i = rng.randrange(len(parts))
    parts.insert(i, parts[i])
    return "|".join(parts)


def _swap(rng: random.Random, text: str) -> str:
    parts = _fields(text)
    i, j = rng.randrange(len(parts)), rng.randrange(len(parts))
    parts[i], parts[j] = parts[j], parts[i]
    return "|".join(parts)


def _flip(rng: random.Random, text: str) -> str:
    if not text:
        return rng.choice(NOISE)
    i = rng.randrange(len(text))
    return text[:i] + rng.choice(NOISE) + text[i + 1 :]


def _odd_hex(rng: random.Random, text: str) -> str:
    parts = _fields(text)
    i = rng.choice([k for k in (1, 4, 10, 15) if k < len(parts)] or [0])
    if parts[i]:
        cut = rng.randrange(len(parts[i]))
        parts[i] = parts[i][:cut] + parts[i][cut + 1 :]
    return "|".join(parts)


def _huge(rng: random.Random, text: str) -> str:
    parts = _fields(text)
    parts[rng.randrange(len(parts))] = rng.choice("a7f|") * rng.randint(100, 2500)
    return "|".join(parts)


def _blank(rng: random.Random, text: str) -> str:
    parts = _fields(text)
    parts[rng.randrange(len(parts))] = rng.choice(["", "-", " ", " - "])
    return "|".join(parts)


def _truncate(rng: random.Random, text: str) -> str:
    return text[: rng.randrange(len(text) + 1)]


def _controls(rng: random.Random, text: str) -> str:
    i = rng.randrange(len(text) + 1)
    return text[:i] + rng.choice(["\r\n", "\x00", "\x1b[0m", "\x7f", "\u2028"]) + text[i:]


def _case(rng: random.Random, text: str) -> str:
    return text.swapcase() if rng.random() < 0.5 else text.upper()


def _utf16(rng: random.Random, text: str) -> str:
    parts = _fields(text)
    if len(parts) > 1:
        parts[1] = (
            rng.choice(["Võ Thị Ỷ", "Lý Ưng", "\udc80"])
            .encode("utf-16-le", errors="surrogatepass")
            .hex()
        )
    return "|".join(parts)


MUTATIONS: list[Callable[[random.Random, str], str]] = [
    _drop,
    _duplicate,
    _swap,
    _flip,
    _odd_hex,
    _huge,
    _blank,
    _truncate,
    _controls,
    _case,
    _utf16,
]


def _when(rng: random.Random) -> datetime | None:
    """A gateway time: missing, naive local, or aware (both appear in real replies)."""
    moment = datetime(2026, 1, 1) + timedelta(hours=rng.randint(0, 24 * 400))
    return rng.choice([None, moment, moment.replace(tzinfo=UTC)])


def _reply(rng: random.Random, card: CardRecord) -> GatewayReply | None:
    roll = rng.random()
    if roll < 0.5:
        return None
    code = rng.choice([*KNOWN_CODES, "999", ""])
    new = ReplacementCard(
        rng.choice([card.card_number, "HS4797920999999", "", "x"]),
        rng.choice([None, date(2026, 1, 1), date(2027, 1, 1)]),
        rng.choice([None, date(2026, 12, 31), date(2025, 1, 1)]),
    )
    with_card = rng.choice([None, card, replace(card, replacement=new)])
    visits = tuple(
        Visit(rng.choice(["79024", "79034", ""]), _when(rng), _when(rng))
        for _ in range(rng.randint(0, 2))
    )
    checks = tuple(
        CardCheck(rng.choice(["79024_BV", "79034_BV", ""]), _when(rng)) for _ in range(2)
    )
    return GatewayReply(code, None, with_card, visits, checks)


def _check_decision(decision: Decision) -> None:
    assert isinstance(decision.status, Status)
    if decision.status is not Status.ACCEPTED:
        assert isinstance(decision.reason, Reason), decision
    if decision.reason is not None:
        assert MESSAGES["vi"][decision.reason]
        assert MESSAGES["en"][decision.reason]


def _run_one(text: str, rng: random.Random, card: CardRecord) -> bool:
    """Parse and decide one text; True when it parsed to a payload."""
    result = parse_payload(text)
    if isinstance(result, InvalidPayload):
        assert isinstance(result.reason, Reason)
        assert result.detail
        assert result.raw == text
        return False
    assert isinstance(result, BhytPayload | CccdPayload | CodePayload)
    assert result.raw == text
    assert is_card_payload(text)  # the scan loop's cheap filter never drops a real card
    today = date(2026, 1, 1) + timedelta(days=rng.randint(-400, 800))
    cached = rng.choice([card, None, replace(card, valid_to=None)])
    _check_decision(decide(result, cached, today, RULES, _reply(rng, card)))
    return True


@pytest.mark.slow
@settings(deadline=None, max_examples=MUTATED_EXAMPLES, database=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1), person=st.integers(0, 59))
def test_mutated_payloads_never_raise(seed: int, person: int) -> None:
    rng = random.Random(seed)
    bases = _bases(person)
    card = card_record(PEOPLE[person])
    for _ in range(BATCH):
        text = rng.choice(bases)
        for _ in range(rng.randint(1, 3)):
            text = rng.choice(MUTATIONS)(rng, text)
        _run_one(text, rng, card)


@settings(deadline=None, max_examples=RANDOM_EXAMPLES, database=None)
@given(
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    sample=st.text(max_size=300) | st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
)
def test_random_text_never_raises(seed: int, sample: str) -> None:
    rng = random.Random(seed)
    card = card_record(PEOPLE[seed % len(PEOPLE)])
    _run_one(sample, rng, card)
    alphabet = [*NOISE, *"HSDNQN79 .:/", "http://", "$", "|"]
    for _ in range(BATCH - 1):
        size = rng.choice([0, 5, 10, 12, 15, 40, 200, MAX_PAYLOAD_CHARS + 1])
        _run_one("".join(rng.choice(alphabet) for _ in range(size)), rng, card)


def test_the_mutations_reach_both_outcomes() -> None:
    """Guard against a fuzzer that only ever produces junk (or only valid payloads)."""
    rng = random.Random(7)
    parsed = rejected = 0
    for person in range(20):
        card = card_record(PEOPLE[person])
        for text in _bases(person):
            mutated = rng.choice(MUTATIONS)(rng, text)
            if _run_one(mutated, rng, card):
                parsed += 1
            else:
                rejected += 1
    assert parsed > 20
    assert rejected > 20


# --- card numbers of every length -----------------------------------------------------------

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@st.composite
def _card_fields(draw: st.DrawFn) -> tuple[str, str]:
    """A card field of 10, 12, 15 or 17 characters, and what the kiosk must look it up by."""
    length = draw(st.sampled_from((10, 12, 15, 17)))
    digits = draw(st.text("0123456789", min_size=12, max_size=12))
    head = (
        draw(st.text(_LETTERS, min_size=2, max_size=2))
        + draw(st.sampled_from("12345"))
        + draw(st.sampled_from(("01", "48", "79", "97")))
    )
    if length == 10:
        return digits[:10], digits[:10]
    if length == 12:
        return digits, digits
    if length == 15:
        return head + digits[:10], head + digits[:10]
    return head + digits, digits  # 17: asked by the personal ID it ends with


@given(_card_fields(), st.integers(0, len(PEOPLE) - 1))
@settings(max_examples=300, deadline=None)
def test_a_card_field_of_every_length_is_parsed_and_looked_up_by_what_it_is(
    card: tuple[str, str], index: int
) -> None:
    number, key = card
    person = PEOPLE[index]
    text = bhyt_payload(person, "15").replace(person.card_number, number, 1)
    parsed = parse_payload(text)
    assert isinstance(parsed, BhytPayload), parsed
    assert parsed.card_number == number
    assert parsed.lookup_key == key
    assert len(parsed.lookup_key) in (10, 12, 15)  # what the gateway's maThe takes
    assert parsed.lookup_keys[0] in (number, key)


@given(st.text("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=24))
@settings(max_examples=300, deadline=None)
def test_a_card_field_never_comes_back_as_an_invalid_card(number: str) -> None:
    person = PEOPLE[0]
    text = bhyt_payload(person, "15").replace(person.card_number, number, 1)
    parsed = parse_payload(text)
    if isinstance(parsed, InvalidPayload):
        assert parsed.reason is not Reason.BAD_CARD_NUMBER
