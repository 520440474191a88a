"""The fleet survives its own faults: a short run of the harness (tests/fleet/fleet.py).

Four kiosk processes on one throw-away PostgreSQL database, about 200 patients, each kind of
fault at least once, the product's times scaled down; every invariant must hold. The mutants
in tests/mutation_check.py break each invariant on purpose and require this run to fail.

The faults that need the journal's alias of a printed label, its rebuild at start-up and the
kiosk register's prefix check (:data:`NEEDS_REGISTER_AND_ALIAS`: an outage that starts as
central commits, a corrupt journal, a kiosk started with another's prefix) have a run of their
own.

The mutation check narrows the short run to the faults its bug needs (``KIOSK_FLEET_FAULTS``, a
comma list, and ``KIOSK_FLEET_PATIENTS``): the same run and the same invariants, in seconds
instead of half a minute.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.fleet.fleet import (
    INVARIANTS,
    NEEDS_REGISTER_AND_ALIAS,
    SURVIVED,
    FleetOptions,
    run_fleet,
)


def _broken(result: dict[str, object]) -> list[str]:
    verdicts = result["invariants"]
    assert isinstance(verdicts, dict)
    return [f"{name}: {verdicts[name]['first']}" for name in INVARIANTS if not verdicts[name]["ok"]]


def _check(result: dict[str, object], faults: tuple[str, ...]) -> None:
    print(json.dumps(result, ensure_ascii=False))  # the one JSON line, shown on failure
    fired = result["faults"]
    assert isinstance(fired, dict)
    skipped = result["skipped"]
    assert isinstance(skipped, list)
    missing = [f for f in faults if not fired.get(f) and f not in skipped]
    assert not missing, f"faults never injected: {missing}"
    assert not _broken(result), "; ".join(_broken(result))
    assert result["drained"], "the journals and outboxes never emptied"


def _short_run() -> FleetOptions:
    """The short run: every fault the product survives on 200 patients, or the narrower run a
    mutant asks for in the environment."""
    named = os.environ.get("KIOSK_FLEET_FAULTS", "")
    faults = tuple(f for f in named.split(",") if f) or SURVIVED
    unknown = [f for f in faults if f not in SURVIVED]
    assert not unknown, f"KIOSK_FLEET_FAULTS names faults the short run does not have: {unknown}"
    patients = int(os.environ.get("KIOSK_FLEET_PATIENTS", "200"))
    return FleetOptions(patients=patients, faults=faults, seed=25)


@pytest.mark.slow
def test_a_short_run_keeps_every_invariant(postgres_url: str, tmp_path: Path) -> None:
    options = _short_run()
    result = run_fleet(options, postgres_url, tmp_path)
    _check(result, options.faults)
    slips = result["phases"]
    assert isinstance(slips, dict)
    most = options.patients * 3 // 4
    assert slips["faults_on"]["slips"] >= most, "most patients must leave with a slip"


@pytest.mark.slow
def test_a_lost_reply_in_an_outage_a_corrupt_journal_and_a_shared_prefix(
    postgres_url: str, tmp_path: Path
) -> None:
    options = FleetOptions(patients=80, faults=NEEDS_REGISTER_AND_ALIAS, seed=26)
    result = run_fleet(options, postgres_url, tmp_path)
    _check(result, NEEDS_REGISTER_AND_ALIAS)
