"""The dependency rules of docs/architecture.md, checked on the real import graph."""

from __future__ import annotations

import ast
import subprocess
import sys
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
