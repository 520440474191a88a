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
# a server database: the kiosk then needs an offline prefix and keeps a journal
SERVER_DATABASE = {"KIOSK_DATABASE_URL": "postgresql+psycopg://kiosk@db/kiosk"}


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
    assert config.insurance.online_budget_s == 4.0
    assert config.insurance.token_body == "form"
    assert config.insurance.md5_uppercase is True
    assert config.insurance.checked_elsewhere_guard is True
    assert (config.insurance.breaker_failures, config.insurance.breaker_cooldown_s) == (3, 60.0)


def test_environment_overrides_any_setting() -> None:
    env = {
        "KIOSK_DATABASE_URL": "postgresql+psycopg://kiosk@db/kiosk",
        "KIOSK_KIOSK_OFFLINE_PREFIX": "B",
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
    ("settings", "uppercase"),
    [
        ({}, True),
        ({"md5_case": "lower"}, False),
        ({"md5_case": "upper"}, True),
        ({"md5_uppercase": False}, False),  # the old key keeps its meaning
        ({"md5_uppercase": False, "md5_case": "upper"}, True),
    ],
)
def test_md5_case_setting_and_its_old_form(settings: dict[str, object], uppercase: bool) -> None:
    data = _shipped()
    data["insurance"].pop("md5_case", None)
    data["insurance"].update(settings)
    assert parse_config(data, {}, ROOT).insurance.md5_uppercase is uppercase


def test_token_body_json_and_guard_off() -> None:
    data = _shipped()
    data["insurance"].update(token_body="json", checked_elsewhere_guard=False)
    insurance = parse_config(data, {}, ROOT).insurance
    assert insurance.token_body == "json"
    assert insurance.checked_elsewhere_guard is False


@pytest.mark.parametrize(
    ("section", "key", "value", "message"),
    [
        ("printer", "dots", 500, "printer.dots: expected a multiple of 8"),
        ("printer", "kind", "laser", "printer.kind: expected one of file"),
        ("camera", "width", -1, "camera.width: expected a whole number"),
        ("camera", "width", True, "camera.width: expected a whole number"),
        ("camera", "fourcc", "H264", "camera.fourcc: expected one of MJPG, YUYV"),
        ("camera", "autofocus", "on", "camera.autofocus: expected true or false"),
        ("camera", "exposure", 0, "camera.exposure: expected a whole number"),
        ("kiosk", "timezone", "Mars/Base", "kiosk.timezone: expected an IANA time zone"),
        ("kiosk", "locale", "fr", "kiosk.locale: expected one of vi, en"),
        ("kiosk", "hide_cursor", "yes", "kiosk.hide_cursor: expected true or false"),
        ("hospital", "facility_codes", ["7902"], "hospital.facility_codes[0]: expected a 5-char"),
        ("hospital", "professional_level", "province", "hospital.professional_level: expected"),
        ("hospital", "former_tuyen", "regional", "hospital.former_tuyen: expected one of"),
        ("hospital", "evaluation_score", 101, "hospital.evaluation_score: expected points"),
        ("hospital", "evaluation_score", "50", "hospital.evaluation_score: expected a whole"),
        ("insurance", "gateway_url", "ftp://x", "insurance.gateway_url: expected an http"),
        ("insurance", "online_budget_s", 0, "insurance.online_budget_s: expected a positive"),
        ("insurance", "token_body", "xml", "insurance.token_body: expected one of form, json"),
        ("insurance", "md5_case", "mixed", "insurance.md5_case: expected one of upper, lower"),
        ("insurance", "breaker_failures", 0, "insurance.breaker_failures: expected a whole"),
        ("database", "url", "mysql://x", "database.url: expected sqlite"),
        ("decoder", "chain", ["zxing", "magic"], "decoder.chain[1]: expected one of"),
        ("staff", "pin_length", 4, "staff.pin_length: unknown setting"),
        ("insurance", "feed_url", "http://feed.example", "insurance.feed_url: expected an https"),
        ("insurance", "gateway_url", "http://egw.example", "insurance.gateway_url: expected an"),
        ("insurance", "allow_http", "yes", "insurance.allow_http: expected true or false"),
        ("sync", "max_pages", 0, "sync.max_pages: expected a whole number of at least 1"),
        ("sync", "deadline_s", -5, "sync.deadline_s: expected a positive number"),
        ("sync", "retries", 3, "sync.retries: unknown setting"),
        ("hospital", "equivalent", "tinh", "hospital.equivalent: expected one of"),
        ("insurance", "copay_lookup", "yes", "insurance.copay_lookup: expected true or false"),
    ],
)
def test_a_wrong_value_names_its_key(section: str, key: str, value: object, message: str) -> None:
    data = _shipped()
    data[section][key] = value
    with pytest.raises(ConfigError) as caught:
        parse_config(data, {}, ROOT)
    assert str(caught.value).startswith(message), str(caught.value)


