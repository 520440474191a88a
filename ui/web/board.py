"""What the board and the room pages show, as plain data (JSON for the events, the templates'
context): per room the number called and the next few waiting, never a full name."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from db.store.calling import Call, CallingStore, QueueView
from kiosk.calling import Priority, Waiting
from kiosk.config import Config
from kiosk.model import Clinic

PRIORITY_MARK = "Ư"  # as the slip and the screen mark a priority number
#: what the room page says of each priority (staff check declared ones in the room)
PRIORITY_WORDS = {
    Priority.AGE_75: "Từ 75 tuổi",
    Priority.UNDER_6: "Trẻ dưới 6 tuổi",
    Priority.MERIT: "Người có công",
    Priority.PREGNANT: "Có thai (tự khai)",
    Priority.DISABILITY: "Khuyết tật nặng (tự khai)",
}


def _name(initials: str, config: Config) -> str:
    return initials if config.queue.board_names == "initials" else ""


def _called(call: Call | None, config: Config) -> dict[str, object]:
    if call is None:
        return {"called": None, "call": None, "priority": None, "name": ""}
    return {
        "called": call.label,
        # changes with every call and recall of the room: the board speaks when it does
        "call": f"{call.checkin_id}@{call.at.isoformat()}",
        "priority": PRIORITY_MARK if call.priority else None,
        "name": _name(call.initials, config),
    }


def _next(waiting: Sequence[Waiting], config: Config) -> list[dict[str, object]]:
    return [
        {
            "label": w.label,
            "priority": PRIORITY_MARK if w.priority else None,
            "name": _name(w.initials, config),
        }
        for w in waiting[: config.queue.board_next]
    ]


def board_state(
    calls: CallingStore, config: Config, rooms: Sequence[str], day: date
) -> dict[str, object]:
    """The board of ``rooms`` on ``day``: one entry per room, in the order asked."""
    views: dict[str, QueueView] = {}
    entries: list[dict[str, object]] = []
    for room in rooms:
        clinic = config.clinic_of_room(room)
        if clinic is None:
            entries.append(
                {"room": room, "clinic": None, "clinic_name": "", **_called(None, config)}
                | {"next": []}
            )
            continue
        if clinic.code not in views:
            views[clinic.code] = calls.queue(clinic.code, day)
        view = views[clinic.code]
        entries.append(
            {
                "room": room,
                "clinic": clinic.code,
                "clinic_name": clinic.name_vi,
                **_called(view.current.get(room), config),
                "next": _next(view.order(config.queue.priority_run), config),
            }
        )
    return {"rooms": entries}


def room_state(
    calls: CallingStore, config: Config, clinic: Clinic, room: str, *, day: date, now: datetime
) -> dict[str, object]:
    """A room page: its live call and everyone waiting in its clinic's queue, in call order,
    with initials, priority and minutes waited (staff only: never on a public screen)."""
    view = calls.queue(clinic.code, day)
    live = view.current.get(room)
    return {
        "room": room,
        "clinic": clinic,
        "live": live,
        "waiting": [
            {
                "label": w.label,
                "initials": w.initials,
                "priority": PRIORITY_WORDS[w.priority] if w.priority else "",
                "minutes": max(0, int((now - w.arrived_at).total_seconds() // 60)),
            }
            for w in view.order(config.queue.priority_run)
        ],
    }
