"""The check-in use case, through the real parser and rules, with fakes for the devices."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PIL import Image

from kiosk.calling import Place, Priority
from kiosk.checkin import CheckInService
from kiosk.config import Config, load_config
from kiosk.guesses import MemoryWrongYears, WrongYears
from kiosk.model import (
    CardStatus,
    CheckIn,
    GatewayFailure,
    GatewayFailureKind,
    GatewayReply,
    PrintState,
    Route,
    Verification,
    Visit,
)
from kiosk.outcome import Reason, Status
from kiosk.ports import StoreError
from kiosk.synthetic import SyntheticPerson, bhyt_payload, card_record, cccd_payload, people
from tests.fakes import (
    UNREACHABLE,
    FakeCallQueue,
    FakeCardCache,
    FakeCheckInStore,
    FakeClock,
    FakeOnlineCheck,
    FakePrinter,
)

ROOT = Path(__file__).resolve().parents[2]
MORNING = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 09:00 local: every clinic is open


def _valid_person(index: int = 0) -> SyntheticPerson:
    for p in people(200, seed=11):
        if p.valid_to >= date(2026, 11, 25) and p.facility_code == "79024":
            if index == 0:
                return p
            index -= 1
    raise AssertionError("no suitable synthetic person")


def _cached(rig: Rig) -> SyntheticPerson:
    """The first valid person, whose card the rig's card cache now holds."""
    p = _valid_person()
    rig.cards.save_card(card_record(p))
    return p


class Rig:
    """A service wired to fakes, with handles on each fake."""

    def __init__(self, *, online: FakeOnlineCheck | None = None, problem: str = "") -> None:
        self.config: Config = load_config(ROOT / "config.toml", env={})
        self.clock = FakeClock(MORNING)
        self.cards = FakeCardCache()
        self.store = FakeCheckInStore()
        self.printer = FakePrinter(problem)
        self.rendered: list[tuple[str, bool]] = []
        self.service = self.service_with(online=online)

    def service_with(
        self,
        *,
        online: FakeOnlineCheck | None = None,
        queue: FakeCallQueue | None = None,
        wrong_years: WrongYears | None = None,
    ) -> CheckInService:
        """A service on the rig's fakes, with ``online``, ``queue`` (central's queues) and
        ``wrong_years`` (the count of wrong birth years, shared by kiosks)."""
        return CheckInService(
            config=self.config,
            clock=self.clock,
            cards=self.cards,
            checkins=self.store,
            online=online,
            printer=self.printer,
            render_slip=self._render,
            queue=queue,
            wrong_years=wrong_years,
        )

    def _render(self, checkin: CheckIn, reprint: bool) -> Image.Image:
        self.rendered.append((checkin.id, reprint))
        return Image.new("1", (576, 100), 1)


def test_a_cached_card_is_accepted_numbered_and_printed() -> None:
    rig = Rig()
    first, second = _valid_person(0), _valid_person(1)
    rig.cards.save_card(card_record(first))
    rig.cards.save_card(card_record(second))
    one = rig.service.run(bhyt_payload(first), "NOI")
    two = rig.service.run(bhyt_payload(second), "NOI")
    assert one.status is Status.ACCEPTED
    assert one.printed is True
    assert one.checkin is not None
    assert one.checkin.queue_number == 1
    assert two.checkin is not None
    assert two.checkin.queue_number == 2
    assert one.checkin.verification is Verification.CACHE
    assert rig.store.checkins[one.checkin.id].print_state is PrintState.PRINTED
    assert len(rig.printer.printed) == 2


def test_an_unknown_card_goes_to_reception_and_junk_is_rejected() -> None:
    rig = Rig()
    unknown = rig.service.run(bhyt_payload(_valid_person()), "NOI")
    assert unknown.status is Status.NEEDS_RECEPTION
    assert unknown.reason is Reason.CARD_NOT_FOUND
    junk = rig.service.run("hello")
    assert junk.status is Status.REJECTED
    assert junk.reason is Reason.NOT_A_CARD
    assert junk.message("vi") == "Mã QR này không phải thẻ BHYT hay CCCD."
    assert not rig.store.checkins


