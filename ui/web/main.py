"""``kiosk-web [--config PATH] [--host 127.0.0.1] [--port 8080]``: the board and room pages.

The composition root of the web pages: it loads the configuration, opens (and migrates) the
central database the kiosks use, and serves :func:`ui.web.app.create_app` with uvicorn. It
binds 127.0.0.1 unless told otherwise: put it behind the hospital's reverse proxy with TLS
(docs/operations.md). Exit codes: 0 stopped, 1 the database failed, 2 bad usage or config.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import uvicorn

from db.store import SqlStore
from db.store.calling import calling_store
from db.store.open import open_store
from db.wiring import build_service
from kiosk import __version__
from kiosk.clock import SystemClock, local_day
from kiosk.config import CONFIG_SEARCH, Config
from kiosk.ports import StoreError
from ui.start_config import start_config
from ui.web.app import create_app
from ui.web.desk import DESK_ID, desk_printer
from ui.web.sessions import server_secret


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk-web",
        description="The waiting-room board (/board?rooms=101,102) and the room pages "
        "(/room/101), the reception desk (/desk) and the fleet (/fleet), served from the kiosks' "
        "central database.",
    )
    parser.add_argument("--version", action="version", version=f"kiosk-web {__version__}")
    parser.add_argument(
        "--config", type=Path, default=None, help=f"config file (default: {CONFIG_SEARCH})"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port to bind (8080)")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="serve the kiosk demo's database (run beside `kiosk --demo`); each room calls "
        "the next patient every 20 s",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``kiosk-web``."""
    os.umask(0o077)  # the session secret's file is the owner's only
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    config = start_config(args.config, demo=args.demo, program="kiosk-web")
    if config is None:
        return 2
    try:
        store = open_store(config)
    except StoreError as error:
        print(f"kiosk-web: database unavailable: {error}", file=sys.stderr)
        return 1
    secret = server_secret(config.queue.web_secret_env, config.kiosk.data_dir)
    clock = SystemClock()
    # the reception desk's check-in use case, wired as a kiosk's, printing on the desk's printer
    printer = desk_printer(config.staff.desk_printer, config.printer)
    # the desk's check-ins and look-ups are its own, not a kiosk's (the report counts them apart)
    desk_config = replace(config, kiosk=replace(config.kiosk, id=DESK_ID))
    try:
        desk = build_service(desk_config, clock, printer=printer)
    except StoreError as error:
        print(f"kiosk-web: database unavailable: {error}", file=sys.stderr)
        store.dispose()
        return 1
    app = create_app(config, store, secret, clock=clock, desk=desk.service)
    if args.demo:
        _demo_rooms(config, store)
    try:
        # access lines carry room codes and paths only; proxy headers give the client's scheme
        uvicorn.run(app, host=args.host, port=args.port, proxy_headers=True, log_level="info")
    finally:
        desk.dispose()
        store.dispose()
    return 0


def _demo_rooms(config: Config, store: SqlStore, every_s: float = 20.0) -> None:
    """The demo's rooms: each calls its next patient every ``every_s`` seconds (a thread)."""
    calls = calling_store(store)
    clock = SystemClock()
    rooms = [(room, clinic.code) for clinic in config.clinics for room in clinic.call_rooms()]

    def run() -> None:
        while True:
            for room, clinic in rooms:
                try:
                    calls.call_next(room, clinic, local_day(clock, config.kiosk.zone), 2)
                except StoreError as error:
                    logging.getLogger(__name__).warning("demo call: %s", error)
                time.sleep(every_s / max(len(rooms), 1))

    threading.Thread(target=run, name="demo-rooms", daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
