"""The admin screen's actions over the real store, feed, printer and camera (no Qt here)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from db.cards.sync import SyncProgress, sync
from db.insurance.feed import FeedClient
from db.insurance.http import InsuranceError
from db.offline.failover import FailoverStore
from db.offline.health import stores_health
from db.offline.register import KioskRegister
from db.store import SqlStore
from kiosk.clock import Clock, local_day
from kiosk.health import HealthReport, moment
from kiosk.ports import SlipPrinter, StoreError
from kiosk.settings import Config
from kiosk.slip_render import SlipFontError, print_test_page
from scanner.factory import describe_camera, summary_line
from scanner.ports import Camera
from ui.ports import CacheStatus

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class KioskAdminTools:
    """Cache status, card sync, printer and camera tests for one kiosk."""

    config: Config
    clock: Clock
    store: SqlStore
    printer: SlipPrinter
    camera: Camera | None
    # The card feed the sync reads (the demo's); None: the insurance settings' feed.
    feed: Callable[[], FeedClient] | None = None
    version: str = ""  # the kiosk's, in the health report
    # This kiosk in the kiosk register (with a server database): its prefix's verdict.
    register: KioskRegister | None = None

    def _feed_client(self) -> FeedClient:
        if self.feed is not None:
            return self.feed()
        return FeedClient.from_settings(self.config.insurance, clock=self.clock)

    def cache_status(self) -> CacheStatus:
        status = self.store.status(self.clock.now())
        outbox = self.store.outbox
        counts = outbox.counts() if outbox.enabled else None
        return CacheStatus(
            status.cards,
            status.last_sync,
            outbox=(counts.pending, counts.delivered, counts.stuck) if counts else None,
            outbox_error=outbox.last_error() if counts and counts.stuck else None,
            chart=self._todays_chart(),
            # the admin screen's tiles read what status.json says
            health=build_health(
                config=self.config,
                clock=self.clock,
                store=self.store,
                camera=self.camera,
                version=self.version,
            ),
            prefix_taken=self._prefix_taken(),
        )

    def _prefix_taken(self) -> tuple[str, str] | None:
        owner = self.register.held_by if self.register is not None else None
        return (self.config.kiosk.offline_prefix, owner) if owner and self.register else None

    def _todays_chart(self) -> str | None:
        """Today's report chart as a PNG file (redrawn at each look), or None if it failed."""
        from db.report.figures import day_report
        from db.report.render import render_chart  # matplotlib: only when the admin screen asks

        day = local_day(self.clock, self.config.kiosk.zone)
        path = self.config.kiosk.data_dir / "reports" / "today.png"
        try:
            report = day_report(self.store.engine, day, self.config.kiosk.zone)
            return str(render_chart(report, path))
        except (StoreError, OSError) as error:
            log.warning("today's chart not drawn: %s", error)
            return None

    def sync(self, progress: Callable[[int, int], None], cancel: Callable[[], bool]) -> str:
        """One resumable sync run; the total is unknown, so progress reports records read."""
        try:
            feed = self._feed_client()
        except InsuranceError as error:
            return f"sync not started: {error}"

        def report(p: SyncProgress) -> None:
            progress(p.records, 0 if p.has_more else p.records)

        try:
            summary = sync(
                self.store,
                feed,
                progress=report,
                cancel=cancel,
                now=self.clock.now,
                max_pages=self.config.sync.max_pages,
                deadline_s=self.config.sync.deadline_s,
            )
        except (InsuranceError, StoreError) as error:
            return f"sync stopped: {error} (pages already applied are kept)"
        word = "cancelled" if summary.cancelled else "done"
        return (
            f"sync {word}: +{summary.added} ~{summary.updated} -{summary.removed} "
            f"!{summary.rejected} in {summary.seconds:.1f} s"
        )

    def printer_test(self) -> str:
        settings = self.config.printer
        try:
            result = print_test_page(self.config, self.printer)
        except SlipFontError as error:
            return f"no slip font: {error}"
        if not result.ok:
            return f"test page not printed: {result.problem} {result.detail}".strip()
        return f"test page printed ({settings.kind})" + (f": {result.path}" if result.path else "")

    def camera_test(self) -> str:
        if self.camera is None:
            return "no camera"
        line = f"camera {self.config.camera.device}: {self.camera.state}"
        # What the device accepted (pixel format, size, rate, focus, exposure), as
        # `kiosk-admin camera-check` reports it.
        described = describe_camera(self.camera, self.config.camera.device, None)
        if described.get("kind") == "webcam":
            line += f"; {summary_line(described)}"
        return line


def build_health(
    *,
    config: Config,
    clock: Clock,
    store: SqlStore,
    camera: Camera | None,
    version: str,
    failover: FailoverStore | None = None,
    register: KioskRegister | None = None,
) -> HealthReport:
    """One look at the kiosk's parts for ``status.json`` and the kiosk register: its state,
    its own camera, printer and last check-in, both stores' backlogs. A part that cannot be
    read says so instead of failing the whole report."""
    now = clock.now()
    held_by = register.held_by if register is not None else None
    stores = stores_health(
        kiosk_id=config.kiosk.id,
        central=store,
        journal=failover.journal if failover is not None else None,
        now=now,
        serving=failover.online if failover is not None else True,
        numbering_stopped=held_by is not None,
    )
    last = stores.last_checkin
    problems = list(stores.problems)
    if failover is not None and failover.copies.problem is not None:
        # a full disk: online check-ins go on, their journal copies wait in memory
        problems.append(
            f"offline journal: {failover.copies.problem} "
            f"({failover.copies.waiting} copies wait in memory)"
        )
    return HealthReport(
        kiosk_id=config.kiosk.id,
        at=now.isoformat(),
        camera=str(camera.state) if camera is not None else "none",
        printer=stores.printer,
        database=stores.database,
        outbox_pending=stores.outbox_pending,
        outbox_failed=stores.outbox_failed,
        cache_age_h=stores.cache_age_h,
        last_checkin=moment(last.created_at) if last is not None else None,
        version=version,
        detail="; ".join(problems),
        state=stores.state,
        offline_pending=stores.offline_pending,
        held=stores.held,
        journal_outbox_pending=stores.journal_outbox_pending,
        journal_outbox_failed=stores.journal_outbox_failed,
        prefix_held_by=held_by,
        notice=register.notice if register is not None else "",
    )
