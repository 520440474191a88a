"""The sender of outbox events that ``his.kind`` chooses, wired from the settings.

``fhir``, ``webhook``, ``json`` and ``qd4750`` POST through :class:`db.his.http.HttpHisSender`
(``qd4750`` may write files into ``his.folder`` instead). A setting that cannot work (a plain
http:// URL without ``his.allow_http``, an unreadable certificate, an unknown field in the
JSON mapping) is a :class:`kiosk.config.ConfigError` naming the key.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from typing import Any

from db.his.delivery import HisSender
from db.his.http import Endpoint, HttpHisSender, fhir_sender, webhook_sender
from kiosk.config import Config, ConfigError


def build_sender(config: Config, env: Mapping[str, str] | None = None) -> HisSender | None:
    """The configured sender, or None when ``his.kind`` is ``none``."""
    his = config.his
    if not his.enabled:
        return None
    if his.kind == "qd4750" and his.folder:
        from db.his.qd4750 import folder_sender

        return folder_sender(config)
    try:
        endpoint = Endpoint.from_settings(his, env)
    except ValueError as error:
        raise ConfigError(str(error)) from error
    except (OSError, ssl.SSLError) as error:
        raise ConfigError(
            f"his.client_cert / his.ca_file: cannot be read ({type(error).__name__})"
        ) from error
    if his.kind == "webhook":
        return webhook_sender(endpoint)
    if his.kind == "json":
        from db.his.vendor_json import json_sender

        return json_sender(config, endpoint)
    if his.kind == "qd4750":
        from db.his.qd4750 import http_sender

        return http_sender(config, endpoint)
    return _fhir(config, endpoint)


def _fhir(config: Config, endpoint: Endpoint) -> HttpHisSender:
    # Only a kiosk that speaks FHIR loads the FHIR models (they take a while to import).
    from db.his.fhir import bundle_json, event_bundle, transaction_receipt

    his, zone = config.his, config.kiosk.zone

    def make_bundle(payload: Mapping[str, Any]) -> str | None:
        clinic = config.clinic(str(payload.get("clinic_code")))
        bundle = event_bundle(payload, his, clinic, zone)
        return None if bundle is None else bundle_json(bundle)

    return fhir_sender(endpoint, make_bundle, transaction_receipt)
