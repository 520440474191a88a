"""Render every screen offscreen to PNG, in both languages and both orientations.

``python -m ui.screenshots docs/screens`` (``make screenshots``) writes
``<screen>_<landscape|portrait>_<lang>.png`` for the README and for checking that text fits.
Every person shown is synthetic.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from kiosk import __version__
from kiosk.checkin import Assessment, snapshot_of
from kiosk.clock import SystemClock, local_day
from kiosk.config import load_config
from kiosk.health import HealthReport
from kiosk.model import CardRecord, CheckIn, Payload, Route, Verification
from kiosk.outcome import Lang, Outcome, Reason, Status
from kiosk.ports import StaffAccount
from kiosk.settings import Config
from kiosk.staff_auth import MemoryStaffDirectory, StaffAuth, hash_pin
from kiosk.synthetic import bhyt_payload, card_record, people
from ui.ports import CacheStatus

SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920)}
LANGS: tuple[Lang, ...] = ("vi", "en")


@dataclass(frozen=True)
class _Still:
    """An assessment for a still picture."""

    status: Status
    reason: Reason | None
    payload: Payload | None
    card: CardRecord | None

    def outcome(self) -> Outcome:
        return Outcome(self.status, self.reason, payload=self.payload)


class _NoService:
    """The screens are filled directly; nothing may call the service."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"screenshots do not call the service ({name})")


_PIN = "246813"
_CODE = "101"


def _one_admin() -> MemoryStaffDirectory:
    """One synthetic admin account, so the staff screens can be shown."""
    return MemoryStaffDirectory([StaffAccount("Lan", "admin", hash_pin(_PIN, n=2**10), code=_CODE)])


class _StillAdmin:
    def cache_status(self) -> CacheStatus:
        now = datetime.now(UTC)
        synced = now - timedelta(hours=30)
        # a kiosk with its camera up, its last slip failed, on central, three events to send
        health = HealthReport(
            kiosk_id="KIOSK-01",
            at=now.isoformat(),
            camera="ok",
            printer="failed",
            database="central",
            outbox_pending=3,
            outbox_failed=0,
            cache_age_h=30.0,
            last_checkin=(now - timedelta(minutes=12)).isoformat(),
        )
        return CacheStatus(
            48_213,
            synced,
            outbox=(3, 1_204, 0),
            health=health,
            # the longest line the screen may show: another kiosk owns this kiosk's prefix
            prefix_taken=("AB12CD34", "KIOSK-07"),
        )

    def sync(self, progress: Callable[[int, int], None], cancel: Callable[[], bool]) -> str:
        return ""

    def printer_test(self) -> str:
        return ""

    def camera_test(self) -> str:
        return ""


def _checkin(card: CardRecord, clinic: str, number: int, config: Config) -> CheckIn:
    now = datetime.now(UTC)
    return CheckIn(
        id=f"demo-{number}",
        local_day=local_day(SystemClock()),
        clinic_code=clinic,
        queue_number=number,
        patient=snapshot_of(None, card),
        status="accepted",
        reason=None,
        route=Route.REGISTERED,
        benefit_percent=80,
        verification=Verification.ONLINE,
        kiosk_id=config.kiosk.id,
        created_at=now,
    )


def _camera_frame() -> Any:
    """A grey scene with a QR code in it, as the webcam would see a phone."""
    import zxingcpp

    person = next(people(1, seed=7))
    qr = np.asarray(
        zxingcpp.create_barcode(bhyt_payload(person), zxingcpp.BarcodeFormat.QRCode).to_image(
            scale=3
        )
    )
    frame = np.full((720, 1280, 3), (70, 80, 90), np.uint8)
    h, w = qr.shape[:2]
    y, x = (720 - h) // 2, (1280 - w) // 2
    frame[y : y + h, x : x + w] = qr[..., None]
    # a card's printed lines around the code: the preview must blur them
    card_x, card_y = max(0, x - 420), max(0, y - 60)
    frame[card_y : card_y + h + 120, card_x : x - 20] = (225, 235, 240)
    for row in range(card_y + 30, card_y + h + 90, 34):
        frame[row : row + 14, card_x + 30 : x - 60] = (40, 40, 40)
    corners = ((x, y), (x + w, y), (x + w, y + h), (x, y + h))
    return frame, corners


