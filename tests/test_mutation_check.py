"""The crash and retry tests fail on the bugs they guard against (see tests/mutation_check.py)."""

from __future__ import annotations

import pytest

from tests.mutation_check import MUTANTS, Mutant, run_mutant


@pytest.mark.slow
@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_the_guarding_test_fails_on_its_mutant(mutant: Mutant) -> None:
    verdict = run_mutant(mutant)
    assert verdict.killed, f"{mutant.test} passed with the bug {mutant.name}: {verdict.detail}"
