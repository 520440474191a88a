"""``kiosk-admin kiosks``: the register listed (text and JSON), and ``kiosks forget ID``
freeing a retired kiosk's prefix, audited; an unknown id is a clear error (exit 2)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from subprocess import CompletedProcess

from db.store import SqlStore
from db.store.register import register_store

RunCli = Callable[..., CompletedProcess[bytes]]
HOLD = timedelta(days=30)


def test_list_and_forget(store: SqlStore, run_cli: RunCli) -> None:
    register = register_store(store)
    register.claim("KIOSK-01", "A", "1.0", hold=HOLD)
    register.claim("KIOSK-02", "A", "1.1", hold=HOLD)
    env = {
        "KIOSK_DATABASE_URL": store.engine.url.render_as_string(hide_password=False),
        "KIOSK_KIOSK_OFFLINE_PREFIX": "Z",
    }
    listed = run_cli(["kiosks"], env=env)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.decode().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("KIOSK-01")
    assert "PREFIX HELD BY KIOSK-01" in lines[1]
    printed = run_cli(["kiosks", "--json"], env=env).stdout.decode().splitlines()
    as_json = [json.loads(line) for line in printed]
    assert [(k["kiosk_id"], k["held_by"]) for k in as_json] == [
        ("KIOSK-01", None),
        ("KIOSK-02", "KIOSK-01"),
    ]
    assert all(k["seen_min_ago"] == 0 for k in as_json)

    forgot = run_cli(["kiosks", "forget", "KIOSK-01"], env=env)
    assert forgot.returncode == 0, forgot.stderr
    assert b"prefix A freed" in forgot.stdout
    assert register.entry("KIOSK-01") is None
    assert register.claim("KIOSK-02", "A", "1.1", hold=HOLD).held_by is None
    assert ("kiosk_forget", "KIOSK-01") in [
        (row["action"], row["target"]) for row in store.audit_entries()
    ]
    unknown = run_cli(["kiosks", "forget", "KIOSK-01"], env=env)
    assert unknown.returncode == 2
    assert b"no kiosk 'KIOSK-01' in the register" in unknown.stderr
