"""A kiosk-web site for tests: the shipped config on a private database, tone prompts for the
voice, and the app served by a real uvicorn on a free 127.0.0.1 port (in a thread, or in a
child process that a test can kill like a crashed server)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import uvicorn

from db.store import SqlStore
from db.store.calling import CallingStore, calling_store
from db.store.engine import create_kiosk_engine
from db.store.migrate import upgrade
from kiosk.checkin import CheckInService
from kiosk.clock import Clock
from kiosk.config import Config, load_config
from kiosk.model import CheckIn
from kiosk.ports import StaffAccount
from kiosk.staff_auth import hash_pin
from kiosk.voice import RATE, to_wav
from kiosk.voice_prompts import scripts
from tests.builders import MORNING, card, draft, patient
from tests.db.pg import fresh_database
from ui.web.app import create_app

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = Path("/usr/bin/chromium")
SECRET = b"test-secret-of-32-bytes-at-least"
PIN = "246813"


def tone_prompts(folder: Path) -> Path:
    """Every prompt part as a 0.1 s tone (the real ones need espeak-ng)."""
    t = np.arange(int(RATE * 0.1)) / RATE
    wav = to_wav(np.sin(2 * np.pi * 440 * t).astype(np.float32) * 0.3)
    for name in scripts():
        path = folder / f"{name}.wav"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(wav)
    return folder


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Site:
    """A configured kiosk-web site and its database."""

    config: Config
    store: SqlStore
    env: dict[str, str]
    folder: Path

    @property
    def calls(self) -> CallingStore:
        return calling_store(self.store)

    def check_in(self, n: int, clinic: str = "NOI", **patient_changes: object) -> CheckIn:
        return self.store.commit_checkin(
            draft(
                key=f"web-{clinic}-{n}",
                n=n,
                clinic=clinic,
                day=self.today(),
                patient=patient(card(n), **patient_changes),
                created_at=MORNING + timedelta(seconds=n),
            )
        )

    def today(self) -> date:
        from kiosk.clock import SystemClock

        return SystemClock().now().astimezone(self.config.kiosk.zone).date()

    def add_staff(self, name: str = "Lan", code: str = "201", role: str = "staff") -> None:
        self.store.add_staff(StaffAccount(name, role, hash_pin(PIN), code=code))


def make_site(folder: Path, database_url: str | None = None) -> Site:
    """The shipped config.toml on a private SQLite file (or ``database_url``)."""
    url = database_url or f"sqlite:///{folder / 'kiosk.db'}"
    env = {
        "KIOSK_DATABASE_URL": url,
        "KIOSK_KIOSK_DATA_DIR": str(folder / "data"),
        "KIOSK_KIOSK_OFFLINE_PREFIX": "A",
        "KIOSK_AUDIO_PROMPTS_DIR": str(tone_prompts(folder / "voice")),
        "KIOSK_PRINTER_OUTPUT_DIR": str(folder / "slips"),
        "KIOSK_INSURANCE_GATEWAY_URL": "",
        "KIOSK_WEB_SECRET": SECRET.decode(),
    }
    config = load_config(ROOT / "config.toml", env=env)
    engine = create_kiosk_engine(config.database.url)
    upgrade(engine)
    return Site(config, SqlStore(engine, zone=config.kiosk.zone), env, folder)


@contextmanager
def opened_site(folder: Path, database_url: str | None = None) -> Iterator[Site]:
    """:func:`make_site`, its store disposed of at the end."""
    made = make_site(folder, database_url)
    try:
        yield made
    finally:
        made.store.dispose()


@contextmanager
def postgres_site(folder: Path) -> Iterator[Site]:
    """A site on a fresh database of the CI PostgreSQL (the test skipped without one)."""
    server = os.environ.get("KIOSK_TEST_DATABASE_URL")
    if not server:
        pytest.skip("KIOSK_TEST_DATABASE_URL is not set: no PostgreSQL server to test against")
    with fresh_database(server) as url, opened_site(folder, url) as made:
        yield made


needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: apt-get install chromium"
)


@contextmanager
def chromium(*args: str) -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (nothing is downloaded), started with
    the command-line switches ``args``; closed at the end."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=list(args))
        try:
            yield launched
        finally:
            launched.close()


@contextmanager
def browser_page(browser: Any, width: int, height: int) -> Iterator[Any]:
    """A page of ``width`` × ``height`` in a browser context of its own (its own cookies)."""
    context = browser.new_context(viewport={"width": width, "height": height})
    made = context.new_page()
    try:
        yield made
    finally:
        context.close()


@contextmanager
def served(
    site: Site,
    port: int | None = None,
    *,
    config: Config | None = None,
    secret: bytes = SECRET,
    clock: Clock | None = None,
    desk: CheckInService | None = None,
) -> Iterator[str]:
    """The app (on ``config``, default the site's) on a real uvicorn in a thread; yields its
    base URL."""
    port = port or free_port()
    app = create_app(config or site.config, site.store, secret, clock=clock, desk=desk)
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=1
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def start_process(site: Site, port: int) -> subprocess.Popen[bytes]:
    """``kiosk-web`` as a child process on ``port`` (killed by the caller); its log goes to
    ``kiosk-web.log`` in the site's folder."""
    env = {**os.environ, **site.env, "PYTHONPATH": str(ROOT)}
    log = site.folder / "kiosk-web.log"
    command = [sys.executable, "-m", "ui.web.main", "--config", str(ROOT / "config.toml")]
    with log.open("ab") as out:
        child = subprocess.Popen(
            [*command, "--port", str(port)],
            env=env,
            cwd=site.folder,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as reply:
                if reply.status == 200:
                    return child
        except OSError:
            pass
        if child.poll() is not None or time.monotonic() > deadline:
            child.kill()
            child.wait()
            raise RuntimeError(f"kiosk-web did not start: {log.read_text(errors='replace')}")
        time.sleep(0.1)
