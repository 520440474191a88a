"""The dependency rules of docs/architecture.md, checked on the real import graph."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_core_packages_load_no_qt() -> None:
    code = (
        "import sys, importlib, pkgutil\n"
        "for top in ('kiosk', 'scanner', 'db'):\n"
        "    pkg = importlib.import_module(top)\n"
        "    for info in pkgutil.walk_packages(pkg.__path__, top + '.'):\n"
        "        if '.migrations' in info.name:\n"
        "            continue\n"
        "        importlib.import_module(info.name)\n"
        "qt = sorted(m for m in sys.modules if m.startswith('PySide6'))\n"
        "print(','.join(qt))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"PySide6 loaded by the core: {result.stdout}"


@pytest.mark.parametrize("path", sorted((ROOT / "kiosk").rglob("*.py")), ids=str)
def test_kiosk_imports_none_of_the_other_packages(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            top = name.split(".")[0]
            assert top not in ("ui", "scanner", "db", "PySide6"), f"{path} imports {name}"


@pytest.mark.parametrize("package", ["kiosk", "scanner", "db"])
def test_no_qt_import_statement_outside_ui(package: str) -> None:
    for path in (ROOT / package).rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "PySide6" not in text, f"{path} mentions PySide6"


# -- db/: its rooms, and SQL only in the store ---------------------------------------------------
# (docs/architecture.md, "The rooms" and "Storage")

DB_LOOSE_MODULES = {"__init__", "cli", "errors", "models", "tally", "wiring"}
DB_ROOMS = {"cards", "commands", "his", "insurance", "migrations", "offline", "report", "store"}
PRODUCT = ("kiosk", "scanner", "db", "ui", "tools")
# Where SQL may be written: the store (queries, dialect) and the migrations (DDL, data moves).
SQL_HOMES = (ROOT / "db" / "store", ROOT / "db" / "migrations")
# SQL text, in capitals as SQL is written here (prose says "select a clinic", never "SELECT").
SQL_TEXT = re.compile(r"\bSELECT\b|\bINSERT\s+INTO\b|\bDELETE\s+FROM\b|\bUPDATE\s+\w+\s+SET\b")
# Calls that run SQL on a connection (SQLAlchemy's and the bare drivers').
SQL_CALLS = {"execute", "executemany", "executescript", "exec_driver_sql", "scalar", "scalars"}
# What sqlalchemy may give code outside the store: its errors (sqlalchemy.exc, any name), and
# the Engine type (db/report/figures.py and db/cli pass an engine on to the store). The schema
# itself (db/models.py: Table, Column, types) is the store's vocabulary, read by everyone.
SQLALCHEMY_OUTSIDE = {"Engine"}


def _outside_sql_homes() -> list[Path]:
    found = []
    for top in PRODUCT:
        for path in sorted((ROOT / top).rglob("*.py")):
            if not any(path.is_relative_to(home) for home in SQL_HOMES):
                found.append(path)
    return found


def test_db_holds_only_its_rooms_and_the_listed_modules() -> None:
    db = ROOT / "db"
    modules = {p.stem for p in db.glob("*.py")}
    assert modules == DB_LOOSE_MODULES, (
        f"loose modules in db/: {sorted(modules - DB_LOOSE_MODULES)}"
    )
    folders = {p.name for p in db.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders == DB_ROOMS, f"db/ folders: {sorted(folders ^ DB_ROOMS)}"
    for room in DB_ROOMS - {"migrations"}:
        assert (db / room / "__init__.py").is_file(), f"db/{room} is not a package"


def _strings(tree: ast.AST) -> list[tuple[int, str]]:
    """Every string literal in ``tree``: (line, text)."""
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


@pytest.mark.parametrize("path", _outside_sql_homes(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_sql_outside_the_store(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = path.relative_to(ROOT)
    for line, text in _strings(tree):
        found = SQL_TEXT.search(text)
        assert found is None, f"{where}:{line}: SQL text {found.group(0)!r}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            assert node.func.attr not in SQL_CALLS, (
                f"{where}:{node.lineno}: .{node.func.attr}(...) runs SQL outside db/store/"
            )
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "sqlalchemy" and path != ROOT / "db" / "models.py":
                names = {alias.name for alias in node.names} - SQLALCHEMY_OUTSIDE
                assert not names, f"{where}:{node.lineno}: imports {sorted(names)} from sqlalchemy"
            assert not node.module.startswith(("sqlalchemy.dialects", "sqlalchemy.sql")), (
                f"{where}:{node.lineno}: imports {node.module}"
            )
        if isinstance(node, ast.Import):
            for alias in node.names:
                assert alias.name not in ("sqlalchemy", "sqlite3", "psycopg") or (
                    alias.name == "sqlite3" and path == ROOT / "db" / "errors.py"
                ), f"{where}:{node.lineno}: imports {alias.name}"


def test_the_sql_rule_catches_sql() -> None:
    # The rule above must see each form it forbids (a broken rule would pass everything).
    samples = [
        '"SELECT count(*) FROM cards"',
        '"INSERT INTO cards VALUES (1)"',
        '"DELETE FROM outbox"',
        '"UPDATE checkins SET flag = 1"',
    ]
    for sample in samples:
        ((_, text),) = _strings(ast.parse(sample))
        assert SQL_TEXT.search(text), sample
    assert SQL_TEXT.search("select a clinic, then update the slip") is None


# --- no import cycle among our modules ---------------------------------------------------

OUR_PACKAGES = ("kiosk", "scanner", "db", "ui", "tools")


def _our_modules(root: Path, packages: Sequence[str]) -> dict[str, Path]:
    """Every module of ``packages`` under ``root`` by its dotted name (a package by its
    ``__init__.py``)."""
    modules: dict[str, Path] = {}
    for top in packages:
        for path in (root / top).rglob("*.py"):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """The module of ours ``name`` loads: itself, or its longest prefix that is one of ours."""
    parts = name.split(".")
    while parts:
        if ".".join(parts) in modules:
            return ".".join(parts)
        parts.pop()
    return None


def _imports_of(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of ours that ``module`` imports anywhere in its text: at module level, in a
    function, under ``TYPE_CHECKING`` (a cycle there is still a cycle for a reader and for
    mypy). ``from x import y`` is the module ``x.y`` when that is a submodule, else ``x``."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(filter(None, (_known(alias.name, modules) for alias in node.names)))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                target = _known(f"{base}.{alias.name}", modules) or _known(base, modules)
                if target is not None:
                    targets.add(target)
    targets.discard(module)
    return targets


def import_graph(root: Path = ROOT, packages: Sequence[str] = OUR_PACKAGES) -> dict[str, set[str]]:
    """Our modules and, for each, the modules of ours it imports."""
    modules = _our_modules(root, packages)
    return {name: _imports_of(name, path, modules) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle in ``graph`` as the modules along it (the first repeated at the end),
    or None: a depth-first search that meets a module still on its path has closed a loop."""
    done: set[str] = set()
    for start in sorted(graph):
        if start in done:
            continue
        path = [start]
        stack = [iter(sorted(graph[start]))]
        while stack:
            following = next(stack[-1], None)
            if following is None:
                stack.pop()
                done.add(path.pop())
            elif following in path:
                return [*path[path.index(following) :], following]
            elif following not in done:
                path.append(following)
                stack.append(iter(sorted(graph.get(following, ()))))
    return None


