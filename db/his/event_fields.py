"""Facts read off an outbox event's payload that several HIS formats share."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

_VISIT_CODE = re.compile(r"^[0-9]+(\.[0-9]+)?$")


def visit_code(payload: Mapping[str, Any]) -> str | None:
    """The visit code (mã đối tượng KCB, e.g. ``"1.1"``) the kiosk decided, or None (no
    decision, or a route recorded before the 2025 codes)."""
    route = payload.get("route")
    return str(route) if route and _VISIT_CODE.match(str(route)) else None


def local_moment(payload: Mapping[str, Any], zone: ZoneInfo) -> datetime:
    """When the check-in was made, in the hospital's time."""
    return datetime.fromisoformat(str(payload["created_at"])).astimezone(zone)


def queue_label(payload: Mapping[str, Any]) -> str:
    """The number as printed: ``"12"``, or ``"A-3"`` for an offline number."""
    return str(payload.get("queue_label") or payload["queue_number"])
