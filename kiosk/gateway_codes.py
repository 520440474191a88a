"""What the kiosk does with each result code (maKetQua) of the BHXH gateway (docs/domain.md §5).

A verdict says which action to take and, where the gateway's answer decides on its own, the
status and reason of the outcome. Codes that mean "the gateway could not judge" fall back to
the cache; those that point at our own configuration or a bug also raise a staff alert.
Unknown codes fall back to the cache with an alert, so a new code never blocks a patient.
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
            A.REJECT,
            Status.REJECTED,
            Reason.GATEWAY_REJECTED,
            "wrong province code (characters 4-5)",
        ),
        _v(
            "053",
            A.REJECT,
            Status.REJECTED,
            Reason.GATEWAY_REJECTED,
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


def is_fallback(code: str) -> bool:
    """Whether the cache decides despite this reply (the gateway could not judge the card)."""
    return interpret(code).action is GatewayAction.FALLBACK_TO_CACHE
