"""The demo's parts: its configuration, its synthetic patients, its camera and its headless run.

``kiosk --demo`` shows synthetic patients holding up cards, VssID screens (light and dark) and
chip ID cards to a simulated camera. Most are in the card cache and get a number; one in ten is
unknown to the cache and is sent to reception, so a long demo or a soak passes through every
patient screen, not only the accepted one.
"""

from __future__ import annotations

import itertools
import logging
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.clock import Clock, local_day
from kiosk.outcome import Outcome, Status
from kiosk.ports import OnlineCardCheck, SlipPrinter, StaffAccount
from kiosk.settings import Config
from kiosk.staff_auth import LoginAttempt, LoginResult, hash_pin
from kiosk.synthetic import SyntheticPerson, bhyt_payload, card_record, cccd_payload, people
from scanner.cameras.demo import STYLES, DemoPatient

if TYPE_CHECKING:
    from db.wiring import Wiring

log = logging.getLogger("kiosk.demo")

DEMO_STAFF_NAME = "Quản trị demo"
DEMO_STAFF_CODE = "101"
DEMO_STAFF_PIN = "246810"  # the demo's own throw-away database only; never a real account
UNKNOWN_EVERY = 10  # one patient in ten is not in the cache: reception
RECEPTION_SERVES_EVERY = 2  # of those, every second one is checked in by reception (override)
RECEPTION_PATIENCE_MS = 15_000  # a visit that has not ended by then is given up (and logged)
OVERRIDE_REASON = "Demo: thẻ chưa có trong dữ liệu"
CCCD_EVERY = 5  # one in five shows the chip ID card instead of the insurance card


def demo_config(config: Config) -> Config:
    """The configuration with the demo's own database, file printer and data folder."""
    folder = config.kiosk.data_dir / "demo"
    return replace(
        config,
        database=replace(config.database, url=f"sqlite:///{folder / 'kiosk.db'}"),
        printer=replace(config.printer, kind="file", output_dir=folder / "slips"),
        insurance=replace(config.insurance, gateway_url=""),
        camera=replace(config.camera, device="demo", fps=10, decode_fps=10, confirm_reads=2),
    )


def demo_database_line(config: Config, config_path: Path | None) -> str:
    """Where the demo's check-ins are (its own database, not the kiosk's), and the exact
    command that reports on them: ``kiosk-admin report`` alone reads the configured one."""
    from db.commands.report import report_command

    url = config.database.url
    return f"kiosk demo: database {url}; its report: {report_command(url, config_path)}"


@dataclass(frozen=True)
class DemoCast:
    """Who the demo's patients are: the cards to put in the cache, and who steps up when."""

    cached: list[SyntheticPerson]
    patients: list[DemoPatient]
    expected: list[Status]


def cast_size(patients: int) -> int:
    """How many to cast for ``patients``: a few more, as the rules may pass over some cards."""
    return max(patients, 12) * 5 // 4 + 8


def demo_cast(count: int, today: date, *, seed: int = 0) -> DemoCast:
    """``count`` patients in turn: card or phone, BHYT or chip ID, a few unknown to the cache.

    Their cards are valid on ``today``. Filter with :func:`keep_accepted` once the cache holds
    them, so every patient's expected outcome is known before the demo starts.
    """
    patients: list[DemoPatient] = []
    expected: list[Status] = []
    cached: list[SyntheticPerson] = []
    population: Iterator[SyntheticPerson] = people(10**7, seed=seed, today=today)
    while len(patients) < count:
        turn = len(patients)
        person = next(population)
        style = STYLES[turn % len(STYLES)]
        if turn % UNKNOWN_EVERY == UNKNOWN_EVERY - 1:  # never imported: the cache cannot know it
            patients.append(DemoPatient(bhyt_payload(person), style))
            expected.append(Status.NEEDS_RECEPTION)
            continue
        cached.append(person)
        if turn % CCCD_EVERY == CCCD_EVERY - 1:
            text, style = cccd_payload(person, 7 if turn % 2 else 11), "card"
        else:
            text = bhyt_payload(person, ("15", "17", "10")[turn % 3])
        patients.append(DemoPatient(text, style))
        expected.append(Status.ACCEPTED)
    return DemoCast(cached, patients, expected)