class ScreenSizeError(AssertionError):
    """A rendered screen is not exactly its target size, or something in it is cut off."""


Scene = tuple[str, Callable[[], None]]


def build_window(config: Config) -> Any:
    """A kiosk window on stand-ins: the screens are filled directly, never by the service."""
    from ui.window import KioskWindow

    clock = SystemClock()
    return KioskWindow(
        config=config,
        clock=clock,
        service=_NoService(),
        staff_auth=StaffAuth(_one_admin(), clock, logout_after_s=3600),
        admin=_StillAdmin(),
        beep=False,
    )


def scenes(window: Any, config: Config) -> list[Scene]:
    """Every screen of the kiosk, each as a name and a function that shows it."""
    from ui.workers import coarse, to_qimage

    persons = list(people(3, seed=11))
    cards = [card_record(p) for p in persons]
    frame, corners = _camera_frame()
    blurred = to_qimage(coarse(frame))
    return [
        ("welcome", lambda: window.welcome.preview.set_frame(to_qimage(frame), corners, blurred)),
        ("hold-still", lambda: _hold_still(window, to_qimage(frame), corners, blurred)),
        ("closer", lambda: _hold_still(window, to_qimage(frame), corners, blurred, far=True)),
        ("printer-down", lambda: _printer_down(window, to_qimage(frame), blurred)),
        ("camera-lost", lambda: window.welcome.set_camera_state("lost")),
        ("checking", lambda: _checking(window)),
        ("choose-clinic", lambda: window._ask_clinic(tuple(config.clinics))),
        (
            "confirm",
            lambda: window._ask_confirmation(
                _Still(Status.NEEDS_CONFIRMATION, Reason.BIRTH_NEEDS_CONFIRMATION, None, cards[1])
            ),
        ),
        (
            "accepted",
            lambda: window.show_outcome(
                Outcome(
                    Status.ACCEPTED,
                    None,
                    checkin=_checkin(cards[0], "NOI", 27, config),
                    printed=True,
                )
            ),
        ),
        (
            "needs-reception",
            lambda: window.show_outcome(Outcome(Status.NEEDS_RECEPTION, Reason.CARD_NOT_FOUND)),
        ),
        ("rejected", lambda: window.show_outcome(Outcome(Status.REJECTED, Reason.CARD_EXPIRED))),
        (
            "printer-failed",
            lambda: window.show_outcome(
                Outcome(
                    Status.ACCEPTED,
                    Reason.PRINTER_FAILED,
                    checkin=_checkin(cards[2], "TMH", 8, config),
                    printed=False,
                )
            ),
        ),
        ("retry-print", lambda: _retry_print(window, config, cards[2])),
        ("birth-year", lambda: _birth_year(window)),
        ("help-called", lambda: _help_called(window, cards[1])),
        ("large-text", lambda: _large_text(window, config, cards[0])),
        ("time-warning", lambda: _time_warning(window, config, cards[0])),
        ("staff-pin", lambda: _staff_pin(window)),
        ("staff-home", lambda: _staff_home(window, config, cards)),
        ("admin", lambda: _admin(window, config)),
        ("reception-ticket", lambda: _reception_ticket(window, config, numbered=True)),
        ("reception-ticket-offline", lambda: _reception_ticket(window, config, numbered=False)),
        ("camera-gone", lambda: _camera_gone(window)),
    ]


