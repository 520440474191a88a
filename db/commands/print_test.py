"""``kiosk-admin print-test``: print a test page on the configured printer.

The page shows the hospital name, every Vietnamese letter and a ruler across the paper width, so
a technician sees at once whether the font, the paper width and the printer are right.
"""

from __future__ import annotations

import argparse

from db.commands import Command, CommandError
from kiosk.config import Config
from kiosk.printers import build_printer
from kiosk.slip_layout import print_test_slip
from kiosk.slip_render import SlipFontError, SlipRenderer


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser  # no options: everything comes from [printer] in config.toml


def _run(args: argparse.Namespace, config: Config | None) -> int:
    del args
    assert config is not None  # needs_config
    settings = config.printer
    try:
        renderer = SlipRenderer(config)
    except SlipFontError as error:
        raise CommandError(str(error)) from None
    label = f"Máy in: {settings.kind}, {settings.dots} chấm, máy {config.kiosk.id}"
    image = renderer.render_slip(print_test_slip(config.hospital, label))
    result = build_printer(settings).print_image(image, "print-test")
    if not result.ok:
        detail = f": {result.detail}" if result.detail else ""
        raise CommandError(f"test page not printed ({settings.kind}): {result.problem}{detail}")
    where = f" to {result.path}" if result.path else ""
    print(f"test page printed ({settings.kind}, {settings.dots} dots){where}")
    return 0


COMMAND = Command(
    name="print-test",
    help="print a test page (hospital name, Vietnamese letters, ruler) on the configured printer",
    add_arguments=_add_arguments,
    run=_run,
)
