"""What the kiosk does with each result code (maKetQua) of the BHXH gateway (docs/domain.md §5).

A verdict says which action to take and, where the gateway's answer decides on its own, the
status and reason of the outcome. Codes that mean "the gateway could not judge" fall back to
the cache; those that point at our own configuration or a bug, or at data the kiosk cannot put
right (080 gender, 090 registered facility), also raise a staff alert. 052 and 053 (the
province or benefit code in the number asked is wrong: a QR printed before the 2025 merger or
before CV 38/BYT-BH re-coded a group) send the patient to reception with the reason shown to
staff, unless the cached card's number agrees with the gateway (then the cache decides).
Unknown codes fall back to the cache with an alert, so a new code never blocks a patient.
A ``000`` reply carrying new validity dates (``gtTheTuMoi``/``gtTheDenMoi``) is a renewal:
``db.insurance.gateway.reply_from_json`` reads it into the card's replacement.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kiosk.outcome import Reason, Status


class GatewayAction(StrEnum):
    """The kiosk's next step after a gateway reply."""

    ACCEPT = "accept"  # the reply card is valid (004: prefer the new card)
    USE_NEW_CARD = "use_new_card"  # old card expired: the new card's fields, if today is inside
    CONFIRM = "confirm"  # ask the patient to confirm name or birth date, or reception
    RECEPTION = "reception"
    REJECT = "reject"
    FALLBACK_TO_CACHE = "fallback_to_cache"
    # the number asked has a stale code (052/053): reception, unless the cache knows the
    # current number (it differs from the one asked where the gateway says it is wrong)
    CACHE_MUST_AGREE = "cache_must_agree"


@dataclass(frozen=True)
class GatewayVerdict:
    """The meaning of one maKetQua for the kiosk."""

    code: str
    action: GatewayAction
    status: Status | None  # None when the cache (fallback) or the card's dates decide
    reason: Reason | None
    staff_alert: Reason | None = None
    meaning: str = ""


def _v(
    code: str,
    /,
    action: GatewayAction,
    status: Status | None,
    reason: Reason | None,
    meaning: str,
    *,
    alert: Reason | None = None,
) -> GatewayVerdict:
    return GatewayVerdict(code, action, status, reason, alert, meaning)


