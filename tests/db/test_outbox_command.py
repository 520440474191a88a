"""``kiosk-admin outbox status|deliver|retry`` end to end, against a stand-in HIS on loopback."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from db.models import outbox
from db.store import SqlStore
from db.store.engine import create_kiosk_engine
from db.store.migrate import upgrade
from tests.builders import ZONE, draft
from tests.db.his_server import his_server

RunCli = Callable[..., subprocess.CompletedProcess[bytes]]


def _counts(result: subprocess.CompletedProcess[bytes]) -> dict[str, int]:
    assert result.returncode == 0, result.stderr.decode()
    data: dict[str, int] = json.loads(result.stdout.decode().strip().splitlines()[-1])
    return data


def test_status_deliver_dead_letter_and_retry(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "kiosk.db"
    engine = create_kiosk_engine(f"sqlite:///{path}")
    upgrade(engine)
    store = SqlStore(engine, zone=ZONE, outbox=True)
    made = store.commit_checkin(draft("k1", n=1))
    store.commit_checkin(draft("k2", n=2))
    with engine.connect() as conn:
        first_id = conn.execute(select(outbox.c.id).order_by(outbox.c.id)).scalars().first()
    store.dispose()
    with his_server(script=[500]) as (his, url):
        env = {
            "KIOSK_DATABASE_URL": f"sqlite:///{path}",
            "KIOSK_HIS_KIND": "webhook",
            "KIOSK_HIS_URL": url,
            "KIOSK_HIS_ALLOW_HTTP": "true",
            "KIOSK_HIS_MAX_ATTEMPTS": "1",
        }
        before = _counts(run_cli(["outbox", "status", "--json"], env=env))
        assert before == {"pending": 2, "delivered": 0, "failed": 0, "needs_identity": 0}
        after = _counts(run_cli(["outbox", "deliver", "--json"], env=env))
        assert after == {"pending": 0, "delivered": 1, "failed": 1, "needs_identity": 0}
        listing = run_cli(["outbox", "status"], env=env)
        assert f"failed #{first_id} checkin {made.id} after 1 tries: HTTP 500".encode() in (
            listing.stdout
        )
        missing = run_cli(["outbox", "retry", "999"], env=env)
        assert missing.returncode == 1
        assert b"no failed or needs_identity event 999" in missing.stderr
        assert run_cli(["outbox", "retry", str(first_id)], env=env).returncode == 0
        done = _counts(run_cli(["outbox", "deliver", "--json"], env=env))
    assert done == {"pending": 0, "delivered": 2, "failed": 0, "needs_identity": 0}
    assert [r.body["checkin_id"] for r in his.received].count(made.id) == 2


def test_deliver_without_a_his_is_a_usage_error(run_cli: RunCli, tmp_path: Path) -> None:
    env = {"KIOSK_DATABASE_URL": f"sqlite:///{tmp_path / 'k.db'}"}
    assert _counts(run_cli(["outbox", "status", "--json"], env=env)) == {
        "pending": 0,
        "delivered": 0,
        "failed": 0,
        "needs_identity": 0,
    }
    result = run_cli(["outbox", "deliver"], env=env)
    assert result.returncode == 2
    assert b"his.kind is none" in result.stderr