def test_a_17_character_card_number_checks_in_by_its_personal_id() -> None:
    rig = Rig()
    p = _cached(rig)
    assert p.id_number
    long_number = f"{p.card_number[:5]}{p.id_number}"
    qr = bhyt_payload(p).replace(p.card_number, long_number, 1)
    outcome = rig.service.run(qr, "NOI")
    assert outcome.status is Status.ACCEPTED, outcome.detail
    assert outcome.checkin is not None
    assert outcome.checkin.patient.id_number == p.id_number


def test_a_card_number_the_kiosk_cannot_place_goes_to_reception_not_refused() -> None:
    rig = Rig()
    p = _cached(rig)
    qr = bhyt_payload(p).replace(p.card_number, p.card_number + "7", 1)  # 16 characters
    outcome = rig.service.run(qr, "NOI")
    assert (outcome.status, outcome.reason) == (Status.NEEDS_RECEPTION, Reason.CARD_NUMBER_UNPLACED)
    assert "quầy tiếp đón" in outcome.message("vi")
    assert "không hợp lệ" not in outcome.message("vi")
    assert not rig.store.checkins


def test_the_same_card_twice_today_gets_its_first_number_back() -> None:
    rig = Rig()
    p = _cached(rig)
    first = rig.service.run(bhyt_payload(p), "NOI")
    again = rig.service.run(cccd_payload(p), "NOI")  # the chip ID finds the same card
    assert again.reason is Reason.ALREADY_CHECKED_IN
    assert again.checkin is not None
    assert first.checkin is not None
    assert again.checkin.id == first.checkin.id
    assert len(rig.printer.printed) == 1  # the slip came out the first time: show, not print
    assert again.printed is None  # so the screen does not say "take your slip"
    other_clinic = rig.service.run(bhyt_payload(p), "TMH")
    assert other_clinic.checkin is not None
    assert other_clinic.checkin.queue_number == 1


def test_retrying_a_commit_consumes_no_second_number() -> None:
    rig = Rig()
    p = _cached(rig)
    assessment = rig.service.assess(bhyt_payload(p))
    first = rig.service.check_in(assessment, "NOI")
    rig.store.checkins.clear()  # as if the first answer was lost before "existing" could see it
    assert first.checkin is not None
    rig.store.checkins[first.checkin.id] = first.checkin
    retry = rig.service.check_in(assessment, "NOI")
    assert retry.checkin == first.checkin
    assert rig.store.counters[("NOI", date(2026, 11, 25))] == 1


def test_a_printer_failure_keeps_the_checkin_and_reprint_says_in_lai() -> None:
    rig = Rig(problem="paper_out")
    p = _cached(rig)
    outcome = rig.service.run(bhyt_payload(p), "NOI")
    assert outcome.reason is Reason.PRINTER_FAILED
    assert outcome.printed is False
    assert outcome.checkin is not None
    assert rig.store.checkins[outcome.checkin.id].print_state is PrintState.FAILED
    assert "quầy tiếp đón" in outcome.message("vi")
    rig.printer.problem = ""
    reprinted = rig.service.reprint(outcome.checkin.id, staff="Lan")
    assert reprinted.printed is True
    assert rig.rendered[-1] == (outcome.checkin.id, True)
    assert rig.store.checkins[outcome.checkin.id].print_state is PrintState.PRINTED
    assert ("Lan", "reprint", outcome.checkin.id, None, None) in rig.store.audit


def test_a_broken_renderer_is_a_print_failure_not_a_crash() -> None:
    rig = Rig()
    p = _cached(rig)

    def broken(checkin: CheckIn, reprint: bool) -> Image.Image:
        raise OSError("no font")

    rig.service._render_slip = broken
    outcome = rig.service.run(bhyt_payload(p), "NOI")
    assert outcome.reason is Reason.PRINTER_FAILED
    assert outcome.checkin is not None


def test_the_database_unavailable_sends_to_reception_and_loses_nothing() -> None:
    rig = Rig()
    p = _cached(rig)
    done = rig.service.run(bhyt_payload(p), "NOI")
    rig.store.unavailable = True
    q = _valid_person(1)
    rig.cards.save_card(card_record(q))
    failed = rig.service.run(bhyt_payload(q), "NOI")
    assert failed.status is Status.NEEDS_RECEPTION
    assert failed.reason is Reason.DATABASE_UNAVAILABLE
    assert "reception" in failed.message("en")
    rig.store.unavailable = False
    assert done.checkin is not None
    assert list(rig.store.checkins) == [done.checkin.id]