def test_find_cycle_names_a_loop_and_passes_a_tree() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set(), "d": {"a", "c"}}) is None


def test_import_graph_sees_every_kind_of_import(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/sub/__init__.py": "",
        "pkg/sub/leaf.py": "import os\n",
        "pkg/top.py": "from pkg.sub import leaf\n",
        "pkg/lazy.py": "def f():\n    import pkg.sub.leaf.missing\n",
        "pkg/typed.py": "import typing\nif typing.TYPE_CHECKING:\n    from pkg import top\n",
        "pkg/sub/relative.py": "from . import leaf\nfrom ..top import anything\n",
        "pkg/package.py": "from pkg.sub import not_a_module\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    graph = import_graph(tmp_path, ["pkg"])
    assert graph["pkg.top"] == {"pkg.sub.leaf"}  # the submodule, not its package
    assert graph["pkg.lazy"] == {"pkg.sub.leaf"}  # in a function
    assert graph["pkg.typed"] == {"pkg.top"}  # under TYPE_CHECKING
    assert graph["pkg.sub.relative"] == {"pkg.sub.leaf", "pkg.top"}
    assert graph["pkg.package"] == {"pkg.sub"}
    assert graph["pkg.sub.leaf"] == set()  # not os: only our modules


def test_no_import_cycle_among_our_modules() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])
