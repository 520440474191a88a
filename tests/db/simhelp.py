"""Helpers for the insurance tests: a simulator on 127.0.0.1, clients wired to it, checksums."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from db.card_rows import SERVER_ROW, record_from_row, row_from_record
from db.engine import create_kiosk_engine
from db.insurance_client import (
    Credentials,
    FeedClient,
    GatewayClient,
    HttpTransport,
    TokenCache,
    password_md5,
)
from db.insurance_sim import (
    DEFAULT_OFFICER_ID,
    DEFAULT_OFFICER_NAME,
    DEFAULT_PASSWORD,
    Faults,
    GatewayBehaviour,
    SimState,
    start_simulator,
)
from db.migrate import upgrade
from db.models import cards
from db.sim_population import Population
from db.store import SqlStore
from tests.fakes import FakeClock

CREDENTIALS = Credentials(
    "79024_BV",
    password_md5(DEFAULT_PASSWORD, uppercase=True),  # the simulator's default, as the guidance
    DEFAULT_OFFICER_NAME,
    DEFAULT_OFFICER_ID,
)


@contextmanager
def simulator(
    cards_n: int = 1000,
    seed: int = 0,
    faults: Faults | None = None,
    changes: int = 0,
    behaviour: GatewayBehaviour | None = None,
) -> Iterator[tuple[SimState, str]]:
    population = Population(cards_n, seed)
    population.add_changes(changes)
    state = SimState(population, faults or Faults(), behaviour=behaviour or GatewayBehaviour())
    server, url = start_simulator(state=state)
    try:
        yield state, url
    finally:
        server.shutdown()
        server.server_close()


def transport(**overrides: object) -> HttpTransport:
    settings: dict[str, object] = {
        "connect_timeout_s": 2.0,
        "read_timeout_s": 5.0,
        "retries": 5,
        "backoff_s": 0.01,
        "max_backoff_s": 0.05,
    }
    settings.update(overrides)
    return HttpTransport(**settings)  # type: ignore[arg-type]


def feed_client(
    url: str, page_size: int = 500, clock: FakeClock | None = None, **overrides: object
) -> FeedClient:
    http = transport(**overrides)
    clock = clock or FakeClock(datetime.now(UTC))
    return FeedClient(http, TokenCache(http, url, CREDENTIALS, clock), url, page_size)


def gateway_client(
    url: str,
    credentials: Credentials = CREDENTIALS,
    *,
    token_body: str = "form",
    clock: FakeClock | None = None,
    **overrides: object,
) -> GatewayClient:
    http = transport(**overrides)
    tokens = TokenCache(
        http, url, credentials, clock or FakeClock(datetime.now(UTC)), body=token_body
    )
    return GatewayClient(http, tokens, url, credentials)


def sqlite_store(tmp_path: Path, name: str = "kiosk.db") -> SqlStore:
    engine = create_kiosk_engine(f"sqlite:///{tmp_path / name}")
    upgrade(engine)
    return SqlStore(engine)


def _digest(rows: Iterable[dict[str, str]]) -> tuple[int, str]:
    lines = sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in rows)
    return len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest()


def source_checksum(population: Population) -> tuple[int, str]:
    """(count, sha256) over every card the source holds now, in the canonical row form."""
    return _digest(row_from_record(record_from_row(r, "feed")) for r in population.final_rows())


def cache_checksum(store: SqlStore) -> tuple[int, str]:
    """The same checksum over every card in the cache."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(cards)).all()
    return _digest(row_from_record(SERVER_ROW.decode(row)) for row in rows)


ENDLESS_PAGES = 200


class HostileFeed(ThreadingHTTPServer):
    """A card feed on 127.0.0.1 that misbehaves in one way, for the sync's self-limits.

    ``mode``: ``stuck`` (always more to come, always the same cursor), ``endless`` (more, each
    cursor one further, for :data:`ENDLESS_PAGES` pages: far more than a test's limits),
    ``error`` (every page HTTP 503), ``not_json`` (every page a 200 whose body is not JSON).
    Tokens are always given. ``pages`` counts page requests.
    """

    daemon_threads = True

    def __init__(self, mode: str) -> None:
        super().__init__(("127.0.0.1", 0), _HostileHandler)
        self.mode = mode
        self.pages = 0
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _HostileHandler(BaseHTTPRequestHandler):
    server: HostileFeed

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        expires = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        key = {"access_token": "t", "id_token": "i", "expires_in": expires}
        self._reply(200, json.dumps({"maKetQua": "200", "APIKey": key}).encode())

    def do_GET(self) -> None:
        feed = self.server
        with feed.lock:
            feed.pages += 1
        since = parse_qs(urlsplit(self.path).query).get("since", ["0"])[0] or "0"
        if feed.mode == "error":
            self._reply(503, b'{"error": "unavailable"}')
            return
        if feed.mode == "not_json":
            self._reply(200, b"<html>proxy error</html>")
            return
        following = "7" if feed.mode == "stuck" else str(int(since) + 1)
        number = f"{int(following) % 10**10:010d}"
        card = {"maThe": f"HS479{number}", "maSoBHXH": number, "hoTen": "Lê Thị Thử"}
        # "endless" ends after 200 pages all the same, so a sync without limits ends too
        more = feed.mode == "stuck" or int(following) < ENDLESS_PAGES
        page = {"cards": [card], "next_cursor": following, "has_more": more}
        self._reply(200, json.dumps(page).encode())


@contextmanager
def hostile_feed(mode: str) -> Iterator[HostileFeed]:
    """A :class:`HostileFeed` serving on a thread for the duration of the block."""
    server = HostileFeed(mode)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