def show_scene(
    window: Any,
    size: tuple[int, int],
    lang: Lang,
    scene: Callable[[], None],
    *,
    large: bool = False,
) -> None:
    """Reset the window to a clean welcome screen at ``size`` in ``lang``, then show ``scene``
    (``large``: with "Chữ lớn" on, as a patient would switch it on)."""
    from PySide6.QtWidgets import QApplication

    window.go_welcome()  # the last scene's large text off before the window takes its size
    window.fit_to(*size)
    window.show()
    window.go_welcome()
    window.welcome.set_camera_state("ok")
    window.camera_changed("ok")
    window.welcome.set_alert("")
    window.printer_down = False
    window.lang = lang
    window.retranslate()
    if large:
        window.toolbar.large_button.setChecked(True)
    scene()
    window.tick()
    window.retranslate()
    for _ in range(3):
        QApplication.processEvents()


def render_all(out: Path, config: Config) -> list[Path]:
    """Render every screen; returns the files written.

    Raises:
        ScreenSizeError: a screen is not exactly 1920x1080 / 1080x1920 or cuts something off.
    """
    from PySide6.QtWidgets import QApplication

    from ui.layout_check import layout_problems

    app = QApplication.instance() or QApplication(sys.argv[:1])
    out.mkdir(parents=True, exist_ok=True)
    window = build_window(config)
    written: list[Path] = []
    chosen = scenes(window, config)
    only = os.environ.get("SCREENS_ONLY")
    if only:
        chosen = [s for s in chosen if s[0] in only.split(",")]
    failures: list[str] = []
    try:
        for orientation, size in SIZES.items():
            for lang in LANGS:
                for name, scene in chosen:
                    show_scene(window, size, lang, scene)
                    path = out / f"{name}_{orientation}_{lang}.png"
                    picture = window.grab()
                    picture.save(str(path))
                    written.append(path)
                    problems = layout_problems(window, size)
                    if (picture.width(), picture.height()) != size:
                        problems.insert(0, f"picture is {picture.width()}x{picture.height()}")
                    failures += [f"{path.name}: {problem}" for problem in problems]
    finally:
        window.allow_close()
        window.shutdown()
        window.close()
        window.deleteLater()
        app.processEvents()
    if failures:
        raise ScreenSizeError("screens do not fit:\n" + "\n".join(failures))
    return written


def _birth_year(window: Any) -> None:
    # a bare code was shown: only the question, nothing of the card
    window.birth_year.ask(
        Outcome(Status.NEEDS_CONFIRMATION, Reason.BIRTH_YEAR_REQUIRED), window.lang
    )
    window.go(window.birth_year)
    window.birth_year.year.setText("19")


def _help_called(window: Any, card: CardRecord) -> None:
    """ "Gọi nhân viên" pressed on the confirm screen: staff are on their way."""
    from ui.screens.toolbar import HelpState

    window._ask_confirmation(
        _Still(Status.NEEDS_CONFIRMATION, Reason.NAME_NEEDS_CONFIRMATION, None, card)
    )
    window._help_answered(HelpState.CALLED)


def _large_text(window: Any, config: Config, card: CardRecord) -> None:
    """ "Chữ lớn" on: the number screen, every text but the number half as big again."""
    window.toolbar.large_button.setChecked(True)
    window.show_outcome(
        Outcome(Status.ACCEPTED, None, checkin=_checkin(card, "NOI", 27, config), printed=True)
    )


def _hold_still(window: Any, frame: Any, corners: Any, blurred: Any, *, far: bool = False) -> None:
    """A code in view, not read yet (``far``: too far away to read)."""
    window.welcome.preview.set_frame(frame, corners, blurred)
    window.on_sighting(far)


def _printer_down(window: Any, frame: Any, blurred: Any) -> None:
    """The welcome screen while the printer is out of order."""
    window.welcome.preview.set_frame(frame, None, blurred)
    window.note_printer(Outcome(Status.ACCEPTED, Reason.PRINTER_FAILED, printed=False))


