"""The check-in use case: from the text a camera read to a committed, printed queue number.

The steps follow the flow of one check-in in docs/architecture.md: parse, look up, check online
within a time budget (else the cache decides), apply the rules, let the patient pick a clinic,
allocate the number atomically together with the check-in, then print. Every method returns a
value; none raises through the UI. A check-in is committed before printing, so a printer
failure never loses it: it is marked for reprint instead.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from typing import TypedDict, Unpack

from PIL.Image import Image

from kiosk.calling import DECLARED, Place, Priority
from kiosk.card_number import level_of
from kiosk.clock import Clock, local_day
from kiosk.copay import CopayExemption, from_reply
from kiosk.eligibility import decide
from kiosk.gateway_codes import interpret, is_fallback
from kiosk.guesses import TRIES_PER_SCAN, MemoryWrongYears, WrongYears
from kiosk.model import (
    BhytPayload,
    BirthDate,
    CardRecord,
    CccdPayload,
    CheckIn,
    CheckInDraft,
    Clinic,
    CodePayload,
    GatewayFailure,
    GatewayFailureKind,
    GatewayReply,
    PatientSnapshot,
    Payload,
    PrintState,
    Verification,
)
from kiosk.outcome import Decision, Outcome, Reason, Status
from kiosk.payload import InvalidPayload, parse_payload
from kiosk.ports import (
    CallQueue,
    CardCache,
    CardQuery,
    CheckInStore,
    CopayLookup,
    OnlineCardCheck,
    OutcomeTally,
    PrintResult,
    RecordRefusedError,
    SlipPrinter,
    StoreError,
)
from kiosk.route import HospitalRules, benefit_for
from kiosk.settings import Config
from kiosk.visit_facts import DeclaredFacts

log = logging.getLogger(__name__)

#: the reasons of a bare code's birth-year question (asked first, or once more)
BIRTH_YEAR_QUESTIONS = (Reason.BIRTH_YEAR_REQUIRED, Reason.BIRTH_YEAR_RETRY)

SlipMaker = Callable[[CheckIn, bool], Image]
"""Renders the slip of a check-in (``reprint`` says "IN LẠI") as a 1-bit image."""


@dataclass(frozen=True)
class Assessment:
    """What the kiosk concluded about a card, before a clinic is chosen and a number given."""

    status: Status
    reason: Reason | None
    payload: Payload | None
    card: CardRecord | None
    decision: Decision | None
    verification: Verification
    alerts: tuple[Reason, ...] = ()
    detail: str = ""
    attempt_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    year_tries: int = 0  # wrong birth years typed in this scan (a bare code)

    @classmethod
    def unchecked(
        cls, status: Status, reason: Reason, payload: Payload | None, detail: str
    ) -> Assessment:
        """An assessment that stopped before any card was looked up (an unreadable scan, the
        database down)."""
        return cls(status, reason, payload, None, None, Verification.NONE, detail=detail)

    def outcome(self) -> Outcome:
        """This assessment as an outcome to show (for anything but a check-in)."""
        return Outcome(
            status=self.status,
            reason=self.reason,
            payload=self.payload,
            verification=self.verification,
            alerts=self.alerts,
            detail=self.detail,
        )


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def snapshot_of(payload: Payload | None, card: CardRecord | None) -> PatientSnapshot:
    """The patient fields kept with a check-in: the card's when known, else what the QR said."""
    name = card.name if card else ""
    birth = card.birth if card else None
    gender = card.gender if card else None
    if isinstance(payload, BhytPayload | CccdPayload):
        name = name or payload.name
        birth = birth or payload.birth
        gender = gender or payload.gender
    id_number = card.id_number if card else None
    if isinstance(payload, CccdPayload | BhytPayload):
        id_number = id_number or payload.id_number
    bhxh = card.bhxh_number if card else None
    if bhxh is None and isinstance(payload, BhytPayload):
        bhxh = payload.bhxh_number
    return PatientSnapshot(
        name=name,
        birth=birth,
        gender=gender,
        card_number=card.card_number if card else _storable(getattr(payload, "card_number", None)),
        bhxh_number=bhxh,
        id_number=id_number,
        facility_code=card.facility_code if card else getattr(payload, "facility_code", None),
        valid_from=card.valid_from if card else getattr(payload, "valid_from", None),
        valid_to=card.valid_to if card else getattr(payload, "valid_to", None),
        benefit_level=card.benefit_level if card else getattr(payload, "benefit_level", None),
    )


