"""``kiosk-admin print-test``: print a test page on the configured printer.

The page shows the hospital name, every Vietnamese letter and a ruler across the paper width, so
a technician sees at once whether the font, the paper width and the printer are right.
"""

from __future__ import annotations

import argparse

from db.commands import Command, CommandError
from kiosk.config import Config
from kiosk.printers import build_printer
from kiosk.slip_render import SlipFontError, print_test_page


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser  # no options: everything comes from [printer] in config.toml


def _run(args: argparse.Namespace, config: Config | None) -> int:
    del args
    assert config is not None  # needs_config
    settings = config.printer
    try:
        result = print_test_page(config, build_printer(settings))
    except SlipFontError as error:
        raise CommandError(str(error)) from None
    if not result.ok:
        detail = f": {result.detail}" if result.detail else ""
        raise CommandError(f"test page not printed ({settings.kind}): {result.problem}{detail}")
    where = f" to {result.path}" if result.path else ""
    print(f"test page printed ({settings.kind}, {settings.dots} dots){where}")
    return 0


COMMAND = Command(_add_arguments, _run)
