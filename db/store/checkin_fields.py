"""A check-in's fields as plain values (text, numbers, dates), the same for the ``checkins``
table's row (:func:`db.store.checkins.checkin_values`) and for the event the hospital
information system receives (:func:`db.store.outbox.event_payload`), and the label the
patient's slip carries (:func:`label_fields`)."""

from __future__ import annotations

from dataclasses import fields

from kiosk.model import CheckIn, PatientSnapshot


def patient_fields(patient: PatientSnapshot) -> dict[str, object]:
    """The patient snapshot by field name: the birth date as its ISO text (the year alone when
    only the year is known), the gender as its code; the validity dates stay dates."""
    values = {f.name: getattr(patient, f.name) for f in fields(patient)}
    values["birth"] = patient.birth.iso() if patient.birth is not None else None
    values["gender"] = patient.gender.value if patient.gender is not None else None
    return values


def decision_fields(checkin: CheckIn) -> dict[str, object]:
    """What let the patient in and where: the outcome, the route and benefit it gave, how the
    card was verified, and the kiosk."""
    return {
        "status": checkin.status,
        "reason": checkin.reason,
        "route": checkin.route.value if checkin.route is not None else None,
        "benefit_percent": checkin.benefit_percent,
        "verification": checkin.verification.value,
        "kiosk_id": checkin.kiosk_id,
    }


def label_fields(checkin: CheckIn) -> dict[str, object]:
    """The slip's label when it is not the check-in's own number (``printed_label``, e.g.
    ``"A-1"`` on a check-in central numbered ``12``), None otherwise: staff find the row by
    it, rooms call by it, and the HIS receives it beside the number."""
    return {"printed_label": checkin.printed_label}
