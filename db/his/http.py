"""HTTP delivery of outbox events to the hospital information system (HIS).

A sender turns an event into a request body in the format ``his.kind`` chooses and POSTs it
through :func:`db.his.transport.post`: no redirects, one total deadline per send, a reply
size cap, https only (unless ``his.allow_http``), TLS with an optional CA bundle and client
certificate (mTLS), a bearer token and an HMAC signature (:mod:`db.his.signing`) from the
environment.

- ``fhir``: the event's FHIR R4 transaction Bundle (``db.his.fhir``) POSTed to the FHIR base
  URL as ``application/fhir+json``; the transaction-response's ids and versions are kept on
  the event (its ``receipt``);
- ``webhook``, ``json``, ``qd4750``: the event as JSON, a vendor's JSON, or the QĐ 4750 XML,
  with an ``Idempotency-Key`` header (the event id), so a repeat after a lost reply is
  recognised.

A sender never raises: it answers with a :class:`db.his.delivery.SendResult`. Replies 2xx are
taken; 3xx (never followed: the error names the ``Location`` host), 408, 425, 429 and 5xx, and
no reply at all, are tried again later, up to ``his.max_attempts``; any other 4xx means the
HIS refuses this event as it is. The HIS's body is never kept or logged: an error is its
status code and our own words.
"""

from __future__ import annotations

import json
import os
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

from db.his.delivery import NeedsIdentityError, SendResult
from db.his.signing import SIGNATURE_HEADER, signature
from db.his.transport import Reply, ReplyTooLargeError, TransportError, post
from db.store.outbox import OutboxItem
from kiosk.config import HisSettings

_RETRYABLE = frozenset({408, 425, 429})
BodyMaker = Callable[[Mapping[str, Any]], str | None]
"""Turns an event payload into the request body; None when this event needs no request (a
FHIR reprint). Raises ValueError when it cannot, :class:`NeedsIdentityError` when the patient
cannot be identified yet."""
ReceiptReader = Callable[[bytes], str | None]
"""Reads what to keep from a 2xx reply's body (the server's ids), or None."""


def event_body(make_body: BodyMaker, payload: Mapping[str, Any]) -> str | SendResult:
    """The body ``make_body`` makes of an event, or the result that settles the event without
    sending anything: refused for good when the body cannot be made (ValueError), delivered
    when this event needs no body. :class:`NeedsIdentityError` passes through."""
    try:
        text = make_body(payload)
    except ValueError as error:
        return SendResult(ok=False, permanent=True, detail=str(error))
    if text is None:
        return SendResult(ok=True, detail="nothing to send for this event")
    return text


class InsecureUrlError(ValueError):
    """A plain http:// HIS URL without ``his.allow_http``."""


@dataclass(frozen=True)
class Endpoint:
    """Where and how one POST goes: the URL, the deadline, the cap, TLS and credentials."""

    url: str
    _: KW_ONLY
    deadline_s: float = 10.0
    max_reply_bytes: int = 1024 * 1024
    allow_http: bool = False
    token: str | None = field(default=None, repr=False)
    signing_secret: bytes | None = field(default=None, repr=False)
    tls: ssl.SSLContext | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.url.lower().startswith("https://") and not self.allow_http:
            raise InsecureUrlError(
                "his.url: expected an https:// URL (plain http:// only with "
                "his.allow_http = true, for a test server)"
            )

    @classmethod
    def from_settings(cls, his: HisSettings, env: Mapping[str, str] | None = None) -> Endpoint:
        """The endpoint ``his`` describes, its secrets read from ``env`` (the environment)."""
        secret = secret_from_env(his.signing_secret_env, env)
        return cls(
            his.url,
            deadline_s=his.timeout_s,
            max_reply_bytes=his.max_reply_kb * 1024,
            allow_http=his.allow_http,
            token=secret_from_env(his.token_env, env),
            signing_secret=secret.encode("utf-8") if secret else None,
            tls=tls_context(his) if his.url.lower().startswith("https://") else None,
        )


def tls_context(his: HisSettings) -> ssl.SSLContext:
    """Verified TLS, against ``his.ca_file`` when set, with the client certificate (mTLS) when
    ``his.client_cert`` and ``his.client_key`` are set."""
    context = ssl.create_default_context(cafile=his.ca_file or None)
    if his.client_cert:
        context.load_cert_chain(his.client_cert, his.client_key or None)
    return context


