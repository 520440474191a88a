"""Each third-party IO library is imported by its one module only (DESIGN habit 2)."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OWNERS = {
    "requests": {"db/insurance/http.py"},  # the HIS uses http.client (db/his/transport.py)
    "fhir": {"db/his/fhir.py"},
    "matplotlib": {"db/report/render.py"},
    # The scanner's one reader and writer; the slip draws its own QR (kiosk imports nothing of
    # ours) and the screenshot tool draws the camera preview's.
    "zxingcpp": {"scanner/decode/zxing.py", "kiosk/slip_render.py", "ui/screenshots.py"},
    "pyzbar": {"scanner/decode/zbar.py"},
    "uvicorn": {"ui/web/main.py"},
    "sse_starlette": {"ui/web/app.py"},
    # the room pages' and the desk's signed cookies (each its own session kind)
    "itsdangerous": {"ui/web/sessions.py", "ui/web/desk.py"},
}


def _imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@functools.cache
def _imports_by_module() -> dict[str, set[str]]:
    """Each product module (its path from the top) and the top-level names it imports: parsed
    once for all the libraries."""
    return {
        str(path.relative_to(ROOT)): _imported(path)
        for package in ("kiosk", "ui", "scanner", "db")
        for path in (ROOT / package).rglob("*.py")
    }


@pytest.mark.parametrize("library", sorted(OWNERS))
def test_library_lives_in_its_own_module(library: str) -> None:
    users = {path for path, names in _imports_by_module().items() if library in names}
    assert users == OWNERS[library]
