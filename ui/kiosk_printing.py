"""The kiosk's share of the desk's print requests: a patient's slip printed on the kiosk they
stand at, when reception chose that kiosk instead of the desk's printer.

:class:`KioskPrinting` is one step of a background duty (:class:`ui.background.Background`
runs it every :data:`POLL_S` seconds; tests call :meth:`KioskPrinting.step`). It claims this
kiosk's waiting requests in central (never another kiosk's: :mod:`db.store.print_requests`),
prints each the reprint way (:meth:`CheckInService.reprint`: the same number, audited under
the staff member who asked) and marks it printed or failed, which the desk shows. Qt-free.
"""

from __future__ import annotations

import logging

from db.store import SqlStore
from db.store.print_requests import claim_requests, finish_request
from kiosk.checkin import CheckInService
from kiosk.clock import Clock
from kiosk.ports import StoreError

log = logging.getLogger(__name__)

POLL_S = 3.0  # how often a kiosk looks for the desk's requests (one indexed query)


class KioskPrinting:
    """Prints the desk's requests for ``kiosk_id`` on this kiosk's printer."""

    def __init__(
        self, store: SqlStore, service: CheckInService, kiosk_id: str, clock: Clock
    ) -> None:
        self._store = store
        self._service = service
        self._kiosk_id = kiosk_id
        self._clock = clock

    def step(self) -> int:
        """Print every waiting request of this kiosk; how many were handled (0 while central
        does not answer: the requests wait there)."""
        try:
            claimed = claim_requests(self._store, self._kiosk_id)
        except StoreError as error:
            log.info("print requests not read now: %s", error)
            return 0
        for request in claimed:
            outcome = self._service.reprint(request.checkin_id, request.requested_by)
            ok = outcome.printed is True
            problem = None if ok else (outcome.detail or str(outcome.reason or "not printed"))
            try:
                finish_request(self._store, request.id, ok, self._clock.now(), problem)
            except StoreError as error:  # printed; the desk sees "printing" and may ask again
                log.warning("print request %s not marked: %s", request.id, error)
            log.info("print request %s for %s: %s", request.id, request.checkin_id, ok)
        return len(claimed)
