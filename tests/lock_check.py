"""Whether requirements.lock pins every dependency pyproject.toml names (runtime and extras).

``make setup`` runs it before installing from the lock: a dependency added to pyproject.toml
without ``make lock`` would otherwise be missing from a kiosk, or found only at import time.

    python tests/lock_check.py requirements.lock pyproject.toml

Standard library only: it runs before anything is installed. Exit 0 when in step, 1 with the
missing names on standard error otherwise.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_PINNED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==", re.MULTILINE)


def normalise(name: str) -> str:
    """A distribution name as the package index compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(pyproject: Path) -> set[str]:
    """The names of every dependency of the project, its optional ones and its build backend."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    project = data.get("project", {})
    texts = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        texts.extend(extra)
    texts.extend(data.get("build-system", {}).get("requires", []))
    names = set()
    for text in texts:
        found = _NAME.match(text)
        if found:
            names.add(normalise(found.group(1)))
    return names


def pinned(lock: Path) -> set[str]:
    """The names pinned with ``==`` in a requirements file."""
    return {normalise(name) for name in _PINNED.findall(lock.read_text(encoding="utf-8"))}


def missing(lock: Path, pyproject: Path) -> list[str]:
    """Dependencies of ``pyproject`` that ``lock`` does not pin, sorted."""
    return sorted(declared(pyproject) - pinned(lock))


def main(argv: list[str]) -> int:
    lock, pyproject = (Path(a) for a in argv[1:3])
    if not lock.exists():
        print(f"{lock} is missing", file=sys.stderr)
        return 1
    gone = missing(lock, pyproject)
    if gone:
        print(f"{lock} does not pin: {', '.join(gone)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