A = GatewayAction
_TABLE: dict[str, GatewayVerdict] = {
    v.code: v
    for v in (
        _v("000", A.ACCEPT, Status.ACCEPTED, None, "card valid"),
        _v(
            "001",
            A.RECEPTION,
            Status.NEEDS_RECEPTION,
            Reason.MILITARY_OR_POLICE,
            "card managed by the military insurance: verify ID papers",
        ),
        _v(
            "002",
            A.RECEPTION,
            Status.NEEDS_RECEPTION,
            Reason.MILITARY_OR_POLICE,
            "card managed by the police insurance: verify ID papers",
        ),
        _v(
            "003",
            A.USE_NEW_CARD,
            None,
            Reason.CARD_REPLACED,
            "old card expired, a new card was issued",
        ),
        _v(
            "004",
            A.ACCEPT,
            Status.ACCEPTED,
            None,
            "old card still valid, a new card was issued",
        ),
        _v("010", A.REJECT, Status.REJECTED, Reason.CARD_EXPIRED, "card expired"),
        _v("050", A.REJECT, Status.REJECTED, Reason.GATEWAY_REJECTED, "no such card"),
        _v("051", A.REJECT, Status.REJECTED, Reason.GATEWAY_REJECTED, "wrong card number"),
        _v(
            "052",
            A.CACHE_MUST_AGREE,
            Status.NEEDS_RECEPTION,
            Reason.CARD_CODE_UNCONFIRMED,
            "wrong province code (characters 4-5)",
        ),
        _v(
            "053",
            A.CACHE_MUST_AGREE,
            Status.NEEDS_RECEPTION,
            Reason.CARD_CODE_UNCONFIRMED,
            "wrong benefit code (character 3)",
        ),
        _v(
            "054",
            A.FALLBACK_TO_CACHE,
            None,
            Reason.GATEWAY_UNAVAILABLE,
            "officer ID not registered with the gateway",
            alert=Reason.GATEWAY_CONFIG_ERROR,
        ),
        _v(
            "055",
            A.FALLBACK_TO_CACHE,
            None,
            Reason.GATEWAY_UNAVAILABLE,
            "officer name does not match the registered officer",
            alert=Reason.GATEWAY_CONFIG_ERROR,
        ),
        _v(
            "060",
            A.CONFIRM,
            Status.NEEDS_CONFIRMATION,
            Reason.NAME_NEEDS_CONFIRMATION,
            "name does not match",
        ),
        _v(
            "061",
            A.CONFIRM,
            Status.NEEDS_CONFIRMATION,
            Reason.NAME_NEEDS_CONFIRMATION,
            "name does not match (first letters match)",
        ),
        _v(
            "070",
            A.CONFIRM,
            Status.NEEDS_CONFIRMATION,
            Reason.BIRTH_NEEDS_CONFIRMATION,
            "date of birth does not match",
        ),
        _v(
            "080",
            A.FALLBACK_TO_CACHE,
            None,
            Reason.GATEWAY_UNAVAILABLE,
            "gender does not match",
            alert=Reason.GATEWAY_DATA_MISMATCH,
        ),
        _v(
            "090",
            A.FALLBACK_TO_CACHE,
            None,
            Reason.GATEWAY_UNAVAILABLE,
            "registered facility (nơi ĐKKCB ban đầu) does not match",
            alert=Reason.GATEWAY_DATA_MISMATCH,
        ),
        _v(
            "100",
            A.FALLBACK_TO_CACHE,
            None,
            Reason.GATEWAY_UNAVAILABLE,
            "gateway data error: retry later",
        ),
        _v(
            "101",
            A.FALLBACK_TO_CACHE,
            None,
            Reason.GATEWAY_UNAVAILABLE,
            "gateway server error: retry later",
        ),
        _v("110", A.REJECT, Status.REJECTED, Reason.CARD_REVOKED, "card revoked"),
        *(
            _v(
                code,
                A.REJECT,
                Status.REJECTED,
                Reason.CARD_DEREGISTERED,
                "card deregistered (moved, re-enrolled or stopped)",
            )
            for code in ("120", "121", "122", "123", "124")
        ),
        _v(
            "130",
            A.RECEPTION,
            Status.NEEDS_RECEPTION,
            Reason.CHILD_WITHOUT_CARD,
            "child without a card",
        ),
        _v(
            "205",
            A.FALLBACK_TO_CACHE,
            None,
            Reason.GATEWAY_UNAVAILABLE,
            "malformed request (a bug in the kiosk)",
            alert=Reason.GATEWAY_BAD_REQUEST,
        ),
        _v(
            "401",
            A.FALLBACK_TO_CACHE,
            None,
            Reason.GATEWAY_UNAVAILABLE,
            "authentication failed after a token refresh",
            alert=Reason.GATEWAY_CONFIG_ERROR,
        ),
    )
}
KNOWN_CODES: tuple[str, ...] = tuple(_TABLE)


def interpret(code: str) -> GatewayVerdict:
    """The verdict for a maKetQua; an unknown code falls back to the cache and alerts staff."""
    key = code.strip()
    verdict = _TABLE.get(key)
    if verdict is not None:
        return verdict
    return GatewayVerdict(
        key,
        GatewayAction.FALLBACK_TO_CACHE,
        None,
        Reason.GATEWAY_UNAVAILABLE,
        Reason.GATEWAY_UNKNOWN_CODE,
        "unknown result code",
    )


def stale_code_agrees(code: str, asked: str, cached: str) -> bool:
    """Whether a cached card number agrees with a 052/053 answer about the number ``asked``:
    it differs from it exactly where the gateway says the asked number is wrong (characters
    4-5, the province, for 052; character 3, the benefit code, for 053)."""
    asked, cached = asked.strip().upper(), cached.strip().upper()
    if len(asked) not in (15, 17) or len(cached) != 15 or asked[:2] != cached[:2]:
        return False
    if code == "052":
        return asked[3:5] != cached[3:5]
    if code == "053":
        return asked[2] != cached[2]
    return False


def is_fallback(code: str) -> bool:
    """Whether the cache decides despite this reply (the gateway could not judge the card)."""
    return interpret(code).action is GatewayAction.FALLBACK_TO_CACHE
