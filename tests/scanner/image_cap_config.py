"""A copy of the shipped config.toml with another image size cap, for the tests of the cap."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import REPO_ROOT


def config_with_image_cap(folder: Path, mpx: int) -> Path:
    """Write ``folder/config.toml``: the shipped file but ``max_image_mpx = mpx``; its path."""
    config = folder / "config.toml"
    config.write_text(
        (REPO_ROOT / "config.toml")
        .read_text(encoding="utf-8")
        .replace("max_image_mpx = 40", f"max_image_mpx = {mpx}"),
        encoding="utf-8",
    )
    return config
