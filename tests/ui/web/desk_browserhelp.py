"""Signing in at the desk in a browser, by keyboard as reception does."""

from __future__ import annotations

from typing import Any

from tests.ui.web.webhelp import PIN


def sign_in_at(page: Any, url: str, code: str = "201") -> None:
    """Open ``/desk``, type the staff code, Tab, the PIN, Enter; wait for the look-up."""
    page.goto(f"{url}/desk")
    # the page's autofocus lands when the browser gets to it; a person looks first
    page.wait_for_function("document.activeElement && document.activeElement.id === 'code'")
    page.keyboard.type(code)
    page.keyboard.press("Tab")
    page.keyboard.type(PIN)
    page.keyboard.press("Enter")
    page.wait_for_selector("#lookup")