def _storable(number: str | None) -> str | None:
    """A QR's card number as a check-in keeps it: 10 or 15 characters (a 12- or 17-character
    number is kept by the personal ID it carries)."""
    return number if number and len(number) in (10, 15) else None


def keep_known_level(card: CardRecord, cached: CardRecord | None) -> CardRecord:
    """The gateway's card, with the 15-character number and benefit level the cache knew.

    The gateway may answer with the 10-digit number only (docs/insurance-api.md §3), which
    carries no benefit level; saving that as is would erase what the cache knew of the card.
    """
    if (
        cached is None
        or card.benefit_level is not None
        or cached.bhxh_number != card.bhxh_number
        or len(card.card_number) == 15
    ):
        return card
    return replace(
        card,
        card_number=cached.card_number,
        benefit_level=cached.benefit_level or level_of(cached.card_number),
        area_code=card.area_code or cached.area_code,
    )


@dataclass(frozen=True)
class Identity:
    """Who an override is for, as staff typed it when neither a card nor a name was found."""

    name: str  # one space between words
    birth_year: int | None = None


@dataclass(frozen=True)
class CheckInRequest:
    """A check-in asked for on the staff screen: the clinic, and for an override its reason
    (with the identity staff typed, when the card told nothing); ``facts`` what reception
    declared of the visit (a referral paper, an emergency), which the benefit rule takes."""

    clinic_code: str
    override_reason: str | None = None
    identity: Identity | None = None
    facts: DeclaredFacts | None = None


def typed_patient(assessment: Assessment, request: CheckInRequest) -> PatientSnapshot | None:
    """The patient as staff typed them for an override, else None (the card's, as usual)."""
    identity = request.identity
    if not request.override_reason or identity is None:
        return None
    birth = BirthDate(identity.birth_year) if identity.birth_year else None
    return replace(
        snapshot_of(assessment.payload, assessment.card), name=identity.name, birth=birth
    )


class CheckInOptions(TypedDict, total=False):
    """The optional keywords of :meth:`CheckInService.check_in`, for what passes them on."""

    staff: str | None
    override_reason: str | None
    idempotency_key: str | None
    patient: PatientSnapshot | None


