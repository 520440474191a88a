"""requirements.lock, which ``make setup`` installs from, pins every dependency with hashes."""

from __future__ import annotations

import re
from pathlib import Path

from tests.lock_check import declared, missing, pinned

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"


def test_the_lock_pins_every_declared_dependency() -> None:
    # a dependency added to pyproject.toml without `make lock` fails here (and in make setup)
    assert missing(LOCK, ROOT / "pyproject.toml") == []
    assert {"pyside6-essentials", "sqlalchemy", "pytest", "hatchling"} <= pinned(LOCK)


def test_every_pin_carries_a_hash() -> None:
    text = LOCK.read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
    pins = [b for b in blocks if "==" in b.split("\n", 1)[0]]
    assert len(pins) >= 30
    assert all("--hash=sha256:" in block for block in pins)


def test_a_dependency_missing_from_the_lock_is_named(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[build-system]\nrequires = ["hatchling>=1.21"]\n'
        '[project]\nname = "x"\ndependencies = ["SQLAlchemy>=2", "not.in_any.lock>=7"]\n'
        '[project.optional-dependencies]\ndev = ["pytest_qt>=4"]\n',
        encoding="utf-8",
    )
    assert declared(pyproject) == {"hatchling", "sqlalchemy", "not-in-any-lock", "pytest-qt"}
    assert missing(LOCK, pyproject) == ["not-in-any-lock"]
