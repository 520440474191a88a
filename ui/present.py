"""What a public screen may show of a patient: masked name, birth year, last 4 of the card.

docs/domain.md §10: a public screen never shows a full name, ID number or card number.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from kiosk.masking import mask_name
from kiosk.model import BhytPayload, CardRecord, CccdPayload, CheckIn, Gender, Payload
from kiosk.outcome import Outcome, Reason, Status
from kiosk.voice import PromptKind

#: what the patient can put right at the camera (another code, the card held better, or
#: "Không phải tôi": maybe someone else's card was picked up)
_FIXABLE = frozenset(
    {
        Reason.NOT_A_CARD,
        Reason.BAD_CARD_NUMBER,
        Reason.BAD_ID_NUMBER,
        Reason.UNREADABLE_CARD,
        Reason.PATIENT_DENIED_IDENTITY,
    }
)


def can_rescan(outcome: Outcome) -> bool:
    """The patient may simply scan again (offer "Scan again", not only "Done")."""
    return outcome.reason in _FIXABLE


#: a card that will not do today (expired, refused, unknown, a gateway code, a bare code's
#: birth years used up, a check-in central held): another card may; else "Đến quầy"
_OTHER_CARD = frozenset(
    {
        Reason.CARD_NOT_FOUND,
        Reason.GATEWAY_REJECTED,
        Reason.CARD_CODE_UNCONFIRMED,
        Reason.EXPIRY_UNCONFIRMED,
        Reason.BIRTH_YEAR_WRONG,
        Reason.RECORD_REFUSED,
    }
)


def can_try_another_card(outcome: Outcome) -> bool:
    """An error a different card may get past: offer "Quét thẻ khác" beside "Đến quầy"."""
    return outcome.status is Status.REJECTED or outcome.reason in _OTHER_CARD


def reception_prompt(outcome: Outcome) -> PromptKind:
    """What the reception screen says for ``outcome``: the next step the screen offers."""
    if can_rescan(outcome):
        return PromptKind.RESCAN
    if outcome.reason is Reason.CARD_EXPIRED:
        return PromptKind.CARD_EXPIRED
    if outcome.reason in _OTHER_CARD:
        return PromptKind.CARD_NOT_FOUND
    if can_try_another_card(outcome):
        return PromptKind.CARD_REFUSED
    return PromptKind.RECEPTION


def last4(number: str | None) -> str:
    return number[-4:] if number else ""


@dataclass(frozen=True)
class PublicPatient:
    """The patient as a public screen shows them."""

    name: str = ""  # masked: the family name and initials (public_name)
    birth_year: str = ""
    card_last4: str = ""
    confirm_name: str = ""  # family and given name ("Lưu *** Yến"): the "Is this you?" screen
    gender: Gender | None = None  # how the screens address them: "Ông", "Bà", or "Ông/Bà"


def initials_name(name: str) -> str:
    """``"Lưu Thị Yến"`` → ``"Lưu T. Yến"``: the family and the given name, each middle name
    as its initial. For "Is this you?": people know their given name, and an initial reads
    as a name (stars looked like an error)."""
    words = unicodedata.normalize("NFC", name).split()
    if len(words) < 2:
        return mask_name(name)
    return " ".join([words[0], *(w[0] + "." for w in words[1:-1]), words[-1]])


def public_name(name: str) -> str:
    """``"Lý Thị Thanh"`` → ``"Lý T. T."``: the family name and the other names' initials, for
    the result screens a passer-by may read. Masked like the log's ``"Lý T*** T***"``, but
    stars on a patient's own screen read as an error."""
    words = unicodedata.normalize("NFC", name).split()
    if len(words) < 2:
        return mask_name(name)
    return " ".join([words[0], *(w[0] + "." for w in words[1:])])


def from_checkin(checkin: CheckIn | None) -> PublicPatient:
    if checkin is None:
        return PublicPatient()
    p = checkin.patient
    return PublicPatient(
        name=public_name(p.name),
        birth_year=str(p.birth.year) if p.birth else "",
        card_last4=last4(p.card_number or p.bhxh_number or p.id_number),
        gender=p.gender,
    )


def from_assessment(payload: Payload | None, card: CardRecord | None) -> PublicPatient:
    """From the card found (preferred) or what the QR said."""
    if card is not None:
        return PublicPatient(
            name=public_name(card.name),
            birth_year=str(card.birth.year) if card.birth else "",
            card_last4=last4(card.card_number),
            confirm_name=initials_name(card.name),
            gender=card.gender or _payload_gender(payload),
        )
    if isinstance(payload, BhytPayload | CccdPayload):
        number = payload.card_number if isinstance(payload, BhytPayload) else payload.id_number
        return PublicPatient(
            name=public_name(payload.name),
            birth_year=str(payload.birth.year) if payload.birth else "",
            card_last4=last4(number),
            confirm_name=initials_name(payload.name),
            gender=payload.gender,
        )
    return PublicPatient()


def _payload_gender(payload: Payload | None) -> Gender | None:
    return payload.gender if isinstance(payload, BhytPayload | CccdPayload) else None
