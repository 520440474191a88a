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
    assert his.card_system == "urn:vn:bhyt:card-number"
    assert his.max_attempts == 10


def test_environment_turns_the_outbox_on(tmp_path: Path) -> None:
    env = {"KIOSK_HIS_KIND": "fhir", "KIOSK_HIS_URL": "http://his.local:8080/fhir/"}
    his = parse_config({"clinics": CLINICS}, env, tmp_path).his
    assert (his.kind, his.url, his.enabled) == ("fhir", "http://his.local:8080/fhir", True)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"kind": "hl7v2"}, "his.kind: expected one of none, fhir, webhook"),
        ({"kind": "webhook"}, "his.url: needed when his.kind is 'webhook'"),
        ({"kind": "fhir", "url": "his.local"}, "his.url: expected an http"),
        ({"max_attempts": 0}, "his.max_attempts"),
        ({"colour": "red"}, "his.colour: unknown setting"),
    ],
)
def test_bad_settings_name_the_key(tmp_path: Path, table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config({"clinics": CLINICS, "his": table}, {}, tmp_path)
