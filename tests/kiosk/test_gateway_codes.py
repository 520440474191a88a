"""Every gateway result code (docs/domain.md §5) and what the kiosk does with it."""

from __future__ import annotations

import pytest

from kiosk.gateway_codes import (
    KNOWN_CODES,
    GatewayAction,
    interpret,
    is_fallback,
    stale_code_agrees,
)
from kiosk.outcome import Reason, Status

A = GatewayAction
# code: (action, status, reason, staff alert) -- written out from the table, row by row
TABLE = {
    "000": (A.ACCEPT, Status.ACCEPTED, None, None),
    "001": (A.RECEPTION, Status.NEEDS_RECEPTION, Reason.MILITARY_OR_POLICE, None),
    "002": (A.RECEPTION, Status.NEEDS_RECEPTION, Reason.MILITARY_OR_POLICE, None),
    "003": (A.USE_NEW_CARD, None, Reason.CARD_REPLACED, None),
    "004": (A.ACCEPT, Status.ACCEPTED, None, None),
    "010": (A.REJECT, Status.REJECTED, Reason.CARD_EXPIRED, None),
    "050": (A.REJECT, Status.REJECTED, Reason.GATEWAY_REJECTED, None),
    "051": (A.REJECT, Status.REJECTED, Reason.GATEWAY_REJECTED, None),
    "052": (A.CACHE_MUST_AGREE, Status.NEEDS_RECEPTION, Reason.CARD_CODE_UNCONFIRMED, None),
    "053": (A.CACHE_MUST_AGREE, Status.NEEDS_RECEPTION, Reason.CARD_CODE_UNCONFIRMED, None),
    "054": (A.FALLBACK_TO_CACHE, None, Reason.GATEWAY_UNAVAILABLE, Reason.GATEWAY_CONFIG_ERROR),
    "055": (A.FALLBACK_TO_CACHE, None, Reason.GATEWAY_UNAVAILABLE, Reason.GATEWAY_CONFIG_ERROR),
    "060": (A.CONFIRM, Status.NEEDS_CONFIRMATION, Reason.NAME_NEEDS_CONFIRMATION, None),
    "061": (A.CONFIRM, Status.NEEDS_CONFIRMATION, Reason.NAME_NEEDS_CONFIRMATION, None),
    "070": (A.CONFIRM, Status.NEEDS_CONFIRMATION, Reason.BIRTH_NEEDS_CONFIRMATION, None),
    "080": (A.FALLBACK_TO_CACHE, None, Reason.GATEWAY_UNAVAILABLE, Reason.GATEWAY_DATA_MISMATCH),
    "090": (A.FALLBACK_TO_CACHE, None, Reason.GATEWAY_UNAVAILABLE, Reason.GATEWAY_DATA_MISMATCH),
    "100": (A.FALLBACK_TO_CACHE, None, Reason.GATEWAY_UNAVAILABLE, None),
    "101": (A.FALLBACK_TO_CACHE, None, Reason.GATEWAY_UNAVAILABLE, None),
    "110": (A.REJECT, Status.REJECTED, Reason.CARD_REVOKED, None),
    "120": (A.REJECT, Status.REJECTED, Reason.CARD_DEREGISTERED, None),
    "121": (A.REJECT, Status.REJECTED, Reason.CARD_DEREGISTERED, None),
    "122": (A.REJECT, Status.REJECTED, Reason.CARD_DEREGISTERED, None),
    "123": (A.REJECT, Status.REJECTED, Reason.CARD_DEREGISTERED, None),
    "124": (A.REJECT, Status.REJECTED, Reason.CARD_DEREGISTERED, None),
    "130": (A.RECEPTION, Status.NEEDS_RECEPTION, Reason.CHILD_WITHOUT_CARD, None),
    "205": (A.FALLBACK_TO_CACHE, None, Reason.GATEWAY_UNAVAILABLE, Reason.GATEWAY_BAD_REQUEST),
    "401": (A.FALLBACK_TO_CACHE, None, Reason.GATEWAY_UNAVAILABLE, Reason.GATEWAY_CONFIG_ERROR),
}


def test_the_table_covers_exactly_the_documented_codes() -> None:
    assert set(KNOWN_CODES) == set(TABLE)


@pytest.mark.parametrize("code", sorted(TABLE))
def test_each_row(code: str) -> None:
    action, status, reason, alert = TABLE[code]
    verdict = interpret(code)
    assert verdict.code == code
    assert verdict.action is action
    assert verdict.status == status
    assert verdict.reason == reason
    assert verdict.staff_alert == alert
    assert verdict.meaning
    assert is_fallback(code) is (action is A.FALLBACK_TO_CACHE)


@pytest.mark.parametrize("code", ["999", "", "00", "0000", "abc", "200"])
def test_unknown_codes_fall_back_to_the_cache_with_an_alert(code: str) -> None:
    verdict = interpret(code)
    assert verdict.action is A.FALLBACK_TO_CACHE
    assert verdict.staff_alert is Reason.GATEWAY_UNKNOWN_CODE
    assert is_fallback(code)


def test_codes_are_read_with_surrounding_spaces() -> None:
    assert interpret(" 000 ").action is A.ACCEPT


@pytest.mark.parametrize(
    ("code", "asked", "cached", "agrees"),
    [
        ("052", "HS4797920123456", "HS4747920123456", True),  # the cache knows the new province
        ("052", "HS4797920123456", "HS4797920123456", False),
        ("053", "CN3797920123456", "CN2797920123456", True),  # re-coded by CV 38/BYT-BH
        ("053", "CN3797920123456", "CN3797920123456", False),
        ("053", "CN3797920123456", "CN3747920123456", False),  # differs elsewhere
        ("053", "CN3797920123456", "7920123456", False),
        ("000", "CN3797920123456", "CN2797920123456", False),
    ],
)
def test_a_stale_code_answer_and_the_cache(
    code: str, asked: str, cached: str, agrees: bool
) -> None:
    assert stale_code_agrees(code, asked, cached) is agrees
