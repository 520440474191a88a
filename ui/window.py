"""The full-screen kiosk window: screens in a stack, one :meth:`KioskWindow.show_outcome`.

The window maps outcomes to screens and routes touches and scans to the service through
:class:`~ui.flow.PatientFlow` and a :class:`~ui.workers.TaskRunner`; it decides nothing itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TypeVar

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QImage, QKeyEvent, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.checkin import BIRTH_YEAR_QUESTIONS, Assessment
from kiosk.clock import Clock, local_day
from kiosk.model import CheckIn, Clinic
from kiosk.outcome import Lang, Outcome, Reason, Status
from kiosk.reception import IssuedTicket, Referral, SentReason, TicketDesk, referral_of
from kiosk.settings import Config
from kiosk.staff_auth import StaffAuth
from kiosk.voice import Prompt, PromptKind, SilentSpeaker, Speaker, accepted_prompt
from ui.flow import PatientFlow
from ui.i18n import other, tr
from ui.keyboard_wedge import KeyboardWedge
from ui.lobby import Lobby, Wait
from ui.ports import AdminTools, HelpCalls, PatientService, ScanSource
from ui.present import (
    can_rescan,
    can_try_another_card,
    from_assessment,
    from_checkin,
    reception_prompt,
)
from ui.screens.admin import AdminScreen
from ui.screens.birth_year import BirthYearScreen
from ui.screens.common import CAPTION_PX, PRIMARY, STYLE, Screen, button, label
from ui.screens.patient import (
    AcceptedScreen,
    BusyScreen,
    ClinicScreen,
    ConfirmScreen,
    PrinterFailedScreen,
    ReceptionScreen,
    TimeWarningScreen,
    WelcomeScreen,
)
from ui.screens.pin import PinScreen
from ui.screens.reception_ticket import CameraLostScreen, TicketScreen
from ui.screens.staff import StaffScreen
from ui.screens.text_size import LARGE, keep_size, scale_text
from ui.screens.toolbar import HelpState, PatientToolbar
from ui.staff_desk import StaffDesk
from ui.staff_presenter import StaffPresenter
from ui.workers import Epoch, ScanWorker, TaskRunner

log = logging.getLogger(__name__)

S = TypeVar("S", bound=Screen)

LONG_PRESS_MS = 1500
READ_HOLD_MS = 600  # the tick stays on the preview this long before "checking…"
# "checking…" is said only when it lasts: most checks end before the sentence would
CHECKING_SAY_AFTER_S = 2.0


class StaffCorner(QWidget):
    """The hidden staff entry: a long press on the hospital name in the top-left corner."""

    long_pressed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.name = label(CAPTION_PX, bold=True, color=PRIMARY, wrap=True)
        self.name.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        box = QHBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.name)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(LONG_PRESS_MS)
        self._timer.timeout.connect(self.long_pressed.emit)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        self._timer.start()
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        self._timer.stop()
        event.accept()


class _ActivityFilter(QObject):
    """Any touch, click or key anywhere counts as activity (resets the idle countdown)."""

    def __init__(self, touched: Callable[[], None]) -> None:
        super().__init__()
        self._touched = touched

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() in (
            QEvent.Type.MouseButtonPress,
            QEvent.Type.TouchBegin,
            QEvent.Type.KeyPress,
        ):
            self._touched()
        return False


class KioskWindow(QWidget):
    """The kiosk's one window.

    Signals:
        outcome_shown(Outcome): a result screen was shown (for the headless demo and tests).

    ``tickets``: "Đến quầy" prints a reception ticket, and a camera lost for long offers one
    (None: "Đến quầy" only goes back to the start; a lost camera keeps its "reconnecting").
    """

    outcome_shown = Signal(object)
    _sent: Outcome | None  # the outcome the reception screen shows (its ticket's reason)

    def __init__(
        self,
        *,
        config: Config,
        clock: Clock,
        service: PatientService,
        staff_auth: StaffAuth,
        admin: AdminTools,
        scan_source: ScanSource | None = None,
        version: str = "",
        log_path: str = "",
        beep: bool = True,
        speaker: Speaker | None = None,
        read_hold_ms: int = READ_HOLD_MS,
        help_calls: HelpCalls | None = None,
        tickets: TicketDesk | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        self.clock = clock
        self.service = service
        self.staff_auth = staff_auth
        self.admin = admin
        self.default_lang: Lang = "en" if config.kiosk.locale == "en" else "vi"
        self.lang: Lang = self.default_lang
        self._beep = beep
        self.speaker: Speaker = speaker or SilentSpeaker()
        self._read_hold_ms = read_hold_ms
        # the lobby's rules (timeouts, the watchdog, the camera cues); the window applies them
        self.lobby = Lobby(config.kiosk, config.insurance.online_budget_s, clock)
        self.printer_down = False
        self._warned_from: QWidget | None = None
        self._held_text = ""
        self.version = version
        self.log_path = log_path
        self._allow_close = False
        self._init_tickets(tickets)

        self.setWindowTitle(config.hospital.name or "Kiosk")
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        self.setStyleSheet(STYLE)
        if config.kiosk.hide_cursor:
            self.setCursor(Qt.CursorShape.BlankCursor)

        self.runner = TaskRunner("service", self)
        self.flow = PatientFlow(service, self.runner)
        self.desk = StaffDesk(service, staff_auth, admin, self.runner)
        self._build_help(help_calls, scan_source)

        # top bar: hidden staff corner and the language button, on every screen
        self.corner = StaffCorner()
        self.corner.name.setText(config.hospital.name)
        self.corner.long_pressed.connect(self.open_staff)
        self.corner.setMinimumHeight(64)  # room for stacked marks (Ẫ) without the button
        self.lang_button = button("lang")
        self.lang_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.lang_button.clicked.connect(self.toggle_language)
        self._build_bars()
        self._build_screens()
        self.welcome.set_lens(config.camera.lens)
        self._landscape = True
        box = QVBoxLayout(self)
        box.setContentsMargins(32, 16, 32, 24)
        box.addLayout(self._top)
        box.addWidget(self.stack, 1)
        box.addLayout(self._bottom_box)

        self._wire()
        self.retranslate()
        self._build_inputs(scan_source)

    def _build_bars(self) -> None:
        """The row above the screens and the rows under them (the toolbar and the language
        button move between them with the screen's orientation)."""
        top = QHBoxLayout()
        top.setSpacing(16)
        top.addWidget(self.corner, 1)
        top.addWidget(self.toolbar)
        top.addWidget(self.lang_button)
        # portrait screens are tall: the toolbar and the language button go to the bottom,
        # within reach from a wheelchair
        self._top, self._bottom = top, QHBoxLayout()
        self._bottom.setSpacing(16)
        self._bottom.addStretch(1)
        self._bottom_box = QVBoxLayout()
        self._bottom_box.setSpacing(12)
        self._bottom_box.addLayout(self._bottom)

    def _build_help(self, help_calls: HelpCalls | None, scan_source: ScanSource | None) -> None:
        """The patient toolbar ("Nghe lại", "Chữ lớn", "Gọi nhân viên") and what it needs."""
        self.toolbar = PatientToolbar()
        self.toolbar.repeat.connect(self.repeat_prompt)
        self.toolbar.large_text.connect(self._set_large_text)
        self.toolbar.call_staff.connect(self.call_staff)
        # a call for staff has its own thread: it must not wait behind a slow check-in step
        self.help_calls = help_calls
        self.help_runner = TaskRunner("help", self)
        self._help_epoch = Epoch()  # advanced for the next patient: a late answer is dropped
        self._prompts: dict[QWidget, Prompt] = {}  # each screen's prompt ("Nghe lại")
        self._said_checking = False
        self._camera_state = "starting" if scan_source is not None else "ok"
        self._text_scaled = False

    def _build_screens(self) -> None:
        self.stack = QStackedWidget()
        self.screens: list[Screen] = []  # in the stack's order: the welcome screen first
        self.welcome = self._page(WelcomeScreen())
        self.busy = self._page(BusyScreen())
        self.clinics = self._page(ClinicScreen())
        self.confirm = self._page(ConfirmScreen())
        self.accepted = self._page(AcceptedScreen())
        self.reception = self._page(ReceptionScreen())
        self.printer_failed = self._page(PrinterFailedScreen())
        self.warning = self._page(TimeWarningScreen())
        self.pin = self._page(PinScreen())
        self.staff = self._page(StaffScreen())
        self.admin_screen = self._page(AdminScreen())
        self.birth_year = self._page(BirthYearScreen())
        self.ticket = self._page(TicketScreen())
        self.camera_gone = self._page(CameraLostScreen())
        keep_size(self.accepted.number)  # already as big as the screen allows
        keep_size(self.printer_failed.number)
        keep_size(self.ticket.number)
        #: the screens a patient sees, by the name a call for staff gives
        self.patient_screens: dict[QWidget, str] = {
            self.welcome: "welcome",
            self.busy: "checking",
            self.clinics: "choose_clinic",
            self.confirm: "confirm",
            self.accepted: "accepted",
            self.reception: "reception",
            self.printer_failed: "printer_failed",
            self.warning: "time_warning",
            self.birth_year: "birth_year",
            self.ticket: "reception_ticket",
            self.camera_gone: "camera_lost",
        }
        self.stack.currentChanged.connect(self._screen_changed)

    def _page(self, screen: S) -> S:
        """``screen`` as the next page of the stack (and of :attr:`screens`)."""
        self.stack.addWidget(screen)
        self.screens.append(screen)
        return screen

    def _build_inputs(self, scan_source: ScanSource | None) -> None:
        self.wedge = KeyboardWedge(parent=self)
        self.wedge.scanned.connect(self.on_scan)
        self._activity = _ActivityFilter(self.touch)
        # they see every event of the application (installed at start, removed at shutdown)
        self._app_filters: tuple[QObject, ...] = (self.wedge, self._activity)
        self.scan_worker: ScanWorker | None = None
        if scan_source is not None:
            self.scan_worker = ScanWorker(scan_source)
            self.scan_worker.frame_ready.connect(self._frame)
            self.scan_worker.scanned.connect(self.on_scan)
            self.scan_worker.sighted.connect(self.on_sighting)
            self.scan_worker.camera_state.connect(self.welcome.set_camera_state)
            self.scan_worker.camera_state.connect(self._camera_changed)
        else:
            self.welcome.set_camera_state("ok")
        self._tick_timer = QTimer(self)
        self._tick_timer.setInterval(250)
        self._tick_timer.timeout.connect(self.tick)
        self._hold = QTimer(self)
        self._hold.setSingleShot(True)
        self._hold.setInterval(self._read_hold_ms)
        self._hold.timeout.connect(self._start_check)

    # --- life cycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Start the camera and scanner inputs and the idle clock (after the window is built)."""
        self._watch_app_events(True)
        if self.scan_worker is not None:
            self.scan_worker.start()
        self._tick_timer.start()

    def shutdown(self) -> None:
        """Stop every thread (the window may then close)."""
        self._tick_timer.stop()
        self._hold.stop()
        self.desk.cancel_sync()
        self._watch_app_events(False)
        if self.scan_worker is not None:
            self.scan_worker.stop()
        self.runner.stop()
        self.help_runner.stop()
        self.desk.stop()

    def _watch_app_events(self, watching: bool) -> None:
        """Install the application-wide event filters (``_app_filters``) or take them off."""
        app = QApplication.instance()
        if app is None:
            return
        for watcher in self._app_filters:
            if watching:
                app.installEventFilter(watcher)
            else:
                app.removeEventFilter(watcher)

    def fit_to(self, width: int, height: int) -> None:
        """Lay every screen out for a ``width`` x ``height`` screen, then take that size.

        The layouts switch first: a portrait layout's minimum height (or a landscape one's
        minimum width) must not hold the window beyond the new screen while it resizes.
        """
        self.orient(width >= height)
        # the new minimum sizes now, not at the next event-loop turn: the innermost widgets
        # first, the window last (a stale minimum size would hold the window too big)
        for page in (*reversed(self.findChildren(QWidget)), self):
            layout = page.layout()
            if layout is not None:
                layout.invalidate()
                layout.activate()
            page.updateGeometry()
        self.resize(width, height)
        if (self.width(), self.height()) != (width, height):
            # a size hint cached during the first resize (a label re-wrapping at its new
            # width) can still hold the window: the layouts are settled now, so once more
            outer = self.layout()
            if outer is not None:
                outer.activate()
            self.resize(width, height)

    def orient(self, landscape: bool) -> None:
        for screen in self.screens:
            screen.orient(landscape)
        self._landscape = landscape
        self._place_bars()
        self._apply_text_size()  # widgets laid out anew (the clinic buttons) get the size

    def _place_bars(self) -> None:
        """The toolbar and the language button: above the screen on a landscape one; under it
        on a portrait one (within reach from a wheelchair), the toolbar on its own row when
        large text makes the row too wide."""
        for layout in (self._top, self._bottom, self._bottom_box):
            layout.removeWidget(self.toolbar)
            layout.removeWidget(self.lang_button)
        self.toolbar.orient(self._landscape)
        if self._landscape:
            self._top.addWidget(self.toolbar)
            self._top.addWidget(self.lang_button)
        elif self.toolbar.large:
            self._bottom_box.insertWidget(0, self.toolbar)
            self._bottom.addWidget(self.lang_button)
        else:
            self._bottom.insertWidget(0, self.toolbar)
            self._bottom.addWidget(self.lang_button)
        # nested layouts keep the buttons' old sizes in their cache until told
        for layout in (self._top, self._bottom, self._bottom_box):
            layout.invalidate()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        landscape = self.width() >= self.height()
        if landscape != self._landscape:  # the screen was turned (or the first full-screen show)
            self.orient(landscape)
        super().resizeEvent(event)

    def allow_close(self) -> None:
        self._allow_close = True

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        # Alt+F4 and the window manager's close do nothing: only an admin can quit
        if not self._allow_close:
            event.ignore()
            return
        self.shutdown()
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if event.key() == Qt.Key.Key_Escape:
            event.accept()  # Esc must not leave full screen or close anything
            return
        super().keyPressEvent(event)

    # --- wiring -----------------------------------------------------------------------------

    def _wire(self) -> None:
        self.flow.working.connect(self._working)
        self.flow.confirm.connect(self._ask_confirmation)
        self.flow.choose_clinic.connect(self._ask_clinic)
        self.flow.outcome.connect(self.show_outcome)
        self.clinics.chosen.connect(self._chosen)
        self.confirm.answered.connect(self._answered)
        self.birth_year.answered.connect(self._birth_year_answered)
        self.birth_year.cancelled.connect(self.go_welcome)
        for screen in (self.accepted, self.printer_failed, self.ticket):
            screen.done.connect(self.go_welcome)
        self.reception.done.connect(self._to_reception)  # "Đến quầy": a reception ticket
        self.camera_gone.ticket.connect(
            lambda: self.issue_ticket(Referral(SentReason.CAMERA_LOST), "camera_lost")
        )
        self.reception.rescan.connect(self.go_welcome)
        self.printer_failed.retry.connect(self._retry_print)
        self.warning.more_time.connect(self._more_time)
        self.pin.cancelled.connect(self.go_welcome)
        self.staff_view = StaffPresenter(self)  # the staff, PIN and admin screens to the desk

    # --- language, activity, idle -----------------------------------------------------------

    def toggle_language(self) -> None:
        self.touch()
        self.lang = other(self.lang)
        self.retranslate()

    def retranslate(self) -> None:
        self.lang_button.setText(tr("switch_language", self.lang))
        self.toolbar.retranslate(self.lang)
        for screen in self.screens:
            screen.retranslate(self.lang)
            countdown = getattr(screen, "countdown", None)
            if countdown is not None:  # now, not at the next idle tick
                countdown.set(countdown.seconds, self.lang)

    def touch(self) -> None:
        """Someone did something: restart the idle countdown (and the staff session's)."""
        self.lobby.touched()
        if self.current in (self.staff, self.admin_screen):
            self.staff_auth.touch()

    @property
    def current(self) -> QWidget | None:
        return self.stack.currentWidget()

    def tick(self) -> None:
        """Called a few times a second: timeouts and their warning, the "checking" watchdog,
        "hold still", staff auto-logout. :class:`~ui.lobby.Lobby` decides; this applies."""
        current = self.current
        if current in (self.staff, self.admin_screen) and self.staff_auth.session is None:
            self.go_welcome()
            return
        if current is self.busy:
            self._watch_busy()
            return
        if current in (self.welcome, self.camera_gone):
            self._watch_front(current)
            return
        timed = self._warned_from if current is self.warning else current
        if timed is None:
            return
        countdown = self.lobby.countdown(self._wait_of(timed), getattr(timed, "personal", False))
        if countdown is None:
            return
        if countdown.expired:
            self.go_welcome()
            return
        if countdown.warn and current is not self.warning:
            self._warned_from = timed
            self.warning.gender = getattr(timed, "addressee", None)
            self.warning.retranslate(self.lang)
            self.stack.setCurrentWidget(self.warning)
            self._say_on(self.warning, Prompt(PromptKind.TIME_WARNING))
        elif not countdown.warn and current is self.warning:
            self._warned_from = None
            self.stack.setCurrentWidget(timed)
        for screen in (timed, self.warning):
            shown = getattr(screen, "countdown", None)
            if shown is not None:
                shown.set(countdown.shown, self.lang)

    def _wait_of(self, screen: QWidget) -> Wait:
        """Which of the lobby's waits a screen has."""
        if screen in (self.confirm, self.clinics, self.birth_year):
            return Wait.QUESTION
        if screen is self.printer_failed:
            return Wait.PRINTER_FAILED
        if screen in (self.accepted, self.reception, self.pin, self.ticket):
            return Wait.RESULT
        return Wait.FOREVER

    def _watch_busy(self) -> None:
        watch = self.lobby.watch_busy()
        self.busy.set_elapsed(int(watch.waited_s))
        if watch.waited_s >= CHECKING_SAY_AFTER_S and not self._said_checking:
            self._said_checking = True
            self._say_on(self.busy, Prompt(PromptKind.CHECKING))
        if watch.overdue and self.flow.active:
            log.warning(
                "check-in step still running after %.1f s (limit %.1f s): the patient was "
                "sent to reception", watch.waited_s, watch.limit_s,
            )  # fmt: skip
            self.flow.reset()  # its late result is dropped
            self.show_outcome(
                Outcome(Status.NEEDS_RECEPTION, Reason.DATABASE_UNAVAILABLE, detail="watchdog")
            )

    def _watch_welcome(self) -> None:
        # a choice someone left behind on the welcome screen: a language, large text, a call
        left = self.toolbar.large or self.toolbar.help is not HelpState.NONE
        watch = self.lobby.watch_welcome(
            holding=self._hold.isActive(),
            language_chosen=self.lang != self.default_lang or left,
        )
        if watch.reset_language:  # whoever chose it walked away: large text goes too
            self._reset_language()
            self.toolbar.reset()
        self.welcome.set_sighted(watch.in_view, far=watch.far)
        if watch.say is not None:
            self._say(Prompt(watch.say))

    def on_sighting(self, far: bool = False) -> None:
        """The camera sees a code it has not read (yet); ``far``: too far away to read."""
        self.lobby.sighted(far)
        if self.current is self.welcome and not self._hold.isActive():
            self.welcome.set_sighted(True, far=far)

    def _say(self, prompt: Prompt) -> None:
        self.speaker.say(prompt, self.lang)

    def _say_on(self, screen: QWidget, prompt: Prompt) -> None:
        """Say ``screen``'s prompt (and keep it for "Nghe lại")."""
        self._prompts[screen] = prompt
        self._say(prompt)

    def screen_prompt(self) -> Prompt | None:
        """What the current screen says, again ("Nghe lại"); None on a staff screen."""
        current = self.current
        if current is None or current not in self.patient_screens:
            return None
        kept = self._prompts.get(current)
        if kept is not None:
            return kept
        if current is self.welcome:
            lost = self._camera_state == "lost"
            return Prompt(PromptKind.CAMERA_LOST if lost else PromptKind.WELCOME)
        if current is self.busy:
            return Prompt(PromptKind.CHECKING)
        if current is self.warning:
            return Prompt(PromptKind.TIME_WARNING)
        return None

    def repeat_prompt(self) -> None:
        """ "Nghe lại": the screen's prompt once more, in the language shown now."""
        self.touch()
        prompt = self.screen_prompt()
        if prompt is not None:
            self._say(prompt)

    def _camera_changed(self, state: str) -> None:
        """The camera was lost (or came back): said once on the welcome screen."""
        lost = state == "lost" and self._camera_state != "lost"
        self._camera_state = state
        if lost and self.current is self.welcome:
            self._say(Prompt(PromptKind.CAMERA_LOST))
        self.camera_changed(state)

    # --- large text and the call for staff ----------------------------------------------------

    def _screen_changed(self, _index: int) -> None:
        """The toolbar shows on the patient's screens only; a screen shown gets the text size
        (its widgets may be new)."""
        current = self.current
        self.toolbar.setVisible(current in self.patient_screens)
        if current is not None and self._text_scaled:
            scale_text(current, LARGE if self.toolbar.large else 1)

    def _set_large_text(self, large: bool) -> None:
        self.touch()
        self._place_bars()
        if large or self._text_scaled:
            self._text_scaled = True
            self._apply_text_size()
            self._text_scaled = large

    def _apply_text_size(self) -> None:
        """Every patient text at 1.5 times its size while "Chữ lớn" is on, else as built."""
        if not self._text_scaled:
            return
        large = self.toolbar.large
        factor = LARGE if large else 1
        for screen in self.screens:
            if screen in self.patient_screens:
                screen.set_large(large)
                scale_text(screen, factor)
        scale_text(self.toolbar, factor)
        scale_text(self.lang_button, factor)

    def call_staff(self) -> None:
        """ "Gọi nhân viên": a call in the central database with this kiosk and the screen;
        the patient is told staff are coming, or to go to the desk when it did not reach."""
        self.touch()
        calls = self.help_calls
        current = self._warned_from if self.current is self.warning else self.current
        screen = self.patient_screens.get(current, "") if current is not None else ""
        if calls is None:
            self._help_answered(HelpState.FAILED)
            return
        kiosk_id, day = self.config.kiosk.id, local_day(self.clock, self.config.kiosk.zone)
        self.toolbar.set_help(HelpState.CALLING)
        log.info("a patient called for staff on the %s screen", screen)
        self.help_runner.submit(
            lambda: calls.raise_help_call(kiosk_id, screen, day),
            lambda _id: self._help_answered(HelpState.CALLED),
            self._help_failed,
            epoch=self._help_epoch,
        )

    def _help_failed(self, message: str) -> None:
        log.warning("a call for staff did not reach the central database: %s", message)
        self._help_answered(HelpState.FAILED)

    def _help_answered(self, state: HelpState) -> None:
        self.toolbar.set_help(state)
        called = state is HelpState.CALLED
        self._say(Prompt(PromptKind.HELP_CALLED if called else PromptKind.HELP_FAILED))

    def go(self, screen: QWidget) -> None:
        """Show ``screen`` (a new one gets the whole of its time)."""
        if self.current is not screen:
            self.lobby.touched()
        self._warned_from = None
        self.stack.setCurrentWidget(screen)

    def _more_time(self) -> None:
        """ "Continue" on the time warning: back to the patient's screen, the full time again."""
        self.touch()
        back, self._warned_from = self._warned_from, None
        if back is not None and self.current is self.warning:
            self.stack.setCurrentWidget(back)

    def _reset_language(self) -> None:
        if self.lang != self.default_lang:
            self.lang = self.default_lang
            self.retranslate()

    def go_welcome(self) -> None:
        """Back to the start for the next patient: nothing personal left on any screen, the
        default language, no timers of the last patient running."""
        self.flow.reset()
        self._hold.stop()
        self._held_text = ""
        self._ticket_epoch.advance()
        self._issuing = False
        self._sent = None
        self.desk.reset()
        self._help_epoch.advance()  # the last patient's call: no answer on the next one's
        self._prompts.clear()
        self.toolbar.reset()  # normal text, no call: each patient chooses for themselves
        for screen in self.screens:
            screen.clear()
        if self.scan_worker is not None:
            self.scan_worker.forget()
        self.lobby.next_patient()
        self._reset_language()
        self.go(self.welcome)

    # --- patient flow -----------------------------------------------------------------------

    def on_scan(self, text: str) -> None:
        """A payload from the camera or a USB scanner, on any screen.

        Only the welcome screen starts a check-in: a scan during a patient's screens is the
        next person in the queue, and neither takes the screen over nor extends its time. On
        the staff screen a read is looked up only when staff pressed "Quét thẻ".
        """
        current = self.current
        if current is self.staff:
            # staff mode owns its screen: a read counts only after "Quét thẻ"
            if self.staff.take_scan(text):
                self.touch()
            else:
                log.debug("scan ignored on the staff screen: no scan asked for")
        elif current is self.camera_gone and not self.flow.active:
            # a handheld scanner still reads with the camera gone: check that patient in
            self.go(self.welcome)
            self._hold_read(text)
        elif current is self.welcome and not self.flow.active and not self._hold.isActive():
            self._hold_read(text)
        else:
            log.debug("scan ignored on the %s screen", type(current).__name__)

    def _hold_read(self, text: str) -> None:
        """A read on the welcome screen: its tick, then (after the hold) the check."""
        self.touch()
        self.welcome.set_sighted(False)
        self.welcome.set_read(True)
        self._say(Prompt(PromptKind.READ))
        self._held_text = text
        self._hold.start()  # the tick stays a moment: the patient sees it worked

    def _start_check(self) -> None:
        text, self._held_text = self._held_text, ""
        if text and self.current is self.welcome:
            self.flow.scan(text)

    def _working(self) -> None:
        self.lobby.busy_started()
        self._said_checking = False
        self.busy.set_elapsed(0)
        self.go(self.busy)

    def _frame(self, image: QImage, corners: Sequence[tuple[float, float]], coarse: QImage) -> None:
        if self.current is self.welcome:
            self.welcome.preview.set_frame(image, corners or None, coarse)

    def _ask_confirmation(self, assessment: Assessment) -> None:
        if assessment.reason in BIRTH_YEAR_QUESTIONS:  # a bare code: nothing shown yet
            self.birth_year.ask(assessment.outcome(), self.lang)
            self.go(self.birth_year)
            self._say_on(self.birth_year, Prompt(PromptKind.BIRTH_YEAR))
            return
        patient = from_assessment(assessment.payload, assessment.card)
        self.confirm.show_patient(patient, assessment.outcome(), self.lang)
        self.go(self.confirm)
        self._say_on(self.confirm, Prompt(PromptKind.CONFIRM))

    def _ask_clinic(self, clinics: tuple[Clinic, ...]) -> None:
        self.clinics.priority.reset()  # each patient answers for themselves
        self.clinics.address(self.flow.addressee)
        self.go(self.clinics)
        self.clinics.set_clinics(clinics, self.lang)
        if self._text_scaled:  # the clinic buttons are new
            scale_text(self.clinics, LARGE if self.toolbar.large else 1)
        self._say_on(self.clinics, Prompt(PromptKind.CHOOSE_CLINIC))

    def _chosen(self, code: str) -> None:
        self.touch()
        self.flow.choose(code, self.clinics.priority.declared())

    def _answered(self, yes: bool) -> None:
        self.touch()
        self.flow.answer(yes)

    def _retry_print(self, checkin: CheckIn) -> None:
        self.touch()
        self.busy.set_printing(True)  # until the next patient (go_welcome clears it)
        self.flow.retry_print(checkin)

    def _birth_year_answered(self, year: str) -> None:
        self.touch()
        self.flow.answer_birth_year(year)

    def show_outcome(self, outcome: Outcome) -> None:
        """Map an outcome to its screen. The only place that picks a result screen."""
        checkin = outcome.checkin
        clinic = self.config.clinic(checkin.clinic_code) if checkin else None
        patient = from_checkin(checkin) if checkin else from_assessment(outcome.payload, None)
        reception = (self.config.kiosk.reception("vi"), self.config.kiosk.reception("en"))
        screen: AcceptedScreen | ReceptionScreen | PrinterFailedScreen
        if outcome.reason is Reason.PRINTER_FAILED:
            screen = self.printer_failed
            number = checkin.queue_number if checkin else None
            prompt = Prompt(PromptKind.PRINTER_FAILED, number=number)
        elif outcome.status is Status.ACCEPTED and checkin is not None:
            screen = self.accepted
            prompt = accepted_prompt(
                checkin.queue_number,
                clinic,
                self.lang,
                gender=checkin.patient.gender,
                slip=bool(outcome.printed),
            )
            if self._beep:
                QApplication.beep()
        else:
            screen = self.reception
            prompt = Prompt(reception_prompt(outcome))
        self.note_printer(outcome)
        self.welcome.set_read(False)
        screen.show_outcome(outcome, clinic, patient, reception, self.lang)
        self.go(screen)
        self._say_on(screen, prompt)
        self.flow.finish()
        self._sent = outcome if screen is self.reception else None
        if screen is self.reception and not (can_rescan(outcome) or can_try_another_card(outcome)):
            # no other way on than the desk: its ticket prints at once
            self.issue_ticket(referral_of(outcome), "reception")
        self.outcome_shown.emit(outcome)

    # --- reception tickets ------------------------------------------------------------------

    def _init_tickets(self, tickets: TicketDesk | None) -> None:
        self.tickets = tickets
        self._ticket_epoch = Epoch()  # advanced by go_welcome: a late ticket is not shown
        self._issuing = False
        self._sent = None

    def _watch_front(self, current: QWidget) -> None:
        """The welcome screen's tick. A camera lost for long (the lobby's rule) makes it give
        way to the reception-ticket offer, which gives way back when the camera returns."""
        gone = self.lobby.camera_gone()
        holding = self._hold.isActive()  # a handheld scanner's read: its check goes on
        if current is self.welcome and gone and self.tickets is not None and not holding:
            self.go(self.camera_gone)  # no scan can happen: offer a reception ticket
        elif current is self.camera_gone:
            if not gone:
                self.go_welcome()
        else:
            self._watch_welcome()

    def camera_changed(self, state: str) -> None:
        """The scan loop says the camera is "ok" or "lost" (the lobby times a loss)."""
        self.lobby.camera_changed(state)

    def _to_reception(self) -> None:
        """The reception screen's "Đến quầy" (or "Xong"): a ticket for its outcome."""
        outcome = self._sent
        if self.tickets is None or outcome is None:
            self.go_welcome()
            return
        self.issue_ticket(referral_of(outcome), "reception")

    def issue_ticket(self, referral: Referral, screen: str) -> None:
        """Raise the patient's entry in the desk's list and print their reception ticket
        (off the GUI thread); the ticket screen shows its number. One at a time."""
        tickets = self.tickets
        if tickets is None or self._issuing:
            return
        self._issuing = True
        self.touch()
        self.runner.submit(
            lambda: tickets.issue(referral, screen),
            self._ticket_issued,
            self._ticket_failed,
            epoch=self._ticket_epoch,
        )

    def _ticket_issued(self, issued: IssuedTicket) -> None:
        self._issuing = False
        reception = (self.config.kiosk.reception("vi"), self.config.kiosk.reception("en"))
        self.ticket.show_ticket(issued, reception, self.lang)
        self.go(self.ticket)
        if issued.ticket.referral.reason is SentReason.CAMERA_LOST:
            self._say(Prompt(PromptKind.RECEPTION))  # the reception screen's words were not said

    def _ticket_failed(self, message: str) -> None:
        self._issuing = False
        log.error("reception ticket failed: %s", message)

    def note_printer(self, outcome: Outcome) -> None:
        """A failed slip puts the printer-down banner on the welcome screen; a printed one
        takes it away."""
        if outcome.reason is Reason.PRINTER_FAILED:
            self.printer_down = True
        elif outcome.printed:
            self.printer_down = False
        else:
            return
        self.welcome.set_alert("printer_down_banner" if self.printer_down else "")

    # --- staff and admin (ui/staff_presenter.py) ----------------------------------------------

    def open_staff(self) -> None:
        """The hidden corner was held: the PIN pad, or staff home when still logged in."""
        self.staff_view.open_staff()

    def open_admin(self) -> None:
        self.staff_view.open_admin()

    def logout(self) -> None:
        self.staff_view.logout()
