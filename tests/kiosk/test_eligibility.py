"""Eligibility decisions: validity, status, replacement, identity, gateway codes, route.

"Today" is always the hospital's local day read from a fake clock in UTC through
``kiosk.clock.local_day``, as the check-in use case does.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from kiosk.clock import HOSPITAL_ZONE, local_day
from kiosk.eligibility import decide, treated_elsewhere
from kiosk.model import (
    BhytPayload,
    BirthDate,
    CardCheck,
    CardRecord,
    CardStatus,
    CccdPayload,
    CodeKind,
    CodePayload,
    GatewayReply,
    Gender,
    ReplacementCard,
    Route,
    Visit,
)
from kiosk.outcome import Reason, Status
from kiosk.payload import parse_payload
from kiosk.synthetic import bhyt_payload, card_record, cccd_payload, hex_utf8, people
from tests.builders import RULES
from tests.fakes import FakeClock

TODAY = date(2026, 11, 25)
NAME = "Trần Thị Mỹ Lệ"


def record(**changes: Any) -> CardRecord:
    base = CardRecord(
        card_number="HS4797920123456",
        bhxh_number="7920123456",
        name=NAME,
        birth=BirthDate(2008, 9, 7),
        gender=Gender.FEMALE,
        facility_code="79024",
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
        benefit_level=4,
        area_code="79",
        id_number="079308001234",
    )
    return replace(base, **changes)


def qr(
    number: str = "HS4797920123456",
    *,
    name: str = NAME,
    birth: str = "07/09/2008",
    facility: str = "79 - 024",
    valid_from: str = "01/01/2026",
    valid_to: str = "31/12/2026",
) -> BhytPayload:
    text = (
        f"{number}|{hex_utf8(name)}|{birth}|2|-|{facility}|{valid_from}|{valid_to}|"
        "20/12/2025|79010920123456|-|4| 01/01/2030|3f9a1c2b7d4e5f60-5202|$"
    )
    payload = parse_payload(text)
    assert isinstance(payload, BhytPayload), payload
    return payload


def at_local(year: int, month: int, day: int, hour: int, minute: int) -> FakeClock:
    """A fake clock (in UTC) set to a wall-clock time in Hồ Chí Minh City."""
    local = datetime(year, month, day, hour, minute, tzinfo=HOSPITAL_ZONE)
    return FakeClock(local.astimezone(UTC))


# --- validity across local midnight and the last valid day -----------------------------------


def test_last_valid_day_until_local_midnight_then_expired() -> None:
    clock = at_local(2026, 12, 31, 23, 59)
    assert clock.now().date() == date(2026, 12, 31)
    decision = decide(qr(), record(), local_day(clock), RULES)
    assert decision.status is Status.ACCEPTED
    clock.advance(minutes=1)  # 00:00 on 1 January locally; still 31 December 17:00 in UTC
    assert clock.now().date() == date(2026, 12, 31)
    decision = decide(qr(), record(), local_day(clock), RULES)
    assert decision.status is Status.NEEDS_RECEPTION
    assert decision.reason is Reason.EXPIRY_UNCONFIRMED


def test_first_valid_day_starts_at_local_midnight_not_utc_midnight() -> None:
    clock = at_local(2025, 12, 31, 23, 59)
    decision = decide(qr(), record(), local_day(clock), RULES)
    assert decision.status is Status.REJECTED
    assert decision.reason is Reason.CARD_NOT_YET_VALID
    clock.advance(minutes=1)  # 1 January 00:00 locally = 31 December 17:00 UTC
    assert clock.now().date() == date(2025, 12, 31)
    assert decide(qr(), record(), local_day(clock), RULES).status is Status.ACCEPTED


def test_across_midnight_a_replacement_takes_over() -> None:
    new = ReplacementCard("HS4797920999999", date(2027, 1, 1), date(2027, 12, 31), "79034")
    card = record(replacement=new)
    clock = at_local(2026, 12, 31, 23, 30)
    before = decide(qr(), card, local_day(clock), RULES)
    assert before.status is Status.ACCEPTED
    assert before.reason is None
    assert before.card is not None
    assert before.card.card_number == "HS4797920123456"
    clock.advance(hours=1)
    after = decide(qr(), card, local_day(clock), RULES)
    assert after.status is Status.ACCEPTED
    assert after.reason is Reason.CARD_REPLACED
    assert after.card is not None
    assert after.card.card_number == "HS4797920999999"
    assert after.card.bhxh_number == "7920999999"
    assert (after.card.valid_from, after.card.valid_to) == (date(2027, 1, 1), date(2027, 12, 31))
    assert after.card.facility_code == "79034"
    assert after.route is Route.BASIC_50_70


# --- the window: QR first, else the record -----------------------------------------------------


def test_qr_window_wins_over_an_older_record() -> None:
    expired_in_qr = qr(valid_from="01/01/2025", valid_to="31/12/2025")
    stale = record(valid_from=date(2025, 1, 1), valid_to=date(2025, 12, 31))
    assert decide(expired_in_qr, stale, TODAY, RULES).reason is Reason.EXPIRY_UNCONFIRMED
    current_qr = qr()
    older = record(valid_from=date(2025, 1, 1), valid_to=date(2025, 12, 31))
    assert decide(current_qr, older, TODAY, RULES).status is Status.ACCEPTED


def test_a_record_renewed_under_the_same_number_wins_over_an_old_printed_qr() -> None:
    expired_in_qr = qr(valid_from="01/01/2025", valid_to="31/12/2025")
    decision = decide(expired_in_qr, record(), TODAY, RULES)
    assert decision.status is Status.ACCEPTED
    assert decision.card is not None
    assert decision.card.valid_to == date(2026, 12, 31)
    not_yet = qr(valid_from="01/12/2026")
    assert decide(not_yet, record(), TODAY, RULES).reason is Reason.CARD_NOT_YET_VALID


def test_2021_form_without_expiry_uses_the_record() -> None:
    payload = qr(number="7920123456", valid_to="-")
    assert payload.valid_to is None
    accepted = decide(payload, record(), TODAY, RULES)
    assert accepted.status is Status.ACCEPTED
    assert accepted.card is not None
    assert accepted.card.valid_to == date(2026, 12, 31)
    expired = decide(payload, record(valid_to=date(2026, 11, 24)), TODAY, RULES)
    assert expired.reason is Reason.EXPIRY_UNCONFIRMED


def test_no_window_anywhere_needs_reception() -> None:
    payload = qr(number="7920123456", valid_to="-")
    decision = decide(payload, record(valid_to=None), TODAY, RULES)
    assert decision.status is Status.NEEDS_RECEPTION
    assert decision.reason is Reason.VALIDITY_UNKNOWN


def test_no_card_needs_reception() -> None:
    decision = decide(qr(), None, TODAY, RULES)
    assert (decision.status, decision.reason) == (Status.NEEDS_RECEPTION, Reason.CARD_NOT_FOUND)


def test_expired_without_a_current_replacement_goes_to_reception() -> None:
    future = ReplacementCard("HS4797920999999", date(2027, 3, 1), date(2027, 12, 31))
    card = record(valid_to=date(2026, 10, 31), replacement=future)
    payload = qr(valid_to="31/10/2026")
    assert decide(payload, card, TODAY, RULES).reason is Reason.EXPIRY_UNCONFIRMED


@pytest.mark.parametrize("gateway", [None, "100", "401"])
def test_portal_down_never_turns_a_patient_away_for_a_stale_expiry(gateway: str | None) -> None:
    # Decree 188/2025 Art. 38 cl. 2: only the QR and the cache say "expired", the gateway did
    # not answer (not asked, or a could-not-judge code): reception, never "cannot check in"
    stale = record(valid_to=date(2026, 10, 31))
    payload = qr(valid_to="31/10/2026")
    answer = reply(gateway, None) if gateway else None
    decision = decide(payload, stale, TODAY, RULES, answer)
    assert (decision.status, decision.reason) == (Status.NEEDS_RECEPTION, Reason.EXPIRY_UNCONFIRMED)
    assert decision.status is not Status.REJECTED


def test_the_gateways_own_expired_answer_still_rejects() -> None:
    stale = record(valid_to=date(2026, 10, 31))
    payload = qr(valid_to="31/10/2026")
    decision = decide(payload, stale, TODAY, RULES, reply("010", stale))
    assert (decision.status, decision.reason) == (Status.REJECTED, Reason.CARD_EXPIRED)
    expired_000 = decide(payload, stale, TODAY, RULES, reply("000", stale))
    assert (expired_000.status, expired_000.reason) == (Status.REJECTED, Reason.CARD_EXPIRED)


# --- status --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (CardStatus.REVOKED, Reason.CARD_REVOKED),
        (CardStatus.DEREGISTERED, Reason.CARD_DEREGISTERED),
    ],
)
def test_revoked_and_deregistered_are_rejected(status: CardStatus, reason: Reason) -> None:
    decision = decide(qr(), record(status=status), TODAY, RULES)
    assert (decision.status, decision.reason) == (Status.REJECTED, reason)


# --- identity ------------------------------------------------------------------------------------


def test_name_without_diacritics_needs_confirmation_with_the_route_ready() -> None:
    decision = decide(qr(name="Tran Thi My Le"), record(), TODAY, RULES)
    assert decision.status is Status.NEEDS_CONFIRMATION
    assert decision.reason is Reason.NAME_NEEDS_CONFIRMATION
    assert decision.route is Route.REGISTERED
    assert decision.benefit_percent == 80


def test_name_differing_in_case_and_spaces_is_accepted() -> None:
    decision = decide(qr(name="TRẦN  THỊ MỸ LỆ"), record(), TODAY, RULES)
    assert decision.status is Status.ACCEPTED


def test_other_name_needs_reception_before_anything_about_the_card() -> None:
    decision = decide(qr(name="Phạm Văn Hùng"), record(status=CardStatus.REVOKED), TODAY, RULES)
    assert (decision.status, decision.reason) == (Status.NEEDS_RECEPTION, Reason.NAME_MISMATCH)
    assert "Phạm" not in decision.detail


def test_birth_mismatch_and_confirmation() -> None:
    wrong = decide(qr(birth="08/09/2008"), record(), TODAY, RULES)
    assert (wrong.status, wrong.reason) == (Status.NEEDS_RECEPTION, Reason.BIRTH_MISMATCH)
    swapped = decide(qr(birth="09/07/2008"), record(), TODAY, RULES)
    assert swapped.status is Status.NEEDS_CONFIRMATION
    assert swapped.reason is Reason.BIRTH_NEEDS_CONFIRMATION


def test_year_only_birth_compares_the_year() -> None:
    assert decide(qr(birth="2008"), record(), TODAY, RULES).status is Status.ACCEPTED
    other = decide(qr(birth="2007"), record(), TODAY, RULES)
    assert other.reason is Reason.BIRTH_MISMATCH


def test_confirmation_never_hides_an_expired_card() -> None:
    payload = qr(name="Tran Thi My Le", valid_to="31/10/2026")
    old = record(valid_to=date(2026, 10, 31))
    assert decide(payload, old, TODAY, RULES).reason is Reason.EXPIRY_UNCONFIRMED


def test_cccd_payload_is_decided_by_the_record_and_cross_checked() -> None:
    person = next(p for p in people(50, seed=1) if p.valid_to >= TODAY)
    payload = parse_payload(cccd_payload(person))
    assert isinstance(payload, CccdPayload)
    accepted = decide(payload, card_record(person), TODAY, RULES)
    assert accepted.status is Status.ACCEPTED
    assert accepted.card is not None
    assert accepted.card.valid_to == person.valid_to
    stranger = replace(card_record(person), name="Hoàng Quốc Vĩnh Ưng")
    assert decide(payload, stranger, TODAY, RULES).reason is Reason.NAME_MISMATCH


def test_code_payload_is_decided_by_the_record() -> None:
    payload = CodePayload("7920123456", "7920123456", CodeKind.BHXH_NUMBER)
    assert decide(payload, record(), TODAY, RULES).status is Status.ACCEPTED
    expired = record(valid_to=date(2026, 1, 31))
    assert decide(payload, expired, TODAY, RULES).reason is Reason.EXPIRY_UNCONFIRMED
    typed = CodePayload("HS2797920123456", "HS2797920123456", CodeKind.CARD_NUMBER)
    assert decide(typed, record(benefit_level=None), TODAY, RULES).benefit_percent == 100


def test_synthetic_population_decisions_follow_the_card_window() -> None:
    for person in people(300, seed=2):
        payload = parse_payload(bhyt_payload(person, "15"))
        assert isinstance(payload, BhytPayload)
        decision = decide(payload, card_record(person), TODAY, RULES)
        if person.valid_from <= TODAY <= person.valid_to:
            assert decision.status is Status.ACCEPTED
        else:
            assert decision.reason is Reason.EXPIRY_UNCONFIRMED


# --- route and benefit share ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facility", "route"),
    [
        ("79 - 024", Route.REGISTERED),
        ("79 – 034", Route.BASIC_50_70),
        ("01 - C54", Route.BASIC_50_70),
    ],
)
def test_route_on_accepted_decisions(facility: str, route: Route) -> None:
    decision = decide(qr(facility=facility), record(), TODAY, RULES)
    assert decision.status is Status.ACCEPTED  # trái tuyến is still accepted
    assert decision.route is route


@pytest.mark.parametrize(("digit", "percent"), [(1, 100), (2, 100), (3, 95), (4, 80), (5, 100)])
def test_benefit_share_from_the_level_digit(digit: int, percent: int) -> None:
    code = {1: "TE", 2: "CK", 3: "HT", 4: "DN", 5: "QN"}[digit]
    number = f"{code}{digit}797920123456"
    decision = decide(qr(number=number), record(card_number=number), TODAY, RULES)
    assert decision.benefit_percent == percent


def test_a_level_the_gateway_gave_wins_over_the_qrs_digit_from_the_cache() -> None:
    # the QR still prints DN4; the gateway said DN2 (a group moved by decree) when it last
    # answered for this card: the cache decides with the gateway's level
    confirmed = record(card_number="DN2797920123456", benefit_level=2, source="gateway")
    imported = replace(confirmed, source="import")
    printed = qr(number="DN4797920123456")
    assert decide(printed, confirmed, TODAY, RULES).benefit_percent == 100
    assert decide(printed, imported, TODAY, RULES).benefit_percent == 80


# --- gateway replies -------------------------------------------------------------------------


def reply(code: str, card: CardRecord | None = None, **kw: Any) -> GatewayReply:
    return GatewayReply(code=code, note="ghi chú", card=card, **kw)


def test_000_accepts_on_the_reply_card() -> None:
    fresh = record(facility_code="79034", valid_to=date(2027, 12, 31), source="gateway")
    decision = decide(
        qr(number="7920123456", valid_to="-"), None, TODAY, RULES, reply("000", fresh)
    )
    assert decision.status is Status.ACCEPTED
    assert decision.card is not None
    assert decision.card.valid_to == date(2027, 12, 31)
    assert decision.route is Route.BASIC_50_70


def test_000_without_dates_is_trusted() -> None:
    fresh = record(valid_from=None, valid_to=None)
    payload = qr(number="7920123456", valid_to="-")
    assert decide(payload, None, TODAY, RULES, reply("000", fresh)).status is Status.ACCEPTED


def test_004_prefers_the_new_card() -> None:
    new = ReplacementCard("HS4797920999999", date(2026, 11, 1), date(2027, 10, 31))
    decision = decide(qr(), record(), TODAY, RULES, reply("004", record(replacement=new)))
    assert decision.status is Status.ACCEPTED
    assert decision.reason is Reason.CARD_REPLACED
    assert decision.card is not None
    assert decision.card.card_number == "HS4797920999999"
    plain = decide(qr(), record(), TODAY, RULES, reply("004", record()))
    assert (plain.status, plain.reason) == (Status.ACCEPTED, None)


def test_003_uses_the_new_card_only_when_today_is_inside() -> None:
    old = record(valid_to=date(2026, 10, 31))
    current = ReplacementCard("HS4797920999999", date(2026, 11, 1), date(2027, 10, 31), "79099")
    ok = decide(qr(), old, TODAY, RULES, reply("003", replace(old, replacement=current)))
    assert (ok.status, ok.reason) == (Status.ACCEPTED, Reason.CARD_REPLACED)
    assert ok.card is not None
    assert ok.card.card_number == "HS4797920999999"
    assert ok.route is Route.REGISTERED  # the new card's facility is in the accepted list
    later = replace(current, valid_from=date(2026, 12, 1))
    not_yet = decide(qr(), old, TODAY, RULES, reply("003", replace(old, replacement=later)))
    assert (not_yet.status, not_yet.reason) == (Status.REJECTED, Reason.CARD_EXPIRED)
    none = decide(qr(), old, TODAY, RULES, reply("003", old))
    assert none.reason is Reason.CARD_EXPIRED


@pytest.mark.parametrize(
    ("code", "status", "reason"),
    [
        ("001", Status.NEEDS_RECEPTION, Reason.MILITARY_OR_POLICE),
        ("002", Status.NEEDS_RECEPTION, Reason.MILITARY_OR_POLICE),
        ("010", Status.REJECTED, Reason.CARD_EXPIRED),
        ("050", Status.REJECTED, Reason.GATEWAY_REJECTED),
        ("051", Status.REJECTED, Reason.GATEWAY_REJECTED),
        # the cached number is the QR's: the cache does not agree the code is stale
        ("052", Status.NEEDS_RECEPTION, Reason.CARD_CODE_UNCONFIRMED),
        ("053", Status.NEEDS_RECEPTION, Reason.CARD_CODE_UNCONFIRMED),
        ("110", Status.REJECTED, Reason.CARD_REVOKED),
        ("120", Status.REJECTED, Reason.CARD_DEREGISTERED),
        ("121", Status.REJECTED, Reason.CARD_DEREGISTERED),
        ("122", Status.REJECTED, Reason.CARD_DEREGISTERED),
        ("123", Status.REJECTED, Reason.CARD_DEREGISTERED),
        ("124", Status.REJECTED, Reason.CARD_DEREGISTERED),
        ("130", Status.NEEDS_RECEPTION, Reason.CHILD_WITHOUT_CARD),
    ],
)
def test_gateway_codes_that_decide_on_their_own(code: str, status: Status, reason: Reason) -> None:
    # a cached record that would be accepted: the gateway's answer overrides it
    decision = decide(qr(), record(), TODAY, RULES, reply(code, None))
    assert (decision.status, decision.reason) == (status, reason)
    assert code in decision.detail


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("060", Reason.NAME_NEEDS_CONFIRMATION),
        ("061", Reason.NAME_NEEDS_CONFIRMATION),
        ("070", Reason.BIRTH_NEEDS_CONFIRMATION),
    ],
)
def test_gateway_confirmation_codes(code: str, reason: Reason) -> None:
    decision = decide(qr(), record(), TODAY, RULES, reply(code, record()))
    assert (decision.status, decision.reason) == (Status.NEEDS_CONFIRMATION, reason)
    assert decision.route is Route.REGISTERED
    assert decision.benefit_percent == 80
    expired = record(valid_to=date(2026, 1, 1))
    payload = qr(valid_to="01/01/2026")
    assert decide(payload, expired, TODAY, RULES, reply(code, expired)).reason is (
        Reason.CARD_EXPIRED
    )


@pytest.mark.parametrize("code", ["054", "055", "100", "101", "205", "401", "999"])
def test_fallback_codes_decide_from_the_cache(code: str) -> None:
    accepted = decide(qr(), record(), TODAY, RULES, reply(code, None))
    assert accepted.status is Status.ACCEPTED
    assert code in accepted.detail
    missing = decide(qr(), None, TODAY, RULES, reply(code, None))
    assert missing.reason is Reason.CARD_NOT_FOUND
    old = record(valid_to=date(2026, 1, 1))
    expired = decide(qr(valid_to="01/01/2026"), old, TODAY, RULES, reply(code, None))
    assert expired.reason is Reason.EXPIRY_UNCONFIRMED


# --- checked by another facility after the last discharge --------------------------------------


def local(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=HOSPITAL_ZONE)


def test_checked_elsewhere_after_the_last_discharge_needs_reception() -> None:
    history = reply(
        "000",
        record(),
        visits=(Visit("79034", local(10, 8), local(12, 9)),),
        checks=(CardCheck("79034_BV", local(20, 7), result_code="000"),),
    )
    decision = decide(qr(), record(), TODAY, RULES, history)
    assert (decision.status, decision.reason) == (
        Status.NEEDS_RECEPTION,
        Reason.TREATED_ELSEWHERE,
    )


@pytest.mark.parametrize(
    ("code", "counts"),
    [
        ("000", True),
        ("001", True),
        ("002", True),
        ("003", True),
        ("004", False),
        ("010", False),
        ("070", False),
        (None, False),
    ],
)
def test_only_checks_that_found_the_card_usable_count(code: str | None, counts: bool) -> None:
    history = reply(
        "000",
        record(),
        visits=(Visit("79034", local(10, 8), local(12, 9)),),
        checks=(CardCheck("79034_BV", local(20, 7), result_code=code),),
    )
    decision = decide(qr(), record(), TODAY, RULES, history)
    assert (decision.reason is Reason.TREATED_ELSEWHERE) is counts


def test_the_elsewhere_guard_is_a_setting() -> None:
    history = reply(
        "000",
        record(),
        visits=(Visit("79034", local(10, 8), None),),
        checks=(CardCheck("79034_BV", local(20, 7), result_code="000"),),
    )
    assert decide(qr(), record(), TODAY, RULES, history).reason is Reason.TREATED_ELSEWHERE
    off = decide(qr(), record(), TODAY, RULES, history, elsewhere_guard=False)
    assert off.status is Status.ACCEPTED


def test_checks_before_the_last_discharge_or_by_us_do_not_count() -> None:
    history = reply(
        "000",
        record(),
        visits=(Visit("79034", local(10, 8), local(20, 9)),),
        checks=(
            CardCheck("79034_BV", local(10, 7), result_code="000"),
            CardCheck("79024_BV", local(24, 7), result_code="000"),
        ),
    )
    assert decide(qr(), record(), TODAY, RULES, history).status is Status.ACCEPTED


def test_open_visit_at_another_facility_needs_reception() -> None:
    history = reply("000", record(), visits=(Visit("79034", local(23, 8), None),))
    assert decide(qr(), record(), TODAY, RULES, history).reason is Reason.TREATED_ELSEWHERE
    ours = reply("000", record(), visits=(Visit("79024", local(23, 8), None),))
    assert decide(qr(), record(), TODAY, RULES, ours).status is Status.ACCEPTED


def test_checks_elsewhere_need_at_least_one_visit_in_the_history() -> None:
    # as HIS nguồn mở: with no visit at all, a check elsewhere says nothing about an admission
    check = CardCheck("01C54_BV", local(24, 7), result_code="000")
    history = reply("000", record(), checks=(check,))
    assert decide(qr(), record(), TODAY, RULES, history).status is Status.ACCEPTED
    ours = Visit("79024", local(1, 8), local(2, 9))
    with_visit = replace(history, visits=(ours,))
    assert decide(qr(), record(), TODAY, RULES, with_visit).reason is Reason.TREATED_ELSEWHERE


def test_naive_gateway_times_are_read_as_hospital_time() -> None:
    discharged = datetime(2026, 11, 20, 9, 0)  # naive, local
    history = reply(
        "000",
        record(),
        visits=(Visit("79034", None, discharged),),
        checks=(
            CardCheck(
                "79034_BV", (local(20, 9) + timedelta(minutes=1)).astimezone(UTC), None, "000"
            ),
        ),
    )
    assert treated_elsewhere(history, RULES)
    earlier = replace(
        history, checks=(CardCheck("79034_BV", local(20, 8).astimezone(UTC), None, "000"),)
    )
    assert treated_elsewhere(earlier, RULES) == ""


# --- object codes not in the table -----------------------------------------------------------


def test_unknown_object_code_goes_to_reception_not_refused() -> None:
    payload = qr("ZZ4797920123456")
    assert payload.unknown_object_code
    card = record(card_number="ZZ4797920123456")
    decision = decide(payload, card, TODAY, RULES)
    assert (decision.status, decision.reason) == (
        Status.NEEDS_RECEPTION,
        Reason.UNKNOWN_OBJECT_CODE,
    )
    assert decision.benefit_percent is not None  # the share is known, only the group is not
    unknown_card = decide(payload, None, TODAY, RULES)
    assert unknown_card.reason is Reason.CARD_NOT_FOUND
    old = qr("ZZ4797920123456", valid_to="01/01/2026")
    expired = decide(old, replace(card, valid_to=date(2026, 1, 1)), TODAY, RULES)
    # the validity rules still come first (an expiry only the QR and cache show: reception)
    assert expired.reason is Reason.EXPIRY_UNCONFIRMED


def test_tv_cards_are_accepted_as_any_listed_group() -> None:
    payload = qr("TV4797920123456")
    assert not payload.unknown_object_code
    decision = decide(payload, record(card_number="TV4797920123456"), TODAY, RULES)
    assert decision.status is Status.ACCEPTED


def test_unknown_object_code_on_a_bare_code_goes_to_reception() -> None:
    code = parse_payload("ZZ4797920123456")
    assert isinstance(code, CodePayload)
    assert code.unknown_object_code
    decision = decide(code, record(card_number="ZZ4797920123456"), TODAY, RULES)
    assert decision.reason is Reason.UNKNOWN_OBJECT_CODE


# --- month-year birth dates --------------------------------------------------------------------


def test_month_year_birth_date_matches_a_full_date_of_that_month() -> None:
    assert decide(qr(birth="09/2008"), record(), TODAY, RULES).status is Status.ACCEPTED
    other = decide(qr(birth="03/2008"), record(), TODAY, RULES)
    assert other.reason is Reason.BIRTH_MISMATCH
    swapped = decide(qr(birth="07/2008"), record(), TODAY, RULES)  # 07/09 read as month 07
    assert swapped.reason is Reason.BIRTH_NEEDS_CONFIRMATION
