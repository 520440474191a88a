"""One kiosk of the fleet harness, as a process: the real check-in service with its journal.

    python -m tests.fleet.kiosk_process --kiosk K1 --prefix A --central URL --journal PATH
        --his-url URL --slips PATH [--scale 0.05]

It is wired as the product wires a kiosk with a central database (:func:`db.wiring.build_service`:
a :class:`FailoverStore` over central and the SQLite journal), with the journal's
:class:`ReplayLoop` (its first step refreshes the card replica) and the HIS delivery over
central's outbox and the journal's, each on its own thread; no window, a fake printer. The
waits of the replay loop and the HIS retries are the product's times multiplied by ``--scale``.

The harness talks to it over stdin/stdout, one JSON object a line each way:

- ``{"op": "checkin", "patient": P, "text": QR, "clinic": C}``: a scan and a clinic;
- ``{"op": "override", "patient": P, "text": QR, "clinic": C, "name": N}``: reception checks
  the patient in over a refusal, with the name staff typed;
- ``{"op": "cancel", "checkin_id": ID}``: reception cancels a check-in;
- ``{"op": "status"}``: online or not, what the journal holds, its outbox backlog;
- ``{"op": "arm", "point": "between"}``: at the replay's named fault point ``between`` this
  process kills itself with SIGKILL (the crash lands exactly there).

Every slip that comes out of the printer is first appended to the slip log (``--slips``,
one JSON line, fsync'd): what each patient holds survives a SIGKILL of the kiosk. The log of
the process (stderr) is what the harness scans for personal data.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from db.his import delivery
from db.his.delivery import RetryPolicy, deliver_pending
from db.offline import replay as replay_module
from db.offline.failover import FailoverStore
from db.offline.replay import ReplayLoop
from db.offline.replica import refresh_replica
from db.store.journal import PendingCheckIn, held_checkins, pending_count
from db.wiring import build_his_sender, build_service
from kiosk import __version__
from kiosk.checkin import CheckInRequest, CheckInService, Identity
from kiosk.clock import SystemClock
from kiosk.config import Config, load_config
from kiosk.outcome import Outcome
from kiosk.ports import StoreError
from tests.fakes import FakePrinter

ROOT = Path(__file__).resolve().parents[2]
log = logging.getLogger("fleet.kiosk")

STAFF = "Lễ tân"  # reception's account on the override and the cancel


def kiosk_env(args: argparse.Namespace) -> dict[str, str]:
    """The settings of this kiosk, as the ``KIOSK_<SECTION>_<KEY>`` variables of a site."""
    scale = args.scale
    return {
        "KIOSK_KIOSK_ID": args.kiosk,
        "KIOSK_KIOSK_OFFLINE_PREFIX": args.prefix,
        "KIOSK_KIOSK_DATA_DIR": str(Path(args.slips).parent),
        "KIOSK_DATABASE_URL": args.central,
        "KIOSK_DATABASE_OFFLINE_URL": f"sqlite:///{args.journal}",
        "KIOSK_DATABASE_CONNECT_TIMEOUT_S": "1",
        "KIOSK_INSURANCE_GATEWAY_URL": "",
        "KIOSK_HIS_KIND": "webhook",
        "KIOSK_HIS_URL": args.his_url,
        "KIOSK_HIS_ALLOW_HTTP": "true",
        "KIOSK_HIS_TIMEOUT_S": str(max(0.5, 10.0 * scale)),
        "KIOSK_HIS_BACKOFF_S": str(max(0.05, 5.0 * scale)),
        "KIOSK_HIS_BACKOFF_MAX_S": str(max(0.2, 60.0 * scale)),
        "KIOSK_HIS_INTERVAL_S": str(max(0.05, 5.0 * scale)),
        "KIOSK_HIS_MAX_ATTEMPTS": "1000",
    }


class Kiosk:
    """The service, its failover store and the slip log of one kiosk process."""

    def __init__(self, config: Config, slips: Path) -> None:
        self.clock = SystemClock()
        self.printer = FakePrinter()
        # with its version, as the kiosk app: it checks in to the kiosk register (the prefix)
        self.wiring = build_service(
            config, self.clock, printer=self.printer, use_gateway=False, version=__version__
        )
        failover = self.wiring.failover
        if failover is None:
            raise SystemExit("the fleet kiosk needs a server database and a journal")
        self.failover: FailoverStore = failover
        self.service: CheckInService = self.wiring.service
        self.config = config
        self._slips = slips.open("a", encoding="utf-8")

    def slip(self, patient: str, outcome: Outcome) -> None:
        """The printer gave the patient a slip: note it where a SIGKILL cannot undo it."""
        checkin = outcome.checkin
        assert checkin is not None
        line = {
            "kiosk": self.config.kiosk.id,
            "patient": patient,
            "clinic": checkin.clinic_code,
            "day": checkin.local_day.isoformat(),
            "label": checkin.label,
            "checkin_id": checkin.id,
        }
        self._slips.write(json.dumps(line) + "\n")
        self._slips.flush()
        os.fsync(self._slips.fileno())

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        op = request.get("op")
        if op == "checkin":
            outcome = self.service.run(str(request["text"]), str(request["clinic"]))
            return self._answer(str(request["patient"]), outcome)
        if op == "override":
            assessment = self.service.assess(str(request["text"]))
            ask = CheckInRequest(
                str(request["clinic"]), "lỗi thẻ", Identity(str(request["name"]), None)
            )
            outcome = self.service.staff_check_in(assessment, ask, STAFF)
            return self._answer(str(request["patient"]), outcome)
        if op == "cancel":
            outcome = self.service.cancel(str(request["checkin_id"]), STAFF, "bệnh nhân về")
            return {"status": str(outcome.status), "reason": str(outcome.reason)}
        if op == "status":
            return self.status()
        if op == "arm":
            arm_self_kill(str(request["point"]))
            return {"armed": request["point"]}
        return {"error": f"unknown op {op!r}"}

    def _answer(self, patient: str, outcome: Outcome) -> dict[str, Any]:
        self.printer.printed.clear()  # the slips are in the slip log; the images are not kept
        checkin = outcome.checkin
        if checkin is not None and outcome.printed:
            self.slip(patient, outcome)
        return {
            "status": str(outcome.status),
            "reason": str(outcome.reason) if outcome.reason else None,
            "label": checkin.label if checkin else None,
            "checkin_id": checkin.id if checkin else None,
            "offline": checkin.offline if checkin else False,
            "printed": outcome.printed,
        }

    def status(self) -> dict[str, Any]:
        journal = self.failover.journal
        try:
            held = [h.checkin_id for h in held_checkins(journal)]
            pending = pending_count(journal)
            outbox = journal.outbox.counts().pending
        except StoreError as error:
            return {"online": self.failover.online, "error": str(error)}
        return {
            "online": self.failover.online,
            "pending": pending,
            "held": held,
            "outbox_pending": outbox,
        }


def arm_self_kill(point: str) -> None:
    """Kill this process with SIGKILL when the replay reaches ``point``."""

    def fault(reached: str, item: PendingCheckIn) -> None:
        if reached == point:
            log.warning("fault point %s reached: killing the kiosk", point)
            os.kill(os.getpid(), signal.SIGKILL)

    replay_module.fault_point = fault


def _background(kiosk: Kiosk, scale: float, stop: threading.Event) -> None:
    """The kiosk's background duties: the journal's replay loop, and HIS delivery."""
    failover, clock, config = kiosk.failover, kiosk.clock, kiosk.config
    loop = ReplayLoop(
        failover,
        clock,
        refresh=lambda: refresh_replica(failover.central, failover.journal, clock),
        first_wait_s=replay_module.FIRST_WAIT_S * scale,
        max_wait_s=replay_module.MAX_WAIT_S * scale,
        idle_wait_s=replay_module.IDLE_WAIT_S * scale,
    )
    loop.step()  # the card replica, before the first patient
    threading.Thread(target=loop.run, args=(stop,), name="journal-replay", daemon=True).start()
    sender = build_his_sender(config)
    if sender is None:
        return
    # an event claimed by a kiosk that died mid-send waits out its lease: scaled too
    delivery.LEASE_MARGIN_S = delivery.LEASE_MARGIN_S * scale
    policy = RetryPolicy.from_settings(config.his)
    sources = [kiosk.wiring.store.outbox, failover.journal.outbox]

    def deliver() -> None:
        while not stop.wait(config.his.interval_s):
            deliver_pending(sources, sender, clock, policy)

    threading.Thread(target=deliver, name="outbox", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kiosk_process", description=__doc__)
    parser.add_argument("--kiosk", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--central", required=True)
    parser.add_argument("--journal", required=True)
    parser.add_argument("--his-url", required=True)
    parser.add_argument("--slips", required=True)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format=f"%(asctime)s {args.kiosk} %(name)s %(levelname)s %(message)s",
    )
    config = load_config(ROOT / "config.toml", env=kiosk_env(args))
    try:
        kiosk = Kiosk(config, Path(args.slips))
    except StoreError as error:
        log.error("kiosk cannot start: %s", error)
        return 3
    stop = threading.Event()
    _background(kiosk, args.scale, stop)
    out = sys.stdout
    out.write(json.dumps({"ready": True, "online": kiosk.failover.online}) + "\n")
    out.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            answer = kiosk.handle(json.loads(line))
        except Exception as error:  # one bad request must not end the kiosk
            log.exception("request failed")
            answer = {"error": type(error).__name__}
        out.write(json.dumps(answer) + "\n")
        out.flush()
    stop.set()
    kiosk.wiring.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
