"""Eligibility: may this patient check in with this card today, as the hospital would decide?

:func:`decide` combines what the QR says, the card record (cached, or freshly returned by the
gateway) and the gateway's result code into a :class:`~kiosk.outcome.Decision`. It is a pure
function: ``today`` is the hospital's local date (``kiosk.clock.local_day``), passed in.

The order of the checks matters:

1. the record must be this patient's: a name or birth date that plainly differs sends the
   patient to reception before anything about the card is said (it may be someone else's);
2. the card's status (revoked, deregistered) and validity window (from the QR when it has
   one, else the record; a record whose window ends later than the QR's is a renewal of the
   same number and wins) — an expired card with a current replacement is accepted on the new
   card; an expiry that only the QR or the cache shows (the gateway did not answer) sends the
   patient to reception instead of refusing them (Decree 188/2025 Art. 38 cl. 2);
3. the "checked by another facility after the last discharge" rule (gateway history);
4. differences only in diacritics (or a swapped day and month) ask the patient to confirm;
   such a decision already carries the route and benefit share of the acceptance it leads to;
5. a card whose object code is well formed but missing from :mod:`kiosk.object_codes` is not
   refused: a decision that would let the patient in sends them to reception to confirm the
   group instead (the list of groups changes by law faster than the table).

The route (visit code) and the share come from :func:`kiosk.route.benefit_for`, the dated rule
table of docs/domain.md (route and benefit).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from kiosk.card_number import level_of
from kiosk.clock import HOSPITAL_ZONE
from kiosk.copay import CopayExemption
from kiosk.gateway_codes import GatewayAction, GatewayVerdict, interpret, stale_code_agrees
from kiosk.model import (
    BhytPayload,
    CardRecord,
    CardStatus,
    CccdPayload,
    CodeKind,
    CodePayload,
    GatewayReply,
    Payload,
    ReplacementCard,
)
from kiosk.names import Match, compare_births, compare_names
from kiosk.object_codes import object_code
from kiosk.outcome import Decision, Reason, Status
from kiosk.route import HospitalRules, benefit_for


def decide(
    payload: Payload,
    card: CardRecord | None,
    today: date,
    rules: HospitalRules,
    reply: GatewayReply | None = None,
    *,
    elsewhere_guard: bool = True,
    copay: CopayExemption | None = None,
) -> Decision:
    """Decide on one check-in attempt.

    ``card`` is the cached record (None when the cache has none); ``reply`` the gateway's answer
    when it was asked and answered. A reply whose code means "could not judge" (100, 101, 054,
    055, 205, 401, unknown codes) is ignored and the cached record decides.
    ``elsewhere_guard`` (``insurance.checked_elsewhere_guard``) turns the "checked by another
    facility after the last discharge" rule (:func:`treated_elsewhere`) on or off. ``copay``
    is what the co-payment look-up said of the year (:mod:`kiosk.copay`), for a five-year card.
    """
    note = ""
    if reply is not None:
        verdict = interpret(reply.code)
        if verdict.action is GatewayAction.CACHE_MUST_AGREE:
            return _object_code_gate(
                payload, _stale_code(payload, card, today, rules, reply, copay=copay)
            )
        if verdict.action is not GatewayAction.FALLBACK_TO_CACHE:
            return _object_code_gate(
                payload,
                _with_reply(
                    payload,
                    card,
                    today,
                    rules,
                    reply,
                    verdict=verdict,
                    elsewhere_guard=elsewhere_guard,
                    copay=copay,
                ),
            )
        note = f"gateway {verdict.code} ({verdict.meaning}): decided from the cached record; "
    if card is None:
        return Decision(
            Status.NEEDS_RECEPTION, Reason.CARD_NOT_FOUND, detail=note + "no card record"
        )
    return _object_code_gate(
        payload, _evaluate(payload, card, today, rules, source="cache", note=note, copay=copay)
    )


def _stale_code(
    payload: Payload,
    card: CardRecord | None,
    today: date,
    rules: HospitalRules,
    reply: GatewayReply,
    *,
    copay: CopayExemption | None = None,
) -> Decision:
    """Gateway 052/053: the number asked carries a stale province or benefit code.

    When the cached card's number differs from the QR's exactly there, the cache knows the
    current number and decides (with its own level and facility); otherwise reception confirms,
    and the gateway's reason goes to staff in the detail.
    """
    verdict = interpret(reply.code)
    asked = getattr(payload, "card_number", None) or payload.lookup_key
    said = f"gateway {verdict.code}: {verdict.meaning}" + (f" ({reply.note})" if reply.note else "")
    if card is not None and stale_code_agrees(verdict.code, asked, card.card_number):
        note = f"{said}; the cached card's number agrees: decided from the cached record; "
        return _evaluate(
            payload, card, today, rules, source="cache_current", note=note, copay=copay
        )
    assert verdict.status is not None
    return Decision(
        verdict.status,
        verdict.reason,
        card=card,
        detail=f"{said}; the cache does not know a current number: reception confirms it",
    )


def _object_code_gate(payload: Payload, decision: Decision) -> Decision:
    """Reception confirms a card whose object code the table does not list; never a refusal."""
    if decision.status not in (Status.ACCEPTED, Status.NEEDS_CONFIRMATION):
        return decision
    number = decision.card.card_number if decision.card is not None else ""
    unknown = len(number) == 15 and object_code(number[:2]) is None
    if len(number) != 15:
        unknown = isinstance(payload, BhytPayload | CodePayload) and payload.unknown_object_code
    if not unknown:
        return decision
    return replace(
        decision,
        status=Status.NEEDS_RECEPTION,
        reason=Reason.UNKNOWN_OBJECT_CODE,
        detail=decision.detail + "; object code not in the table: reception confirms the group",
    )


def _with_reply(
    payload: Payload,
    card: CardRecord | None,
    today: date,
    rules: HospitalRules,
    reply: GatewayReply,
    *,
    verdict: GatewayVerdict,
    elsewhere_guard: bool = True,
    copay: CopayExemption | None = None,
) -> Decision:
    known = reply.card or card
    note = f"gateway {verdict.code}: {verdict.meaning}; "
    if verdict.action in (GatewayAction.REJECT, GatewayAction.RECEPTION):
        assert verdict.status is not None
        return Decision(verdict.status, verdict.reason, card=known, detail=note.rstrip("; "))
    if known is None:
        return Decision(
            Status.NEEDS_RECEPTION,
            Reason.CARD_NOT_FOUND,
            detail=note + "the reply carries no card and the cache has none",
        )
    guarded = reply if elsewhere_guard else None
    if verdict.action is GatewayAction.USE_NEW_CARD:
        return _evaluate(
            payload, known, today, rules, source="new", note=note, reply=guarded, copay=copay
        )
    if verdict.action is GatewayAction.CONFIRM:
        decision = _evaluate(
            payload, known, today, rules, source="gateway", note=note, reply=guarded, copay=copay
        )
        if decision.status is Status.ACCEPTED:
            return replace(decision, status=Status.NEEDS_CONFIRMATION, reason=verdict.reason)
        return decision
    prefer_new = verdict.code == "004"
    return _evaluate(
        payload,
        known,
        today,
        rules,
        source="gateway",
        note=note,
        reply=guarded,
        prefer_new=prefer_new,
        copay=copay,
    )


def _evaluate(
    payload: Payload,
    record: CardRecord,
    today: date,
    rules: HospitalRules,
    *,
    source: str,
    note: str,
    reply: GatewayReply | None = None,
    prefer_new: bool = False,
    copay: CopayExemption | None = None,
) -> Decision:
    """The checks shared by the cache and gateway paths.

    ``source`` is "cache" (window from the QR when it has one, else the record),
    "cache_current" (as "cache", but the record's level and facility win: the gateway said
    the QR's number is stale and the cache knows the current one), "gateway"
    (the gateway said the card is valid: its record's window, missing dates do not block) or
    "new" (gateway 003: only the replacement card can be used).
    """
    name_match, birth_match = _identity(payload, record)
    stop = _identity_gate(record, name_match, birth_match, note) or _status_gate(record, note)
    if stop is not None:
        return stop
    valid = _validity(payload, record, today, source=source, note=note, prefer_new=prefer_new)
    if isinstance(valid, Decision):
        return valid
    effective, reason = valid
    if reply is not None:
        elsewhere = treated_elsewhere(reply, rules)
        if elsewhere:
            return Decision(
                Status.NEEDS_RECEPTION,
                Reason.TREATED_ELSEWHERE,
                card=effective,
                detail=note + elsewhere,
            )
    benefit = benefit_for(effective, rules, today, copay=copay)
    route, percent = benefit.route, benefit.percent
    detail = note + (
        f"visit code {route.value if route else '-'} ({benefit.rule}), benefit level "
        f"{effective.benefit_level}, share {percent if percent is not None else 'by reception'}"
        f": {benefit.reason}"
    )
    if name_match is Match.NEEDS_CONFIRMATION:
        return Decision(
            Status.NEEDS_CONFIRMATION,
            Reason.NAME_NEEDS_CONFIRMATION,
            route,
            percent,
            effective,
            detail + "; names equal only without diacritics",
            benefit,
        )
    if birth_match is Match.NEEDS_CONFIRMATION:
        return Decision(
            Status.NEEDS_CONFIRMATION,
            Reason.BIRTH_NEEDS_CONFIRMATION,
            route,
            percent,
            effective,
            detail + "; day and month of birth swapped",
            benefit,
        )
    return Decision(Status.ACCEPTED, reason, route, percent, effective, detail, benefit)


def _identity_gate(
    record: CardRecord, name_match: Match, birth_match: Match, note: str
) -> Decision | None:
    checks = (
        (name_match, Reason.NAME_MISMATCH, "name"),
        (birth_match, Reason.BIRTH_MISMATCH, "birth date"),
    )
    for match, reason, what in checks:
        if match is Match.DIFFERENT:
            detail = f"{note}the {what} on the QR differs from the card record"
            return Decision(Status.NEEDS_RECEPTION, reason, card=record, detail=detail)
    return None


def _status_gate(record: CardRecord, note: str) -> Decision | None:
    if record.status is CardStatus.REVOKED:
        return Decision(
            Status.REJECTED, Reason.CARD_REVOKED, card=record, detail=note + "card revoked"
        )
    if record.status is CardStatus.DEREGISTERED:
        return Decision(
            Status.REJECTED,
            Reason.CARD_DEREGISTERED,
            card=record,
            detail=note + "card deregistered",
        )
    return None


def _validity(
    payload: Payload,
    record: CardRecord,
    today: date,
    *,
    source: str,
    note: str,
    prefer_new: bool,
) -> Decision | tuple[CardRecord, Reason | None]:
    """A rejection, or the effective card (the new one when replaced) and the reason."""
    new = record.replacement
    if source == "new":
        return _new_card_only(record, today, note)
    use_qr = source in ("cache", "cache_current")
    start, end = _window(payload, record, use_qr=use_qr)
    if end is None and use_qr:
        return Decision(
            Status.NEEDS_RECEPTION,
            Reason.VALIDITY_UNKNOWN,
            card=record,
            detail=note + "no expiry date in the QR or the record",
        )
    if start is not None and today < start:
        return Decision(
            Status.REJECTED,
            Reason.CARD_NOT_YET_VALID,
            card=record,
            detail=note + f"valid from {start.isoformat()}",
        )
    expired = end is not None and today > end
    if (expired or prefer_new) and new is not None and _inside(new, today):
        return _on_new_card(record, new), Reason.CARD_REPLACED
    if expired:
        return _expired(record, end, note, online=not use_qr)
    record_wins = source == "cache_current"
    return _merged(payload, record, start, end, use_qr=use_qr and not record_wins), None


def _expired(record: CardRecord, end: date | None, note: str, *, online: bool) -> Decision:
    """Refused when the gateway's own record says so; else sent to reception."""
    until = end.isoformat() if end else "?"
    if online:
        return Decision(
            Status.REJECTED, Reason.CARD_EXPIRED, card=record, detail=note + f"valid to {until}"
        )
    # Decree 188/2025 Art. 38 cl. 2: when the portal cannot be asked, the patient is received
    # and the card checked again later; a QR or a cached record may be older than a renewal.
    return Decision(
        Status.NEEDS_RECEPTION,
        Reason.EXPIRY_UNCONFIRMED,
        card=record,
        detail=note + f"valid to {until} by the QR or the cached record, not confirmed by the "
        "gateway",
    )


def _new_card_only(
    record: CardRecord, today: date, note: str
) -> Decision | tuple[CardRecord, Reason | None]:
    """Gateway 003: the old card is over; only a replacement valid today can be used."""
    new = record.replacement
    if new is None or not _inside(new, today):
        return Decision(
            Status.REJECTED,
            Reason.CARD_EXPIRED,
            card=record,
            detail=note + "no replacement card valid today",
        )
    return _on_new_card(record, new), Reason.CARD_REPLACED


def _identity(payload: Payload, record: CardRecord) -> tuple[Match, Match]:
    """How the QR's name and birth date compare with the record's (EXACT when not comparable)."""
    if not isinstance(payload, BhytPayload | CccdPayload):
        return Match.EXACT, Match.EXACT
    name = compare_names(payload.name, record.name) if payload.name and record.name else None
    birth = (
        compare_births(payload.birth, record.birth)
        if payload.birth is not None and record.birth is not None
        else None
    )
    return name or Match.EXACT, birth or Match.EXACT


def _window(
    payload: Payload, record: CardRecord, *, use_qr: bool
) -> tuple[date | None, date | None]:
    start, end = record.valid_from, record.valid_to
    if use_qr and isinstance(payload, BhytPayload):
        renewed = (
            payload.valid_to is not None
            and record.valid_to is not None
            and record.valid_to > payload.valid_to
        )
        if renewed:
            # A card renewed under the same number: the QR printed on the plastic card still
            # shows last year's window, the insurance service's record the current one.
            return start, end
        start = payload.valid_from or start
        end = payload.valid_to or end
    return start, end


def _inside(card: ReplacementCard, today: date) -> bool:
    return (
        (card.valid_from is None or card.valid_from <= today)
        and card.valid_to is not None
        and today <= card.valid_to
    )


def _payload_level(payload: Payload) -> int | None:
    if isinstance(payload, BhytPayload):
        return payload.benefit_level
    if isinstance(payload, CodePayload) and payload.kind is CodeKind.CARD_NUMBER:
        return level_of(payload.code)
    return None


def _merged(
    payload: Payload,
    record: CardRecord,
    start: date | None,
    end: date | None,
    *,
    use_qr: bool,
) -> CardRecord:
    """The record with the window used and the level and facility the decision stands on.

    From the cache, the card in the patient's hand wins (QR level digit, facility); from the
    gateway, its fresh record wins and the QR only fills gaps.
    """
    qr_level = _payload_level(payload)
    record_level = record.benefit_level or level_of(record.card_number)
    qr_facility = payload.facility_code if isinstance(payload, BhytPayload) else None
    qr_five = payload.five_years_from if isinstance(payload, BhytPayload) else None
    if use_qr:
        # a level the gateway gave (its 15-character number) is fresher than the QR's digit
        confirmed = record_level if record.source == "gateway" else None
        level = confirmed or qr_level or record_level
        facility = qr_facility or record.facility_code
        five = qr_five or record.five_years_from
    else:
        level = record_level or qr_level
        facility = record.facility_code or qr_facility
        five = record.five_years_from or qr_five
    return replace(
        record,
        valid_from=start,
        valid_to=end,
        benefit_level=level,
        facility_code=facility,
        five_years_from=five,
    )


def _on_new_card(record: CardRecord, new: ReplacementCard) -> CardRecord:
    number = new.card_number.strip().upper()
    return replace(
        record,
        card_number=number,
        bhxh_number=number[-10:] if len(number) >= 10 else record.bhxh_number,
        valid_from=new.valid_from,
        valid_to=new.valid_to,
        facility_code=new.facility_code or record.facility_code,
        benefit_level=level_of(number) or record.benefit_level,
        area_code=number[3:5] if len(number) == 15 else record.area_code,
        replacement=None,
    )


def _aware(moment: datetime) -> datetime:
    """Gateway times are hospital local time; a naive one is read as such."""
    return moment.replace(tzinfo=HOSPITAL_ZONE) if moment.tzinfo is None else moment


# maLoi of an earlier check that found the card usable there (000 valid, 001/002 military or
# police, 003 new card): only such a check can mean the patient was taken in elsewhere.
_ADMITTING_CHECK_CODES = frozenset({"000", "001", "002", "003"})


def treated_elsewhere(reply: GatewayReply, rules: HospitalRules) -> str:
    """Why the patient may still be under care at another facility, or "" when not.

    As HIS nguồn mở does it (docs/insurance-api.md §3): the history must hold at least one
    visit; then a visit at another facility with no discharge yet, or a check of the card by
    another facility after the latest discharge whose ``maLoi`` is 000-003, means the patient
    may be admitted there with the claim not yet filed. Checks that failed (expired card,
    wrong name...) say nothing about an admission and are not counted.
    """
    if not reply.visits:
        return ""
    own = set(rules.own_codes)
    for visit in reply.visits:
        if visit.discharged_at is None and visit.facility_code.strip().upper() not in own:
            return f"visit at facility {visit.facility_code} has no discharge"
    discharges = [_aware(v.discharged_at) for v in reply.visits if v.discharged_at is not None]
    last = max(discharges, default=None)
    for check in reply.checks:
        if check.checked_at is None or rules.is_own_account(check.user):
            continue
        if (check.result_code or "").strip() not in _ADMITTING_CHECK_CODES:
            continue
        if last is None or _aware(check.checked_at) > last:
            when = check.checked_at.isoformat()
            return f"checked by {check.user} at {when}, after the last discharge"
    return ""
