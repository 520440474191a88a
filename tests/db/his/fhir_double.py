"""A small FHIR server on 127.0.0.1 that processes transaction Bundles the way a HAPI-style
server does, for the tests of what the kiosk sends: conditional creates (``ifNoneExist``, a
comma is OR), conditional PATCH with a JSON Patch carried in a Binary (a failed ``test``
operation answers 412 and changes nothing), PUT (recorded: the kiosk must never send one),
versions and a transaction-response with locations and ETags. Every resource it receives is
validated with ``fhir.resources`` (R4B) and the request is refused with 400 when one is not.
"""

from __future__ import annotations

import base64
import copy
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from fhir.resources.R4B import get_fhir_model_class

from tests.db.his_server import QuietHandler, serving


@dataclass(frozen=True)
class Request:
    """One entry of a transaction as the server saw it."""

    method: str
    url: str
    if_none_exist: str | None
    resource: dict[str, Any] | None


class RefusedError(Exception):
    """The transaction fails as a whole with ``status``."""

    def __init__(self, status: int, why: str) -> None:
        super().__init__(why)
        self.status = status


@dataclass
class FhirState:
    """The server's resources by type and id (each with ``meta.versionId``), and every entry
    it was sent, in order."""

    resources: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    posts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    _next_id: int = 1

    def all(self, kind: str) -> list[dict[str, Any]]:
        with self.lock:
            return [copy.deepcopy(r) for r in self.resources.get(kind, {}).values()]

    def by_identifier(self, kind: str, system: str, value: str) -> dict[str, Any]:
        [found] = [
            r
            for r in self.resources.get(kind, {}).values()
            if {"system": system, "value": value} in _pairs(r)
        ]
        return found

    def add(self, resource: dict[str, Any]) -> str:
        """Store ``resource`` as the HIS would (its own registration); returns its id."""
        with self.lock:
            return self._create(copy.deepcopy(resource), self.resources)

    def _create(self, resource: dict[str, Any], into: dict[str, dict[str, dict[str, Any]]]) -> str:
        new_id = str(self._next_id)
        self._next_id += 1
        resource["id"] = new_id
        resource["meta"] = {"versionId": "1"}
        into.setdefault(resource["resourceType"], {})[new_id] = resource
        return new_id

    def transaction(self, bundle: dict[str, Any]) -> dict[str, Any]:
        """Process a transaction all or nothing; raises RefusedError."""
        with self.lock:
            work = copy.deepcopy(self.resources)
            resolved: dict[str, str] = {}
            answers = []
            for entry in bundle.get("entry", []):
                request = entry["request"]
                resource = entry.get("resource")
                self.requests.append(
                    Request(request["method"], request["url"], request.get("ifNoneExist"), resource)
                )
                answers.append(self._entry(request, resource, entry.get("fullUrl"), work, resolved))
            self.resources = work
        return {"resourceType": "Bundle", "type": "transaction-response", "entry": answers}

    def _entry(
        self,
        request: dict[str, Any],
        resource: dict[str, Any] | None,
        full_url: str | None,
        work: dict[str, dict[str, dict[str, Any]]],
        resolved: dict[str, str],
    ) -> dict[str, Any]:
        method = request["method"]
        if method == "POST" and resource is not None:
            resource = _resolve(copy.deepcopy(resource), resolved)
            kind = request["url"]
            existing = _matches(work.get(kind, {}), request.get("ifNoneExist"))
            if len(existing) > 1:
                raise RefusedError(412, "ifNoneExist matches several resources")
            if existing:
                found, status = existing[0], "200 OK"
            else:
                new_id = self._create(resource, work)
                found = work[kind][new_id]
                status = "201 Created"
            if full_url:
                resolved[full_url] = f"{kind}/{found['id']}"
            return _answer(found, status)
        if method == "PATCH" and resource is not None:
            kind, query = request["url"].split("?", 1)
            targets = _matches(work.get(kind, {}), query)
            if len(targets) != 1:
                raise RefusedError(404 if not targets else 412, "conditional patch: not one match")
            if resource.get("contentType") != "application/json-patch+json":
                raise RefusedError(400, "only JSON Patch here")
            ops = json.loads(base64.b64decode(resource["data"]))
            target = targets[0]
            _apply(target, ops)  # raises RefusedError(412) on a failed test
            target["meta"]["versionId"] = str(int(target["meta"]["versionId"]) + 1)
            return _answer(target, "200 OK")
        if method == "PUT" and resource is not None:
            kind, query = request["url"].split("?", 1)
            targets = _matches(work.get(kind, {}), query)
            resource = _resolve(copy.deepcopy(resource), resolved)
            if targets:
                resource["id"] = targets[0]["id"]
                resource["meta"] = {"versionId": str(int(targets[0]["meta"]["versionId"]) + 1)}
                work[kind][resource["id"]] = resource  # a blind replace: what the kiosk must avoid
                return _answer(resource, "200 OK")
            new_id = self._create(resource, work)
            return _answer(work[kind][new_id], "201 Created")
        raise RefusedError(400, f"unsupported {method}")