def test_online_check_updates_the_cache_and_marks_the_checkin_online() -> None:
    p = _valid_person()
    fresh = replace(card_record(p), source="gateway")
    online = FakeOnlineCheck({p.card_number: GatewayReply(code="000", note="ok", card=fresh)})
    rig = Rig(online=online)
    outcome = rig.service.run(bhyt_payload(p), "NOI")
    assert outcome.status is Status.ACCEPTED
    assert outcome.checkin is not None
    assert outcome.checkin.verification is Verification.ONLINE
    assert rig.cards.saved == [fresh]
    assert online.queries[0].code == p.card_number


def test_gateway_down_falls_back_to_the_cache() -> None:
    rig = Rig(online=FakeOnlineCheck(failure=UNREACHABLE))
    p = _cached(rig)
    outcome = rig.service.run(bhyt_payload(p), "NOI")
    assert outcome.status is Status.ACCEPTED
    assert outcome.checkin is not None
    assert outcome.checkin.verification is Verification.CACHE
    assert outcome.alerts == ()


@pytest.mark.parametrize("code", ["054", "055"])
def test_gateway_configuration_errors_alert_staff_without_stopping(code: str) -> None:
    p = _valid_person()
    rig = Rig(online=FakeOnlineCheck({p.card_number: GatewayReply(code=code, note="", card=None)}))
    rig.cards.save_card(card_record(p))
    outcome = rig.service.run(bhyt_payload(p), "NOI")
    assert outcome.status is Status.ACCEPTED
    assert Reason.GATEWAY_CONFIG_ERROR in outcome.alerts


def test_auth_failure_alerts_staff() -> None:
    failure = GatewayFailure(GatewayFailureKind.AUTH, "401 twice")
    rig = Rig(online=FakeOnlineCheck(failure=failure))
    p = _cached(rig)
    outcome = rig.service.run(bhyt_payload(p), "NOI")
    assert outcome.status is Status.ACCEPTED
    assert outcome.alerts == (Reason.GATEWAY_CONFIG_ERROR,)


def test_staff_override_of_a_refusal_is_audited() -> None:
    rig = Rig()
    p = _valid_person()
    rig.cards.save_card(replace(card_record(p), status=CardStatus.REVOKED))
    assessment = rig.service.assess(bhyt_payload(p))
    assert assessment.status is Status.REJECTED
    refused = rig.service.check_in(assessment, "NOI")
    assert refused.checkin is None
    override = rig.service.check_in(
        assessment, "NOI", staff="Lan", override_reason="Giấy hẹn tái khám"
    )
    assert override.checkin is not None
    assert override.reason is Reason.STAFF_OVERRIDE
    assert override.checkin.staff_name == "Lan"
    actor, action, target, before, after = rig.store.audit[-1]
    assert (actor, action, target, after) == (
        "Lan",
        "override",
        override.checkin.id,
        "Giấy hẹn tái khám",
    )
    assert before == "refused:card_revoked"


def test_an_override_is_audited_in_its_own_commit_not_after_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rig = Rig()
    p = _valid_person()
    rig.cards.save_card(replace(card_record(p), status=CardStatus.REVOKED))
    assessment = rig.service.assess(bhyt_payload(p))

    def audit_is_down(
        actor: str, action: str, target: str, before: str | None, after: str | None
    ) -> None:
        raise StoreError("database is locked")

    monkeypatch.setattr(rig.store, "record_audit", audit_is_down)
    override = rig.service.check_in(
        assessment, "NOI", staff="Lan", override_reason="Giấy hẹn tái khám"
    )
    assert override.checkin is not None
    assert override.reason is Reason.STAFF_OVERRIDE
    assert [row[:3] for row in rig.store.audit] == [("Lan", "override", override.checkin.id)]


def test_confirmation_yes_and_no() -> None:
    rig = Rig()
    p = _cached(rig)
    assessment = rig.service.assess(bhyt_payload(p))
    waiting = replace(
        assessment, status=Status.NEEDS_CONFIRMATION, reason=Reason.NAME_NEEDS_CONFIRMATION
    )
    assert rig.service.confirm(waiting, yes=True).status is Status.ACCEPTED
    denied = rig.service.confirm(waiting, yes=False)
    assert denied.status is Status.NEEDS_RECEPTION
    assert denied.reason is Reason.PATIENT_DENIED_IDENTITY