def keep_accepted(cast: DemoCast, accepted: Callable[[str], bool]) -> DemoCast:
    """The cast without the cached patients whose code the rules would not accept.

    The rules are asked, not copied: the synthetic population has a few cards they send
    elsewhere, and a demo patient's expected outcome must be known before the demo starts.
    """
    keep = [
        i
        for i, (patient, status) in enumerate(zip(cast.patients, cast.expected, strict=True))
        if status is not Status.ACCEPTED or accepted(patient.text)
    ]
    return replace(
        cast,
        patients=[cast.patients[i] for i in keep],
        expected=[cast.expected[i] for i in keep],
    )


def demo_records(cast: DemoCast) -> list[Any]:
    """The cache records of the cast's cached patients."""
    return [card_record(p) for p in cast.cached]


def demo_feed(config: Config, clock: Clock, closers: list[Callable[[], None]]) -> Any:
    """The insurance simulator's card feed, for the admin screen's sync in the demo."""
    from db.insurance import simulator as insurance_sim
    from db.insurance.feed import FeedClient

    try:
        # the simulated cards are valid around today, so the demo's sync never goes stale
        today = local_day(clock, config.kiosk.zone)
        server, url = insurance_sim.start_simulator(cards=20_000, seed=1, day=today)
    except OSError as error:
        log.warning("demo: no insurance simulator (%s): sync is off", error)
        return None

    def stop() -> None:
        server.shutdown()
        server.server_close()

    closers.append(stop)
    # the simulator answers plain http on 127.0.0.1 only
    settings = replace(config.insurance, username=insurance_sim.DEFAULT_USERNAME, allow_http=True)
    env = {
        settings.password_env: insurance_sim.DEFAULT_PASSWORD,
        settings.officer_name_env: insurance_sim.DEFAULT_OFFICER_NAME,
        settings.officer_id_env: insurance_sim.DEFAULT_OFFICER_ID,
    }
    return lambda: FeedClient.from_settings(settings, clock=clock, url=url, env=env)


def prepare_demo(
    config: Config,
    clock: Clock,
    *,
    patients: int,
    headless: bool,
    pace: bool,
    printer: SlipPrinter | None = None,
    online: OnlineCardCheck | None = None,
) -> tuple[Wiring, Any, list[Status]]:
    """The demo's service, camera and the outcomes its patients should get, in turn.

    A fresh demo folder, its own database filled with cards valid on the hospital's today, a
    throw-away admin account, and a camera showing the cast (``patients`` of them once with
    ``headless``, round and round otherwise; as fast as the scan loop asks with ``pace``).
    """
    from db.wiring import build_service
    from scanner.cameras.demo import DemoCamera

    folder = config.kiosk.data_dir / "demo"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "slips").mkdir(parents=True)
    wiring = build_service(config, clock, printer=printer, online=online, use_gateway=False)
    # cards valid on the hospital's today, whatever the date the demo is run on
    size = cast_size(patients)
    while True:  # the rules pass over a share of the synthetic cards: cast more until enough
        cast = demo_cast(size, local_day(clock, config.kiosk.zone))
        wiring.store.import_cards(demo_records(cast))
        cast = keep_accepted(cast, lambda t: wiring.service.assess(t).status is Status.ACCEPTED)
        if len(cast.patients) >= patients or size > 8 * patients:
            break
        size *= 2
    # a throw-away admin account so the demo's staff and admin screens can be tried
    wiring.store.add_staff(
        StaffAccount(DEMO_STAFF_NAME, "admin", hash_pin(DEMO_STAFF_PIN), code=DEMO_STAFF_CODE)
    )
    log.warning(
        "demo: staff code %s, PIN %s (long-press the hospital name)",
        DEMO_STAFF_CODE,
        DEMO_STAFF_PIN,
    )
    shown = cast.patients[:patients] if headless else itertools.cycle(cast.patients)
    # a patient holds the code up until the kiosk answers (or gives up after 6 s)
    camera = DemoCamera(shown, clock, fps=None if pace else 10, shown=60)
    return wiring, camera, cast.expected[:patients]


