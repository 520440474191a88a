"""The longest text each stored patient field may hold: ONE table, read by the QR parser
(:mod:`kiosk.payload`, which refuses a longer field) and by the schema (:mod:`db.models`,
whose column lengths are these numbers).

A field longer than its column is refused by PostgreSQL (SQLite stores it anyway), so a card
whose QR carries one would be an error at commit time; capped here, it is an unreadable card
at the scan, before any database sees it.
"""

from __future__ import annotations

from typing import Final

NAME: Final = 200  # cards.name, checkins.patient_name
CARD_NUMBER: Final = 15  # cards.card_number, checkins.card_number
BHXH_NUMBER: Final = 10  # cards.bhxh_number, checkins.bhxh_number
ID_NUMBER: Final = 12  # cards.id_number, checkins.id_number (a CCCD number, or an old CMND)
FACILITY_CODE: Final = 5  # cards.facility_code, checkins.facility_code

#: the caps by payload field name (a test checks each against its columns). The card field
#: is not here: it may hold 17 characters (kiosk.card_number places each shape), and a
#: check-in keeps only a 10- or 15-character one (kiosk.checkin._storable).
FIELD_CAPS: Final[dict[str, int]] = {
    "name": NAME,
    "bhxh_number": BHXH_NUMBER,
    "id_number": ID_NUMBER,
    "facility_code": FACILITY_CODE,
}
