"""The staff and admin screens' side of the window: what the reception desk's answers show.

:class:`~ui.staff_desk.StaffDesk` does the work off the GUI thread; this presenter connects the
staff, PIN and admin screens to it, and puts its answers on those screens (sign-in, the
looked-up patient, today's list, the cache's freshness, the admin's quit). It moves between
screens through the window it serves; it decides nothing about a card.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from PySide6.QtWidgets import QApplication, QWidget

from kiosk.clock import Clock, local_time
from kiosk.model import CheckIn
from kiosk.outcome import Lang, Outcome
from kiosk.settings import Config
from kiosk.staff_auth import LoginAttempt, LoginResult, StaffAuth
from ui.flow import PatientFlow
from ui.ports import CacheStatus
from ui.screens.admin import AdminScreen
from ui.screens.pin import PinScreen, refusal
from ui.screens.staff import StaffScreen
from ui.staff_desk import StaffDesk
from ui.tiles import health_tiles


class StaffWindow(Protocol):
    """What the presenter needs of the kiosk window (:class:`ui.window.KioskWindow`): its
    screens, its desk and its navigation. A protocol, so that the window may import the
    presenter without the presenter importing the window back."""

    config: Config
    clock: Clock
    staff_auth: StaffAuth
    lang: Lang
    version: str
    log_path: str
    flow: PatientFlow
    desk: StaffDesk
    pin: PinScreen
    staff: StaffScreen
    admin_screen: AdminScreen

    def allow_close(self) -> None: ...
    def close(self) -> bool: ...
    @property
    def current(self) -> QWidget | None: ...
    def go(self, screen: QWidget) -> None: ...
    def go_welcome(self) -> None: ...
    def note_printer(self, outcome: Outcome) -> None: ...
    def touch(self) -> None: ...


class StaffPresenter:
    """The staff screens of one kiosk window (:class:`StaffWindow`), wired to its desk."""

    def __init__(self, window: StaffWindow) -> None:
        self._w = window
        self._wire()

    def _wire(self) -> None:
        """The staff screens to the desk, and the desk's answers back to the screens."""
        desk, staff, admin = self._w.desk, self._w.staff, self._w.admin_screen
        self._w.pin.submitted.connect(self._pin_submitted)
        desk.signed_in.connect(self._signed_in)
        staff.lookup.connect(desk.lookup)
        staff.check_in.connect(desk.check_in)
        staff.search.connect(desk.search)
        staff.reprint.connect(desk.reprint)
        staff.cancel_checkin.connect(desk.cancel)
        staff.logout.connect(self.logout)
        staff.open_admin.connect(self.open_admin)
        desk.working.connect(staff.working)
        desk.looked_up.connect(staff.show_lookup)
        desk.checked_in.connect(self._staff_checked_in)
        desk.cancelled.connect(staff.show_cancelled)
        desk.failed.connect(staff.show_failure)
        desk.checkins.connect(self._show_checkins)
        admin.back.connect(self.open_staff)
        admin.sync.connect(desk.sync)
        admin.cancel_sync.connect(desk.cancel_sync)
        admin.printer_test.connect(desk.test_printer)
        admin.camera_test.connect(desk.test_camera)
        admin.quit_app.connect(self._quit)
        desk.cache_status.connect(self.show_cache_status)
        desk.admin_working.connect(admin.working)
        desk.admin_said.connect(admin.said)
        desk.sync_started.connect(admin.sync_started)
        desk.sync_progress.connect(admin.set_progress)
        desk.synced.connect(admin.synced)
        desk.sync_failed.connect(admin.sync_failed)

    def open_staff(self) -> None:
        """The hidden corner was held: the PIN pad, or staff home when still logged in."""
        self._w.flow.reset()
        session = self._w.staff_auth.session
        if session is None:
            self._w.pin.clear()
            self._w.go(self._w.pin)
            return
        self._w.staff_auth.touch()
        self._w.staff.set_user(session.name, session.is_admin)
        self._w.staff.set_clinics(self._w.config.clinics, self._w.lang)
        self._w.go(self._w.staff)
        self._w.desk.refresh()

    def _pin_submitted(self, code: str, pin: str) -> None:
        self._w.touch()
        self._w.pin.checking()
        self._w.desk.sign_in(code, pin)

    def _signed_in(self, attempt: LoginAttempt) -> None:
        if attempt.result is LoginResult.OK:
            self._w.pin.clear()
            self.open_staff()
        else:
            self._w.pin.set_message(refusal(attempt))

    def logout(self) -> None:
        self._w.staff_auth.logout()
        self._w.go_welcome()

    def _staff_checked_in(self, outcome: Outcome) -> None:
        self._w.note_printer(outcome)
        checkin = outcome.checkin
        self._w.staff.show_checked_in(
            outcome, self._w.config.clinic(checkin.clinic_code) if checkin else None
        )

    def _show_checkins(self, rows: Sequence[CheckIn]) -> None:
        if self._w.current is self._w.staff:
            self._w.staff.set_checkins(rows, self._w.lang)

    def open_admin(self) -> None:
        session = self._w.staff_auth.session
        if session is None or not session.is_admin:
            return
        self._w.admin_screen.set_facts(self._w.config.kiosk.id, self._w.version, self._w.log_path)
        self._w.admin_screen.set_short_pin(session.short_pin)
        self._w.go(self._w.admin_screen)
        self._w.desk.refresh_cache()

    def show_cache_status(self, status: CacheStatus) -> None:
        when = age = None
        if status.last_sync is not None:
            when = local_time(status.last_sync).strftime("%d/%m/%Y %H:%M")
            age = (self._w.clock.now() - status.last_sync).total_seconds() / 3600
        self._w.admin_screen.set_cache(
            status.cards, when, age, self._w.config.insurance.max_cache_age_h
        )
        self._w.admin_screen.set_outbox(status.outbox, status.outbox_error)
        self._w.admin_screen.set_prefix_taken(status.prefix_taken)
        self._w.admin_screen.set_chart(status.chart)
        config, now = self._w.config, self._w.clock.now()
        self._w.admin_screen.set_tiles(
            lambda lang: health_tiles(
                status.health,
                max_cache_age_h=config.insurance.max_cache_age_h,
                now=now,
                zone=config.kiosk.zone,
                lang=lang,
            )
        )
        self._w.admin_screen.retranslate(self._w.lang)

    def _quit(self) -> None:
        session = self._w.staff_auth.session
        if session is None or not session.is_admin:
            return
        self._w.allow_close()
        self._w.close()
        app = QApplication.instance()
        if app is not None:
            app.quit()
