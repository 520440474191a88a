"""The reception desk's work, driven from Qt signals: sign-in, look-up, check-in and override,
today's list with reprint and cancel, and the admin screen's sync and device tests.

Like :class:`~ui.flow.PatientFlow` for patients, this object decides what to call next and runs
it on a worker thread; the service decides everything about a card. It holds the one thing staff
work on between two touches, the assessment of the code they looked up. The window connects the
staff screens to it and maps its signals onto those screens; nothing here reads a widget.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, Signal

from kiosk.checkin import BIRTH_YEAR_QUESTIONS, Assessment, CheckInRequest, Identity
from kiosk.outcome import Outcome, Status
from kiosk.staff_auth import StaffAuth
from ui.ports import AdminTools, PatientService
from ui.present import PublicPatient, from_assessment
from ui.workers import Epoch, TaskRunner

__all__ = ["STAFF_LIST_ROWS", "CheckInRequest", "Identity", "Lookup", "StaffDesk"]

# Today's list shows the newest check-ins only: a busy day has thousands, and a list that long
# neither helps staff nor stays cheap to draw (a search finds an older one by number or name).
STAFF_LIST_ROWS = 50


@dataclass(frozen=True)
class Lookup:
    """What a looked-up code allows on the staff screen, tied to the code that produced it (the
    screen shows it only under that code)."""

    code: str
    outcome: Outcome
    patient: PublicPatient
    can_check_in: bool
    can_override: bool  # a refusal: staff may still check the patient in, with a reason
    needs_identity: bool  # an override with no name to print: staff type who it is for

    @classmethod
    def of(cls, code: str, assessment: Assessment) -> Lookup:
        decision = assessment.decision
        if assessment.reason in BIRTH_YEAR_QUESTIONS and decision is not None:
            # the birth year is the patient's question; staff see the person and the rules' answer
            assessment = replace(assessment, status=decision.status, reason=decision.reason)
        shown = from_assessment(assessment.payload, assessment.card)
        ok = assessment.status in (Status.ACCEPTED, Status.NEEDS_CONFIRMATION)
        return cls(
            code,
            assessment.outcome(),
            shown,
            can_check_in=ok,
            can_override=not ok,
            needs_identity=not ok and not shown.name,
        )


class StaffDesk(QObject):
    """Staff's actions, each run off the GUI thread, each result sent as a signal.

    Signals:
        signed_in(LoginAttempt): the answer to a staff code and PIN.
        working(): a look-up or a check-in started (show "working…").
        looked_up(Lookup): what the looked-up code allows.
        checked_in(Outcome): a check-in, override or reprint came back (printed or not).
        cancelled(Outcome): a cancel came back.
        failed(str): a check-in, reprint or cancel failed unexpectedly.
        checkins(tuple): today's check-ins matching the search.
        admin_working(): a device test started.
        admin_said(str): a device test's one-line answer.
        cache_status(CacheStatus): how fresh the card cache is.
        sync_started(): a sync started.
        sync_progress(int, int): cards done and the total (0: not known yet); sent from the
            sync's thread.
        synced(str): the sync's one-line summary.
        sync_failed(str): why the sync stopped.
    """

    signed_in = Signal(object)
    working = Signal()
    looked_up = Signal(object)
    checked_in = Signal(object)
    cancelled = Signal(object)
    failed = Signal(str)
    checkins = Signal(object)
    admin_working = Signal()
    admin_said = Signal(str)
    cache_status = Signal(object)
    sync_started = Signal()
    sync_progress = Signal(int, int)
    synced = Signal(str)
    sync_failed = Signal(str)

    def __init__(
        self, service: PatientService, auth: StaffAuth, admin: AdminTools, runner: TaskRunner
    ) -> None:
        """``runner`` runs the desk's short steps (shared with the patients' flow); a sync,
        which can take minutes, gets a thread of its own."""
        super().__init__()
        self._service = service
        self._auth = auth
        self._admin = admin
        self._runner = runner
        self._sync_runner = TaskRunner("sync", self)
        # advanced by reset() (a logout, back to the start): a look-up, check-in or list that
        # lands after it is dropped, not shown to whoever comes next
        self._epoch = Epoch()
        self._assessment: Assessment | None = None
        self._looking = ""  # the code of the last look-up asked: only its answer is kept
        self._search = ""
        self._sync_cancel = threading.Event()

    @property
    def assessment(self) -> Assessment | None:
        """The looked-up code staff are working on (None once checked in or reset)."""
        return self._assessment

    def reset(self) -> None:
        """Forget the looked-up code (back to the welcome screen); results still under way
        are dropped when they land."""
        self._epoch.advance()
        self._assessment = None
        self._looking = ""

    def sign_in(self, code: str, pin: str) -> None:
        # scrypt is deliberately slow: check PINs off the GUI thread
        self._runner.submit(
            lambda: self._auth.login(code, pin), self.signed_in.emit, epoch=self._epoch
        )

    def _staff_name(self) -> str:
        session = self._auth.session
        return session.name if session else ""

    # --- the staff screen -------------------------------------------------------------------

    def lookup(self, code: str) -> None:
        """Assess a code typed or scanned at the desk."""
        self._auth.touch()
        if not code:
            return
        # the code on screen changes now: what was assessed before is no longer staff's patient
        self._assessment, self._looking = None, code
        self.working.emit()
        self._runner.submit(
            lambda: self._service.assess(code),
            lambda assessment: self._assessed(code, assessment),
            epoch=self._epoch,
        )

    def _assessed(self, code: str, assessment: Assessment) -> None:
        if code != self._looking:  # an earlier look-up, overtaken by this one: not shown
            return
        self._assessment = assessment
        self.looked_up.emit(Lookup.of(code, assessment))

    def check_in(self, request: CheckInRequest) -> None:
        """Check the looked-up patient in (an override when the request has a reason)."""
        self._auth.touch()
        assessment, staff = self._assessment, self._staff_name()
        if assessment is None or not staff:
            return
        service = self._service
        self.working.emit()
        self._runner.submit(
            lambda: service.staff_check_in(assessment, request, staff),
            self._checked_in,
            self.failed.emit,
            epoch=self._epoch,
        )

    def reprint(self, checkin_id: str) -> None:
        staff = self._staff_name()
        self._runner.submit(
            lambda: self._service.reprint(checkin_id, staff),
            self._checked_in,
            self.failed.emit,
            epoch=self._epoch,
        )

    def _checked_in(self, outcome: Outcome) -> None:
        if outcome.checkin is not None:
            self._assessment = None
        self.checked_in.emit(outcome)
        self.refresh()

    def cancel(self, checkin_id: str, reason: str) -> None:
        staff = self._staff_name()
        self._runner.submit(
            lambda: self._service.cancel(checkin_id, staff, reason),
            self._cancelled,
            self.failed.emit,
            epoch=self._epoch,
        )

    def _cancelled(self, outcome: Outcome) -> None:
        self.cancelled.emit(outcome)
        self.refresh()

    def search(self, text: str) -> None:
        """Today's newest check-ins matching ``text`` (any for an empty one): up to
        :data:`STAFF_LIST_ROWS`, and one more when there are more (the screen says so)."""
        self._auth.touch()
        self._search = text
        search = text.strip() or None
        self._runner.submit(
            lambda: self._service.todays_checkins(search, STAFF_LIST_ROWS + 1),
            self.checkins.emit,
            epoch=self._epoch,
        )

    def refresh(self) -> None:
        """Today's list again, with the last search."""
        self.search(self._search)

    # --- the admin screen -------------------------------------------------------------------

    def refresh_cache(self) -> None:
        self._runner.submit(self._admin.cache_status, self.cache_status.emit, epoch=self._epoch)

    def sync(self) -> None:
        """Sync the card cache on its own thread (it can take minutes), with progress."""
        self._auth.touch()
        self._sync_cancel.clear()
        self.sync_started.emit()
        progress = self.sync_progress.emit  # a signal: safe to call from the sync thread
        cancel = self._sync_cancel.is_set
        self._sync_runner.submit(
            lambda: self._admin.sync(progress, cancel), self._synced, self.sync_failed.emit
        )

    def _synced(self, summary: str) -> None:
        self.synced.emit(summary)
        self.refresh_cache()

    def cancel_sync(self) -> None:
        """Stop the sync soon (it checks between pages)."""
        self._sync_cancel.set()

    def stop(self) -> None:
        """Cancel a sync under way and end its thread (the kiosk is closing)."""
        self.cancel_sync()
        self._sync_runner.stop()

    def test_printer(self) -> None:
        self._admin_call(self._admin.printer_test)

    def test_camera(self) -> None:
        self._admin_call(self._admin.camera_test)

    def _admin_call(self, call: Callable[[], str]) -> None:
        self._auth.touch()
        self.admin_working.emit()
        self._runner.submit(call, self.admin_said.emit, self.admin_said.emit, epoch=self._epoch)
