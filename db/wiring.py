"""Builds the real adapters from the configuration: shared by the two composition roots.

``kiosk-admin`` (db/cli.py) and the kiosk window (ui/app.py) both need a check-in service wired
to the database, the insurance gateway and the printer; this is the one place that does it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from db.insurance_client import GatewayClient, InsuranceError
from db.open import open_store
from db.store import SqlStore
from kiosk.checkin import CheckInService
from kiosk.circuit import BreakerCheck, CircuitBreaker
from kiosk.clock import Clock
from kiosk.config import Config
from kiosk.ports import OnlineCardCheck, SlipPrinter
from kiosk.printers import build_printer
from kiosk.slip_render import SlipRenderer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Wiring:
    """A service and the adapters behind it (the caller closes the store)."""

    service: CheckInService
    store: SqlStore
    printer: SlipPrinter
    online: OnlineCardCheck | None


def build_online_check(config: Config, clock: Clock) -> OnlineCardCheck | None:
    """The BHXH gateway client behind its circuit breaker, its token kept ready in the
    background, or None when no gateway is configured (the cache decides)."""
    if not config.insurance.gateway_url:
        return None
    try:
        client = GatewayClient.from_settings(config.insurance, clock, zone=config.kiosk.zone)
    except InsuranceError as error:
        log.warning("online card checks are off: %s", error)
        return None
    client.start()
    breaker = CircuitBreaker(
        clock,
        failures=config.insurance.breaker_failures,
        cooldown_s=config.insurance.breaker_cooldown_s,
    )
    return BreakerCheck(client, breaker)


def build_service(
    config: Config,
    clock: Clock,
    *,
    printer: SlipPrinter | None = None,
    online: OnlineCardCheck | None = None,
    use_gateway: bool = True,
) -> Wiring:
    """Open the store (applying migrations) and wire a check-in service for this kiosk.

    Raises :class:`kiosk.ports.StoreError` when the database cannot be opened.
    """
    store = open_store(config, clock)
    chosen_printer = printer or build_printer(config.printer)
    gateway = (
        online
        if online is not None
        else (build_online_check(config, clock) if use_gateway else None)
    )
    renderer = SlipRenderer(config)
    service = CheckInService(
        config=config,
        clock=clock,
        cards=store,
        checkins=store,
        online=gateway,
        printer=chosen_printer,
        render_slip=lambda checkin, reprint: renderer.render(checkin, reprint=reprint),
    )
    return Wiring(service=service, store=store, printer=chosen_printer, online=gateway)
