"""A check-in made at the reception desk: staff confirm what a patient would, and an override
carries the identity staff typed (kiosk.checkin's staff_check_in and typed_patient)."""

from __future__ import annotations

from dataclasses import replace

from kiosk.checkin import CheckInRequest, Identity, typed_patient
from kiosk.names import strip_diacritics
from kiosk.outcome import Status
from kiosk.synthetic import bhyt_payload, card_record
from tests.kiosk.test_checkin import Rig, _valid_person


def test_a_stranger_without_an_identity_keeps_the_codes_details() -> None:
    rig = Rig()
    person = _valid_person()  # not in the rig's card cache
    assessment = rig.service.assess(bhyt_payload(person))
    assert assessment.status is not Status.ACCEPTED
    outcome = rig.service.staff_check_in(assessment, CheckInRequest("NOI", "Thẻ mới"), "Lan")
    assert outcome.checkin is not None
    assert outcome.checkin.patient.name == person.name  # what the QR said
    assert outcome.checkin.staff_name == "Lan"
    assert outcome.checkin.override_reason == "Thẻ mới"


def test_staff_confirm_what_the_patient_would_answer() -> None:
    rig = Rig()
    candidates = (_valid_person(i) for i in range(20))
    person = next(p for p in candidates if strip_diacritics(p.name) != p.name)
    card = card_record(person)
    # the cache has the name typed without its marks: the kiosk would ask "Is this you?"
    rig.cards.save_card(replace(card, name=strip_diacritics(card.name)))
    assessment = rig.service.assess(bhyt_payload(person))
    assert assessment.status is Status.NEEDS_CONFIRMATION
    outcome = rig.service.staff_check_in(assessment, CheckInRequest("NOI"), "Lan")
    assert outcome.status is Status.ACCEPTED
    assert outcome.checkin is not None
    assert outcome.checkin.staff_name == "Lan"
    assert outcome.checkin.override_reason is None


def test_an_override_with_a_typed_identity_puts_it_on_the_check_in() -> None:
    rig = Rig()
    assessment = rig.service.assess("7999999999")  # a bare number nobody has
    request = CheckInRequest("NOI", "Thẻ giấy", Identity("Đỗ Thị Ánh", 1965))
    outcome = rig.service.staff_check_in(assessment, request, "Lan")
    assert outcome.checkin is not None
    assert outcome.checkin.patient.name == "Đỗ Thị Ánh"
    assert outcome.checkin.patient.birth is not None
    assert outcome.checkin.patient.birth.year == 1965


def test_a_typed_identity_counts_only_with_an_override_reason() -> None:
    rig = Rig()
    assessment = rig.service.assess("7999999999")
    identity = Identity("Đỗ Thị Ánh")
    assert typed_patient(assessment, CheckInRequest("NOI", None, identity)) is None
    assert typed_patient(assessment, CheckInRequest("NOI", "Thẻ giấy")) is None
    typed = typed_patient(assessment, CheckInRequest("NOI", "Thẻ giấy", identity))
    assert typed is not None
    assert typed.name == "Đỗ Thị Ánh"
    assert typed.birth is None  # no year typed: none invented
