"""Authentication towards the HIS on real servers on 127.0.0.1: a bearer token, mutual TLS
with a CA bundle, and the webhook's HMAC signature checked by the receiver code in docs/his.md."""

from __future__ import annotations

import re
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from db.his.http import Endpoint, webhook_sender
from db.store.outbox import OutboxItem
from kiosk.config import HisSettings
from tests.db.his.tls_certs import Certs, make_certs
from tests.db.his_server import his_server
from tests.fakes import FakeClock

ROOT = Path(__file__).resolve().parents[3]
NOW = 1764032730


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("certs"))


def _item() -> OutboxItem:
    payload = {"event": "checkin", "event_id": "e1", "patient": {"name": "Trần Thị Mẫu Thử"}}
    return OutboxItem(1, "e1", "checkin", "k", payload, 0, FakeClock().now())


def _server_context(certs: Certs, *, require_client: bool) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certs.server_cert, certs.server_key)
    if require_client:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(certs.ca)
    return context


def _settings(url: str, certs: Certs, *, client: bool) -> HisSettings:
    return HisSettings(
        kind="webhook",
        url=url,
        ca_file=str(certs.ca),
        client_cert=str(certs.client_cert) if client else "",
        client_key=str(certs.client_key) if client else "",
        token_env="HIS_TOKEN",
    )


def test_mutual_tls_with_the_ca_bundle_and_a_bearer_token(certs: Certs) -> None:
    with his_server(tls=_server_context(certs, require_client=True)) as (his, url):
        endpoint = Endpoint.from_settings(
            _settings(url, certs, client=True), {"HIS_TOKEN": "s3cret"}
        )
        result = webhook_sender(endpoint).send(_item())
    assert result.ok, result.detail
    [got] = his.received
    assert got.client_cn == "KIOSK-01"
    assert got.headers["Authorization"] == "Bearer s3cret"


def test_without_the_client_certificate_the_his_refuses_the_handshake(certs: Certs) -> None:
    with his_server(tls=_server_context(certs, require_client=True)) as (his, url):
        endpoint = Endpoint.from_settings(_settings(url, certs, client=False), {})
        result = webhook_sender(endpoint).send(_item())
    assert not result.ok
    assert result.detail.startswith("no reply")
    assert his.received == []


def test_a_his_certificate_outside_the_ca_bundle_is_refused(certs: Certs, tmp_path: Path) -> None:
    other = make_certs(tmp_path)  # another CA: the kiosk trusts only `certs.ca`
    with his_server(tls=_server_context(other, require_client=False)) as (his, url):
        endpoint = Endpoint.from_settings(_settings(url, certs, client=True), {})
        result = webhook_sender(endpoint).send(_item())
    assert not result.ok
    assert "TLS error (CERTIFICATE_VERIFY_FAILED)" in result.detail
    assert his.received == []


def _sample_receiver() -> Callable[..., bool]:
    """The receiver code shown in docs/his.md, as a hospital would copy it."""
    text = (ROOT / "docs" / "his.md").read_text(encoding="utf-8")
    section = text.split("## Verifying the signature", 1)[1]
    [code] = re.findall(r"```python\n(.*?)```", section.split("\n## ", 1)[0], re.DOTALL)
    space: dict[str, Any] = {}
    exec(compile(code, "docs/his.md", "exec"), space)
    verify: Callable[..., bool] = space["verify_kiosk_signature"]
    return verify


def test_the_signature_verifies_with_the_sample_receiver_in_the_docs() -> None:
    verify = _sample_receiver()
    with his_server() as (his, url):
        endpoint = Endpoint(url, allow_http=True, signing_secret=b"hospital-shared-secret")
        sender = webhook_sender(endpoint)
        sender.clock = lambda: float(NOW)
        assert sender.send(_item()).ok
    [got] = his.received
    header = got.headers["X-Kiosk-Signature"]
    assert header.startswith(f"t={NOW},v1=")
    assert verify(b"hospital-shared-secret", header, got.raw, now=NOW + 10)
    # a changed body, another secret, or an old request are refused
    assert not verify(b"hospital-shared-secret", header, got.raw + b" ", now=NOW)
    assert not verify(b"another-secret", header, got.raw, now=NOW)
    assert not verify(b"hospital-shared-secret", header, got.raw, now=NOW + 301)


def test_no_secret_no_signature() -> None:
    with his_server() as (his, url):
        assert webhook_sender(Endpoint(url, allow_http=True)).send(_item()).ok
    assert "X-Kiosk-Signature" not in his.received[0].headers


def test_the_secret_comes_from_the_environment() -> None:
    settings = HisSettings(kind="webhook", url="https://his.local/in")
    endpoint = Endpoint.from_settings(settings, {"KIOSK_HIS_SIGNING_SECRET": " abc \n"})
    assert endpoint.signing_secret == b"abc"
    assert Endpoint.from_settings(settings, {}).signing_secret is None
