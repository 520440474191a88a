"""The admin screen's tiles: the kiosk's parts at a glance, from the health report.

The same :class:`~kiosk.health.HealthReport` that ``status.json`` holds, read into six tiles —
camera, printer, database, outbox, cache age, last check-in — each with a level (ok, warn,
bad, or off) that the screen colours and the words it shows. Qt-free: tested without a window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from kiosk.health import HealthReport
from kiosk.outcome import Lang
from ui.i18n import tr

#: the tiles, in the order the screen shows them
TILES = ("camera", "printer", "database", "outbox", "cache", "last_checkin")


class Level(StrEnum):
    """How a part is doing: the tile's colour."""

    OK = "ok"  # green
    WARN = "warn"  # amber: works, but look at it
    BAD = "bad"  # red: patients are affected
    OFF = "off"  # grey: not configured or nothing to say yet


@dataclass(frozen=True)
class Tile:
    """One tile: which part, how it is doing, and what it says in ``lang``."""

    key: str
    level: Level
    value: str  # the state in words ("Mất kết nối", "3 chờ gửi")

    def title(self, lang: Lang) -> str:
        return tr(f"tile_{self.key}", lang)


# the kiosk's state (kiosk.health: online, offline, held, down) as the database tile shows it
_DATABASE = {
    "online": Level.OK,
    "offline": Level.WARN,  # the journal took over: patients are served, numbers in A-…
    "held": Level.BAD,  # replayed rows the central database refused: staff must look
    "down": Level.BAD,  # neither central nor the journal numbers: patients go to reception
}
_PRINTER = {"printed": Level.OK, "pending": Level.WARN, "failed": Level.BAD}


def health_tiles(
    report: HealthReport | None,
    *,
    max_cache_age_h: float,
    now: datetime,
    zone: ZoneInfo,
    lang: Lang,
) -> tuple[Tile, ...]:
    """The six tiles of ``report`` in ``lang``; with no report, every tile says "unknown"."""
    if report is None:
        return tuple(Tile(key, Level.OFF, tr("tile_unknown", lang)) for key in TILES)
    return (
        _camera(report, lang),
        _printer(report, lang),
        _database(report, lang),
        _outbox(report, lang),
        _cache(report, max_cache_age_h, lang),
        _last_checkin(report, now, zone, lang),
    )


def _camera(report: HealthReport, lang: Lang) -> Tile:
    if report.camera == "ok":
        return Tile("camera", Level.OK, tr("tile_working", lang))
    if report.camera == "none":
        return Tile("camera", Level.OFF, tr("tile_none", lang))
    return Tile("camera", Level.BAD, tr("tile_lost", lang))


def _printer(report: HealthReport, lang: Lang) -> Tile:
    level = _PRINTER.get(report.printer, Level.OFF)
    return Tile("printer", level, tr(f"tile_printer_{level.value}", lang))


def _database(report: HealthReport, lang: Lang) -> Tile:
    state = report.state if report.state in _DATABASE else "down"
    return Tile("database", _DATABASE[state], tr(f"tile_db_{state}", lang))


def _outbox(report: HealthReport, lang: Lang) -> Tile:
    pending, failed = report.outbox_pending, report.outbox_failed
    if pending is None:
        return Tile("outbox", Level.OFF, tr("tile_off", lang))
    if failed:
        return Tile("outbox", Level.BAD, tr("tile_outbox_failed", lang, n=failed, p=pending))
    level = Level.WARN if pending else Level.OK
    return Tile("outbox", level, tr("tile_outbox_pending", lang, n=pending))


def _cache(report: HealthReport, max_age_h: float, lang: Lang) -> Tile:
    age = report.cache_age_h
    if age is None:
        return Tile("cache", Level.BAD, tr("cache_never", lang))
    level = Level.BAD if age > max_age_h else Level.OK
    return Tile("cache", level, tr("tile_hours", lang, h=f"{age:.1f}"))


def _last_checkin(report: HealthReport, now: datetime, zone: ZoneInfo, lang: Lang) -> Tile:
    if report.last_checkin is None:
        return Tile("last_checkin", Level.OFF, tr("tile_no_checkin", lang))
    at = datetime.fromisoformat(report.last_checkin)
    minutes = max(0, int((now - at).total_seconds() // 60))
    when = at.astimezone(zone).strftime("%H:%M" if minutes < 24 * 60 else "%d/%m %H:%M")
    return Tile("last_checkin", Level.OK, tr("tile_at", lang, when=when, m=minutes))