def test_queues_reset_at_local_midnight_not_utc_midnight() -> None:
    rig = Rig()
    rig.clock.set(datetime(2026, 11, 25, 16, 59, tzinfo=UTC))  # 23:59 local
    first, second = _valid_person(0), _valid_person(1)
    rig.cards.save_card(card_record(first))
    rig.cards.save_card(card_record(second))
    late = rig.service.run(bhyt_payload(first), "NOI")
    rig.clock.advance(minutes=1)  # 00:00 local, 17:00 UTC the same UTC day
    early = rig.service.run(bhyt_payload(second), "NOI")
    assert late.checkin is not None
    assert early.checkin is not None
    assert late.checkin.local_day == date(2026, 11, 25)
    assert early.checkin.local_day == date(2026, 11, 26)
    assert early.checkin.queue_number == 1


def test_only_open_clinics_are_offered() -> None:
    rig = Rig()
    rig.clock.set(datetime(2026, 11, 25, 6, 0, tzinfo=UTC))  # 13:00 local: TMH closed at 11:30
    assert [c.code for c in rig.service.open_clinics()] == ["NOI", "NHI"]
    rig.clock.set(datetime(2026, 11, 25, 5, 0, tzinfo=UTC))  # 12:00: lunch break for NHI
    assert [c.code for c in rig.service.open_clinics()] == ["NOI"]


def test_cancel_keeps_the_number_and_unknown_ids_are_reported() -> None:
    rig = Rig()
    p = _cached(rig)
    outcome = rig.service.run(bhyt_payload(p), "NOI")
    assert outcome.checkin is not None
    cancelled = rig.service.cancel(outcome.checkin.id, "Lan", "bệnh nhân về")
    assert cancelled.reason is Reason.CHECKIN_CANCELLED
    other = _valid_person(1)
    rig.cards.save_card(card_record(other))
    again = rig.service.run(bhyt_payload(other), "NOI")
    assert again.checkin is not None
    assert again.checkin.queue_number == 2
    assert rig.service.reprint("nope", "Lan").reason is Reason.CHECKIN_NOT_FOUND
    assert rig.service.cancel("nope", "Lan", "x").reason is Reason.CHECKIN_NOT_FOUND


def test_a_repeat_scan_prints_the_slip_that_never_came_out() -> None:
    rig = Rig(problem="paper_out")
    p = _cached(rig)
    first = rig.service.run(bhyt_payload(p), "NOI")
    assert first.reason is Reason.PRINTER_FAILED
    rig.printer.problem = ""
    again = rig.service.run(bhyt_payload(p), "NOI")
    assert again.reason is Reason.ALREADY_CHECKED_IN
    assert again.printed is True
    assert first.checkin is not None
    assert rig.rendered[-1] == (first.checkin.id, True)  # printed as "IN LẠI"


def test_staff_manual_checkin_records_who_did_it_without_an_override() -> None:
    rig = Rig()
    p = _cached(rig)
    assessment = rig.service.assess(p.bhxh_number)
    # a typed number needs its holder confirmed: staff see the person (the staff screen's
    # check-in answers yes for them)
    assert rig.service.check_in(assessment, "NOI", staff="Lan").checkin is None
    assessment = rig.service.confirm(assessment, True)
    outcome = rig.service.check_in_and_print(assessment, "NOI", staff="Lan")
    assert outcome.checkin is not None
    assert outcome.checkin.staff_name == "Lan"
    assert outcome.checkin.status == "accepted"
    assert outcome.checkin.override_reason is None
    assert outcome.printed is True


# --- route and benefit, and a portal that cannot answer (docs/domain.md, sections 6 and 8) -----


def _expired_person() -> SyntheticPerson:
    p = _valid_person()
    return replace(p, valid_from=date(2025, 1, 1), valid_to=date(2025, 12, 31))


