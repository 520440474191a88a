"""Fixtures of the web tests: a kiosk-web site on SQLite (and PostgreSQL where asked)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui.web.webhelp import Site, make_site


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    made = make_site(tmp_path)
    try:
        yield made
    finally:
        made.store.dispose()
