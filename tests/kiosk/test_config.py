"""Config errors name the key and say what is expected; the shipped config.toml is valid; the
file is searched for in a fixed order, and without one the built-in defaults run the kiosk."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from kiosk.config import (
    DEFAULT_CLINICS,
    CameraSettings,
    ConfigError,
    ConfigPlaces,
    DatabaseSettings,
    DecoderSettings,
    HospitalSettings,
    InsuranceSettings,
    KioskSettings,
    PrinterSettings,
    StaffSettings,
    load_config,
    parse_config,
)

ROOT = Path(__file__).resolve().parents[2]


def _shipped() -> dict[str, Any]:
    with (ROOT / "config.toml").open("rb") as handle:
        return tomllib.load(handle)


def test_the_shipped_config_is_valid_and_complete() -> None:
    config = load_config(ROOT / "config.toml", env={})
    assert config.kiosk.locale == "vi"
    assert config.kiosk.timezone == "Asia/Ho_Chi_Minh"
    assert config.hospital.facility_codes == ("79024",)
    assert [c.code for c in config.clinics] == ["NOI", "NHI", "TMH"]
    assert config.database.url.startswith("sqlite:///")
    assert Path(config.database.url.removeprefix("sqlite:///")).is_absolute()
    assert config.printer.dots == 576
    assert config.insurance.online_budget_s == 1.5


def test_environment_overrides_any_setting() -> None:
    env = {
        "KIOSK_DATABASE_URL": "postgresql+psycopg://kiosk@db/kiosk",
        "KIOSK_PRINTER_DOTS": "384",
        "KIOSK_KIOSK_HIDE_CURSOR": "false",
        "KIOSK_HOSPITAL_FACILITY_CODES": "79024, 79025",
        "KIOSK_INSURANCE_ONLINE_BUDGET_S": "0.8",
    }
    config = parse_config(_shipped(), env, ROOT)
    assert config.database.url == "postgresql+psycopg://kiosk@db/kiosk"
    assert config.printer.dots == 384
    assert config.kiosk.hide_cursor is False
    assert config.hospital.facility_codes == ("79024", "79025")
    assert config.insurance.online_budget_s == 0.8


@pytest.mark.parametrize(
    ("section", "key", "value", "message"),
    [
        ("printer", "dots", 500, "printer.dots: expected a multiple of 8"),
        ("printer", "kind", "laser", "printer.kind: expected one of file"),
        ("camera", "width", -1, "camera.width: expected a whole number"),
        ("camera", "width", True, "camera.width: expected a whole number"),
        ("kiosk", "timezone", "Mars/Base", "kiosk.timezone: expected an IANA time zone"),
        ("kiosk", "locale", "fr", "kiosk.locale: expected one of vi, en"),
        ("kiosk", "hide_cursor", "yes", "kiosk.hide_cursor: expected true or false"),
        ("hospital", "facility_codes", ["7902"], "hospital.facility_codes[0]: expected a 5-char"),
        ("hospital", "level", "regional", "hospital.level: expected one of central"),
        ("insurance", "gateway_url", "ftp://x", "insurance.gateway_url: expected an http"),
        ("insurance", "online_budget_s", 0, "insurance.online_budget_s: expected a positive"),
        ("database", "url", "mysql://x", "database.url: expected sqlite"),
        ("decoder", "chain", ["zxing", "magic"], "decoder.chain[1]: expected one of"),
        ("staff", "pin_length", 4, "staff.pin_length: unknown setting"),
    ],
)
def test_a_wrong_value_names_its_key(section: str, key: str, value: object, message: str) -> None:
    data = _shipped()
    data[section][key] = value
    with pytest.raises(ConfigError) as caught:
        parse_config(data, {}, ROOT)
    assert str(caught.value).startswith(message), str(caught.value)


def test_unknown_section_and_bad_clinic_are_named() -> None:
    data = _shipped()
    data["printers"] = {}
    with pytest.raises(ConfigError, match=r"^printers: unknown section"):
        parse_config(data, {}, ROOT)
    data = _shipped()
    data["clinics"][1]["open_hours"] = ["11:00-07:00"]
    with pytest.raises(ConfigError, match=r"^clinics\[1\]\.open_hours\[0\]"):
        parse_config(data, {}, ROOT)
    data = _shipped()
    data["clinics"][2]["code"] = "NOI"
    with pytest.raises(ConfigError, match="used twice"):
        parse_config(data, {}, ROOT)
    data = _shipped()
    data["clinics"] = []
    with pytest.raises(ConfigError, match=r"^clinics: expected at least one"):
        parse_config(data, {}, ROOT)


def test_a_bad_environment_value_names_the_variable() -> None:
    with pytest.raises(ConfigError, match=r"^KIOSK_CAMERA_FPS \(for camera\.fps\)"):
        parse_config(_shipped(), {"KIOSK_CAMERA_FPS": "fast"}, ROOT)


def test_missing_and_broken_files_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml", env={})
    broken = tmp_path / "broken.toml"
    broken.write_text("[kiosk\nid = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(broken, env={})
    chosen = tmp_path / "chosen.toml"
    chosen.write_text((ROOT / "config.toml").read_text(encoding="utf-8"), encoding="utf-8")
    assert load_config(None, env={"KIOSK_CONFIG": str(chosen)}).source == chosen


def test_relative_paths_follow_the_config_file(tmp_path: Path) -> None:
    chosen = tmp_path / "site" / "kiosk.toml"
    chosen.parent.mkdir()
    chosen.write_text((ROOT / "config.toml").read_text(encoding="utf-8"), encoding="utf-8")
    config = load_config(chosen, env={})
    assert config.kiosk.data_dir == chosen.parent / "data"
    assert config.database.url == f"sqlite:///{(chosen.parent / 'data' / 'kiosk.db').resolve()}"


def test_cli_exits_2_with_one_line_naming_the_key(tmp_path: Path, run_cli: Any) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        (ROOT / "config.toml").read_text(encoding="utf-8").replace("dots = 576", "dots = 577"),
        encoding="utf-8",
    )
    result = run_cli(["--config", str(bad), "status"])
    assert result.returncode == 2
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1
    assert "printer.dots" in lines[0]


def _places(tmp_path: Path) -> ConfigPlaces:
    return ConfigPlaces(
        user_config=tmp_path / "xdg-config" / "kiosk" / "config.toml",
        system_config=tmp_path / "etc" / "kiosk" / "config.toml",
        user_data=tmp_path / "xdg-data" / "kiosk",
    )


def _write(path: Path, kiosk_id: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    path.write_text(text.replace('id = "KIOSK-01"', f'id = "{kiosk_id}"'), encoding="utf-8")
    return path


def test_the_search_order_ends_in_the_built_in_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    places = _places(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    # every place holds a file; each step removes the winner and the next one must answer
    explicit = _write(tmp_path / "explicit.toml", "EXPLICIT")
    from_env = _write(tmp_path / "env.toml", "ENV")
    _write(work / "config.toml", "CWD")
    _write(places.user_config, "USER")
    _write(places.system_config, "SYSTEM")
    env = {"KIOSK_CONFIG": str(from_env)}
    assert load_config(explicit, env=env, places=places).kiosk.id == "EXPLICIT"
    assert load_config(None, env=env, places=places).kiosk.id == "ENV"
    assert load_config(None, env={}, places=places).kiosk.id == "CWD"
    (work / "config.toml").unlink()
    assert load_config(None, env={}, places=places).kiosk.id == "USER"
    places.user_config.unlink()
    assert load_config(None, env={}, places=places).kiosk.id == "SYSTEM"
    places.system_config.unlink()
    config = load_config(None, env={}, places=places)
    assert config.source is None
    assert config.kiosk.data_dir == places.user_data / "data"
    assert config.database.url == f"sqlite:///{places.user_data / 'data' / 'kiosk.db'}"
    assert config.printer.output_dir == places.user_data / "data" / "slips"


def test_a_named_file_that_is_missing_stays_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    places = _places(tmp_path)
    monkeypatch.chdir(tmp_path)
    _write(places.user_config, "USER")  # a fallback exists, and must not be used
    with pytest.raises(ConfigError, match=r"^config file .*typo\.toml not found"):
        load_config(tmp_path / "typo.toml", env={}, places=places)
    with pytest.raises(ConfigError, match=r"^config file .*typo\.toml not found"):
        load_config(None, env={"KIOSK_CONFIG": str(tmp_path / "typo.toml")}, places=places)


def test_each_built_in_default_is_the_dataclass_default(tmp_path: Path) -> None:
    config = parse_config({}, {}, tmp_path)
    assert config.kiosk == replace(KioskSettings(), data_dir=tmp_path / "data")
    assert config.hospital == HospitalSettings()
    assert config.database.busy_timeout_ms == DatabaseSettings().busy_timeout_ms
    assert config.database.url == f"sqlite:///{tmp_path / 'data' / 'kiosk.db'}"
    assert config.camera == CameraSettings()
    assert config.decoder == DecoderSettings()
    assert config.printer == replace(PrinterSettings(), output_dir=tmp_path / "data" / "slips")
    assert config.insurance == InsuranceSettings()
    assert config.staff == StaffSettings()
    assert config.clinics == DEFAULT_CLINICS
    assert config.clinics[0].open_hours == (("00:00", "24:00"),)


def test_origins_say_file_environment_or_default(tmp_path: Path) -> None:
    chosen = _write(tmp_path / "kiosk.toml", "K-7")
    config = load_config(chosen, env={"KIOSK_PRINTER_DOTS": "384"}, places=_places(tmp_path))
    assert config.origins["kiosk.id"] == "file"
    assert config.origins["printer.dots"] == "KIOSK_PRINTER_DOTS"
    assert config.origins["staff.lockout_minutes"] == "file"
    assert config.origins["clinics"] == "file"
    defaults = parse_config({"kiosk": {"locale": "en"}}, {}, tmp_path)
    assert defaults.origins["kiosk.locale"] == "file"
    assert defaults.origins["kiosk.id"] == "default"
    assert defaults.origins["hospital.facility_levels"] == "default"
    assert defaults.origins["clinics"] == "default"
