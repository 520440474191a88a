"""The [his] settings: documented defaults, validation naming the key, environment overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_config, parse_config

ROOT = Path(__file__).resolve().parents[2]
CLINICS = [{"code": "NOI", "name_vi": "Khám Nội", "name_en": "Internal medicine"}]


def test_shipped_config_documents_the_defaults() -> None:
    his = load_config(ROOT / "config.toml", env={}).his
    assert his.kind == "none"
    assert not his.enabled
    assert his.card_system == "urn:kiosk:local:bhyt-card"
    assert his.max_attempts == 10


def test_environment_turns_the_outbox_on(tmp_path: Path) -> None:
    env = {"KIOSK_HIS_KIND": "fhir", "KIOSK_HIS_URL": "https://his.local:8443/fhir/"}
    his = parse_config({"clinics": CLINICS}, env, tmp_path).his
    assert (his.kind, his.url, his.enabled) == ("fhir", "https://his.local:8443/fhir", True)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"kind": "hl7v2"}, "his.kind: expected one of none, fhir, webhook, qd4750, json"),
        ({"kind": "fhir", "url": "http://his.local/fhir"}, "his.url: expected an https:// URL"),
        ({"kind": "webhook", "folder": "/srv/his"}, "his.folder: only for his.kind = 'qd4750'"),
        ({"client_cert": "kiosk.pem"}, "his.client_cert: mTLS needs both"),
        ({"json_fields": {"HoTen": 3}}, "his.json_fields.HoTen: expected a kiosk field"),
        ({"kind": "webhook"}, "his.url: needed when his.kind is 'webhook'"),
        ({"kind": "fhir", "url": "his.local"}, "his.url: expected an http"),
        ({"max_attempts": 0}, "his.max_attempts"),
        ({"colour": "red"}, "his.colour: unknown setting"),
    ],
)
def test_bad_settings_name_the_key(tmp_path: Path, table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config({"clinics": CLINICS, "his": table}, {}, tmp_path)


def test_plain_http_only_with_allow_http(tmp_path: Path) -> None:
    table = {"kind": "webhook", "url": "http://127.0.0.1:8080/in", "allow_http": True}
    his = parse_config({"clinics": CLINICS, "his": table}, {}, tmp_path).his
    assert (his.url, his.allow_http) == ("http://127.0.0.1:8080/in", True)


def test_certificate_paths_are_read_against_the_config_folder(tmp_path: Path) -> None:
    table = {
        "kind": "fhir",
        "url": "https://his.local/fhir",
        "ca_file": "his-ca.pem",
        "client_cert": "kiosk.pem",
        "client_key": "/etc/kiosk/kiosk.key",
    }
    his = parse_config({"clinics": CLINICS, "his": table}, {}, tmp_path).his
    assert (his.ca_file, his.client_cert, his.client_key) == (
        str(tmp_path / "his-ca.pem"),
        str(tmp_path / "kiosk.pem"),
        "/etc/kiosk/kiosk.key",
    )
