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
    """The number as numbered: ``"12"``, or ``"A-3"`` for an offline number."""
    return str(payload.get("queue_label") or payload["queue_number"])


def printed_label(payload: Mapping[str, Any]) -> str | None:
    """The label on the patient's slip when it is not :func:`queue_label` (``"A-1"`` on a
    check-in central numbered ``12``: a lost reply, or two kiosks with one prefix), else None."""
    value = payload.get("printed_label")
    return str(value) if value and str(value) != queue_label(payload) else None


def shown_label(payload: Mapping[str, Any]) -> str:
    """The number for people: ``"12 (A-1)"`` when the slip carries an alias, else ``"12"``."""
    alias = printed_label(payload)
    return f"{queue_label(payload)} ({alias})" if alias else queue_label(payload)
