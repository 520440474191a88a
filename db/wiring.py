"""Builds the real adapters from the configuration: shared by the two composition roots.

``kiosk-admin`` (db/cli.py) and the kiosk window (ui/app.py) both need a check-in service wired
to the database, the insurance gateway and the printer; this is the one place that does it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from db.his.delivery import HisSender
from db.his.senders import build_sender
from db.insurance.gateway import GatewayClient
from db.insurance.http import InsuranceError
from db.offline.failover import FailoverStore
from db.offline.register import KioskRegister
from db.store import SqlStore
from db.store.calling import calling_store
from db.store.open import (
    open_central_unchecked,
    open_journal,
    open_store,
    start_above_central,
)
from db.store.register import register_store
from kiosk.checkin import CheckInService
from kiosk.circuit import BreakerCheck, CircuitBreaker
from kiosk.clock import Clock
from kiosk.config import Config
from kiosk.ports import CardCache, CheckInStore, OnlineCardCheck, SlipPrinter, StoreError
from kiosk.printers import build_printer
from kiosk.slip_render import SlipRenderer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Wiring:
    """A service and the adapters behind it (the caller closes the store)."""

    service: CheckInService
    store: SqlStore  # central (the only database when it is SQLite)
    printer: SlipPrinter
    online: OnlineCardCheck | None
    # With a server database: the store check-ins go through (central, else the journal).
    failover: FailoverStore | None = None
    # This kiosk in the central kiosk register (a running kiosk's; see build_service).
    register: KioskRegister | None = None

    def dispose(self) -> None:
        """Close the database connections (central and journal)."""
        if self.failover is not None:
            self.failover.dispose()
        else:
            self.store.dispose()


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


def build_his_sender(config: Config) -> HisSender | None:
    """The sender of outbox events in the configured format, or None when ``his.kind`` is
    ``none`` (no events are written then)."""
    return build_sender(config)


def build_service(
    config: Config,
    clock: Clock,
    *,
    printer: SlipPrinter | None = None,
    online: OnlineCardCheck | None = None,
    use_gateway: bool = True,
    version: str | None = None,
) -> Wiring:
    """Open the store (applying migrations) and wire a check-in service for this kiosk.

    Raises :class:`kiosk.ports.StoreError` when the database cannot be opened. With a server
    database the kiosk also opens its offline journal; then only a journal that cannot be
    opened is an error, and a central database that does not answer just starts it offline.

    ``version``: the running kiosk's; with it the kiosk checks in to the central kiosk register
    now (or, central down, takes the verdict its journal kept), and its journal numbers only
    while the register gives it its offline prefix (:mod:`db.offline.register`).
    """
    failover: FailoverStore | None = None
    journal = open_journal(config, clock)
    if journal is None:
        store = open_store(config, clock)
    else:
        try:
            store = open_store(config, clock)
        except StoreError as error:
            log.error("central database unreachable at start, numbering offline: %s", error)
            store = open_central_unchecked(config, clock)
            failover = FailoverStore(store, journal, online=False)
        else:
            failover = FailoverStore(store, journal)
            try:
                start_above_central(journal, store, config, clock)
            except StoreError as error:  # the moved-aside journals' offset still holds
                log.warning("offline counters not checked against central: %s", error)
    register = _register(config, store, failover, version) if version is not None else None
    checkins: CheckInStore = failover if failover is not None else store
    cards: CardCache = failover if failover is not None else store
    chosen_printer = printer or build_printer(config.printer)
    gateway = (
        online
        if online is not None
        else (build_online_check(config, clock) if use_gateway else None)
    )
    service = CheckInService(
        config=config,
        clock=clock,
        cards=cards,
        checkins=checkins,
        online=gateway,
        printer=chosen_printer,
        render_slip=lambda checkin, reprint: renderer.render(checkin, reprint=reprint),
        tally=store,
        queue=calling_store(store),
        wrong_years=store,  # counted in the (central) database, shared by every kiosk
    )
    # the slip says where the check-in stands in central's queue, as the screen does
    renderer = SlipRenderer(config, service.place)
    return Wiring(
        service=service,
        store=store,
        printer=chosen_printer,
        online=gateway,
        failover=failover,
        register=register,
    )


def _register(
    config: Config, store: SqlStore, failover: FailoverStore | None, version: str
) -> KioskRegister:
    """This kiosk's :class:`KioskRegister`, checked in (or its journal's verdict taken)."""
    register = KioskRegister(
        register_store(store),
        register_store(failover.journal) if failover is not None else None,
        kiosk_id=config.kiosk.id,
        prefix=config.kiosk.offline_prefix,
        version=version,
        hold_days=config.kiosk.prefix_hold_days,
    )
    offline = failover is not None and not failover.online
    if offline or register.register() is None:  # central down: the journal's last verdict
        register.load_saved()
    if failover is not None:
        failover.register = register
    return register