def _retry_print(window: Any, config: Config, card: CardRecord) -> None:
    """ "Thử in lại" pressed on the printer-failed screen: the same number, printing again."""
    failed = Outcome(
        Status.ACCEPTED,
        Reason.PRINTER_FAILED,
        checkin=_checkin(card, "TMH", 8, config),
        printed=False,
    )
    window.show_outcome(failed)
    window.busy.set_printing(True)  # what _retry_print sets before the flow prints
    window._working()
    window.lobby.busy_since -= 1.5


def _checking(window: Any) -> None:
    window._working()
    window.lobby.busy_since -= 2.5  # two seconds into the check


def _time_warning(window: Any, config: Config, card: CardRecord) -> None:
    """A question left unanswered: "more time?" for its last seconds (results never ask)."""
    _birth_year(window)
    window.lobby.set_idle_for(config.kiosk.question_timeout_s - config.kiosk.time_warning_s + 0.5)


def _reception_ticket(window: Any, config: Config, *, numbered: bool) -> None:
    """ "Đến quầy" on a gateway's refusal: the ticket printed, its number (or, with central
    down, none) on the screen."""
    from kiosk.reception import IssuedTicket, ReceptionTicket, Referral, SentReason

    referral = Referral(SentReason.GATEWAY, "052", "L.T.Y. …6789")
    now = datetime.now(UTC)
    day = local_day(SystemClock(), config.kiosk.zone)
    ticket = ReceptionTicket(7 if numbered else None, day, now, config.kiosk.id, referral)
    window._ticket_issued(IssuedTicket(ticket, printed=True))


def _camera_gone(window: Any) -> None:
    """The camera lost for longer than kiosk.camera_lost_reception_s: a ticket, not a scan."""
    window.camera_changed("lost")
    window.lobby._camera_lost_since -= 3600  # an hour ago
    window.go(window.camera_gone)


def _staff_pin(window: Any) -> None:
    window.go(window.pin)
    window.pin.code.setText(_CODE)
    window.pin.type_into(window.pin.pin)
    window.pin.pin.setText("24")  # two digits typed, shown as dots


def _staff_home(window: Any, config: Config, cards: list[CardRecord]) -> None:
    from ui.staff_desk import Lookup

    window.staff_auth.login(_CODE, _PIN)
    window.go(window.staff)
    window.staff.set_user("Lan", True)
    window.staff.set_clinics(config.clinics, window.lang)
    rows = [_checkin(card, c.code, i + 1, config) for i, (card, c) in enumerate(
        zip(cards, config.clinics, strict=False))]  # fmt: skip
    rows[-1] = replace(rows[-1], cancelled=True)
    window.staff.set_checkins(rows, window.lang)
    window.staff.code.setText(cards[0].bhxh_number)
    # a card the cache does not know: the message comes from the outcome, in the window's language
    unknown = Assessment(
        Status.NEEDS_RECEPTION, Reason.CARD_NOT_FOUND, None, None, None, Verification.NONE
    )
    window.staff.set_query(cards[0].bhxh_number)
    window.staff.show_lookup(Lookup.of(cards[0].bhxh_number, unknown))


def _admin(window: Any, config: Config) -> None:
    window.staff_auth.login(_CODE, _PIN)
    window.admin_screen.set_facts(config.kiosk.id, __version__, str(config.kiosk.data_dir / "logs"))
    status = _StillAdmin().cache_status()
    window.go(window.admin_screen)
    window.staff_view.show_cache_status(status)
    window.admin_screen.sync_started()  # a sync under way: "Dừng đồng bộ" can stop it
    window.admin_screen.set_progress(37, 100)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    out = Path(args[0] if args else "docs/screens")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    root = Path(__file__).resolve().parent.parent
    # a kiosk's data directory, not this checkout's, on the admin screen's "log" line
    env = {"KIOSK_KIOSK_HIDE_CURSOR": "false", "KIOSK_KIOSK_DATA_DIR": "/var/lib/kiosk"}
    config = load_config(root / "config.toml", env=env)
    written = render_all(out, config)
    print(f"{len(written)} screenshots in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
