"""A TCP fault proxy on 127.0.0.1, in front of the CI PostgreSQL or an HIS capture server.

The fleet harness puts one in front of each kiosk's central database and one in front of the
HIS. It forwards bytes both ways until the harness switches a fault on, at a named moment:

- ``refuse(True)``: an outage. New connections are closed at once and the live ones are cut;
  ``refuse(False)`` ends it.
- ``cut()``: every live connection is closed now, mid-transaction or mid-request.
- ``delay(s)``: each chunk waits ``s`` seconds before it is forwarded (a slow network, or an
  HIS that answers after the kiosk's deadline).
- ``lose_reply(matcher)``: the next server reply that ``matcher`` recognises is swallowed and
  the connection closed, after the server has done the work: a commit whose reply is lost.
  :func:`checkin_commit` recognises PostgreSQL's reply to the kiosk's one-statement check-in
  (an ``INSERT`` outside a transaction, returning ``queue_number``), :func:`commit_reply` the
  ``CommandComplete`` of a ``COMMIT``.

Each fault that fires is counted in :attr:`FaultProxy.fired`; ``lose_reply`` returns an event
set when it has fired, so the harness waits for it instead of sleeping.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

ReplyMatcher = Callable[[bytes], bool]

# PostgreSQL's backend messages: a type byte, then a 4-byte length that counts itself.
_COMMIT_DONE = b"C\x00\x00\x00\x0bCOMMIT\x00"  # CommandComplete "COMMIT"
_INSERT_DONE = b"C\x00\x00\x00\x0fINSERT 0 1\x00"  # CommandComplete "INSERT 0 1"
_IDLE = b"Z\x00\x00\x00\x05I"  # ReadyForQuery, outside any transaction


def commit_reply(chunk: bytes) -> bool:
    """A reply that tells the client its ``COMMIT`` went through."""
    return _COMMIT_DONE in chunk


def checkin_commit(chunk: bytes) -> bool:
    """The reply to the kiosk's check-in statement: one INSERT … RETURNING ``queue_number``
    run outside a transaction (it commits on its own), so the work is done when it comes."""
    return _INSERT_DONE in chunk and b"queue_number\x00" in chunk and _IDLE in chunk


def any_reply(chunk: bytes) -> bool:
    """Any reply at all (an HIS's HTTP answer)."""
    return bool(chunk)


@dataclass(eq=False)
class _Link:
    """One client connection and the server connection it was paired with."""

    client: socket.socket
    server: socket.socket
    closed: threading.Event = field(default_factory=threading.Event)

    def close(self) -> None:
        if self.closed.is_set():
            return
        self.closed.set()
        for sock in (self.client, self.server):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()


@dataclass
class _Armed:
    matcher: ReplyMatcher
    fired: threading.Event
    then: Callable[[], None] | None  # run at the moment the reply is lost


class FaultProxy:
    """Forwards 127.0.0.1:``port`` to ``target``, with faults switched by the harness."""

    def __init__(self, target: tuple[str, int], name: str = "proxy") -> None:
        self.name = name
        self._target = target
        self._lock = threading.Lock()
        self._links: set[_Link] = set()
        self._refusing = False
        self._delay_s = 0.0
        self._armed: _Armed | None = None
        self.fired: Counter[str] = Counter()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, name=f"{name}-accept", daemon=True)

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() (close alone does not)
        with contextlib.suppress(OSError):
            self._listener.close()
        self.cut(count=False)
        self._thread.join(timeout=5)

    # -- the faults -------------------------------------------------------------------------------

    def refuse(self, on: bool) -> None:
        """Start (``True``) or end an outage: while on, no connection gets through."""
        with self._lock:
            self._refusing = on
        if on:
            self.fired["outage"] += 1
            self.cut(count=False)

    def cut(self, *, count: bool = True) -> int:
        """Close every live connection now; how many were cut."""
        with self._lock:
            links = list(self._links)
            self._links.clear()
        for link in links:
            link.close()
        if count and links:
            self.fired["cut"] += 1
        return len(links)

    def delay(self, seconds: float) -> None:
        """Hold each chunk ``seconds`` before forwarding it (0: no delay)."""
        with self._lock:
            self._delay_s = seconds
        if seconds:
            self.fired["delay"] += 1

    def lose_reply(
        self, matcher: ReplyMatcher, then: Callable[[], None] | None = None
    ) -> threading.Event:
        """Swallow the next server reply ``matcher`` recognises and close that connection;
        the event is set once it has happened. ``then`` runs at that moment, before the client
        can notice (an outage that begins with the lost reply)."""
        armed = _Armed(matcher, threading.Event(), then)
        with self._lock:
            self._armed = armed
        return armed.fired

    def disarm(self) -> None:
        with self._lock:
            self._armed = None

    @property
    def refusing(self) -> bool:
        with self._lock:
            return self._refusing

    # -- forwarding -------------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.refusing:
                with contextlib.suppress(OSError):
                    client.close()
                continue
            try:
                server = socket.create_connection(self._target, timeout=5)
                server.settimeout(None)
            except OSError:
                with contextlib.suppress(OSError):
                    client.close()
                continue
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            link = _Link(client, server)
            with self._lock:
                if self._refusing:
                    link.close()
                    continue
                self._links.add(link)
            for source, sink, upstream in ((client, server, True), (server, client, False)):
                threading.Thread(
                    target=self._pump, args=(link, source, sink, upstream), daemon=True
                ).start()

    def _pump(self, link: _Link, source: socket.socket, sink: socket.socket, up: bool) -> None:
        try:
            while not link.closed.is_set():
                chunk = source.recv(65536)
                if not chunk:
                    break
                with self._lock:
                    delay, armed = self._delay_s, self._armed
                if delay and link.closed.wait(delay):
                    break
                if not up and armed is not None and armed.matcher(chunk):
                    with self._lock:
                        taken = self._armed is armed
                        if taken:
                            self._armed = None
                    if taken:  # the server did the work; the client never hears of it
                        self.fired["lost_reply"] += 1
                        if armed.then is not None:
                            armed.then()
                        armed.fired.set()  # before the client can see the connection go
                        link.close()
                        break
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            with self._lock:
                self._links.discard(link)
            link.close()