@pytest.mark.parametrize(
    "online", [None, FakeOnlineCheck(failure=UNREACHABLE)], ids=["no gateway", "gateway down"]
)
def test_an_expiry_only_the_cache_shows_sends_to_reception(online: FakeOnlineCheck | None) -> None:
    rig = Rig(online=online)
    p = _expired_person()
    rig.cards.save_card(card_record(p))
    outcome = rig.service.run(bhyt_payload(p), "NOI")
    assert (outcome.status, outcome.reason) == (Status.NEEDS_RECEPTION, Reason.EXPIRY_UNCONFIRMED)
    assert outcome.message("vi") != "Không thể đăng ký khám bằng thẻ này."
    assert not rig.store.checkins


def test_the_gateways_expired_answer_still_rejects() -> None:
    p = _expired_person()
    card = card_record(p)
    rig = Rig(online=FakeOnlineCheck({p.card_number: GatewayReply("010", "hết hạn", card)}))
    rig.cards.save_card(card)
    outcome = rig.service.run(bhyt_payload(p), "NOI")
    assert (outcome.status, outcome.reason) == (Status.REJECTED, Reason.CARD_EXPIRED)


def test_the_checkin_keeps_the_visit_code_and_the_combined_share() -> None:
    rig = Rig()  # config.toml: cấp cơ bản, provisional score, former district hospital
    own = _valid_person()
    rig.cards.save_card(card_record(own))
    done = rig.service.run(bhyt_payload(own), "NOI")
    assert done.checkin is not None
    percent = {1: 100, 2: 100, 3: 95, 4: 80, 5: 100}[own.benefit_level]
    assert (done.checkin.route, done.checkin.benefit_percent) == (Route.REGISTERED, percent)


# --- lookup order: the citizen ID is the health ID (Decree 102/2025) ---------------------------


def test_a_cccd_qr_is_looked_up_by_the_citizen_id_first() -> None:
    p = _valid_person()
    rig = Rig()
    cache = rig.cards
    cache.save_card(replace(card_record(p), id_number=p.id_number))
    outcome = rig.service.run(cccd_payload(p), "NOI")
    assert outcome.status is Status.ACCEPTED
    assert cache.lookups == [p.id_number]


def test_a_can_cuoc_listing_an_earlier_id_finds_the_card_kept_under_it() -> None:
    p = _valid_person()
    rig = Rig()
    cache = rig.cards
    earlier = "079190009876"
    cache.save_card(replace(card_record(p), id_number=earlier))
    text = cccd_payload(p).replace(f"{p.id_number}||", f"{p.id_number}|025123456 {earlier}|", 1)
    outcome = rig.service.run(text, "NOI")
    assert outcome.status is Status.ACCEPTED
    assert cache.lookups == [p.id_number, earlier]


def test_a_card_only_qr_still_works_and_falls_back_to_the_bhxh_number() -> None:
    p = _valid_person()
    rig = Rig()
    cache = rig.cards
    cache.save_card(replace(card_record(p), id_number=None))
    assert rig.service.run(bhyt_payload(p), "NOI").status is Status.ACCEPTED
    assert cache.lookups == [p.card_number]
    # a card renewed under another object code: the cache knows it by its BHXH number
    renewed = "TV" + p.card_number[2:]
    cache.cards.pop(p.card_number)
    cache.lookups.clear()
    assessment = rig.service.assess(bhyt_payload(p).replace(p.card_number, renewed, 1))
    assert assessment.card is not None
    assert cache.lookups == [renewed, p.bhxh_number]


# --- the gateway's side of a check -----------------------------------------------------------


def test_no_birth_date_anywhere_means_the_gateway_is_not_asked() -> None:
    online = FakeOnlineCheck()
    rig = Rig(online=online)
    p = _valid_person()
    rig.cards.save_card(replace(card_record(p), birth=None))
    outcome = rig.service.run(p.card_number, "NOI")
    assert online.queries == []
    assert outcome.status is not Status.REJECTED


def test_a_short_card_number_in_the_reply_keeps_the_cached_level() -> None:
    p = _valid_person()
    fresh = replace(card_record(p), card_number=p.bhxh_number, benefit_level=None)
    online = FakeOnlineCheck({p.id_number: GatewayReply(code="000", note="ok", card=fresh)})
    rig = Rig(online=online)
    rig.cards.save_card(replace(card_record(p), id_number=p.id_number))
    outcome = rig.service.run(cccd_payload(p), "NOI")
    assert outcome.status is Status.ACCEPTED
    (saved,) = rig.cards.saved[1:]
    assert saved.card_number == p.card_number
    assert saved.benefit_level == p.benefit_level
    assert outcome.checkin is not None
    assert outcome.checkin.patient.benefit_level == p.benefit_level