def headless_run(
    window: Any, patients: int, expected: list[Status], camera: Any, *, pace: bool
) -> HeadlessRun:
    """The cooperative patients of ``--headless``: each lowers the code once answered."""
    from scanner.cameras.demo import DemoCamera

    assert isinstance(camera, DemoCamera)  # --headless runs the demo only
    return HeadlessRun(
        window,
        patients,
        expected,
        linger_ms=0 if pace else 1500,
        on_outcome=lambda _turn, _outcome: camera.step_away(),
        reception=DemoReception(window, camera),
    )


class DemoReception:
    """The demo's receptionist: checks in every ``every``-th patient the kiosk sent away.

    Signs in on the PIN pad, types the patient's card number on the staff screen, looks it up,
    and overrides with a reason (typing the name and birth year the QR showed when the cache
    does not know the card), then signs out: the staff screens and the staff desk in a long
    demo or soak, through the widgets a receptionist taps. Meanwhile the queue waits
    (:meth:`DemoCamera.hold`). ``overrides`` keeps what reception's check-ins came to.
    """

    def __init__(
        self,
        window: Any,
        camera: Any,
        *,
        every: int = RECEPTION_SERVES_EVERY,
        code: str = DEMO_STAFF_CODE,
        pin: str = DEMO_STAFF_PIN,
    ) -> None:
        self.window, self.camera, self.every = window, camera, every
        self._code, self._pin = code, pin
        self.overrides: list[Outcome] = []
        self.given_up: list[str] = []  # what the staff screen said when a visit was given up
        self._sent = 0
        self._serving: Outcome | None = None
        self._then: Callable[[], None] | None = None
        from PySide6.QtCore import QTimer

        self._patience = QTimer(window)
        self._patience.setSingleShot(True)
        self._patience.setInterval(RECEPTION_PATIENCE_MS)
        self._patience.timeout.connect(self._give_up)
        # connected once: a day of patients adds no connection
        window.desk.signed_in.connect(self._signed_in)
        window.desk.looked_up.connect(self._looked_up)
        window.desk.checked_in.connect(self._checked_in)
        window.desk.failed.connect(self._failed)

    def takes(self, outcome: Outcome) -> bool:
        """Whether reception serves this patient (every ``every``-th one sent to reception or
        turned away: unknown to the cache, or refused by the gateway)."""
        sent = outcome.status in (Status.NEEDS_RECEPTION, Status.REJECTED)
        if not sent or outcome.payload is None:
            return False
        self._sent += 1
        return self._sent % self.every == 1 % self.every  # the first, then every ``every``-th

    def serve(self, outcome: Outcome, then: Callable[[], None]) -> None:
        """Check the patient of ``outcome`` in at the staff screen; call ``then`` when done."""
        self._serving, self._then = outcome, then
        self._patience.start()
        self.camera.hold()
        window = self.window
        window.open_staff()
        self._type(window.pin.keypad, self._code)
        window.pin.ok.click()  # the code typed: on to the PIN
        self._type(window.pin.keypad, self._pin)
        window.pin.ok.click()

    @staticmethod
    def _type(keypad: Any, text: str) -> None:
        for key in text:
            keypad.press(key)

    def _later(self, step: Callable[[], None]) -> None:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, step)  # after the window has shown the desk's answer

    def _signed_in(self, attempt: LoginAttempt) -> None:
        if self._serving is None:
            return
        if attempt.result is not LoginResult.OK:
            log.warning("demo reception: sign-in refused (%s)", attempt.result)
            self._finish()
            return
        self._later(self._look_up)

    def _look_up(self) -> None:
        payload: Any = self._serving.payload if self._serving else None
        code = str(getattr(payload, "card_number", None) or getattr(payload, "id_number", ""))
        staff = self.window.staff
        self._type(staff.keypad, code)
        staff.lookup_button.click()

    def _looked_up(self, _lookup: object) -> None:
        if self._serving is not None:
            self._later(self._override)

    def _override(self) -> None:
        if self._serving is None:
            return
        payload: Any = self._serving.payload
        staff = self.window.staff
        staff.reason.setText(OVERRIDE_REASON)
        if staff.patient_name.isVisibleTo(self.window):  # a card the cache does not know
            staff.patient_name.setText(payload.name)
            staff.patient_birth.setText(str(payload.birth.year) if payload.birth else "")
        if not staff.override_button.isEnabled():
            log.warning("demo reception: no override offered")
            self._finish()
            return
        staff.override_button.click()

    def _checked_in(self, outcome: Outcome) -> None:
        if self._serving is not None:
            self.overrides.append(outcome)
            self._finish()

    def _failed(self, message: str) -> None:
        if self._serving is not None:
            log.warning("demo reception: %s", message)
            self._finish()

    def _give_up(self) -> None:
        if self._serving is None:
            return
        said = self.window.staff.result.text() or self.window.pin.message.text()
        log.warning("demo reception: gave up on a visit (screen said: %s)", said)
        self.given_up.append(said)
        self._finish()

    def _finish(self) -> None:
        self._patience.stop()
        then = self._then
        self._serving = self._then = None
        self.window.logout()
        self.camera.release()
        if then is not None:
            then()