def _result(reply: Reply, read_receipt: ReceiptReader | None) -> SendResult:
    status = reply.status
    if 200 <= status < 300:
        receipt = None
        if read_receipt is not None:
            try:
                receipt = read_receipt(reply.body)
            except ValueError:
                receipt = None  # taken all the same; its ids are not readable
        return SendResult(ok=True, detail=f"HTTP {status}", receipt=receipt)
    if 300 <= status < 400:
        # Never followed: a redirect could carry the patient's data to another host.
        where = reply.location_host or "nowhere"
        return SendResult(ok=False, detail=f"HTTP {status}: redirect to {where} not followed")
    permanent = 400 <= status < 500 and status not in _RETRYABLE
    words = "the HIS refused the event" if permanent else "the HIS could not take it now"
    return SendResult(ok=False, permanent=permanent, detail=f"HTTP {status}: {words}")


@dataclass
class HttpHisSender:
    """POSTs each event to one endpoint; the body and content type depend on the format.

    No retry here: the outbox schedules the next try of an event that failed (``db.his.delivery``).
    """

    endpoint: Endpoint
    _: KW_ONLY
    content_type: str
    make_body: BodyMaker
    idempotency_header: bool = False
    read_receipt: ReceiptReader | None = None
    clock: Callable[[], float] = time.time

    @property
    def deadline_s(self) -> float:
        """The longest one :meth:`send` takes (the outbox's lease outlasts it)."""
        return self.endpoint.deadline_s

    def send(self, item: OutboxItem) -> SendResult:
        try:
            body = event_body(self.make_body, item.payload)
        except NeedsIdentityError as error:
            return SendResult(ok=False, needs_identity=True, detail=str(error))
        if isinstance(body, SendResult):
            return body
        return self._post(item, body.encode("utf-8"))

    def _post(self, item: OutboxItem, body: bytes) -> SendResult:
        headers = {"Content-Type": self.content_type, "Accept": self.content_type}
        if self.idempotency_header:
            headers["Idempotency-Key"] = item.event_id
        if self.endpoint.token:
            headers["Authorization"] = f"Bearer {self.endpoint.token}"
        if self.endpoint.signing_secret:
            headers[SIGNATURE_HEADER] = signature(
                self.endpoint.signing_secret, int(self.clock()), body
            )
        try:
            reply = post(
                self.endpoint.url,
                body,
                headers,
                deadline_s=self.endpoint.deadline_s,
                max_bytes=self.endpoint.max_reply_bytes,
                context=self.endpoint.tls,
            )
        except ReplyTooLargeError as error:
            # A 2xx means the HIS took it; only its reply is too long to read (retrying would
            # send it twice).
            taken = 200 <= error.status < 300
            return SendResult(ok=taken, detail=f"HTTP {error.status}; {error}")
        except TransportError as error:
            return SendResult(ok=False, detail=str(error))
        return _result(reply, self.read_receipt)

    def close(self) -> None:
        """Nothing is held between sends (one connection per send)."""


def webhook_body(payload: Mapping[str, Any]) -> str:
    """The webhook's body: the event as it is stored."""
    return json.dumps(payload, ensure_ascii=False)


def secret_from_env(name: str, env: Mapping[str, str] | None = None) -> str | None:
    """A token or secret from the environment variable ``name`` (never from the file)."""
    if not name:
        return None
    value = (os.environ if env is None else env).get(name, "").strip()
    return value or None


token_from_env = secret_from_env


def fhir_sender(
    endpoint: Endpoint, make_body: BodyMaker, read_receipt: ReceiptReader | None = None
) -> HttpHisSender:
    """Transaction Bundles POSTed to the FHIR base (``[base]`` is the transaction endpoint)."""
    return HttpHisSender(
        endpoint,
        content_type="application/fhir+json",
        make_body=make_body,
        read_receipt=read_receipt,
    )


def webhook_sender(endpoint: Endpoint) -> HttpHisSender:
    """Events as plain JSON with an Idempotency-Key header."""
    return idempotent_sender(endpoint, "application/json", webhook_body)


def idempotent_sender(endpoint: Endpoint, content_type: str, make_body: BodyMaker) -> HttpHisSender:
    """Bodies of ``content_type`` POSTed with the event id as the ``Idempotency-Key`` header, so
    the HIS recognises a repeat after a lost reply (the webhook, a vendor's JSON, QĐ 4750)."""
    return HttpHisSender(
        endpoint, content_type=content_type, make_body=make_body, idempotency_header=True
    )