def test_the_elsewhere_guard_setting_reaches_the_rules() -> None:
    p = _valid_person()
    zone_time = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    history = GatewayReply(
        code="000",
        note="ok",
        card=card_record(p),
        visits=(Visit("79034", zone_time, None),),
    )
    on = Rig(online=FakeOnlineCheck({p.card_number: history}))
    assert on.service.assess(bhyt_payload(p)).reason is Reason.TREATED_ELSEWHERE
    off = Rig(online=FakeOnlineCheck({p.card_number: history}))
    insurance = replace(off.config.insurance, checked_elsewhere_guard=False)
    off.service._config = replace(off.config, insurance=insurance)
    assert off.service.assess(bhyt_payload(p)).status is Status.ACCEPTED


def test_a_bare_code_needs_the_birth_year_before_anything_is_shown() -> None:
    rig = Rig()
    p = _cached(rig)
    for code in (p.bhxh_number, p.card_number, p.id_number):
        asked = rig.service.assess(code)
        assert asked.status is Status.NEEDS_CONFIRMATION
        assert asked.reason is Reason.BIRTH_YEAR_REQUIRED
        # nothing of the card reaches the patient's screen yet, and no number can be taken
        assert asked.outcome().checkin is None
        assert rig.service.check_in(asked, "NOI").checkin is None
    asked = rig.service.assess(p.bhxh_number)
    again = rig.service.confirm_birth_year(asked, str(p.birth.year + 1))
    # one slip of a finger is forgiven: the question again, still nothing of the card shown
    assert (again.status, again.reason) == (Status.NEEDS_CONFIRMATION, Reason.BIRTH_YEAR_RETRY)
    assert rig.service.check_in(again, "NOI").checkin is None
    wrong = rig.service.confirm_birth_year(again, str(p.birth.year + 2))
    assert wrong.status is Status.NEEDS_RECEPTION
    assert wrong.reason is Reason.BIRTH_YEAR_WRONG
    assert wrong.card is None
    assert rig.service.check_in(wrong, "NOI").checkin is None
    right = rig.service.confirm_birth_year(asked, str(p.birth.year))
    assert right.status is Status.ACCEPTED
    done = rig.service.check_in_and_print(right, "NOI")
    assert done.checkin is not None
    assert done.printed


def test_wrong_birth_years_are_bounded_per_code_and_day_across_kiosks() -> None:
    rig = Rig()
    p = _cached(rig)
    shared = MemoryWrongYears()  # the central database's count in production
    kiosks = [rig.service_with(wrong_years=shared) for _ in range(2)]
    assert rig.config.kiosk.birth_year_tries == 3
    first = kiosks[0].assess(p.bhxh_number)
    first = kiosks[0].confirm_birth_year(first, "1900")
    assert first.reason is Reason.BIRTH_YEAR_RETRY
    assert kiosks[0].confirm_birth_year(first, "1901").reason is Reason.BIRTH_YEAR_WRONG
    # a fresh scan at another kiosk: one wrong year left of the day's three
    second = kiosks[1].assess(p.bhxh_number)
    assert second.reason is Reason.BIRTH_YEAR_REQUIRED
    last = kiosks[1].confirm_birth_year(second, "1902")
    assert (last.status, last.reason) == (Status.NEEDS_RECEPTION, Reason.BIRTH_YEAR_WRONG)
    # used up: even the right year is not asked for again today, on any kiosk
    for kiosk in kiosks:
        done = kiosk.assess(p.card_number)
        assert (done.status, done.reason) == (Status.NEEDS_RECEPTION, Reason.BIRTH_YEAR_WRONG)
        assert done.card is None
    # another code is not held back, and the next day starts afresh
    assert kiosks[0].assess(_valid_person(1).bhxh_number).reason is Reason.BIRTH_YEAR_REQUIRED
    rig.clock.advance(days=1)
    fresh = kiosks[1].assess(p.bhxh_number)
    assert kiosks[1].confirm_birth_year(fresh, str(p.birth.year)).status is Status.ACCEPTED


