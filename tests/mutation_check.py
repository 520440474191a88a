"""Mutation check of the crash and retry tests: each must fail on the bug it guards against.

A test that passes with its bug present guards nothing (the sync SIGKILL test once passed with
the cursor committed before its page, because its kills landed during start-up). For each
mutant below, this copies the source tree to a temporary folder, puts the bug back into the
copy, runs the guarding test there, and requires it to FAIL. The working tree is never touched.

Run by ``tests/test_mutation_check.py`` (so ``make test`` runs it), or by hand::

    python tests/mutation_check.py [NAME ...]

It prints one line per mutant and exits 1 when a mutant survived (its test passed) or could
not be applied (the guarded code changed: update the mutant with it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_COPIED = ("kiosk", "db", "scanner", "ui", "tests", "pyproject.toml", "config.toml")


@dataclass(frozen=True)
class Mutant:
    """A deliberate bug: ``old`` replaced by ``new`` in ``path`` (and each ``(path, old, new)``
    of ``also``: a bug in two places); ``test`` must then fail."""

    name: str
    path: str
    old: str
    new: str
    test: str
    also: tuple[tuple[str, str, str], ...] = ()
    env: tuple[tuple[str, str], ...] = ()  # extra environment for the test (a narrower run)

    def edits(self) -> tuple[tuple[str, str, str], ...]:
        return ((self.path, self.old, self.new), *self.also)


# The fleet harness's short run: each of its invariants must fail on a mutant below. Each
# mutant narrows the run to the fault its bug needs (tests/fleet/test_fleet.py reads these).
FLEET = "tests/fleet/test_fleet.py::test_a_short_run_keeps_every_invariant"


def _fleet_run(faults: str, patients: int) -> tuple[tuple[str, str], ...]:
    return (("KIOSK_FLEET_FAULTS", faults), ("KIOSK_FLEET_PATIENTS", str(patients)))


_REPLAY_MARK_THEN_COMMIT = (
    "        try:\n"
    "            result = replay_checkin(central, item)\n"
    "        except RecordRefusedError as error:\n"
    "            held += 1\n"
    "            mark_held(journal, item.checkin, str(error), clock.now())\n"
    '            log.error("replay: held %s for reception: %s", named, error)\n'
    "            continue\n"
    "        except StoreError as error:\n"
    "            failed += len(items) - index\n"
    '            problems.append(f"central database: {error}")\n'
    "            break\n"
    '        _fault("between", item)\n'
    "        try:\n"
    '            handed = [str(e["event_id"]) for e in item.events]\n'
    "            mark_replayed(journal, item.checkin, result, clock.now(), handed)\n"
    "        except SQLAlchemyError as error:\n"
    "            raise StoreError(describe_error(error)) from error\n"
)
_REPLAY_COMMIT_THEN_MARK = (
    "        try:  # the journal notes the check-in before central has it\n"
    '            mark_replayed(journal, item.checkin, "replayed", clock.now())\n'
    "        except SQLAlchemyError as error:\n"
    "            raise StoreError(describe_error(error)) from error\n"
    '        _fault("between", item)\n'
    "        try:\n"
    "            result = replay_checkin(central, item)\n"
    "        except RecordRefusedError as error:\n"
    "            held += 1\n"
    "            mark_held(journal, item.checkin, str(error), clock.now())\n"
    "            continue\n"
    "        except StoreError as error:\n"
    "            failed += len(items) - index\n"
    '            problems.append(f"central database: {error}")\n'
    "            break\n"
)


MUTANTS = (
    Mutant(
        name="cursor-before-page",
        path="db/store/cards.py",
        old=("        with self._writing() as conn:\n            displaced = 0\n"),
        new=(
            "        with self._writing() as early:  # the cursor commits on its own\n"
            "            early.execute(\n"
            "                self._dialect.insert(sync_state)\n"
            "                .values(source=source, cursor=cursor)\n"
            '                .on_conflict_do_update(index_elements=["source"], '
            'set_={"cursor": cursor})\n'
            "            )\n"
            "        with self._writing() as conn:\n"
            "            displaced = 0\n"
        ),
        test="tests/db/cards/test_sync.py::test_sigkill_at_20_moments_then_exact",
    ),
    Mutant(
        name="counter-apart-from-checkin",
        path="db/store/dialect.py",
        old="                number: int = driver.execute(_SQLITE_COUNTER, key).fetchone()[0]\n",
        new=(
            "                number: int = driver.execute(_SQLITE_COUNTER, key).fetchone()[0]\n"
            '                driver.execute("COMMIT")  # the number commits on its own\n'
            '                driver.execute("BEGIN IMMEDIATE")\n'
        ),
        test=(
            "tests/db/store/test_queue_reliability.py::"
            "test_sigkill_during_allocations_leaves_no_half_checkin[sqlite]"
        ),
    ),
    Mutant(
        name="nested-retries",
        path="db/insurance/feed.py",
        old="        return self._http.retrying(partial(self._fetch_once, since, token, forms))\n",
        new=(
            "        for _ in range(self._http.retries):  # a loop around the transport's\n"
            "            try:\n"
            "                return self._http.retrying(\n"
            "                    partial(self._fetch_once, since, token, forms)\n"
            "                )\n"
            "            except TransientError:\n"
            "                pass\n"
            "        return self._http.retrying(partial(self._fetch_once, since, token, forms))\n"
        ),
        test=(
            "tests/db/insurance/test_client.py::"
            "test_a_failing_feed_page_costs_retries_plus_one_requests_each_after_a_pause"
        ),
    ),
    Mutant(
        name="mark-before-commit",
        path="db/offline/replay.py",
        old=_REPLAY_MARK_THEN_COMMIT,
        new=_REPLAY_COMMIT_THEN_MARK,
        test=(
            "tests/db/offline/test_offline_replay_kill.py::"
            "test_a_replay_killed_part_way_is_finished_exactly_by_the_next"
        ),
    ),
    Mutant(  # a kiosk numbers offline under a prefix the register gave to another kiosk
        name="prefix-guard-off",
        path="db/offline/failover.py",
        old="        self._may_number()\n        earlier = self._unsettled_attempt(draft)\n",
        new="        earlier = self._unsettled_attempt(draft)\n",
        test=(
            "tests/db/offline/test_prefix_collision.py::"
            "test_the_second_kiosk_with_a_prefix_sends_patients_to_reception_offline"
        ),
    ),
    # -- the fleet's invariants --------------------------------------------------------------
    Mutant(  # a slip whose check-in never reaches central (one check-in per slip)
        name="fleet-mark-before-commit",
        path="db/offline/replay.py",
        old=_REPLAY_MARK_THEN_COMMIT,
        new=_REPLAY_COMMIT_THEN_MARK,
        test=FLEET,
        env=_fleet_run("replay_kill", 40),
    ),
    Mutant(  # a lost reply numbered again offline: since the replay keeps a printed label as
        # central's row's alias, the fleet's invariants hold without the retry, so its guard is
        # the lost-reply test (the patient gets central's number, not a second one offline)
        name="fleet-no-lost-reply-retry",
        path="db/offline/failover.py",
        old=(
            '            log.warning("central commit of a check-in failed, retrying once: %s", '
            "error)\n"
            "            return self.central.commit_checkin(draft)\n"
        ),
        new="            raise  # no second try: the journal numbers the patient\n",
        test=(
            "tests/db/offline/test_lost_reply.py::"
            "test_a_lost_reply_after_the_commit_gives_the_committed_rows_label"
        ),
        also=(
            (
                "db/store/database.py",
                "                if not error.connection_invalidated:\n"
                "                    raise\n"
                "                return work()\n",
                "                raise  # a dead connection is not tried again\n",
            ),
        ),
    ),
    Mutant(  # every kiosk numbers offline in one series (no two slips share a label)
        name="fleet-shared-prefix",
        path="db/store/open.py",
        old=(
            "    return _migrated(engine, config, clock, True, "
            "series=config.kiosk.offline_prefix)\n"
        ),
        new='    return _migrated(engine, config, clock, True, series="A")  # one for all\n',
        # the fleet's run does not always put two kiosks offline at once in one clinic (the
        # journal's counters start above central's highest of their series): this test always
        test=(
            "tests/db/offline/test_journal_file.py::"
            "test_the_journal_numbers_in_the_kiosks_own_series"
        ),
    ),
    Mutant(  # the replay stops at a refused row (no kiosk offline while central is up)
        name="fleet-replay-stops-at-bad-row",
        path="db/offline/replay.py",
        old=(
            "            mark_held(journal, item.checkin, str(error), clock.now())\n"
            '            log.error("replay: held %s for reception: %s", named, error)\n'
            "            continue\n"
        ),
        new=(
            "            failed += len(items) - index  # the line stops at the refused row\n"
            '            problems.append(f"central database: {error}")\n'
            "            break\n"
        ),
        test=FLEET,
        env=_fleet_run("bad_row", 40),
    ),
    Mutant(  # a log line with the patient's name (no personal data in the logs)
        name="fleet-name-in-log",
        path="kiosk/checkin.py",
        old='        log.info("checked in %s: %s #%s", checkin.id, clinic.code, checkin.label)\n',
        new=(
            '        log.info("checked in %s: %s #%s %s", checkin.id, clinic.code, checkin.label,\n'
            "                 snapshot.name)\n"
        ),
        test=FLEET,
        env=_fleet_run("his_5xx", 20),  # any run: every check-in logs a line
    ),
)


@dataclass(frozen=True)
class Verdict:
    """What one mutant did: ``killed`` when its test failed, as it must."""

    mutant: Mutant
    killed: bool
    detail: str


def _copy_tree(target: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache", ".ruff_cache")
    for name in _COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignore)
        else:
            shutil.copy2(source, target / name)


def run_mutant(mutant: Mutant, timeout_s: float = 900) -> Verdict:
    """Apply ``mutant`` to a temporary copy of the tree and run its test there."""
    with tempfile.TemporaryDirectory(prefix=f"mutant-{mutant.name}-") as folder:
        tree = Path(folder)
        _copy_tree(tree)
        for where, old, new in mutant.edits():
            path = tree / where
            text = path.read_text(encoding="utf-8")
            if text.count(old) != 1:
                return Verdict(
                    mutant, False, f"cannot apply: the code to break is not once in {where}"
                )
            path.write_text(text.replace(old, new), encoding="utf-8")
        # The copy first on the path, ahead of the editable install of the real tree.
        env = {
            **os.environ,
            "PYTHONPATH": str(tree),
            "PYTHONDONTWRITEBYTECODE": "1",
            **dict(mutant.env),
        }
        try:
            result = subprocess.run(
                [sys.executable, "-m", "pytest", mutant.test, "-x", "-q", "-p", "no:cacheprovider"],
                cwd=tree,
                env=env,
                capture_output=True,
                timeout=timeout_s,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return Verdict(mutant, False, f"its test ran over {timeout_s:.0f} s")
        lines = result.stdout.decode(errors="replace").strip().splitlines()
        summary = lines[-1] if lines else "no output"
        why = next((line for line in lines if line.startswith("E ")), "")
        if why:
            summary = f"{summary}; {why[1:].strip()[:160]}"
        # exit code 1 is "tests failed"; anything else (no test collected, usage error) is not
        # evidence that the test catches the bug
        if result.returncode == 1 and " failed" in summary:
            return Verdict(mutant, True, summary)
        return Verdict(mutant, False, f"pytest exit {result.returncode}: {summary}")


def main(argv: list[str]) -> int:
    chosen = [m for m in MUTANTS if not argv or m.name in argv]
    survived = 0
    for mutant in chosen:
        verdict = run_mutant(mutant)
        word = "killed" if verdict.killed else "SURVIVED"
        print(f"{mutant.name}: {word} ({verdict.detail})", flush=True)
        survived += not verdict.killed
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