@pytest.mark.parametrize("old_level", ["province", "central", "district", "commune", "x"])
def test_an_old_tuyen_level_is_one_line_naming_the_new_keys(old_level: str) -> None:
    data = _shipped()
    data["hospital"]["level"] = old_level
    with pytest.raises(ConfigError) as caught:
        parse_config(data, {}, ROOT)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("hospital.level: ")
    for key in ("professional_level", "evaluation_score", "former_tuyen"):
        assert f"hospital.{key}" in message


def test_old_facility_levels_and_an_old_level_from_the_environment_are_refused() -> None:
    data = _shipped()
    data["hospital"]["facility_levels"] = {"79034": "district"}
    with pytest.raises(ConfigError, match=r"^hospital\.facility_levels: .*professional_level"):
        parse_config(data, {}, ROOT)
    with pytest.raises(ConfigError, match=r"^hospital\.level: .*former_tuyen"):
        parse_config(_shipped(), {"KIOSK_HOSPITAL_LEVEL": "province"}, ROOT)


def test_the_hospital_keys_of_2025() -> None:
    config = parse_config(_shipped(), {}, ROOT)
    assert config.hospital.professional_level == "co_ban"
    assert config.hospital.evaluation_score is None
    assert config.hospital.former_tuyen == "district"
    assert config.hospital.primary_station is False
    data = _shipped()
    data["hospital"].update(
        professional_level="chuyen_sau", evaluation_score=0, former_tuyen="central"
    )
    hospital = parse_config(data, {}, ROOT).hospital
    assert (hospital.professional_level, hospital.evaluation_score) == ("chuyen_sau", 0)
    assert hospital.former_tuyen == "central"
    env = {"KIOSK_HOSPITAL_EVALUATION_SCORE": "55", "KIOSK_HOSPITAL_PRIMARY_STATION": "true"}
    from_env = parse_config(_shipped(), env, ROOT).hospital
    assert (from_env.evaluation_score, from_env.primary_station) == (55, True)


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


def test_cli_exits_2_with_one_line_on_a_config_of_before_2025(tmp_path: Path, run_cli: Any) -> None:
    old = tmp_path / "old.toml"
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    old.write_text(
        text.replace('professional_level = "co_ban"', 'level = "province"'), encoding="utf-8"
    )
    result = run_cli(["--config", str(old), "status"])
    assert result.returncode == 2
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1
    assert "hospital.level" in lines[0]
    assert "hospital.professional_level" in lines[0]


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        ("database", "url", "postgres://kiosk:S3cretPw@db/kiosk"),
        ("insurance", "feed_url", "ftp://feed:S3cretPw@feed.example/cards"),
        ("database", "busy_timeout_ms", "postgresql://kiosk:S3cretPw@db/kiosk"),
    ],
)
def test_a_password_in_a_url_never_reaches_the_message(
    section: str, key: str, value: object
) -> None:
    data = _shipped()
    data[section][key] = value
    with pytest.raises(ConfigError) as caught:
        parse_config(data, {}, ROOT)
    assert "S3cretPw" not in str(caught.value)
    assert f"{section}.{key}" in str(caught.value)
    assert "kiosk:***@" in str(caught.value) or "feed:***@" in str(caught.value)
    with pytest.raises(ConfigError) as from_env:
        parse_config(_shipped(), {f"KIOSK_{section}_{key}".upper(): str(value)}, ROOT)
    assert "S3cretPw" not in str(from_env.value)


def test_plain_http_needs_allow_http_and_sync_limits_have_defaults() -> None:
    data = _shipped()
    assert load_config(ROOT / "config.toml", env={}).insurance.allow_http is False
    data["insurance"]["feed_url"] = "https://feed.example/"
    config = parse_config(data, {}, ROOT)
    assert config.insurance.feed_url == "https://feed.example"
    data["insurance"].update(feed_url="http://127.0.0.1:8765", allow_http=True)
    config = parse_config(data, {}, ROOT)
    assert config.insurance.feed_url == "http://127.0.0.1:8765"
    assert (config.sync.max_pages, config.sync.deadline_s) == (10_000, 7200.0)
    del data["sync"]
    assert parse_config(data, {}, ROOT).sync.max_pages == 10_000  # no [sync]: the defaults


