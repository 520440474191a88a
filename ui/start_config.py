"""The configuration a program of ours starts with (``kiosk``, ``kiosk-web``). No Qt."""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk.config import ConfigError, load_config
from kiosk.settings import Config


def start_config(path: Path | None, *, demo: bool, program: str) -> Config | None:
    """The configuration at ``path`` (else the usual search), with the kiosk demo's database
    over it when ``demo``; None once ``program`` has said on stderr why it cannot be read
    (the caller exits 2)."""
    try:
        config = load_config(path)
    except ConfigError as error:
        print(f"{program}: config error: {error}", file=sys.stderr)
        return None
    if demo:
        from ui.demo import demo_config  # the kiosk demo's database (ui.demo has no Qt)

        config = demo_config(config)
    return config
