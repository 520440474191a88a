"""Bounded guessing of a bare code's birth year: the wrong years typed per code per day.

A bare code (a number alone in a QR) is answered only after the patient types the card's birth
year. Without a bound, a stranger could try years until one fits and see a name. The service
notes every wrong year here and sends the code to reception once a day's allowance
(``kiosk.birth_year_tries``) is used up. The count must be shared by every kiosk and every scan,
so production counts in the central database (:class:`db.store.lobby.LobbyStore`); this module
holds the port and an in-memory counter for a kiosk without one (and for tests).
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date
from typing import Protocol

#: tries of the birth year within one scan: one slip of a finger is forgiven, a second is not
TRIES_PER_SCAN = 2


class WrongYears(Protocol):
    """Counts the wrong birth years typed for a code on a local day (on every kiosk)."""

    def wrong_years(self, code: str, day: date) -> int:
        """How many wrong years were typed for ``code`` on ``day``."""
        ...

    def note_wrong_year(self, code: str, day: date, kiosk_id: str) -> int:
        """Note one more wrong year for ``code`` on ``day``; the day's count after it."""
        ...


class MemoryWrongYears:
    """:class:`WrongYears` in this process only (a kiosk with no counting store; tests)."""

    def __init__(self) -> None:
        self._counts: Counter[tuple[str, date]] = Counter()
        self._lock = threading.Lock()

    def wrong_years(self, code: str, day: date) -> int:
        with self._lock:
            return self._counts[code, day]

    def note_wrong_year(self, code: str, day: date, kiosk_id: str) -> int:
        with self._lock:
            self._counts[code, day] += 1
            return self._counts[code, day]