def test_a_server_database_needs_an_offline_prefix_and_gets_a_journal() -> None:
    with pytest.raises(ConfigError, match=r"^kiosk\.offline_prefix: required when database\.url"):
        parse_config(_shipped(), SERVER_DATABASE, ROOT)
    config = parse_config(_shipped(), {**SERVER_DATABASE, "KIOSK_KIOSK_OFFLINE_PREFIX": "A"}, ROOT)
    assert config.kiosk.offline_prefix == "A"
    assert config.database.has_journal
    assert config.database.offline_url == f"sqlite:///{ROOT / 'data' / 'offline.db'}"
    assert config.database.connect_timeout_s == 3.0


def test_offline_settings_follow_the_environment_rule(tmp_path: Path) -> None:
    env = {
        **SERVER_DATABASE,
        "KIOSK_KIOSK_OFFLINE_PREFIX": "K2",
        "KIOSK_DATABASE_OFFLINE_URL": "sqlite:///journal/k2.db",
        "KIOSK_DATABASE_CONNECT_TIMEOUT_S": "1.5",
    }
    config = parse_config(_shipped(), env, tmp_path)
    assert config.kiosk.offline_prefix == "K2"
    assert config.database.offline_url == f"sqlite:///{tmp_path.resolve() / 'journal/k2.db'}"
    assert config.database.connect_timeout_s == 1.5


def test_an_sqlite_database_has_no_journal_and_a_bad_prefix_is_named() -> None:
    config = parse_config(_shipped(), {}, ROOT)
    assert not config.database.has_journal
    assert config.kiosk.offline_prefix == ""
    for bad in ("3", "a", "A-1", "TOOLONGXX"):
        with pytest.raises(ConfigError, match=r"^kiosk\.offline_prefix: expected"):
            parse_config(_shipped(), {"KIOSK_KIOSK_OFFLINE_PREFIX": bad}, ROOT)
    with pytest.raises(ConfigError, match=r"^database\.offline_url: expected a local SQLite"):
        parse_config(
            _shipped(),
            {
                **SERVER_DATABASE,
                "KIOSK_KIOSK_OFFLINE_PREFIX": "A",
                "KIOSK_DATABASE_OFFLINE_URL": "postgresql+psycopg://x@y/z",
            },
            ROOT,
        )


def test_cli_names_the_missing_offline_prefix_in_one_line(run_cli: Any) -> None:
    env = {"KIOSK_DATABASE_URL": "postgresql+psycopg://kiosk@127.0.0.1:1/kiosk"}
    result = run_cli(["--config", str(ROOT / "config.toml"), "checkin", "--text", "x"], env=env)
    assert result.returncode == 2
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("kiosk-admin checkin: config error: kiosk.offline_prefix: required")


def test_lobby_timeouts_lens_and_voice_settings() -> None:
    config = load_config(ROOT / "config.toml", env={})
    k = config.kiosk
    assert (k.idle_timeout_s, k.question_timeout_s, k.printer_failed_timeout_s) == (30, 60, 120)
    assert k.time_warning_s == 20
    assert config.camera.lens == "above"
    assert config.audio.enabled
    assert config.audio.volume == 0.8
    assert config.audio.prompts_dir == ROOT / "data" / "voice"
    quiet = load_config(
        ROOT / "config.toml", env={"KIOSK_AUDIO_ENABLED": "false", "KIOSK_CAMERA_LENS": "left"}
    )
    assert not quiet.audio.enabled
    assert quiet.camera.lens == "left"
    with pytest.raises(ConfigError, match=r"^audio\.volume: expected a number from 0 to 1"):
        load_config(ROOT / "config.toml", env={"KIOSK_AUDIO_VOLUME": "1.5"})
    with pytest.raises(ConfigError, match=r"^camera\.lens: expected one of above, below, left"):
        load_config(ROOT / "config.toml", env={"KIOSK_CAMERA_LENS": "right"})


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
    assert defaults.origins["hospital.former_tuyen"] == "default"
    assert defaults.origins["clinics"] == "default"


def test_the_settings_of_2026() -> None:
    data = _shipped()
    shipped = parse_config(data, {}, ROOT)
    assert (shipped.hospital.equivalent, shipped.insurance.copay_lookup) == ("", False)
    data["hospital"]["equivalent"] = "tuong_duong_tw"
    data["insurance"]["copay_lookup"] = True
    config = parse_config(data, {}, ROOT)
    assert (config.hospital.equivalent, config.insurance.copay_lookup) == ("tuong_duong_tw", True)
