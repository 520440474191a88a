"""The dependency rules of docs/architecture.md, checked on the real import graph."""

from __future__ import annotations

import ast
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
