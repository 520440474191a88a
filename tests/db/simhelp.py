"""Helpers for the insurance tests: a simulator on 127.0.0.1, clients wired to it, checksums."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from db.cards.rows import record_from_row, row_from_record
from db.insurance.feed import FeedClient
from db.insurance.gateway import GatewayClient
from db.insurance.http import Credentials, HttpTransport, TokenCache, password_md5
from db.insurance.population import Population
from db.insurance.simulator import (
    DEFAULT_OFFICER_ID,
    DEFAULT_OFFICER_NAME,
    DEFAULT_PASSWORD,
    Faults,
    GatewayBehaviour,
    SimState,
    start_simulator,
)
from db.models import cards
from db.store import SqlStore
from db.store.card_columns import SERVER_ROW
from db.store.engine import create_kiosk_engine
from db.store.migrate import upgrade
from kiosk.model import BirthDate
from kiosk.ports import CardQuery
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


def transport(**overrides: Any) -> HttpTransport:
    settings: dict[str, Any] = {
        "connect_timeout_s": 2.0,
        "read_timeout_s": 5.0,
        "retries": 5,
        "backoff_s": 0.01,
        "max_backoff_s": 0.05,
    }
    settings.update(overrides)
    return HttpTransport(**settings)


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


def card_query(population: Population, i: int) -> CardQuery:
    """The gateway question for the simulated population's card ``i`` (its number, name and
    birth date as the card prints them)."""
    row = population.row(i)
    text = row["ngaySinh"]
    birth = (
        BirthDate(int(text))
        if len(text) == 4
        else BirthDate(int(text[6:]), int(text[3:5]), int(text[:2]))
    )
    return CardQuery(row["maThe"], row["hoTen"], birth)
