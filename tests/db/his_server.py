"""Stand-in HIS servers on 127.0.0.1: one that records every POST and answers with scripted
status codes (or redirects), one that dribbles its reply, one that floods it."""

from __future__ import annotations

import contextlib
import json
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    """One request as the server saw it."""

    path: str
    headers: dict[str, str]
    body: Any
    raw: bytes = b""  # the body's bytes as they came
    client_cn: str | None = None  # the client certificate's common name (mTLS)


@dataclass(frozen=True)
class Answer:
    """A scripted reply: a status, extra headers and a body."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b'{"resourceType": "Bundle", "type": "transaction-response"}'


@dataclass
class HisState:
    """What the server got, and the answers it gives next (then 200)."""

    script: list[int | Answer] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bodies(self) -> list[Any]:
        with self.lock:
            return [r.body for r in self.received]


def _handler(state: HisState) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            try:
                body: Any = json.loads(raw.decode("utf-8"))
            except ValueError:
                body = raw  # not JSON (the QĐ 4750 XML): kept as bytes
            client = _client_cn(self.connection)
            with state.lock:
                state.received.append(
                    Received(self.path, dict(self.headers.items()), body, raw, client)
                )
                step = state.script.pop(0) if state.script else 200
            answer = step if isinstance(step, Answer) else Answer(step)
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/fhir+json")
            self.send_header("Content-Length", str(len(answer.body)))
            for name, value in answer.headers:
                self.send_header(name, value)
            self.end_headers()
            with contextlib.suppress(OSError):  # a client that stopped reading (the size cap)
                self.wfile.write(answer.body)

    return Handler


def _client_cn(connection: object) -> str | None:
    if not isinstance(connection, ssl.SSLSocket):
        return None
    cert = connection.getpeercert()
    subject = cert.get("subject", ()) if cert else ()
    for rdn in subject if isinstance(subject, tuple) else ():
        for pair in rdn:
            if isinstance(pair, tuple) and pair[0] == "commonName":
                return str(pair[1])
    return None


@contextmanager
def his_server(
    script: list[int | Answer] | None = None, *, tls: ssl.SSLContext | None = None
) -> Iterator[tuple[HisState, str]]:
    """A running server and its base URL (``http://127.0.0.1:PORT/fhir``; ``https://`` with
    ``tls``, a server context that may require a client certificate)."""
    state = HisState(script=list(script or []))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    scheme = "https" if tls is not None else "http"
    with serving(server) as port:
        yield state, f"{scheme}://127.0.0.1:{port}/fhir"


@dataclass
class Dribble:
    """What the dribbling server did: bytes written before the client hung up."""

    written: int = 0
    stop: threading.Event = field(default_factory=threading.Event)


@contextmanager
def dribbling_server(every_s: float) -> Iterator[tuple[Dribble, str]]:
    """A server that answers a POST one byte every ``every_s`` seconds, status line included,
    for ever (until the client hangs up or the server stops)."""
    seen = Dribble()

    class Handler(QuietHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            reply = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + b"x" * 10**6
            for byte in reply:
                try:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                except OSError:
                    return
                seen.written += 1
                if seen.stop.wait(every_s):
                    return

    with _serving(Handler, seen.stop) as url:
        yield seen, url


@contextmanager
def flooding_server(size: int, *, declare_length: bool) -> Iterator[tuple[Dribble, str]]:
    """A server that answers a POST with ``size`` bytes of 200 OK body, with or without a
    Content-Length; ``written`` counts what the client took before it hung up."""
    seen = Dribble()

    class Handler(QuietHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(200)
            if declare_length:
                self.send_header("Content-Length", str(size))
            self.send_header("Connection", "close")
            self.end_headers()
            block = b"{" * 65536
            while seen.written < size and not seen.stop.is_set():
                try:
                    self.wfile.write(block)
                except OSError:
                    return
                seen.written += len(block)

    with _serving(Handler, seen.stop) as url:
        yield seen, url


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that writes no access log (the test's output is the test's)."""

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serving(server: ThreadingHTTPServer) -> Iterator[int]:
    """``server`` serving on a thread of its own until the block ends; yields its port."""
    # a short poll: shutdown() waits for the serving loop's next look (0.5 s by default)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def _serving(handler: type[BaseHTTPRequestHandler], stop: threading.Event) -> Iterator[str]:
    """``handler`` served at ``http://127.0.0.1:PORT/his``; ``stop`` set at the end (a handler
    still writing gives up)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    with serving(server) as port:
        try:
            yield f"http://127.0.0.1:{port}/his"
        finally:
            stop.set()
