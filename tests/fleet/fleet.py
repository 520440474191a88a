"""The fleet harness: kiosk processes on one central PostgreSQL, patients arriving at random,
faults injected at random, and the invariants checked at the end.

:func:`run_fleet` builds a throw-away database (:func:`tests.db.pg.fresh_database`), loads
the synthetic patients' cards into it, starts the HIS capture server and one
:class:`FaultProxy` in front of central per kiosk and one in front of the HIS, starts the
kiosks (:mod:`tests.fleet.kiosk_process`) and sends them patients, one thread a kiosk, from
one shuffled queue. Meanwhile a fault thread works through a shuffled schedule in which each
kind of fault comes at least once; each fault starts at a named moment (after so many
patients), and waits for what it needs (an offline check-in, a fired proxy fault, a kiosk
back up) with events and bounded polls, never a fixed sleep. Times are the product's times
multiplied by ``scale`` (an outage of 1–60 s is 0.05–3 s at 0.05).

The kinds of fault (:data:`FAULTS`):

- ``outage``: central refuses every connection for a while (it starts between patients);
- ``outage_mid_commit``: the outage starts as central commits a check-in, before its reply:
  the kiosk cannot ask again and numbers the patient offline;
- ``lost_reply``: central commits a check-in and its reply is lost; ``lost_commit``: the
  same for the next ``COMMIT`` of any transaction;
- ``cut``: a kiosk's connections cut mid-transaction; ``slow``: central answers late;
- ``sigkill``: a kiosk killed at a random moment and started again;
- ``replay_kill``: a kiosk killed at the replay's named point ``between`` (after an outage);
- ``full_disk``: the file system of a kiosk's journal full for a while (a small tmpfs);
- ``corrupt_journal``: a kiosk's journal overwritten with garbage, then the kiosk started;
- ``collide``: a fifth kiosk started with the offline prefix of the first, then an outage;
- ``bad_row``: reception checks a patient in whose CCCD QR carries a 305-character name,
  online and during an outage;
- ``his_5xx`` and ``his_timeout``: the HIS answers 503, or later than the kiosk's deadline.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.engine import make_url

from db.models import checkins
from db.store import SqlStore
from db.store.engine import create_kiosk_engine
from db.store.migrate import upgrade
from kiosk.clock import HOSPITAL_ZONE
from kiosk.synthetic import SyntheticPerson, bhyt_payload, card_record, cccd_payload, people
from tests.db.his_server import HisState, his_server
from tests.db.pg import fresh_database
from tests.fleet import invariants as inv
from tests.fleet.kiosks import KioskHandle, KioskSpec, Reply, wait_until
from tests.fleet.proxy import FaultProxy, checkin_commit, commit_reply

FAULTS = (
    "outage",
    "outage_mid_commit",
    "lost_reply",
    "lost_commit",
    "cut",
    "slow",
    "sigkill",
    "replay_kill",
    "full_disk",
    "corrupt_journal",
    "collide",
    "bad_row",
    "his_5xx",
    "his_timeout",
)
CLINICS = ("NOI", "NHI", "TMH")
PREFIXES = ("A", "B", "C", "D", "E", "F", "G", "H")
BAD_NAME_LENGTH = 305
JOURNAL_FS_BYTES = 64 * 1024 * 1024
#: The faults only the journal's alias of a printed label (``checkins.printed_label``) and
#: rebuild, and the kiosk register, let the fleet survive.
NEEDS_REGISTER_AND_ALIAS = ("outage_mid_commit", "corrupt_journal", "collide")
#: The faults the product survives without those.
SURVIVED = tuple(f for f in FAULTS if f not in NEEDS_REGISTER_AND_ALIAS)


@dataclass(frozen=True)
class FleetOptions:
    """One run: how many patients and kiosks, which faults, and the time scale."""

    patients: int = 200
    kiosks: int = 4
    scale: float = 0.05
    faults: tuple[str, ...] = FAULTS
    extra_faults: int = 0  # random faults beyond one of each kind
    seed: int = 25
    fault_free_patients: int = 0  # a phase without faults first (the benchmark's reference)
    rescan_rate: float = 0.05  # patients who scan their card twice in a row
    cancel_rate: float = 0.05  # check-ins reception cancels straight after

    @property
    def settle_s(self) -> float:
        """How long after the last fault every kiosk must be online (60 s at scale 1)."""
        return 60.0 * self.scale


@dataclass
class Patient:
    """A synthetic person as the harness tracks them, by a tag that is not personal data."""

    tag: str
    person: SyntheticPerson
    clinic: str
    text: str
    override_name: str | None = None  # reception's override with this (too long) name


@dataclass
class PhaseFigures:
    """Check-ins of one phase and how long it took."""

    patients: int = 0
    slips: int = 0
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        rate = self.slips / self.seconds if self.seconds else 0.0
        return {
            "patients": self.patients,
            "slips": self.slips,
            "seconds": round(self.seconds, 2),
            "checkins_per_s": round(rate, 2),
        }


@dataclass
class Tally:
    """What happened to the patients (the outcome counts) and the faults, thread-safe."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    outcomes: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    served: int = 0
    slips: int = 0
    notes: list[str] = field(default_factory=list)
    served_changed: threading.Condition = field(default_factory=threading.Condition)

    def outcome(self, answer: Reply | None) -> None:
        with self.lock:
            if answer is None:
                self.outcomes["kiosk_died"] += 1
            else:
                self.outcomes[str(answer.get("reason") or answer.get("status"))] += 1
                if answer.get("printed"):
                    self.slips += 1

    def note(self, text: str) -> None:
        with self.lock:
            self.notes.append(text)


