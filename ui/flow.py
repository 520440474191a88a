"""The patient's path through the check-in service, driven from Qt signals.

No rule lives here: the service decides (``assess``, ``confirm``, ``check_in``,
``print_slip``); this object only calls the next step on a worker thread and says which
question the window must ask next. A result that arrives after :meth:`reset` (the patient left)
is dropped, so nobody sees the previous patient's data.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from kiosk.calling import Priority
from kiosk.checkin import Assessment
from kiosk.model import CheckIn, Clinic, Gender
from kiosk.outcome import Outcome, Reason, Status
from ui.ports import PatientService
from ui.workers import Epoch, TaskRunner

T = TypeVar("T")


class PatientFlow(QObject):
    """One patient at a time: scan → (confirm) → (clinic) → check in → print → outcome.

    Signals:
        working(): a step started (show "checking…").
        confirm(object): the assessment needs "Is this you?".
        choose_clinic(tuple): several clinics are open; the patient picks one.
        outcome(Outcome): the final result to show.
    """

    working = Signal()
    confirm = Signal(object)
    choose_clinic = Signal(tuple)
    outcome = Signal(object)

    def __init__(self, service: PatientService, runner: TaskRunner) -> None:
        super().__init__()
        self._service = service
        self._runner = runner
        self._epoch = Epoch()  # advanced by reset(): late results of the last patient drop
        self._assessment: Assessment | None = None
        self._active = False
        self._key = ""

    @property
    def addressee(self) -> Gender | None:
        """The gender the screens address the current patient by ("Ông", "Bà"), if known."""
        assessment = self._assessment
        if assessment is None:
            return None
        if assessment.status is Status.ACCEPTED and assessment.card is not None:
            return assessment.card.gender  # the card is theirs (a bare code's year proven)
        return assessment.outcome().gender

    @property
    def active(self) -> bool:
        """A patient is being served: new scans wait until the result is shown or reset."""
        return self._active

    def reset(self) -> None:
        """Forget the current patient; late results of their steps are dropped."""
        self._epoch.advance()
        self._assessment = None
        self._active = False

    def scan(self, text: str) -> None:
        """A payload arrived from the camera, a USB scanner or the staff keypad."""
        if self._active:
            return
        self.reset()
        self._active = True
        # one key per patient: a retried commit cannot take a second number
        self._key = uuid.uuid4().hex
        self.working.emit()
        self._run(lambda: self._with_clinics(self._service.assess(text)), self._assessed)

    def answer(self, yes: bool) -> None:
        """The patient's answer to "Is this you?"."""
        self._reassess(lambda assessment: self._service.confirm(assessment, yes))

    def answer_birth_year(self, year: str) -> None:
        """The birth year typed for a bare code."""
        self._reassess(lambda assessment: self._service.confirm_birth_year(assessment, year))

    def _reassess(self, step: Callable[[Assessment], Assessment]) -> None:
        """The patient answered a question about the assessment: assess again with it."""
        assessment = self._assessment
        if assessment is None:
            return
        self.working.emit()
        self._run(lambda: self._with_clinics(step(assessment)), self._assessed)

    def choose(self, clinic_code: str, declared: Priority | None = None) -> None:
        """The patient picked a clinic, and perhaps declared a priority (staff check it)."""
        assessment = self._assessment
        if assessment is None:
            return
        self.working.emit()
        self._check_in(assessment, clinic_code, declared)

    def retry_print(self, checkin: CheckIn) -> None:
        """ "Thử in lại": print the slip of a check-in whose slip failed, once more."""
        if self._active:
            return
        self._active = True
        self.working.emit()
        self._run(lambda: self._service.print_slip(checkin), self._show)

    def finish(self) -> None:
        """The result was shown; the next scan starts a new patient."""
        self._active = False

    def _with_clinics(self, assessment: Assessment) -> tuple[Assessment, tuple[Clinic, ...]]:
        return assessment, self._service.open_clinics()

    def _assessed(self, result: tuple[Assessment, tuple[Clinic, ...]]) -> None:
        assessment, clinics = result
        self._assessment = assessment
        if assessment.status is Status.NEEDS_CONFIRMATION:
            self.confirm.emit(assessment)
        elif assessment.status is not Status.ACCEPTED:
            self._show(assessment.outcome())
        elif not clinics:
            self._show(Outcome(Status.NEEDS_RECEPTION, Reason.NO_CLINIC_OPEN))
        elif len(clinics) == 1:
            self._check_in(assessment, clinics[0].code)
        else:
            self.choose_clinic.emit(clinics)

    def _check_in(
        self, assessment: Assessment, clinic_code: str, declared: Priority | None = None
    ) -> None:
        key = self._key

        def commit_and_print() -> Outcome:
            return self._service.check_in_and_print(
                assessment, clinic_code, declared=declared, idempotency_key=f"{key}:{clinic_code}"
            )

        self._run(commit_and_print, self._show)

    def _show(self, outcome: Outcome) -> None:
        self._assessment = None
        self.outcome.emit(outcome)

    def _failed(self, message: str) -> None:
        # the service turns known trouble into outcomes; anything else sends them to reception
        self._show(Outcome(Status.NEEDS_RECEPTION, Reason.DATABASE_UNAVAILABLE, detail=message))

    def _run(self, fn: Callable[[], T], done: Callable[[T], None]) -> None:
        self._runner.submit(fn, done, self._failed, epoch=self._epoch)