def _pairs(resource: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {"system": i.get("system"), "value": i.get("value")} for i in resource.get("identifier", [])
    ]


def _matches(pool: dict[str, dict[str, Any]], query: str | None) -> list[dict[str, Any]]:
    if not query:
        return []
    name, _, wanted = query.partition("=")
    assert name == "identifier", query
    options = []
    for token in wanted.split(","):
        system, _, value = token.partition("|")
        options.append({"system": system, "value": value})
    return [r for r in pool.values() if any(o in _pairs(r) for o in options)]


def _resolve(resource: Any, resolved: dict[str, str]) -> Any:
    if isinstance(resource, dict):
        return {k: _resolve(v, resolved) for k, v in resource.items()}
    if isinstance(resource, list):
        return [_resolve(v, resolved) for v in resource]
    if isinstance(resource, str) and resource in resolved:
        return resolved[resource]
    return resource


def _apply(target: dict[str, Any], ops: list[dict[str, Any]]) -> None:
    for op in ops:
        key = op["path"].strip("/")
        assert "/" not in key, op  # the kiosk only patches top-level elements
        if op["op"] == "test":
            if target.get(key) != op["value"]:
                raise RefusedError(412, f"JSON Patch test failed on {key}")
        elif op["op"] == "replace":
            if key not in target:
                raise RefusedError(422, f"nothing to replace at {key}")
            target[key] = op["value"]
        else:
            raise RefusedError(422, f"unsupported op {op['op']}")


def _answer(resource: dict[str, Any], status: str) -> dict[str, Any]:
    version = resource["meta"]["versionId"]
    return {
        "response": {
            "status": status,
            "location": f"{resource['resourceType']}/{resource['id']}/_history/{version}",
            "etag": f'W/"{version}"',
        }
    }


def validate(bundle: dict[str, Any]) -> None:
    """Every resource of ``bundle`` validates with fhir.resources (R4B), and the Bundle too."""
    get_fhir_model_class("Bundle").model_validate(bundle)
    for entry in bundle.get("entry", []):
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def _handler(state: FhirState) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        def do_POST(self) -> None:
            bundle = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.posts += 1
            try:
                validate(bundle)
            except ValueError as error:
                self._reply(400, {"resourceType": "OperationOutcome", "why": str(error)[:200]})
                return
            try:
                self._reply(200, state.transaction(bundle))
            except RefusedError as refused:
                self._reply(
                    refused.status, {"resourceType": "OperationOutcome", "why": str(refused)}
                )

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/fhir+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextmanager
def fhir_server() -> Iterator[tuple[FhirState, str]]:
    """A running FHIR double and its base URL (``http://127.0.0.1:PORT/fhir``)."""
    state = FhirState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    with serving(server) as port:
        yield state, f"http://127.0.0.1:{port}/fhir"