# -- the population ------------------------------------------------------------------------------


def population(n: int, seed: int, today: date) -> list[SyntheticPerson]:
    """``n`` synthetic people whose card the rules accept today (the hospital's own facility,
    valid today): a refusal would say nothing about the fleet."""
    found: list[SyntheticPerson] = []
    for person in people(n * 8 + 50, seed=seed, today=today):
        if person.facility_code == "79024" and person.valid_from <= today <= person.valid_to:
            found.append(person)
        if len(found) == n:
            return found
    raise RuntimeError(f"only {len(found)} of {n} synthetic people have a usable card")


def bad_person(person: SyntheticPerson) -> SyntheticPerson:
    """The same person with a name far longer than any column holds."""
    long = (person.name + " ") * (BAD_NAME_LENGTH // (len(person.name) + 1) + 1)
    return replace(person, name=long[:BAD_NAME_LENGTH])


# -- the file system of a journal --------------------------------------------------------------


@contextmanager
def small_disk(folder: Path, size: int) -> Iterator[bool]:
    """Mount a tmpfs of ``size`` bytes on ``folder`` (True), or leave it a plain folder (False,
    when this process may not mount: the full-disk fault is then skipped)."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    try:
        yield done.returncode == 0
    finally:
        if done.returncode == 0:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def fill_disk(folder: Path) -> Path:
    """Fill the file system of ``folder`` to the last byte; the filler file to remove."""
    filler = folder / "filler.bin"
    block = b"\0" * 65536
    with filler.open("wb", buffering=0) as out:
        for size in (len(block), 512):  # whole blocks, then the last partial one
            with contextlib.suppress(OSError):
                while out.write(block[:size]):
                    pass
    return filler


# -- the run -----------------------------------------------------------------------------------


class Fleet:
    """The parts of one run, and the threads that drive it."""

    def __init__(self, options: FleetOptions, folder: Path, central_url: str) -> None:
        self.options = options
        self.folder = folder
        self.central_url = central_url
        self.rng = random.Random(options.seed)
        self.tally = Tally()
        self.kiosks: list[KioskHandle] = []
        self.proxies: dict[str, FaultProxy] = {}
        self.his_proxy: FaultProxy | None = None
        self.his: HisState | None = None
        self.disks: dict[str, bool] = {}
        self.patients: dict[str, Patient] = {}
        self._queue: list[Patient] = []
        self._queue_lock = threading.Lock()
        self._probes: list[SyntheticPerson] = []
        self.last_fault_end = 0.0
        self.seen_held: set[str] = set()
        self.faults_done = threading.Event()
        self._stop = threading.Event()
        self._scale = options.scale
        self.central = SqlStore(create_kiosk_engine(central_url))

    # -- setting up --------------------------------------------------------------------------------

    def load_patients(self, today: date) -> None:
        """The cards of every patient into central (the kiosks replicate them)."""
        total = self.options.patients + self.options.fault_free_patients
        probes = 20 + 6 * (len(self.options.faults) + self.options.extra_faults)
        crowd = population(total + probes, self.options.seed, today)
        self.central.import_cards([card_record(p) for p in crowd])
        self._probes = crowd[total:]
        for index, person in enumerate(crowd[:total]):
            self._add(f"p{index}", person)

    def _add(self, tag: str, person: SyntheticPerson, name: str | None = None) -> Patient:
        clinic = self.rng.choice(CLINICS)
        text = cccd_payload(person) if name is not None else bhyt_payload(person)
        patient = Patient(tag, person, clinic, text, name)
        self.patients[tag] = patient
        return patient

    def probe(self) -> Patient:
        """A patient the fault thread sends itself (it needs a check-in at a given moment)."""
        with self._queue_lock:
            person = self._probes.pop()
        return self._add(f"q{len(self.patients)}", person)

    def kiosk_spec(self, index: int, name: str, prefix: str, journal: Path) -> KioskSpec:
        proxy = FaultProxy(self._pg_target(), name=f"pg-{name}").start()
        self.proxies[name] = proxy
        url = make_url(self.central_url).set(host="127.0.0.1", port=proxy.port)
        assert self.his_proxy is not None
        return KioskSpec(
            name=name,
            prefix=prefix,
            central_url=url.render_as_string(hide_password=False),
            journal=journal,
            his_url=f"http://127.0.0.1:{self.his_proxy.port}/his",
            slips=self.folder / name / "slips.jsonl",
            log=self.folder / name / "kiosk.log",
            scale=self._scale,
        )

    def stop_proxies(self) -> None:
        for proxy in self.proxies.values():
            proxy.stop()

    def _pg_target(self) -> tuple[str, int]:
        url = make_url(self.central_url)
        return (url.host or "127.0.0.1", url.port or 5432)

    def start_kiosks(self, stack: ExitStack) -> None:
        for index in range(self.options.kiosks):
            name = f"K{index + 1}"
            (self.folder / name).mkdir(parents=True, exist_ok=True)
            disk = self.folder / name / "journal"
            self.disks[name] = stack.enter_context(small_disk(disk, JOURNAL_FS_BYTES))
            handle = KioskHandle(self.kiosk_spec(index, name, PREFIXES[index], disk / "j.db"))
            stack.callback(handle.stop)
            self.kiosks.append(handle)
        starters = [threading.Thread(target=k.ensure) for k in self.kiosks]
        for thread in starters:
            thread.start()
        for thread in starters:
            thread.join()
        down = [k.name for k in self.kiosks if not k.alive]
        if down:
            raise RuntimeError(f"kiosks would not start: {', '.join(down)}")

    # -- patients ----------------------------------------------------------------------------------

    def fill_queue(self, tags: list[str]) -> None:
        with self._queue_lock:
            self._queue = [self.patients[t] for t in tags]
            self.rng.shuffle(self._queue)

    def _next(self) -> Patient | None:
        with self._queue_lock:
            return self._queue.pop() if self._queue else None

    def serve(self, kiosk: KioskHandle, patient: Patient) -> Reply | None:
        """One patient at one kiosk; a kiosk that dies under them is started again and they
        scan again there (the duplicate guard gives them the number they had, if any)."""
        request: Reply = {
            "op": "override" if patient.override_name else "checkin",
            "patient": patient.tag,
            "text": patient.text,
            "clinic": patient.clinic,
        }
        if patient.override_name:
            request["name"] = patient.override_name
        for _ in range(4):
            with kiosk.lock:
                if not kiosk.ensure():
                    return None
                answer = kiosk.call(request)
            self.tally.outcome(answer)
            if answer is not None:
                return answer
        return None

    def arrivals(self, kiosk: KioskHandle) -> None:
        """One kiosk's line of patients, until the queue is empty."""
        while not self._stop.is_set():
            patient = self._next()
            if patient is None:
                return
            if kiosk.down:  # its patients walk to the next kiosk
                with self._queue_lock:
                    self._queue.append(patient)
                return
            answer = self.serve(kiosk, patient)
            if answer is not None and answer.get("checkin_id"):
                if self.rng.random() < self.options.rescan_rate:
                    self.serve(kiosk, patient)
                if self.rng.random() < self.options.cancel_rate:
                    self.cancel(kiosk, str(answer["checkin_id"]))
            with self.tally.served_changed:
                self.tally.served += 1
                self.tally.served_changed.notify_all()

    def cancel(self, kiosk: KioskHandle, checkin_id: str) -> None:
        with kiosk.lock:
            answer = kiosk.call({"op": "cancel", "checkin_id": checkin_id})
        if answer is not None and answer.get("reason") == "checkin_cancelled":
            with self.tally.lock:
                self.tally.cancelled.append(checkin_id)

    def run_phase(self, tags: list[str], with_faults: bool) -> PhaseFigures:
        """Serve ``tags`` on every kiosk (and run the fault schedule alongside)."""
        self.fill_queue(tags)
        slips_before = self.tally.slips
        with self.tally.served_changed:
            self.tally.served = 0
        started = time.monotonic()
        threads = [
            threading.Thread(target=self.arrivals, args=(k,), name=f"arrivals-{k.name}")
            for k in self.kiosks
        ]
        faulting = None
        if with_faults:
            faulting = threading.Thread(target=self.fault_schedule, args=(len(tags),))
            faulting.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.monotonic() - started
        if faulting is not None:
            faulting.join()
        return PhaseFigures(len(tags), self.tally.slips - slips_before, seconds)

    # -- faults ------------------------------------------------------------------------------------

    def schedule(self, patients: int) -> list[tuple[int, str]]:
        """Each kind of fault once and the extra ones at random, each at a random patient
        count within the first three quarters of the phase."""
        kinds = list(self.options.faults)
        kinds += [self.rng.choice(self.options.faults) for _ in range(self.options.extra_faults)]
        self.rng.shuffle(kinds)
        points = sorted(self.rng.randrange(0, max(1, patients * 3 // 4)) for _ in kinds)
        return list(zip(points, kinds, strict=True))

    def fault_schedule(self, patients: int) -> None:
        for at, kind in self.schedule(patients):
            with self.tally.served_changed:
                self.tally.served_changed.wait_for(partial(self._reached, at), timeout=120)
            started = time.monotonic()
            try:
                getattr(self, f"fault_{kind}")()
            except Exception as error:  # one fault's trouble must not end the run
                self.tally.note(f"fault {kind} failed: {type(error).__name__}: {error}")
            with self.tally.lock:
                self.tally.faults[kind] += 1
            self.tally.note(f"{kind} {time.monotonic() - started:.1f}s")
            self.last_fault_end = time.monotonic()
        self.faults_done.set()

    def _reached(self, served: int) -> bool:
        """The named moment of a fault: ``served`` patients served (or none left)."""
        return self.tally.served >= served or not self._queue

    def duration(self) -> float:
        """An outage's length: 1 to 60 s, scaled."""
        return self.rng.uniform(1.0, 60.0) * self._scale

    def pick(self, kiosks: list[KioskHandle] | None = None) -> KioskHandle:
        """A kiosk at random, a running one when there is one (starting one again would
        stretch an outage by the start-up time)."""
        chosen = kiosks or self.kiosks
        running = [k for k in chosen if k.alive and not k.down]
        return self.rng.choice(running or [k for k in chosen if not k.down] or chosen)

    def status(self, kiosk: KioskHandle) -> Reply | None:
        with kiosk.lock:
            if not kiosk.ensure():
                return None
            answer = kiosk.call({"op": "status"})
        if answer is not None:  # a kiosk that dies later (a corrupt journal) told us these
            with self.tally.lock:
                self.seen_held.update(str(i) for i in answer.get("held", []))
        return answer

    @contextmanager
    def outage(self) -> Iterator[None]:
        """Central unreachable from every kiosk until the block ends. It starts between two
        patients of each kiosk (a check-in cut mid-commit is ``outage_mid_commit``)."""
        with ExitStack() as between:
            for kiosk in self.kiosks:
                between.enter_context(kiosk.lock)
            for proxy in self.proxies.values():
                proxy.refuse(True)
        try:
            yield
        finally:
            for proxy in self.proxies.values():
                proxy.refuse(False)

    def numbered_offline(self, kiosk: KioskHandle, clinic: str | None = None) -> Reply | None:
        """A probe patient at ``kiosk`` during an outage: an offline number there."""
        patient = self.probe()
        if clinic is not None:
            patient.clinic = clinic
        answer = self.serve(kiosk, patient)
        if answer is not None and not answer.get("offline"):
            self.tally.note(f"{kiosk.name}: no offline number in an outage ({answer})")
        return answer

    def fault_outage(self) -> None:
        length = self.duration()
        started = time.monotonic()
        with self.outage():
            self.numbered_offline(self.pick())
            time.sleep(max(0.0, length - (time.monotonic() - started)))  # the outage's length

    def online(self, kiosk: KioskHandle) -> bool:
        """Wait (bounded) until ``kiosk`` is online: a fault on central's replies needs one."""

        def check() -> bool:
            answer = self.status(kiosk)
            return answer is not None and bool(answer.get("online"))

        return wait_until(check, 30 * self._scale + 10, every_s=0.1)

    def fault_outage_mid_commit(self) -> None:
        kiosk = self.pick()
        self.online(kiosk)
        proxy = self.proxies[kiosk.name]

        def outage_now() -> None:  # every proxy refuses before the kiosk can ask again
            for each in self.proxies.values():
                each.refuse(True)

        fired = proxy.lose_reply(checkin_commit, then=outage_now)
        started = time.monotonic()
        try:
            for _ in range(5):
                self.serve(kiosk, self.probe())
                if fired.is_set():
                    break
            else:
                self.tally.note(f"outage_mid_commit on {kiosk.name} never fired")
            time.sleep(max(0.0, self.duration() - (time.monotonic() - started)))  # its length
        finally:
            proxy.disarm()
            for each in self.proxies.values():
                each.refuse(False)

    def _lost(self, matcher: Callable[[bytes], bool], kind: str) -> None:
        kiosk = self.pick()
        self.online(kiosk)
        proxy = self.proxies[kiosk.name]
        fired = proxy.lose_reply(matcher)
        for _ in range(5):
            self.serve(kiosk, self.probe())
            if fired.is_set():
                return
        proxy.disarm()
        self.tally.note(f"{kind} on {kiosk.name} never fired")

    def fault_lost_reply(self) -> None:
        self._lost(checkin_commit, "lost_reply")

    def fault_lost_commit(self) -> None:
        self._lost(commit_reply, "lost_commit")

    def fault_cut(self) -> None:
        self.proxies[self.pick().name].cut()

    def fault_slow(self) -> None:
        proxy = self.proxies[self.pick().name]
        proxy.delay(0.05)
        try:
            time.sleep(self.duration() / 2)  # how long central stays slow
        finally:
            proxy.delay(0)

    def fault_sigkill(self) -> None:
        # killed at whatever it is doing; its patient's line starts it again (serve)
        kiosk = self.pick()
        kiosk.kill()
        kiosk.wait_dead()

    def fault_replay_kill(self) -> None:
        kiosk = self.pick()
        with kiosk.lock:
            kiosk.ensure()
            kiosk.call({"op": "arm", "point": "between"})
        with self.outage():
            self.numbered_offline(kiosk)
        # the kiosk replays when it finds central back, and dies at the armed point
        if not wait_until(lambda: not kiosk.alive, 120 * self._scale + 30):
            self.tally.note(f"replay_kill: {kiosk.name} never reached its fault point")
        # started again by its patient's line (serve), or by the status query at the end

    def fault_full_disk(self) -> None:
        kiosk = self.pick([k for k in self.kiosks if self.disks.get(k.name)])
        if not self.disks.get(kiosk.name):  # no tmpfs: this process may not mount
            self.tally.skipped.append("full_disk")
            return
        filler = fill_disk(kiosk.spec.journal.parent)
        try:
            for _ in range(3):
                self.serve(kiosk, self.probe())
        finally:
            filler.unlink()

    def fault_corrupt_journal(self) -> None:
        kiosk = self.pick()
        with kiosk.lock:
            # Only a journal with nothing to replay: its pending check-ins would be lost with
            # it, and that is not what this fault is about.
            ready = wait_until(
                lambda: (s := self.status(kiosk)) is not None and s.get("pending") == 0,
                30 * self._scale + 10,
            )
            if not ready:
                self.tally.note(f"corrupt_journal: {kiosk.name} kept pending check-ins")
            kiosk.kill()
            kiosk.wait_dead()
            journal = kiosk.spec.journal
            with journal.open("r+b") as data:
                data.write(b"this is not a database, it is garbage" * 4)
            for extra in (journal.with_name(journal.name + "-wal"),):
                if extra.exists():
                    extra.write_bytes(b"garbage" * 100)
            if not kiosk.ensure():
                self.tally.note(f"corrupt_journal: {kiosk.name} does not start again")

    def fault_collide(self) -> None:
        first = self.kiosks[0]
        name = f"K{len(self.kiosks) + 1}"
        (self.folder / name).mkdir(parents=True, exist_ok=True)
        spec = self.kiosk_spec(
            len(self.kiosks), name, first.spec.prefix, self.folder / name / "j.db"
        )
        twin = KioskHandle(spec)
        if not twin.ensure():
            self.tally.note(f"collide: {name} would not start")
            return
        self.kiosks.append(twin)  # in the fleet from now on (checked at the end)
        with self.outage():
            self.numbered_offline(twin, clinic="NOI")
            self.numbered_offline(first, clinic="NOI")

    def fault_bad_row(self) -> None:
        kiosk = self.pick()
        online = self.probe()
        online.override_name = bad_person(online.person).name
        online.text = cccd_payload(bad_person(online.person))
        self.serve(kiosk, online)
        with self.outage():
            offline = self.probe()
            offline.override_name = bad_person(offline.person).name
            offline.text = cccd_payload(bad_person(offline.person))
            self.serve(kiosk, offline)

    def fault_his_5xx(self) -> None:
        assert self.his is not None
        with self.his.lock:
            self.his.script.extend([503] * self.rng.randint(2, 8))

    def fault_his_timeout(self) -> None:
        assert self.his_proxy is not None
        self.his_proxy.delay(max(1.0, 10.0 * self._scale) + 0.5)  # past the kiosk's deadline
        try:
            time.sleep(self.duration())  # how long the HIS stays slow
        finally:
            self.his_proxy.delay(0)

    # -- the end -----------------------------------------------------------------------------------

    def settle(self) -> dict[str, float | None]:
        """Seconds from the end of the last fault until each kiosk was online (None: never,
        within twice the allowed time)."""
        end = self.last_fault_end or time.monotonic()
        limit = self.options.settle_s * 2 + 5
        seen: dict[str, float | None] = {k.name: None for k in self.kiosks}
        while time.monotonic() - end < limit and any(v is None for v in seen.values()):
            for kiosk in self.kiosks:
                if seen[kiosk.name] is None and not kiosk.down:
                    answer = self.status(kiosk)
                    if answer is not None and answer.get("online"):
                        seen[kiosk.name] = time.monotonic() - end
            time.sleep(0.05)
        return seen

    def drain(self, timeout_s: float) -> bool:
        """Wait until no journal has a check-in or an HIS event left to hand on."""

        def empty() -> bool:
            for kiosk in self.kiosks:
                if kiosk.down:
                    continue
                answer = self.status(kiosk)
                if answer is None or answer.get("pending") or answer.get("outbox_pending"):
                    return False
            return self.central.outbox.counts().pending == 0

        return wait_until(empty, timeout_s, every_s=0.2)

    def held(self) -> list[str]:
        """The check-ins any kiosk held for reception (now, or when last asked)."""
        for kiosk in self.kiosks:
            if not kiosk.down:
                self.status(kiosk)
        with self.tally.lock:
            return sorted(self.seen_held)

    def central_checkins(self) -> list[inv.CentralCheckIn]:
        with self.central.engine.connect() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("checkins")}
            alias = checkins.c.printed_label if "printed_label" in checkins.c else None
            wanted = [
                checkins.c.id,
                checkins.c.clinic_code,
                checkins.c.local_day,
                checkins.c.series,
                checkins.c.queue_number,
                checkins.c.bhxh_number,
                checkins.c.id_number,
                checkins.c.cancelled,
            ]
            if alias is not None and "printed_label" in columns:
                wanted.append(alias)
            rows = conn.execute(select(*wanted)).all()
        found = []
        for row in rows:
            values = row._mapping
            label = f"{row.series}-{row.queue_number}" if row.series else str(row.queue_number)
            found.append(
                inv.CentralCheckIn(
                    id=row.id,
                    clinic=row.clinic_code,
                    day=row.local_day.isoformat(),
                    label=label,
                    printed_label=values.get("printed_label"),
                    patient_keys=frozenset(k for k in (row.bhxh_number, row.id_number) if k),
                    cancelled=bool(row.cancelled),
                )
            )
        return found

    def slips(self) -> list[inv.Slip]:
        found: list[inv.Slip] = []
        for kiosk in self.kiosks:
            path = kiosk.spec.slips
            if not path.exists():
                continue
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    found.append(inv.Slip(**json.loads(line)))
        return found

    def his_events(self) -> list[inv.HisEvent]:
        assert self.his is not None
        events = []
        for body in self.his.bodies():
            if not isinstance(body, dict):
                continue
            patient = body.get("patient") or {}
            keys = (patient.get("bhxh_number"), patient.get("id_number"))
            events.append(
                inv.HisEvent(
                    event=str(body.get("event")),
                    event_id=str(body.get("event_id")),
                    checkin_id=str(body.get("checkin_id")),
                    clinic=str(body.get("clinic_code")),
                    day=str(body.get("local_day")),
                    patient_keys=frozenset(str(k) for k in keys if k),
                )
            )
        return events

    def log_lines(self) -> Iterator[tuple[str, str]]:
        for kiosk in self.kiosks:
            if kiosk.spec.log.exists():
                text = kiosk.spec.log.read_text(encoding="utf-8", errors="replace")
                for number, line in enumerate(text.splitlines(), 1):
                    yield f"{kiosk.name} log line {number}", line

    def verdicts(self, settled: dict[str, float | None], held: list[str]) -> dict[str, Any]:
        slips = self.slips()
        central = self.central_checkins()
        keys_of = {
            tag: frozenset((p.person.bhxh_number, p.person.id_number))
            for tag, p in self.patients.items()
            if p.override_name is None
        }
        one, held_n = inv.one_checkin_per_slip(slips, central, keys_of, held)
        unique = inv.labels_unique(slips)
        online = inv.online_after_faults(settled, self.options.settle_s)
        kept = [c for c in central if c.id not in set(held)]
        his = inv.his_one_event_per_visit(self.his_events(), kept, self.tally.cancelled)
        people_ = [p.person for p in self.patients.values()]
        names = [p.name for p in people_] + [
            p.override_name for p in self.patients.values() if p.override_name
        ]
        logs = inv.no_personal_data(self.log_lines(), names, [p.id_number for p in people_])
        return {
            "one_checkin_per_slip": one.as_json(),
            "labels_unique": unique.as_json(),
            "online_after_faults": online.as_json(),
            "his_one_event_per_visit": his.as_json(),
            "no_personal_data_in_logs": logs.as_json(),
            "held_slips": held_n,
        }


INVARIANTS = (
    "one_checkin_per_slip",
    "labels_unique",
    "online_after_faults",
    "his_one_event_per_visit",
    "no_personal_data_in_logs",
)


def run_fleet(options: FleetOptions, server_url: str, folder: Path | None = None) -> dict[str, Any]:
    """One whole run; the result is what the harness prints as one JSON line."""
    today = datetime.now(HOSPITAL_ZONE).date()
    begun = time.monotonic()
    with ExitStack() as stack:
        if folder is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fleet-")))
        url = stack.enter_context(fresh_database(server_url, "fleet"))
        engine = create_kiosk_engine(url)
        upgrade(engine)
        engine.dispose()
        fleet = Fleet(options, folder, url)
        stack.callback(fleet.central.dispose)
        fleet.his, his_url = stack.enter_context(his_server())
        his_port = make_url(his_url).port
        assert his_port is not None
        fleet.his_proxy = FaultProxy(("127.0.0.1", his_port), name="his").start()
        stack.callback(fleet.his_proxy.stop)
        fleet.load_patients(today)
        fleet.start_kiosks(stack)
        stack.callback(fleet.stop_proxies)
        tags = list(fleet.patients)
        free = tags[: options.fault_free_patients]
        faulted = tags[options.fault_free_patients :]
        fleet.tally.note(f"set up {time.monotonic() - begun:.1f}s")
        phases: dict[str, Any] = {}
        if free:
            phases["faults_off"] = fleet.run_phase(free, with_faults=False).as_json()
        with_faults = bool(options.faults)
        phases["faults_on" if with_faults else "run"] = fleet.run_phase(
            faulted, with_faults=with_faults
        ).as_json()
        fleet.tally.note(f"phases done {time.monotonic() - begun:.1f}s")
        settled = fleet.settle()
        # A kiosk that never came back online has already failed the run (online_after_faults)
        # and will not empty its journal: the drain then looks once, it does not wait it out.
        failed_already = any(seconds is None for seconds in settled.values())
        drained = fleet.drain(timeout_s=0 if failed_already else 60 * options.scale + 30)
        fleet.tally.note(f"drained {time.monotonic() - begun:.1f}s")
        result: dict[str, Any] = {
            "kiosks": len(fleet.kiosks),
            "patients": len(fleet.patients),
            "phases": phases,
            "faults": dict(fleet.tally.faults),
            "skipped": sorted(set(fleet.tally.skipped)),
            "outcomes": dict(fleet.tally.outcomes),
            "cancelled": len(fleet.tally.cancelled),
            "drained": drained,
            "settled_s": {k: (round(v, 2) if v is not None else None) for k, v in settled.items()},
            "kills": sum(k.kills for k in fleet.kiosks),
            "starts": sum(k.starts for k in fleet.kiosks),
            "down": [k.name for k in fleet.kiosks if k.down],
            "notes": fleet.tally.notes[-40:],
        }
        held = fleet.held()
        stopping = [threading.Thread(target=k.stop) for k in fleet.kiosks]
        for thread in stopping:
            thread.start()
        for thread in stopping:
            thread.join()
        fleet.tally.note(f"stopped {time.monotonic() - begun:.1f}s")
        result["held"] = len(held)
        result["notes"] = fleet.tally.notes[-40:]
        result["invariants"] = fleet.verdicts(settled, held)
        if "faults_off" in phases and "faults_on" in phases:
            off = phases["faults_off"]["checkins_per_s"]
            on = phases["faults_on"]["checkins_per_s"]
            result["faults_on_vs_off"] = round(on / off, 3) if off else None
        result["ok"] = all(result["invariants"][name]["ok"] for name in INVARIANTS)
        if os.environ.get("FLEET_KEEP"):
            kept = Path(os.environ["FLEET_KEEP"])
            shutil.copytree(folder, kept, dirs_exist_ok=True, ignore=_not_journals)
        return result


def _not_journals(folder: str, names: list[str]) -> list[str]:
    return [n for n in names if n.startswith("filler")]
