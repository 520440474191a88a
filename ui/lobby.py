"""The lobby's policy: how long each screen waits, when it warns, when "checking…" gives up,
and what the camera guidance says while a code is in view but not read.

Qt-free and driven by a :class:`~kiosk.clock.Clock`: the window tells it what happened (a touch,
a sighting, a screen shown) and asks it on each tick what to do; it answers with values (a
:class:`Countdown`, a :class:`BusyWatch`, a :class:`WelcomeWatch`) that the window applies to its
screens. Nothing here knows a widget, so every rule is tested without a window
(``tests/ui/test_lobby_policy.py``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from kiosk.clock import Clock
from kiosk.settings import KioskSettings
from kiosk.voice import PromptKind

WATCHDOG_GRACE_S = 5.0  # beyond the online check's budget, before "checking…" gives up
SIGHTING_KEEP_S = 0.6  # a code seen this recently still counts as in view (decodes are sparse)
HOLD_STILL_AFTER_S = 3.0  # in view but unread this long: say "hold still"
CLOSER_AFTER_S = 1.0  # too far away to read this long: say "bring it closer"


class Wait(enum.Enum):
    """How long a kind of screen waits for a touch before going back to the start."""

    QUESTION = "question"  # "Is this you?", the birth year, the clinics: question_timeout_s
    PRINTER_FAILED = "printer_failed"  # a number with no slip: kiosk.printer_failed_timeout_s
    RESULT = "result"  # accepted, reception, the PIN pad: kiosk.idle_timeout_s
    FOREVER = "forever"  # every other screen


@dataclass(frozen=True)
class Countdown:
    """A timed screen at this tick."""

    left_s: float  # seconds until it goes back to the start
    expired: bool  # go back to the start now
    warn: bool  # the "Do you need more time?" warning shows (in place of the screen)

    @property
    def shown(self) -> int:
        """The whole seconds the countdown shows (rounded up: "1" until the very end)."""
        return int(self.left_s + 0.999)


@dataclass(frozen=True)
class BusyWatch:
    """The "checking…" screen at this tick."""

    waited_s: float
    limit_s: float

    @property
    def overdue(self) -> bool:
        """The step has run past the online budget and its grace: give up on it."""
        return self.waited_s >= self.limit_s


@dataclass(frozen=True)
class WelcomeWatch:
    """The welcome screen at this tick."""

    in_view: bool  # a code is in view but not read: show the cue
    far: bool  # ... and too far away to read
    reset_language: bool  # the language someone chose and walked away from goes back
    say: PromptKind | None  # a spoken cue due now (each at most once a sighting)


class Lobby:
    """The lobby's clock-driven state: the last touch, the step under way, the code in view."""

    def __init__(self, kiosk: KioskSettings, online_budget_s: float, clock: Clock) -> None:
        self._kiosk = kiosk
        self._online_budget_s = online_budget_s
        self._clock = clock
        self._last_activity = clock.monotonic()
        self.busy_since = clock.monotonic()
        self.seen_at = float("-inf")  # last time a code was in view but not read
        self._far = False  # the code in view is too far away to read
        self._sighted_since: float | None = None
        self._greeted = False
        self._said_hold_still = False
        self._said_closer = False
        self._camera_lost_since: float | None = None  # the camera's last "lost", while it lasts

    # --- activity and timeouts --------------------------------------------------------------

    def touched(self) -> None:
        """Someone did something (or a new screen came up): the countdown starts again."""
        self._last_activity = self._clock.monotonic()

    def idle_for(self) -> float:
        """Seconds since the last touch."""
        return self._clock.monotonic() - self._last_activity

    def set_idle_for(self, seconds: float) -> None:
        """As if the last touch was ``seconds`` ago (the screenshots' warning scene)."""
        self._last_activity = self._clock.monotonic() - seconds

    def timeout_for(self, wait: Wait) -> float | None:
        """How long a screen waits for a touch before going back to the start (None: for
        ever). Questions get longer than results; a number with no slip longer still."""
        k = self._kiosk
        return {
            Wait.QUESTION: k.question_timeout_s,
            Wait.PRINTER_FAILED: k.printer_failed_timeout_s,
            Wait.RESULT: k.idle_timeout_s,
            Wait.FOREVER: None,
        }[wait]

    def countdown(self, wait: Wait, personal: bool) -> Countdown | None:
        """The timed screen's countdown now (None: it waits for ever). A question with personal
        data asks "more time?" for its last ``kiosk.time_warning_s`` seconds (20: time to read
        and answer it). A result screen never warns: nothing covers the number a patient may
        be copying down, only its small countdown runs."""
        timeout = self.timeout_for(wait)
        if timeout is None:
            return None
        left = timeout - self.idle_for()
        question = wait is Wait.QUESTION
        warn = personal and question and 0 < left <= self._kiosk.time_warning_s
        return Countdown(left, left <= 0, warn)

    # --- "checking…" ------------------------------------------------------------------------

    def busy_started(self) -> None:
        """A step started: "checking…" counts from now."""
        self.busy_since = self._clock.monotonic()

    def watch_busy(self) -> BusyWatch:
        """How long the step has run, and how long it may (the online budget and a grace)."""
        return BusyWatch(
            self._clock.monotonic() - self.busy_since, self._online_budget_s + WATCHDOG_GRACE_S
        )

    # --- the camera guidance on the welcome screen ------------------------------------------

    def sighted(self, far: bool) -> None:
        """The camera sees a code it has not read (yet); ``far``: too far away to read."""
        self.seen_at = self._clock.monotonic()
        self._far = far

    def watch_welcome(self, *, holding: bool, language_chosen: bool) -> WelcomeWatch:
        """The welcome screen's cue and what to say now. ``holding``: a read's tick is up
        (no cue over it); ``language_chosen``: not the default language."""
        now = self._clock.monotonic()
        # a language chosen by someone who walked away does not stay for the next patient
        reset = language_chosen and self.idle_for() >= self._kiosk.idle_timeout_s
        in_view = now - self.seen_at < SIGHTING_KEEP_S and not holding
        say: PromptKind | None = None
        if not in_view:
            self._sighted_since = None
            self._said_hold_still = self._said_closer = False
        elif self._sighted_since is None:
            self._sighted_since = now
            if not self._greeted:  # the first code in view since the last patient
                self._greeted = True
                say = PromptKind.WELCOME
        elif self._far:
            # No steadiness reads a code too small in the picture: ask for it nearer, once.
            if not self._said_closer and now - self._sighted_since >= CLOSER_AFTER_S:
                self._said_closer = True
                say = PromptKind.CLOSER
        elif not self._said_hold_still and now - self._sighted_since >= HOLD_STILL_AFTER_S:
            self._said_hold_still = True
            say = PromptKind.HOLD_STILL
        return WelcomeWatch(in_view, self._far, reset, say)

    # --- a camera that does not come back --------------------------------------------------

    def camera_changed(self, state: str) -> None:
        """The scan loop says the camera is ``"ok"`` or ``"lost"`` (it says so on a change)."""
        if state == "ok":
            self._camera_lost_since = None
        elif self._camera_lost_since is None:
            self._camera_lost_since = self._clock.monotonic()

    def camera_gone(self) -> bool:
        """The camera has been lost for ``kiosk.camera_lost_reception_s``: the welcome screen
        stops inviting a scan and offers a reception ticket (until the camera is back)."""
        since = self._camera_lost_since
        if since is None:
            return False
        return self._clock.monotonic() - since >= self._kiosk.camera_lost_reception_s

    @property
    def far(self) -> bool:
        """The last code sighted was too far away to read."""
        return self._far

    def next_patient(self) -> None:
        """Back to the start: the next code in view is greeted, and its cues said afresh."""
        self._greeted = False
        self._sighted_since = None
        self._said_hold_still = self._said_closer = self._far = False
        self.seen_at = float("-inf")
        self.touched()