class CheckInService:
    """Runs check-ins for one kiosk: the only place where the steps are put together."""

    def __init__(
        self,
        *,
        config: Config,
        clock: Clock,
        cards: CardCache,
        checkins: CheckInStore,
        online: OnlineCardCheck | None,
        printer: SlipPrinter,
        render_slip: SlipMaker,
        tally: OutcomeTally | None = None,
        queue: CallQueue | None = None,
        wrong_years: WrongYears | None = None,
    ) -> None:
        """``wrong_years`` counts a bare code's wrong birth years per day; the central
        database's in production (shared by every kiosk), else this process's."""
        self._config = config
        self._wrong_years: WrongYears = wrong_years or MemoryWrongYears()
        self._tally = tally
        self._clock = clock
        self._cards = cards
        self._checkins = checkins
        self._online = online
        # the co-payment look-up, where the gateway client has it and insurance.copay_lookup
        lookup: object = online
        self._copay: CopayLookup | None = (
            lookup if config.insurance.copay_lookup and isinstance(lookup, CopayLookup) else None
        )
        self._printer = printer
        self._render_slip = render_slip
        self._queue = queue  # central's queues: the people ahead and the wait, on the screen
        self._rules = HospitalRules.from_config(config.hospital, config.insurance.username)
        self._zone = config.kiosk.zone

    # -- clinics -----------------------------------------------------------------------------

    def open_clinics(self) -> tuple[Clinic, ...]:
        """The clinics whose opening hours contain the current local time."""
        local = self._clock.now().astimezone(self._zone)
        minute = local.hour * 60 + local.minute
        return tuple(
            clinic
            for clinic in self._config.clinics
            if any(_minutes(a) <= minute < _minutes(b) for a, b in clinic.open_hours)
        )

    # -- deciding ----------------------------------------------------------------------------

    def assess(self, text: str) -> Assessment:
        """Parse what was scanned or typed, find the card and decide whether it may check in.

        A scan that ends here (rejected, or sent to reception) is counted for the daily report.
        """
        assessment = self._assess(text)
        if self._tally is not None and assessment.status in (
            Status.REJECTED,
            Status.NEEDS_RECEPTION,
        ):
            try:
                self._tally.tally_outcome(
                    str(assessment.status), self._config.kiosk.id, self._clock.now()
                )
            except StoreError as error:
                log.warning("could not count the outcome for the report: %s", error)
        return assessment

    def _assess(self, text: str) -> Assessment:
        parsed = parse_payload(text)
        if isinstance(parsed, InvalidPayload):
            log.info("rejected scan: %s (%s)", parsed.reason, parsed.detail)
            # a card the kiosk cannot place is reception's to look at, never "invalid card"
            unplaced = parsed.reason is Reason.CARD_NUMBER_UNPLACED
            status = Status.NEEDS_RECEPTION if unplaced else Status.REJECTED
            return Assessment.unchecked(status, parsed.reason, None, parsed.detail)
        try:
            cached = self._find_cached(parsed)
        except StoreError as error:
            return self._store_failure(parsed, error)
        reply, verification, alerts = self._check_online(parsed, cached)
        if reply is not None and reply.card is not None:
            card = keep_known_level(reply.card, cached)
            reply = replace(reply, card=card)
            try:
                self._cards.save_card(card)
            except StoreError as error:
                log.warning("could not update the cache from the gateway: %s", error)
        today = local_day(self._clock, self._zone)
        decide_today = partial(
            decide,
            parsed,
            cached,
            today,
            self._rules,
            reply,
            elsewhere_guard=self._config.insurance.checked_elsewhere_guard,
        )
        decision = decide_today()
        if decision.benefit is not None and decision.benefit.copay_pending:
            copay = self._look_up_copay(parsed, decision.card or cached, today)
            if copay is not None:
                decision = decide_today(copay=copay)
        log.info("assessed %s card: %s %s", type(parsed).__name__, decision.status, decision.reason)
        assessment = Assessment(
            status=decision.status,
            reason=decision.reason,
            payload=parsed,
            card=decision.card or cached,
            decision=decision,
            verification=verification if (decision.card or cached) else Verification.NONE,
            alerts=alerts,
            detail=decision.detail,
        )
        if isinstance(parsed, CodePayload):
            # known or not, a bare code gets the same first question: the answer must not
            # tell whether a card with that number exists
            return self._bare_code(assessment)
        return assessment

    def _look_up_copay(
        self, payload: Payload, card: CardRecord | None, today: date
    ) -> CopayExemption | None:
        """What BHXH's co-payment look-up says of a five-year card's year, or None (not set
        up, failed, or a reply that decides nothing): then reception confirms the share."""
        if self._copay is None or card is None or card.birth is None:
            return None
        code = card.card_number if len(card.card_number) in (10, 12, 15) else payload.lookup_key
        query = CardQuery(code=code, name=card.name, birth=card.birth)
        result = self._copay.copay(query, self._config.insurance.online_budget_s)
        if isinstance(result, GatewayFailure):
            log.info("co-payment look-up not used: %s", result.kind)
            return None
        return from_reply(result, today)

    def _bare_code(self, assessment: Assessment) -> Assessment:
        """A number alone proves nothing: ID numbers are guessable and anyone can put one in a
        QR. The patient types their birth year first, or goes to reception (a setting)."""
        if self._config.privacy.bare_code == "reception":
            return replace(
                assessment, status=Status.NEEDS_RECEPTION, reason=Reason.BARE_CODE_AT_RECEPTION
            )
        try:
            used = self._wrong_years.wrong_years(self._code_key(assessment), self._today())
        except StoreError as error:
            log.warning("bare code: wrong years not counted (%s): reception", error)
            return self._year_wrong(assessment)
        if used >= self._config.kiosk.birth_year_tries:
            log.info("bare code: the day's wrong birth years are used up")
            return self._year_wrong(assessment)
        return replace(
            assessment, status=Status.NEEDS_CONFIRMATION, reason=Reason.BIRTH_YEAR_REQUIRED
        )

    def _code_key(self, assessment: Assessment) -> str:
        """What wrong years are counted under: the card's BHXH number when the card is known
        (its card number, BHXH and ID number are one allowance), else the code itself."""
        card, payload = assessment.card, assessment.payload
        if card is not None and card.bhxh_number:
            return card.bhxh_number
        return payload.lookup_key if payload is not None else ""

    def _today(self) -> date:
        return local_day(self._clock, self._zone)

    def _year_wrong(self, assessment: Assessment) -> Assessment:
        """Reception, saying nothing about the card (known or not)."""
        return replace(
            assessment,
            status=Status.NEEDS_RECEPTION,
            reason=Reason.BIRTH_YEAR_WRONG,
            card=None,
            decision=None,
            verification=Verification.NONE,
        )

    def confirm_birth_year(self, assessment: Assessment, year: str) -> Assessment:
        """The birth year typed for a bare code: the card's year lets the rules' decision stand.
        A wrong one is counted for the code's day (every kiosk); the scan's first asks again,
        the second, or one past the day's ``kiosk.birth_year_tries``, sends the patient to
        reception, saying nothing about the card."""
        if assessment.reason not in BIRTH_YEAR_QUESTIONS:
            return assessment
        decision, card = assessment.decision, assessment.card
        right = card is not None and card.birth is not None and year.strip() == str(card.birth.year)
        if right and decision is not None:
            return replace(assessment, status=decision.status, reason=decision.reason)
        log.info("bare code: the birth year typed does not match")
        try:
            used = self._wrong_years.note_wrong_year(
                self._code_key(assessment), self._today(), self._config.kiosk.id
            )
        except StoreError as error:
            log.warning("bare code: a wrong year not counted (%s): reception", error)
            return self._year_wrong(assessment)
        tries = assessment.year_tries + 1
        if tries < TRIES_PER_SCAN and used < self._config.kiosk.birth_year_tries:
            return replace(assessment, reason=Reason.BIRTH_YEAR_RETRY, year_tries=tries)
        return self._year_wrong(assessment)

    def _find_cached(self, payload: Payload) -> CardRecord | None:
        """The cached card, tried under each of the payload's keys in order.

        The citizen ID comes first when the QR carries one: since Decree 102/2025 it is the
        health ID (docs/insurance-api.md §3). A card-only QR is looked up by its card number,
        then by the BHXH number it ends with (a renewed card keeps that number).
        """
        for key in payload.lookup_keys:
            found = self._cards.find_card(key)
            if found is not None:
                return found
        return None

    def _check_online(
        self, payload: Payload, cached: CardRecord | None
    ) -> tuple[GatewayReply | None, Verification, tuple[Reason, ...]]:
        if self._online is None:
            return None, Verification.CACHE, ()
        name = cached.name if cached else getattr(payload, "name", "")
        birth = cached.birth if cached else getattr(payload, "birth", None)
        if birth is None:
            birth = getattr(payload, "birth", None)
        if not name or birth is None:
            # the gateway needs a name and a birth date (production clients never send an empty
            # ngaySinh); a bare code unknown to the cache cannot be asked about
            return None, Verification.CACHE, ()
        query = CardQuery(code=payload.lookup_key, name=name, birth=birth)
        result = self._online.check(query, self._config.insurance.online_budget_s)
        if isinstance(result, GatewayFailure):
            log.info("gateway not used: %s", result.kind)
            config_problem = result.kind in (GatewayFailureKind.AUTH,)
            return (
                None,
                Verification.CACHE,
                (Reason.GATEWAY_CONFIG_ERROR,) if config_problem else (),
            )
        if is_fallback(result.code):
            alert = interpret(result.code).staff_alert
            log.warning("gateway answered %s: the cache decides", result.code)
            return None, Verification.CACHE, (alert,) if alert else ()
        return result, Verification.ONLINE, ()

    def confirm(self, assessment: Assessment, yes: bool) -> Assessment:
        """The patient's answer to "Is this you?": yes lets them in, no sends them to reception.

        A bare code (birth year required) is never shown as "Is this you?" to a patient: a yes
        here is staff's, who saw the person (the patient screens ask the birth year instead).
        """
        if assessment.status is not Status.NEEDS_CONFIRMATION:
            return assessment
        decision = assessment.decision
        if yes and assessment.reason in BIRTH_YEAR_QUESTIONS and decision is not None:
            # staff saw the person: the rules' own decision stands (a card not found stays so)
            return replace(assessment, status=decision.status, reason=decision.reason)
        if yes:
            return replace(assessment, status=Status.ACCEPTED, reason=None)
        return replace(
            assessment, status=Status.NEEDS_RECEPTION, reason=Reason.PATIENT_DENIED_IDENTITY
        )

    # -- committing --------------------------------------------------------------------------

    def check_in(
        self,
        assessment: Assessment,
        clinic_code: str,
        *,
        staff: str | None = None,
        override_reason: str | None = None,
        idempotency_key: str | None = None,
        patient: PatientSnapshot | None = None,
    ) -> Outcome:
        """Give the patient a number for a clinic; staff may override a refusal with a reason.

        The same assessment and clinic always give the same check-in (the idempotency key is
        derived from them), so a retry after a failure never consumes a second number.
        """
        clinic = self._config.clinic(clinic_code)
        if clinic is None:
            return replace(assessment.outcome(), reason=Reason.UNKNOWN_CLINIC)
        overriding = bool(staff and override_reason)
        if assessment.status is not Status.ACCEPTED and not overriding:
            return assessment.outcome()
        snapshot = patient or snapshot_of(assessment.payload, assessment.card)
        today = local_day(self._clock, self._zone)
        decision = assessment.decision
        try:
            key = snapshot.bhxh_number or snapshot.id_number
            existing = self._checkins.existing_checkin(key, clinic.code, today) if key else None
            if existing is not None:
                return Outcome(
                    status=Status.ACCEPTED,
                    reason=Reason.ALREADY_CHECKED_IN,
                    checkin=existing,
                    payload=assessment.payload,
                    verification=existing.verification,
                    alerts=assessment.alerts,
                )
            draft = CheckInDraft(
                idempotency_key=idempotency_key or f"{assessment.attempt_id}:{clinic.code}",
                local_day=today,
                clinic_code=clinic.code,
                patient=snapshot,
                status="override" if overriding else str(Status.ACCEPTED),
                reason=str(assessment.reason) if assessment.reason else None,
                route=decision.route if decision else None,
                benefit_percent=decision.benefit_percent if decision else None,
                copay_exempt_from=(
                    decision.benefit.copay_exempt_from if decision and decision.benefit else None
                ),
                verification=assessment.verification,
                kiosk_id=self._config.kiosk.id,
                created_at=self._clock.now(),
                staff_name=staff,
                override_reason=override_reason if overriding else None,
            )
            # an override's audit row is committed with it (see CheckInStore.commit_checkin)
            checkin = self._checkins.commit_checkin(draft)
        except StoreError as error:
            return self._store_failure(assessment.payload, error).outcome()
        log.info("checked in %s: %s #%s", checkin.id, clinic.code, checkin.label)
        reason = Reason.STAFF_OVERRIDE if overriding else assessment.reason
        if reason is None and checkin.offline:
            reason = Reason.OFFLINE_NUMBER  # the screen says the unusual number is valid
        return Outcome(
            status=Status.ACCEPTED,
            reason=reason,
            checkin=checkin,
            payload=assessment.payload,
            verification=assessment.verification,
            alerts=assessment.alerts,
        )

    # -- printing ----------------------------------------------------------------------------

    def print_slip(self, checkin: CheckIn, *, reprint: bool = False) -> Outcome:
        """Render and print the slip; a failure leaves the check-in committed, marked unprinted."""
        number = f"{checkin.queue_number:04d}"
        if checkin.series:  # "A-0003" and "0003" are two different patients
            number = f"{checkin.series}-{number}"
        name = f"{checkin.local_day:%Y%m%d}-{checkin.clinic_code}-{number}"
        if reprint:
            name += f"-reprint-{self._clock.now():%H%M%S}"
        try:
            image = self._render_slip(checkin, reprint)
        except Exception as error:  # a missing font must not stop check-ins: reception reprints
            log.exception("slip rendering failed for %s", checkin.id)
            result = PrintResult(ok=False, problem="error", detail=str(error))
        else:
            result = self._printer.print_image(image, name)
        state = PrintState.PRINTED if result.ok else PrintState.FAILED
        try:
            self._checkins.set_print_state(checkin.id, state)
        except StoreError as error:
            log.warning("could not record the print state of %s: %s", checkin.id, error)
        updated = replace(checkin, print_state=state)
        if not result.ok:
            log.warning("printing %s failed: %s %s", checkin.id, result.problem, result.detail)
            return Outcome(
                status=Status.ACCEPTED,
                reason=Reason.PRINTER_FAILED,
                checkin=updated,
                verification=checkin.verification,
                printed=False,
                detail=result.problem,
            )
        return Outcome(
            status=Status.ACCEPTED,
            reason=None,
            checkin=updated,
            verification=checkin.verification,
            printed=True,
            slip_path=result.path,
        )

    # -- whole flows -------------------------------------------------------------------------

    def check_in_and_print(
        self,
        assessment: Assessment,
        clinic_code: str,
        *,
        declared: Priority | None = None,
        **options: Unpack[CheckInOptions],
    ) -> Outcome:
        """Commit the check-in, then print its slip.

        A patient who scans again the same day is shown the number they already have; a slip is
        printed again ("IN LẠI") only when the first one never came out. ``declared`` is a
        priority the patient declared at the kiosk (pregnancy, a severe disability: staff check
        it in the room); it goes to central's queue before the slip is printed, so that the
        slip and the screen mark the number ``Ư``.
        """
        if declared is not None and declared not in DECLARED:  # age and merit: from the card
            raise ValueError(f"{declared} is not something a patient declares")
        committed = self.check_in(assessment, clinic_code, **options)
        if committed.checkin is None:
            return committed
        again = committed.reason is Reason.ALREADY_CHECKED_IN
        if declared is not None and not again:
            self._declare(committed.checkin, declared)
        if again and committed.checkin.print_state is PrintState.PRINTED:
            return committed  # printed = None: no slip now, the patient has theirs
        printed = self.print_slip(committed.checkin, reprint=again)
        return replace(
            printed,
            reason=printed.reason or committed.reason,
            payload=committed.payload,
            alerts=committed.alerts,
            place=self.place(committed.checkin),
        )

    def staff_check_in(
        self, assessment: Assessment, request: CheckInRequest, staff: str, *, printing: bool = True
    ) -> Outcome:
        """Commit and print a check-in made at the reception desk (by ``staff``); with
        ``printing`` False only commit it (the slip is printed elsewhere: a kiosk the desk chose).

        An assessment waiting for "Is this you?" is confirmed: staff saw the person, which is the
        answer a patient gives at the kiosk. With an override, what staff typed of the patient's
        identity goes on the check-in and the slip (:func:`typed_patient`).
        """
        if assessment.status is Status.NEEDS_CONFIRMATION:
            assessment = self.confirm(assessment, True)
        reason = request.override_reason
        if request.facts:
            assessment = self.with_facts(assessment, request.facts)
            if reason:  # the facts go with the override's reason, in the audit and the HIS
                reason = f"{reason} {request.facts.words(self._today())}"
        commit = self.check_in_and_print if printing else self.check_in
        return commit(
            assessment,
            request.clinic_code,
            staff=staff,
            override_reason=reason,
            patient=typed_patient(assessment, request),
        )

    def with_facts(self, assessment: Assessment, facts: DeclaredFacts) -> Assessment:
        """The assessment's route and share again, with what reception declared of the visit
        (:mod:`kiosk.visit_facts`): the rule rows resting on them give their figure. Unchanged
        where the rules never reached a share: a card nobody knows, or one refused before its
        route (expired, another person's): an override of those gives no share at all."""
        decision = assessment.decision
        card = decision.card if decision is not None else None
        if decision is None or card is None or decision.benefit is None:
            return assessment
        today = self._today()
        benefit = benefit_for(card, self._rules, today, facts=facts.facts(today), confirmed=True)
        decision = replace(
            decision, route=benefit.route, benefit_percent=benefit.percent, benefit=benefit
        )
        return replace(assessment, decision=decision)

    def _declare(self, checkin: CheckIn, priority: Priority) -> None:
        """Put a declared priority on ``checkin`` in central's queue; an offline number or a
        failing central keeps its place in the plain queue (staff in the room can still call it
        first), with one log line."""
        if self._queue is None or checkin.offline:
            log.info("the declared priority of %s waits for central", checkin.id)
            return
        try:
            self._queue.declare_priority(checkin.id, priority)
        except StoreError as error:
            log.warning("the declared priority of %s was not kept: %s", checkin.id, error)

    def place(self, checkin: CheckIn) -> Place | None:
        """Where ``checkin`` stands in its clinic's queue (docs/domain.md §13); None for an
        offline number (it joins the queue when replayed) or when central cannot say."""
        clinic = self._config.clinic(checkin.clinic_code)
        if self._queue is None or checkin.offline or clinic is None:
            return None
        try:
            return self._queue.place(
                checkin.id,
                clinic.code,
                checkin.local_day,
                run_limit=self._config.queue.priority_run,
                rooms=len(clinic.call_rooms()),
                default=self._config.queue.default_minutes,
            )
        except StoreError as error:
            log.warning("the queue's place of %s is unknown: %s", checkin.id, error)
            return None

    def run(self, text: str, clinic_code: str | None = None) -> Outcome:
        """Every step for one scan, for the CLI and the headless demo (no questions asked)."""
        assessment = self.assess(text)
        if assessment.status is not Status.ACCEPTED:
            return assessment.outcome()
        if clinic_code is None:
            open_now = self.open_clinics()
            if not open_now:
                return replace(
                    assessment.outcome(),
                    status=Status.NEEDS_RECEPTION,
                    reason=Reason.NO_CLINIC_OPEN,
                )
            clinic_code = open_now[0].code
        return self.check_in_and_print(assessment, clinic_code)

    def reprint(self, checkin_id: str, staff: str) -> Outcome:
        """Print a check-in's slip again ("IN LẠI"), recorded in the audit log."""
        try:
            checkin = self._checkins.get_checkin(checkin_id)
            if checkin is None:
                return Outcome(status=Status.REJECTED, reason=Reason.CHECKIN_NOT_FOUND)
            self._checkins.record_audit(staff, "reprint", checkin_id, None, None)
        except StoreError as error:
            return self._store_failure(None, error).outcome()
        return self.print_slip(checkin, reprint=True)

    def cancel(self, checkin_id: str, staff: str, reason: str) -> Outcome:
        """Cancel a check-in; its number is never given again."""
        try:
            if self._checkins.get_checkin(checkin_id) is None:
                return Outcome(status=Status.REJECTED, reason=Reason.CHECKIN_NOT_FOUND)
            cancelled = self._checkins.cancel_checkin(checkin_id, staff, reason)
        except StoreError as error:
            return self._store_failure(None, error).outcome()
        # a check-in handed back not cancelled: central is down and the cancel waits ("chờ")
        reason_ = Reason.CHECKIN_CANCELLED if cancelled.cancelled else Reason.CANCEL_WAITING
        return Outcome(status=Status.ACCEPTED, reason=reason_, checkin=cancelled)

    def todays_checkins(
        self, search: str | None = None, limit: int | None = None
    ) -> Sequence[CheckIn]:
        """Today's check-ins for the staff screen, newest first, at most ``limit`` of them
        (empty when the database is unavailable)."""
        try:
            found = self._checkins.list_checkins(local_day(self._clock, self._zone), search)
        except StoreError as error:
            log.warning("cannot list check-ins: %s", error)
            return ()
        return tuple(found[:limit]) if limit is not None else found

    def _store_failure(self, payload: Payload | None, error: StoreError) -> Assessment:
        if isinstance(error, RecordRefusedError):  # this patient's record, not the database
            log.error("check-in refused by the database: %s", error)
            reason = Reason.RECORD_REFUSED
        else:
            log.error("database unavailable: %s", error)
            reason = Reason.DATABASE_UNAVAILABLE
        return Assessment.unchecked(Status.NEEDS_RECEPTION, reason, payload, str(error))
