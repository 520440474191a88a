"""HTTP delivery of outbox events to the hospital information system (HIS).

The only module that talks to the HIS (with ``requests``). Two formats, chosen by ``his.kind``:

- ``fhir``: the event's FHIR R4 transaction Bundle (``db.his.fhir``) POSTed to the FHIR base
  URL, as ``application/fhir+json``;
- ``webhook``: the event's JSON POSTed to ``his.url`` with an ``Idempotency-Key`` header (the
  event id), so a delivery repeated after a lost reply is recognised by the receiver.

A sender never raises: it answers with a :class:`db.his.delivery.SendResult`. Replies 2xx are
taken; 408, 425, 429 and 5xx (and no reply at all) are tried again later; any other 4xx means
the HIS refuses this event as it is, and retrying the same bytes cannot help.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

import requests

from db.his.delivery import SendResult
from db.store.outbox import OutboxItem

_RETRYABLE = frozenset({408, 425, 429})
BodyMaker = Callable[[Mapping[str, Any]], str]
"""Turns an event payload into the request body (raises ValueError when it cannot)."""


def _result(response: requests.Response) -> SendResult:
    status = response.status_code
    if 200 <= status < 300:
        return SendResult(ok=True, detail=f"HTTP {status}")
    detail = f"HTTP {status}: {' '.join(response.text.split())[:300]}"
    permanent = 400 <= status < 500 and status not in _RETRYABLE
    return SendResult(ok=False, permanent=permanent, detail=detail)


@dataclass
class HttpHisSender:
    """POSTs each event to one URL; the body and content type depend on the format.

    No retry here: the outbox schedules the next try of an event that failed (``db.his.delivery``).
    """

    url: str
    _: KW_ONLY
    content_type: str
    make_body: BodyMaker
    timeout_s: float
    token: str | None = field(default=None, repr=False)
    idempotency_header: bool = False
    session: requests.Session = field(default_factory=requests.Session, repr=False)

    def send(self, item: OutboxItem) -> SendResult:
        try:
            body = self.make_body(item.payload)
        except ValueError as error:
            return SendResult(ok=False, permanent=True, detail=str(error))
        headers = {"Content-Type": self.content_type, "Accept": self.content_type}
        if self.idempotency_header:
            headers["Idempotency-Key"] = item.event_id
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = self.session.post(
                self.url, data=body.encode("utf-8"), headers=headers, timeout=self.timeout_s
            )
        except requests.RequestException as error:
            return SendResult(ok=False, detail=f"no reply: {type(error).__name__}: {error}")
        with response:
            return _result(response)

    def close(self) -> None:
        self.session.close()


def webhook_body(payload: Mapping[str, Any]) -> str:
    """The webhook's body: the event as it is stored."""
    return json.dumps(payload, ensure_ascii=False)


def token_from_env(name: str, env: Mapping[str, str] | None = None) -> str | None:
    """The bearer token from the environment variable ``name`` (never from the file)."""
    value = (os.environ if env is None else env).get(name, "").strip()
    return value or None


def fhir_sender(
    base_url: str, make_body: BodyMaker, timeout_s: float, token: str | None
) -> HttpHisSender:
    """Transaction Bundles POSTed to the FHIR base (``[base]`` is the transaction endpoint)."""
    return HttpHisSender(
        base_url,
        content_type="application/fhir+json",
        make_body=make_body,
        timeout_s=timeout_s,
        token=token,
    )


def webhook_sender(url: str, timeout_s: float, token: str | None) -> HttpHisSender:
    """Events as plain JSON with an Idempotency-Key header."""
    return HttpHisSender(
        url,
        content_type="application/json",
        make_body=webhook_body,
        timeout_s=timeout_s,
        token=token,
        idempotency_header=True,
    )
