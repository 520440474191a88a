"""The kiosk-web ASGI app: the board, its live events, its voice, and the room pages.

:func:`create_app` takes what the composition root (:mod:`ui.web.main`, or a test) built: the
configuration, the calling store on the central database, the watch that wakes the boards and
the secret the sessions are signed with.

Routes:

- ``GET /board?rooms=101,102`` — the waiting-room board (a TV in the hall).
- ``GET /events?rooms=101,102`` — Server-Sent Events: ``board`` (the rooms' state, on connect
  and on every change) and ``tick`` (every few seconds, so a board knows the server is there).
- ``GET /voice/call.wav?label=12&room=101`` — "Mời số 12 đến phòng 101" from the kiosk's own
  prompt parts, twice (in English too when ``queue.board_english``).
- ``/room/<room>`` — the room page (see :mod:`ui.web.room`); ``POST /api/call`` for the HIS.
- ``/desk`` — the reception desk (see :mod:`ui.web.desk`); ``/fleet`` — the kiosks, for admins.
- ``GET /healthz`` — "ok" while the database answers.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import wave
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date
from functools import lru_cache
from pathlib import Path

from sse_starlette.sse import EventSourceResponse
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from db.store import SqlStore
from db.store.calling import calling_store
from db.store.notify import QueueWatch, watch_for
from kiosk.checkin import CheckInService
from kiosk.clock import Clock, SystemClock
from kiosk.config import Config
from kiosk.outcome import Lang
from kiosk.ports import StoreError
from kiosk.voice import Prompt, PromptKind, PromptLibrary, clips
from ui.web.board import board_state
from ui.web.desk import DeskPages, DeskSessions
from ui.web.feed import QueueFeed, Rooms
from ui.web.fleet import FleetPages
from ui.web.reception import ReceptionPages
from ui.web.room import RoomPages, Web
from ui.web.sessions import Sessions

HERE = Path(__file__).parent
TICK_S = 3.0  # a board hears from the server at least this often (it says "mất kết nối" at 10)
RETRY_MS = 2000  # how soon a board's browser reconnects
_ROOM = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


def parse_rooms(text: str) -> Rooms:
    """``"101,102"`` → ``("101", "102")``; anything that is not a room code is left out."""
    rooms = [r.strip() for r in text.split(",")]
    return tuple(dict.fromkeys(r for r in rooms if _ROOM.match(r)))[:16]


def join_wavs(parts: Sequence[bytes], pause_s: float) -> bytes:
    """Mono 16-bit WAVs of one rate, one after the other with ``pause_s`` of silence between."""
    frames: list[bytes] = []
    rate = 22050
    for part in parts:
        with wave.open(io.BytesIO(part), "rb") as wav:
            rate = wav.getframerate()
            frames.append(wav.readframes(wav.getnframes()))
    silence = b"\0\0" * int(rate * pause_s)
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(silence.join(frames))
    return out.getvalue()


class CallVoice:
    """The joined WAV of one call, from the prompt folder the kiosks use."""

    def __init__(self, folder: Path, english: bool) -> None:
        self._library = PromptLibrary(folder)
        self._english = english
        self.wav = lru_cache(maxsize=256)(self._wav)

    def _wav(self, number: int, room: int | None) -> bytes | None:
        prompt = Prompt(PromptKind.ACCEPTED, number=number, room=room)
        langs: tuple[Lang, ...] = ("vi", "en") if self._english else ("vi",)
        said = [self._library.compose(clips(prompt, lang)) for lang in langs]
        parts = [p for p in said if p is not None]
        if not parts:
            return None
        return join_wavs(parts + parts, pause_s=0.7)  # a call is said twice


class BoardPages:
    """The board, its events, its voice and the health check."""

    def __init__(self, web: Web, feed: QueueFeed, voice: CallVoice) -> None:
        self.web = web
        self.feed = feed
        self.voice = voice

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/board", self.board),
            Route("/events", self.events),
            Route("/voice/call.wav", self.call_wav),
            Route("/healthz", self.healthz),
        ]

    async def board(self, request: Request) -> Response:
        config = self.web.config
        rooms = parse_rooms(request.query_params.get("rooms", ""))
        if not rooms:
            rooms = tuple(r for c in config.clinics for r in c.call_rooms())
        state: dict[str, object]
        try:
            _, state = await self.feed.state(rooms)
        except StoreError:
            state = {"rooms": [{"room": r, "called": None, "next": []} for r in rooms]}
        return self.web.templates.TemplateResponse(
            request,
            "board.html",
            {
                "hospital": config.hospital.name,
                "rooms": ",".join(rooms),
                "state": state,
                # inside <script>: a "</" in a clinic's name must not end the element
                "state_json": json.dumps(state, ensure_ascii=False).replace("<", "\\u003c"),
            },
        )

    async def events(self, request: Request) -> Response:
        rooms = parse_rooms(request.query_params.get("rooms", ""))
        feed = self.feed

        async def stream() -> AsyncIterator[dict[str, object]]:
            seen = -1
            while True:
                if feed.version != seen:
                    try:
                        seen, state = await feed.state(rooms)
                    except StoreError:
                        # the board keeps what it shows; try again at the next tick
                        yield {"event": "tick", "data": "db"}
                        await asyncio.sleep(TICK_S)
                        continue
                    yield {"event": "board", "data": json.dumps(state, ensure_ascii=False)}
                else:
                    yield {"event": "tick", "data": ""}
                await feed.wait_change(seen, TICK_S)

        return EventSourceResponse(
            stream(),
            ping=15,
            send_timeout=10,
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    async def call_wav(self, request: Request) -> Response:
        number = re.search(r"(\d+)$", request.query_params.get("label", ""))
        digits = re.search(r"\d+", request.query_params.get("room", ""))
        if number is None or int(number.group(1)) > 9999:
            return PlainTextResponse("label: expected a queue number", status_code=400)
        room = int(digits.group()) if digits and int(digits.group()) <= 9999 else None
        wav = await run_in_threadpool(self.voice.wav, int(number.group(1)), room)
        if wav is None:
            return PlainTextResponse("no voice prompts", status_code=404)
        return Response(wav, media_type="audio/wav", headers={"Cache-Control": "max-age=86400"})

    async def healthz(self, request: Request) -> Response:
        try:
            await run_in_threadpool(self.web.calls.version, self.web.today())
        except StoreError:
            return PlainTextResponse("database unavailable", status_code=503)
        return PlainTextResponse("ok")


def create_app(
    config: Config,
    store: SqlStore,
    secret: bytes,
    *,
    watch: QueueWatch | None = None,
    clock: Clock | None = None,
    desk: CheckInService | None = None,
) -> Starlette:
    """The app on the central ``store``; its lifespan starts and stops the queue feed.

    ``watch`` wakes the boards (default: LISTEN on PostgreSQL, a poll on SQLite); ``clock``
    decides the local day and minutes waited (the calls are timed by the database server).
    ``desk`` is the check-in use case the reception desk works through (None: no desk).
    """
    clock = clock or SystemClock()
    calls = calling_store(store)
    zone = config.kiosk.zone

    def today() -> date:
        return clock.now().astimezone(zone).date()

    web = Web(
        config=config,
        store=store,
        calls=calls,
        sessions=Sessions(secret, config.queue.room_session_minutes * 60),
        templates=Jinja2Templates(directory=str(HERE / "templates")),
        today=today,
        clock=clock,
    )
    feed = QueueFeed(
        watch or watch_for(calls, today),
        lambda rooms: board_state(calls, config, rooms, today()),
    )
    voice = CallVoice(config.audio.prompts_dir, config.queue.board_english)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        feed.start()
        try:
            yield
        finally:
            feed.stop()

    desk_idle_s = config.staff.desk_session_minutes * 60
    routes = [
        *BoardPages(web, feed, voice).routes(),
        *RoomPages(web).routes(),
        *DeskPages(web, desk, secret).routes(),
        *ReceptionPages(web, DeskSessions(secret, desk_idle_s, clock)).routes(),
        *FleetPages(web, DeskSessions(secret, desk_idle_s, clock)).routes(),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(SecurityHeaders)
    return app


class SecurityHeaders:
    """Every page from this server only (no other origin's script, style or frame), never
    framed by another site, and no referrer leaving it (room codes are in its URLs)."""

    HEADERS = (
        (
            b"content-security-policy",
            b"default-src 'self'; style-src 'self' 'unsafe-inline'; "
            b"frame-ancestors 'none'; form-action 'self'",
        ),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
    )

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)
