"""``kiosk-admin db upgrade``: bring the database schema to the newest migration."""

from __future__ import annotations

import argparse

from sqlalchemy.exc import SQLAlchemyError

from db.commands import Command, CommandError
from db.store import describe_error
from db.store.engine import create_kiosk_engine
from db.store.migrate import current_revision, head_revision, upgrade
from db.store.open import database_url
from kiosk.config import Config


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("upgrade", help="apply every migration not yet applied")
    actions.add_parser("current", help="show the revision the database is at")


def _run(args: argparse.Namespace, config: Config | None) -> int:
    assert config is not None
    url = database_url(config)
    engine = create_kiosk_engine(url, config.database.busy_timeout_ms)
    shown = engine.url.render_as_string(hide_password=True)
    try:
        before = current_revision(engine)
        if args.action == "upgrade":
            upgrade(engine)
            after = current_revision(engine)
            if before == after:
                print(f"{shown}: already at revision {after} (newest)")
            else:
                print(f"{shown}: upgraded from {before or 'empty'} to {after}")
        else:
            head = head_revision()
            state = "newest" if before == head else f"newest is {head}"
            print(f"{shown}: revision {before or 'none (empty)'} ({state})")
    except SQLAlchemyError as error:
        raise CommandError(describe_error(error)) from error
    finally:
        engine.dispose()
    return 0


COMMAND = Command(_add_arguments, _run)
