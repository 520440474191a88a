"""``kiosk-admin config show|init``: what configuration the kiosk runs with, and a file to start.

``show`` prints every setting as the kiosk sees it after the file, the ``KIOSK_<SECTION>_<KEY>``
variables and the built-in defaults, and says which of the three each value came from. It never
prints a secret: a password inside a URL is replaced by ``***``, and for the ``*_env`` settings
only the variable's name is shown, with whether it is set. ``init`` writes the documented
``config.toml`` (every setting with its explanation) to edit.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import asdict, fields, is_dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import kiosk
from db.commands import Command, CommandError
from kiosk.config import Config, load_config

_URL_PASSWORD = re.compile(r"^(?P<head>[A-Za-z][\w+.-]*://[^/@:\s]*:)[^/@\s]*(?P<tail>@)")


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    show = actions.add_parser(
        "show", help="print the effective configuration, secrets masked, with each value's origin"
    )
    show.add_argument("--json", action="store_true", help="print one JSON object")
    init = actions.add_parser("init", help="write the documented config.toml to PATH")
    init.add_argument("path", type=Path, metavar="PATH")
    init.add_argument("--force", action="store_true", help="overwrite PATH if it exists")


def mask_url_password(text: str) -> str:
    """``scheme://user:***@host…`` for a URL with a password; any other text unchanged."""
    return _URL_PASSWORD.sub(r"\g<head>***\g<tail>", text)


def _plain(value: object) -> Any:
    """A JSON-ready copy of a setting's value, with any URL password masked."""
    if isinstance(value, str):
        return mask_url_password(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _settings(config: Config, env: Mapping[str, str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each setting as ("section.key", {"value", "from"[, "set"]}), in the file's order."""
    # every [section] of settings, as Config holds them (clinics, a list, is shown apart)
    sections = [f.name for f in fields(config) if is_dataclass(getattr(config, f.name))]
    for section in sections:
        settings = getattr(config, section)
        for item in fields(settings):
            key = f"{section}.{item.name}"
            entry: dict[str, Any] = {
                "value": _plain(getattr(settings, item.name)),
                "from": _origin(config, config.origins.get(key, "default")),
            }
            if item.name.endswith("_env"):
                # the variable's name only: its value is the secret
                entry["set"] = bool(env.get(entry["value"]))
            yield key, entry


def _origin(config: Config, origin: str) -> str:
    if origin == "file":
        return str(config.source)
    if origin == "default":
        return "default"
    return f"environment {origin}"


def _show(config: Config, as_json: bool) -> int:
    settings = dict(_settings(config, os.environ))
    clinics = [_plain(asdict(c)) for c in config.clinics]
    clinics_from = _origin(config, config.origins.get("clinics", "default"))
    if as_json:
        document = {
            "source": None if config.source is None else str(config.source),
            "settings": settings,
            "clinics": {"value": clinics, "from": clinics_from},
        }
        print(json.dumps(document, ensure_ascii=False))
        return 0
    source = config.source if config.source is not None else "none, built-in defaults"
    print(f"# config file: {source}")
    section = ""
    for key, entry in settings.items():
        name, item = key.split(".", 1)
        if name != section:
            section = name
            print(f"\n[{section}]")
        note = entry["from"]
        if "set" in entry:
            note += f"; {entry['value']} is {'set' if entry['set'] else 'not set'}"
        print(f"{item} = {json.dumps(entry['value'], ensure_ascii=False)}  # {note}")
    for clinic in clinics:
        print(f"\n[[clinics]]  # {clinics_from}")
        for item, value in clinic.items():
            print(f"{item} = {json.dumps(value, ensure_ascii=False)}")
    return 0


def documented_config() -> str:
    """The text of the documented ``config.toml``.

    An installed kiosk carries it as ``kiosk/config.toml`` (package data); a checkout has it at
    the repository's root.
    """
    packaged = resources.files(kiosk).joinpath("config.toml")
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    checkout = Path(kiosk.__file__).resolve().parent.parent / "config.toml"
    return checkout.read_text(encoding="utf-8")


def _init(path: Path, force: bool) -> int:
    text = documented_config()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("w" if force else "x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise CommandError(f"{path} already exists (use --force to overwrite it)") from None
    print(f"wrote {path}: edit it, then check it with: kiosk-admin --config {path} config show")
    return 0


def _run(args: argparse.Namespace, config: Config | None) -> int:
    if args.action == "init":
        return _init(args.path, args.force)
    # loaded here rather than by kiosk-admin, so that init works beside a broken file
    return _show(load_config(args.config), args.json)


COMMAND = Command(_add_arguments, _run, needs_config=False)