def test_an_unknown_bare_code_gets_the_same_first_question_as_a_known_one() -> None:
    rig = Rig()
    known = _cached(rig)
    unknown = _valid_person(1)  # not in the cache
    for lang in ("vi", "en"):
        asked = [rig.service.assess(p.bhxh_number) for p in (known, unknown)]
        assert {(a.status, a.reason) for a in asked} == {
            (Status.NEEDS_CONFIRMATION, Reason.BIRTH_YEAR_REQUIRED)
        }
        assert asked[0].outcome().message(lang) == asked[1].outcome().message(lang)
    # an unknown code has no right year: two tries, then reception with the same words
    asked_unknown = rig.service.assess(unknown.bhxh_number)
    again = rig.service.confirm_birth_year(asked_unknown, str(unknown.birth.year))
    assert again.reason is Reason.BIRTH_YEAR_RETRY
    sent = rig.service.confirm_birth_year(again, str(unknown.birth.year))
    assert (sent.status, sent.reason) == (Status.NEEDS_RECEPTION, Reason.BIRTH_YEAR_WRONG)


def test_a_bare_code_can_be_sent_to_reception_instead() -> None:
    rig = Rig()
    rig.config = replace(rig.config, privacy=replace(rig.config.privacy, bare_code="reception"))
    service = CheckInService(
        config=rig.config, clock=rig.clock, cards=rig.cards, checkins=rig.store, online=None,
        printer=rig.printer, render_slip=lambda c, r: Image.new("1", (576, 10), 1),
    )  # fmt: skip
    p = _cached(rig)
    sent = service.assess(p.bhxh_number)
    assert (sent.status, sent.reason) == (Status.NEEDS_RECEPTION, Reason.BARE_CODE_AT_RECEPTION)
    # a card's own QR is not a bare code
    assert service.assess(bhyt_payload(p)).status is Status.ACCEPTED


def test_an_accepted_outcome_says_where_it_stands_in_the_queue() -> None:
    rig = Rig()
    queue = FakeCallQueue(Place(ahead=4, priority=Priority.AGE_75, wait_minutes=(15, 35)))
    service = rig.service_with(queue=queue)
    person = _cached(rig)
    outcome = service.run(bhyt_payload(person), "NOI")
    assert outcome.checkin is not None
    assert outcome.place == queue.answer
    assert queue.asked == [(outcome.checkin.id, "NOI", 1)]  # NOI is called by room 101
    # central cannot say: the check-in stands, its place is simply unknown
    down = Rig().service_with(queue=FakeCallQueue(down=True))
    assert down.place(outcome.checkin) is None
    # an offline number joins the queue when replayed: no place yet
    offline = replace(outcome.checkin, series="A")
    assert service.place(offline) is None


def test_a_declared_priority_reaches_the_queue_before_the_slip() -> None:
    rig = Rig()
    queue = FakeCallQueue(Place(ahead=0, priority=Priority.PREGNANT, wait_minutes=(0, 5)))
    service = rig.service_with(queue=queue)
    person = _cached(rig)
    assessment = service.assess(bhyt_payload(person))
    outcome = service.check_in_and_print(assessment, "NOI", declared=Priority.PREGNANT)
    assert outcome.checkin is not None
    assert queue.declared == {outcome.checkin.id: Priority.PREGNANT}
    # declared before the place is asked (the slip and the screen mark the number Ư)
    assert queue.asked
    assert outcome.place == queue.answer
    # the same patient again: the number they hold, and nothing declared twice
    queue.declared.clear()
    again = service.check_in_and_print(assessment, "NOI", declared=Priority.PREGNANT)
    assert again.reason is Reason.ALREADY_CHECKED_IN
    assert queue.declared == {}


def test_only_pregnancy_and_disability_are_declared_and_a_failing_central_keeps_the_number() -> (
    None
):
    rig = Rig()
    service = rig.service_with(queue=FakeCallQueue(down=True))
    person = _cached(rig)
    assessment = service.assess(bhyt_payload(person))
    with pytest.raises(ValueError, match="not something a patient declares"):
        service.check_in_and_print(assessment, "NOI", declared=Priority.AGE_75)
    assert rig.store.checkins == {}  # refused before any number was given
    outcome = service.check_in_and_print(assessment, "NOI", declared=Priority.DISABILITY)
    assert outcome.status is Status.ACCEPTED  # central could not keep it: the number stands
    assert outcome.checkin is not None
