"""``kiosk-admin insurance-sim``: serve the simulated card feed and BHXH gateway on 127.0.0.1."""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import sys
import threading
from datetime import date
from types import FrameType
from typing import TYPE_CHECKING, Any, TypeVar

from db.commands import Command, CommandError
from db.insurance.population import Population
from db.insurance.simulator import (
    DEFAULT_OFFICER_ID,
    DEFAULT_OFFICER_NAME,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    MD5_CASES,
    REPLY_BIRTHS,
    TOKEN_BODIES,
    TOKEN_ERRORS,
    Faults,
    GatewayBehaviour,
    SimState,
    make_server,
)
from kiosk.clock import HOSPITAL_ZONE, SystemClock, local_day
from kiosk.config import Config

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a fraction between 0 and 1, got {text}")
    return value


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8765, help="TCP port (0: any free port)")
    parser.add_argument("--cards", type=int, default=10_000, help="cards in the population")
    parser.add_argument("--seed", type=int, default=0, help="seed of the population")
    parser.add_argument(
        "--day",
        type=date.fromisoformat,
        help="YYYY-MM-DD: the day the cards are valid around (default: today, local time)",
    )
    parser.add_argument(
        "--changes", type=int, default=0, help="changes appended after the initial cards"
    )
    parser.add_argument("--latency-ms", type=int, default=0, help="delay before every reply")
    parser.add_argument("--error-rate", type=_rate, default=0.0, help="fraction answered 5xx")
    parser.add_argument(
        "--truncate-rate", type=_rate, default=0.0, help="fraction of bodies cut short"
    )
    parser.add_argument(
        "--malformed-rate", type=_rate, default=0.0, help="fraction of bodies that are not JSON"
    )
    parser.add_argument(
        "--bad-record-rate",
        type=_rate,
        default=0.0,
        help="fraction of feed records with invalid fields",
    )
    parser.add_argument("--token-ttl-s", type=float, default=3600.0, help="token lifetime")
    parser.add_argument(
        "--drip",
        dest="drip_ms",
        type=int,
        default=0,
        metavar="MS",
        help="pause between 512-byte pieces",
    )
    parser.add_argument(
        "--md5-case",
        choices=MD5_CASES,
        default="upper",
        help="MD5 case of the password the token service accepts",
    )
    parser.add_argument(
        "--token-body",
        choices=TOKEN_BODIES,
        default="any",
        help="token request encodings accepted (form-urlencoded, JSON or both)",
    )
    parser.add_argument(
        "--reply-birth",
        choices=REPLY_BIRTHS,
        default="dd/MM/yyyy",
        help="how ngaySinh is written in check replies",
    )
    parser.add_argument(
        "--short-card-number",
        action="store_true",
        help="answer maThe with the 10-digit number, as the 2024 example does",
    )
    parser.add_argument(
        "--token-error",
        choices=TOKEN_ERRORS,
        default="401",
        help="how a refused token is answered at the check: HTTP 401, 403 or a message",
    )
    parser.add_argument("--username", default=DEFAULT_USERNAME)
    parser.add_argument(
        "--password-env",
        default="",
        help="environment variable with the accepted password (default: the published "
        f"test password {DEFAULT_PASSWORD!r})",
    )


def _settings(kind: type[T], args: argparse.Namespace) -> T:
    """A settings dataclass (:class:`Faults`, :class:`GatewayBehaviour`) from the options,
    which are named after its fields; fields with no option keep their default."""
    given = vars(args)
    names = (f.name for f in dataclasses.fields(kind))
    values: dict[str, Any] = {name: given[name] for name in names if name in given}
    return kind(**values)


def _run(args: argparse.Namespace, config: Config | None) -> int:
    password = DEFAULT_PASSWORD
    if args.password_env:
        password = os.environ.get(args.password_env, "")
        if not password:
            raise CommandError(f"environment variable {args.password_env} is empty")
    day = args.day or local_day(SystemClock(), config.kiosk.zone if config else HOSPITAL_ZONE)
    try:
        population = Population(args.cards, args.seed, day)
    except ValueError as error:
        raise CommandError(str(error), exit_code=2) from None
    population.add_changes(args.changes)
    state = SimState(
        population,
        _settings(Faults, args),
        username=args.username,
        password=password,
        officer_name=DEFAULT_OFFICER_NAME,
        officer_id=DEFAULT_OFFICER_ID,
        behaviour=_settings(GatewayBehaviour, args),
    )
    try:
        server = make_server(state, args.port)
    except OSError as error:
        raise CommandError(f"cannot listen on 127.0.0.1:{args.port}: {error.strerror}") from None

    def _stop(signum: int, frame: FrameType | None) -> None:
        # shutdown() waits for serve_forever to return, so it must run on another thread
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    host, port = server.server_address[:2]
    print(
        f"insurance simulator on http://{host!s}:{port} ({args.cards} cards; plain http: "
        "a kiosk config using it needs insurance.allow_http = true)",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    print("insurance simulator stopped", file=sys.stderr)
    return 0


COMMAND = Command(_add_arguments, _run, needs_config=False)
