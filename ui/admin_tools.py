"""The admin screen's actions over the real store, feed, printer and camera (no Qt here)."""

from __future__ import annotations

from collections.abc import Callable

from db.insurance_client import FeedClient, InsuranceError
from db.store import SqlStore
from db.sync import SyncProgress, sync
from kiosk.clock import Clock
from kiosk.config import Config
from kiosk.ports import SlipPrinter, StoreError
from kiosk.slip_layout import print_test_slip
from kiosk.slip_render import SlipFontError, SlipRenderer
from scanner.factory import describe_camera, summary_line
from scanner.ports import Camera
from ui.ports import CacheStatus


class KioskAdminTools:
    """Cache status, card sync, printer and camera tests for one kiosk."""

    def __init__(
        self,
        *,
        config: Config,
        clock: Clock,
        store: SqlStore,
        printer: SlipPrinter,
        camera: Camera | None,
        feed: Callable[[], FeedClient] | None = None,
    ) -> None:
        self._config = config
        self._clock = clock
        self._store = store
        self._printer = printer
        self._camera = camera
        self._feed = feed or (lambda: FeedClient.from_settings(config.insurance, clock=clock))

    def cache_status(self) -> CacheStatus:
        status = self._store.status(self._clock.now())
        return CacheStatus(status.cards, status.last_sync)

    def sync(self, progress: Callable[[int, int], None], cancel: Callable[[], bool]) -> str:
        """One resumable sync run; the total is unknown, so progress reports records read."""
        try:
            feed = self._feed()
        except InsuranceError as error:
            return f"sync not started: {error}"

        def report(p: SyncProgress) -> None:
            progress(p.records, 0 if p.has_more else p.records)

        try:
            summary = sync(self._store, feed, progress=report, cancel=cancel, now=self._clock.now)
        except (InsuranceError, StoreError) as error:
            return f"sync stopped: {error} (pages already applied are kept)"
        word = "cancelled" if summary.cancelled else "done"
        return (
            f"sync {word}: +{summary.added} ~{summary.updated} -{summary.removed} "
            f"!{summary.rejected} in {summary.seconds:.1f} s"
        )

    def printer_test(self) -> str:
        settings = self._config.printer
        try:
            renderer = SlipRenderer(self._config)
        except SlipFontError as error:
            return f"no slip font: {error}"
        label = f"Máy in: {settings.kind}, {settings.dots} chấm, máy {self._config.kiosk.id}"
        image = renderer.render_slip(print_test_slip(self._config.hospital, label))
        result = self._printer.print_image(image, "print-test")
        if not result.ok:
            return f"test page not printed: {result.problem} {result.detail}".strip()
        return f"test page printed ({settings.kind})" + (f": {result.path}" if result.path else "")

    def camera_test(self) -> str:
        if self._camera is None:
            return "no camera"
        line = f"camera {self._config.camera.device}: {self._camera.state}"
        # What the device accepted (pixel format, size, rate, focus, exposure), as
        # `kiosk-admin camera-check` reports it.
        described = describe_camera(self._camera, self._config.camera.device, None)
        if described.get("kind") == "webcam":
            line += f"; {summary_line(described)}"
        return line
