"""Fixtures of the web tests: a kiosk-web site on SQLite (and PostgreSQL where asked)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.web.webhelp import Site, browser_page, chromium, opened_site


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with opened_site(tmp_path) as made:
        yield made


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (nothing is downloaded); sound may
    start without a tap, as on the hall's TV set up by docs/operations.md."""
    with chromium("--autoplay-policy=no-user-gesture-required", "--no-sandbox") as launched:
        yield launched


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page the size of a desk's screen (1600 × 1000) in a browser context of its own; a
    file about another screen (the hall's TV) overrides it with its size."""
    with browser_page(browser, 1600, 1000) as made:
        yield made