class HeadlessRun:
    """Answers the window the way a cooperative patient would, and keeps score.

    After each result the patient taps "Xong" (at once with ``pace``, after ``linger_ms``
    otherwise), so the next patient finds the welcome screen as in a real lobby.
    """

    def __init__(
        self,
        window: Any,
        patients: int,
        expected: list[Status] | None = None,
        *,
        linger_ms: int = 0,
        on_outcome: Callable[[int, Outcome], None] | None = None,
        reception: DemoReception | None = None,
    ) -> None:
        from PySide6.QtCore import QTimer

        self.window, self.patients, self.expected = window, patients, expected
        self.reception = reception
        self.outcomes: list[Outcome] = []
        self._linger_ms, self._on_outcome = linger_ms, on_outcome
        self._timer = QTimer(window)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(window.go_welcome)
        window.flow.confirm.connect(lambda _a: window.flow.answer(True))
        window.flow.choose_clinic.connect(lambda clinics: window.flow.choose(clinics[0].code))
        window.outcome_shown.connect(self._shown)

    def _shown(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)
        checkin = outcome.checkin
        log.info(
            "demo patient %d: %s %s", len(self.outcomes), outcome.status,
            f"{checkin.clinic_code} #{checkin.label}" if checkin else outcome.reason,
        )  # fmt: skip
        if self._on_outcome is not None:
            self._on_outcome(len(self.outcomes), outcome)
        if len(self.outcomes) >= self.patients:
            from PySide6.QtWidgets import QApplication

            # exit(), not quit(): quit() asks the windows to close, and the kiosk refuses
            QApplication.exit(0)
            return
        if self.reception is not None and self.reception.takes(outcome):
            self.reception.serve(outcome, then=lambda: self._timer.start(self._linger_ms))
            return
        self._timer.start(self._linger_ms)

    def failed(self) -> list[Outcome]:
        """Outcomes other than expected (or, without expectations, not accepted and printed)."""
        bad: list[Outcome] = []
        for index, outcome in enumerate(self.outcomes):
            want = self.expected[index] if self.expected else Status.ACCEPTED
            if outcome.status is not want or (want is Status.ACCEPTED and not outcome.printed):
                bad.append(outcome)
        return bad

    def summary(self, slips: Path) -> str:
        got = dict.fromkeys(Status, 0)
        for outcome in self.outcomes:
            got[outcome.status] += 1
        counts = ", ".join(f"{n} {status.value}" for status, n in got.items() if n)
        numbers = [f"{o.checkin.clinic_code} {o.checkin.label}" for o in self.outcomes if o.checkin]
        if len(numbers) > 20:
            numbers = [*numbers[:20], "…"]
        missing = self.patients - len(self.outcomes)
        served = ""
        if self.reception is not None:
            done = sum(1 for o in self.reception.overrides if o.status is Status.ACCEPTED)
            served = f"{done}/{len(self.reception.overrides)} checked in by reception; "
        return (
            f"kiosk demo: {len(self.outcomes) - len(self.failed())}/{self.patients} patients "
            f"as expected ({counts}; numbers {', '.join(numbers) or 'none'}); "
            f"{len(self.failed()) + missing} failed; {served}slips in {slips}"
        )
