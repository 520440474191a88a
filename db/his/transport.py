"""One POST to the HIS that cannot be redirected, stalled or flooded.

The HIS is reached with the standard library's ``http.client`` rather than ``requests``: every
send has one **total deadline** (connect, TLS handshake, sending, the status line, the headers
and every byte of the body together), and only a connection whose socket we hold can be cut
when it runs out. A watchdog timer shuts the socket down at the deadline, which wakes any
blocked read: a server that dribbles one byte every two seconds is cut, whatever part of the
reply it is in. (Name resolution is the one step outside the watchdog; it uses the system's
resolver timeouts.)

- **No redirects.** A 3xx is returned as it is (:attr:`Reply.location_host` names where it
  pointed); the caller treats it as an error. Nothing is re-sent anywhere else.
- **A reply size cap.** The body is read in chunks and reading stops past ``max_bytes``
  (:class:`ReplyTooLargeError`); a declared ``Content-Length`` over the cap is refused before
  reading.
- **TLS** with the caller's :class:`ssl.SSLContext` (a CA bundle, a client certificate for
  mTLS); plain ``http://`` only when the caller allows it.

Errors are :class:`TransportError` with a one-line message in our own words: never the
server's body.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

_CHUNK = 64 * 1024


class TransportError(Exception):
    """No usable reply: the message is one line in our words (never the server's body)."""


class DeadlineError(TransportError):
    """The total deadline ran out before the whole reply arrived."""


class ReplyTooLargeError(TransportError):
    """The reply's body is over the size cap; ``status`` is the status line's code."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Reply:
    """A complete reply: its status, its body (at most the cap) and, for a redirect, the host
    of its ``Location`` (never followed)."""

    status: int
    body: bytes
    location_host: str | None = None


class _Watchdog:
    """Shuts down the guarded sockets when the deadline passes."""

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.cancel()

    def guard(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.fired:
                _shut(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    # socket.socket's own shutdown, also for an SSLSocket: it only wakes the reader (the fd is
    # closed by its owner), and it does not touch the TLS state another thread is using.
    with contextlib.suppress(OSError):  # already closed, or not connected yet
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Connection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, timeout: float, watchdog: _Watchdog) -> None:
        super().__init__(host, port, timeout=timeout)
        self._watchdog = watchdog

    def connect(self) -> None:
        super().connect()
        self._watchdog.guard(self.sock)


class _TlsConnection(_Connection):
    def __init__(
        self,
        host: str,
        port: int,
        timeout: float,
        watchdog: _Watchdog,
        context: ssl.SSLContext,
    ) -> None:
        super().__init__(host, port, timeout, watchdog)
        self._context = context

    def connect(self) -> None:
        super().connect()  # TCP, guarded
        tls = self._context.wrap_socket(
            self.sock, server_hostname=self.host, do_handshake_on_connect=False
        )
        self.sock = tls
        self._watchdog.guard(tls)
        tls.do_handshake()


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    deadline_s: float,
    max_bytes: int,
    context: ssl.SSLContext | None = None,
) -> Reply:
    """POST ``body`` to ``url`` and read the whole reply within ``deadline_s`` seconds.

    Raises :class:`TransportError` (:class:`DeadlineError`, :class:`ReplyTooLargeError`) when
    there is no complete reply within the deadline and the cap.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TransportError(f"not an http(s) URL: {parts.scheme}://{parts.hostname or ''}")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    watchdog = _Watchdog(deadline_s)
    connection: _Connection
    if parts.scheme == "https":
        connection = _TlsConnection(
            parts.hostname,
            parts.port or 443,
            deadline_s,
            watchdog,
            context or ssl.create_default_context(),
        )
    else:
        connection = _Connection(parts.hostname, parts.port or 80, deadline_s, watchdog)
    started = time.monotonic()
    watchdog.start()
    try:
        connection.request("POST", target, body=body, headers={**headers, "Connection": "close"})
        response = connection.getresponse()
        data = _read_capped(response, max_bytes)
        location = response.getheader("Location") if 300 <= response.status < 400 else None
        if watchdog.fired:  # the socket was cut: what we read may be short
            raise DeadlineError(_late(deadline_s))
        return Reply(response.status, data, _host_of(location) if location is not None else None)
    except ReplyTooLargeError:
        raise
    except (OSError, http.client.HTTPException, ValueError) as error:
        if watchdog.fired or time.monotonic() - started >= deadline_s:
            raise DeadlineError(_late(deadline_s)) from error
        raise TransportError(f"no reply: {_kind_of(error)}") from error
    finally:
        watchdog.stop()
        connection.close()


def _read_capped(response: http.client.HTTPResponse, max_bytes: int) -> bytes:
    declared = response.getheader("Content-Length")
    if declared is not None and declared.strip().isdigit() and int(declared) > max_bytes:
        raise ReplyTooLargeError(_too_large(max_bytes), response.status)
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise ReplyTooLargeError(_too_large(max_bytes), response.status)
        chunks.append(chunk)
    return b"".join(chunks)


def _late(deadline_s: float) -> str:
    return f"no complete reply within the deadline of {deadline_s:g} s"


def _too_large(max_bytes: int) -> str:
    return f"reply over the size cap of {max_bytes:,} bytes: not read further"


def _host_of(location: str) -> str:
    host = urlsplit(location.strip()).hostname
    return host if host else "(same host)"


def _kind_of(error: BaseException) -> str:
    """The error's kind and, for OS errors, the system's words (never a server's body)."""
    if isinstance(error, ssl.SSLError):
        return f"TLS error ({error.reason or type(error).__name__})"
    if isinstance(error, OSError) and error.strerror:
        return f"{type(error).__name__}: {error.strerror}"
    return type(error).__name__
