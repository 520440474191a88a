"""The fault proxy in front of the CI PostgreSQL: it forwards, refuses, cuts, and loses the
reply of a commit after the server has done the work."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.db.pg import fresh_database
from tests.fleet.proxy import FaultProxy, commit_reply


@pytest.fixture
def database(postgres_url: str) -> Iterator[str]:
    with fresh_database(postgres_url, "proxy") as url:
        yield url


def _connect(url: str, port: int) -> psycopg.Connection[tuple[object, ...]]:
    parsed = make_url(url)
    return psycopg.connect(
        host="127.0.0.1",
        port=port,
        user=parsed.username,
        dbname=parsed.database,
        connect_timeout=3,
    )


def test_a_commit_whose_reply_is_lost_is_committed(database: str) -> None:
    target = make_url(database)
    proxy = FaultProxy((target.host or "127.0.0.1", target.port or 5432)).start()
    try:
        with _connect(database, proxy.port) as conn:
            conn.execute("CREATE TABLE t (n int)")
            conn.commit()
        lost = proxy.lose_reply(commit_reply)
        conn = _connect(database, proxy.port)
        conn.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(psycopg.OperationalError):
            conn.commit()  # the client never hears that it went through
        assert lost.is_set()
        assert proxy.fired["lost_reply"] == 1
        with _connect(database, target.port or 5432) as direct:
            assert direct.execute("SELECT count(*) FROM t").fetchone() == (1,)
    finally:
        proxy.stop()


def test_an_outage_refuses_and_cuts_then_ends(database: str) -> None:
    target = make_url(database)
    proxy = FaultProxy((target.host or "127.0.0.1", target.port or 5432)).start()
    try:
        live = _connect(database, proxy.port)
        assert live.execute("SELECT 1").fetchone() == (1,)
        proxy.refuse(True)
        with pytest.raises(psycopg.OperationalError):
            live.execute("SELECT 1")  # cut
        with pytest.raises(psycopg.OperationalError):
            _connect(database, proxy.port)  # refused
        proxy.refuse(False)
        with _connect(database, proxy.port) as back:
            assert back.execute("SELECT 2").fetchone() == (2,)
    finally:
        proxy.stop()
