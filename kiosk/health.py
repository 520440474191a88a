"""The kiosk's health signal for the fleet: ``status.json`` and systemd's watchdog.

- :class:`HealthReport` is what a fleet dashboard (or an admin with ``cat``) reads: the kiosk's
  state (:func:`kiosk_state`), its own camera, printer and last check-in, the database, the
  outbox backlog of central and of the journal, offline pending and held check-ins, cache age.
  :func:`write_status` replaces ``status.json`` atomically (a temporary file in the same
  folder, then a rename), so a reader never sees half a file. The same record goes to the
  central kiosk register.
- :class:`SystemdNotifier` speaks systemd's notification protocol: one datagram per message
  to the AF_UNIX socket named by ``$NOTIFY_SOCKET``. ``READY=1`` when the kiosk is up (a
  ``Type=notify`` unit waits for it), ``WATCHDOG=1`` regularly (with ``WatchdogSec=`` systemd
  restarts a kiosk that stops sending). Without ``$NOTIFY_SOCKET`` (not under systemd) every
  call does nothing.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from kiosk.atomic_write import write_atomically

log = logging.getLogger(__name__)

STATUS_FILE = "status.json"


# The states of a kiosk (``status.json``, ``kiosk-admin status --json``, the register).
ONLINE = "online"  # central takes its check-ins
OFFLINE = "offline"  # its journal numbers them (central unreachable, or a replay to finish)
HELD = "held"  # central takes them; check-ins central refused for their data wait for staff
DOWN = "down"  # neither central nor the journal numbers: patients go to reception
STATES = (ONLINE, OFFLINE, HELD, DOWN)


def kiosk_state(*, central: bool, journal: bool, numbering_stopped: bool, held: int) -> str:
    """The kiosk's state: ``central`` is whether central takes its check-ins now (it answers
    and the journal has nothing left to replay), ``journal`` whether it has an offline journal,
    ``numbering_stopped`` whether the journal may not number (its prefix is another kiosk's),
    ``held`` how many journal check-ins wait for staff."""
    if central:
        return HELD if held else ONLINE
    return OFFLINE if journal and not numbering_stopped else DOWN


@dataclass(frozen=True)
class HealthReport:
    """One look at the kiosk's parts; times are UTC ISO 8601, unknown values None.

    ``camera``, ``printer`` and ``last_checkin`` are this kiosk's own (not another kiosk's);
    ``outbox_*`` are central's outbox, ``journal_outbox_*`` the offline journal's.
    """

    kiosk_id: str
    at: str
    camera: str  # "ok", "lost", "none"
    printer: str  # how this kiosk's last slip went: "printed", "failed", "pending", "unknown"
    database: str  # "central", "offline" (the journal took over) or "unavailable"
    outbox_pending: int | None
    outbox_failed: int | None
    cache_age_h: float | None
    last_checkin: str | None
    version: str = ""
    detail: str = ""
    state: str = ONLINE  # one of STATES
    offline_pending: int | None = None  # journal check-ins central does not have yet
    held: int | None = None  # journal check-ins central refused for their data
    journal_outbox_pending: int | None = None
    journal_outbox_failed: int | None = None
    # The kiosk whose claim on this kiosk's offline prefix stops its offline numbering.
    prefix_held_by: str | None = None
    notice: str = ""  # one line for staff (vi / en) when something needs them

    def as_json(self) -> dict[str, object]:
        return asdict(self)


def moment(value: datetime | None) -> str | None:
    """A UTC moment as ISO 8601 text, for the report."""
    return value.isoformat() if value is not None else None


def write_status(folder: Path, report: HealthReport) -> Path:
    """Replace ``folder/status.json`` with ``report`` in one rename."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / STATUS_FILE
    text = json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n"
    write_atomically(target, text.encode("utf-8"), prefix=".status-", suffix=".json")
    return target


class SystemdNotifier:
    """sd_notify without libsystemd: datagrams to ``$NOTIFY_SOCKET``; never raises."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        environment = os.environ if env is None else env
        address = environment.get("NOTIFY_SOCKET", "")
        # A leading "@" names a socket in the abstract namespace (a leading NUL byte).
        self._address = "\0" + address[1:] if address.startswith("@") else address
        usec = environment.get("WATCHDOG_USEC", "")
        self.watchdog_s: float | None = int(usec) / 1e6 if usec.isdigit() else None

    @property
    def enabled(self) -> bool:
        """True when run by systemd with a notification socket."""
        return bool(self._address)

    def notify(self, message: str) -> bool:
        """Send one message (e.g. ``"READY=1"``); False when it could not be sent."""
        if not self._address:
            return False
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                sock.connect(self._address)
                sock.sendall(message.encode("utf-8"))
        except OSError as error:
            log.warning("systemd notification %r not sent: %s", message, error)
            return False
        return True

    def ready(self, status: str = "") -> bool:
        """Tell systemd the kiosk is up (a ``Type=notify`` unit counts as started now)."""
        return self.notify("READY=1" + (f"\nSTATUS={status}" if status else ""))

    def watchdog(self) -> bool:
        """Tell systemd's watchdog the kiosk is alive."""
        return self.notify("WATCHDOG=1")

    def stopping(self) -> bool:
        return self.notify("STOPPING=1")
