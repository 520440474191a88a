"""``kiosk-admin config show`` tells where each value came from and never prints a secret;
``config init`` writes the documented file and never overwrites one unasked."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from db.commands.config_file import mask_url_password
from tests.db.clihelp import ROOT

RunCli = Callable[..., CompletedProcess[bytes]]

# values that must never be printed
PASSWORD = "pg-s3cret-42"
GATEWAY_PASSWORD = "gateway-hunter2"


def test_without_a_file_show_reports_the_defaults_and_the_data_folder(
    tmp_path: Path, run_cli: RunCli
) -> None:
    result = run_cli(["config", "show", "--json"], cwd=tmp_path, home=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    shown = json.loads(result.stdout.decode())
    assert shown["source"] is None
    data = tmp_path / "xdg-data" / "kiosk" / "data"
    assert shown["settings"]["kiosk.data_dir"] == {"value": str(data), "from": "default"}
    assert shown["settings"]["database.url"]["value"] == f"sqlite:///{data / 'kiosk.db'}"
    assert shown["clinics"]["from"] == "default"
    assert [c["code"] for c in shown["clinics"]["value"]] == ["KB"]
    text = run_cli(["config", "show"], cwd=tmp_path, home=tmp_path)
    assert text.stdout.decode().startswith("# config file: none, built-in defaults")


@pytest.mark.parametrize("as_json", [False, True])
def test_show_masks_secrets_and_names_each_origin(
    tmp_path: Path, as_json: bool, run_cli: RunCli
) -> None:
    config = tmp_path / "site.toml"
    config.write_text('[kiosk]\nid = "SITE-9"\n', encoding="utf-8")
    # the secrets travel in the environment only, as on a real kiosk
    env = {
        "KIOSK_DATABASE_URL": f"postgresql+psycopg://kiosk:{PASSWORD}@db/kiosk",
        "KIOSK_KIOSK_OFFLINE_PREFIX": "A",
        "KIOSK_GATEWAY_PASSWORD": GATEWAY_PASSWORD,
    }
    args = ["--config", str(config), "config", "show", *(["--json"] if as_json else [])]
    result = run_cli(args, cwd=tmp_path, home=tmp_path, env=env)
    assert result.returncode == 0, result.stderr.decode()
    assert PASSWORD not in result.stdout.decode() + result.stderr.decode()
    assert GATEWAY_PASSWORD not in result.stdout.decode() + result.stderr.decode()
    masked = "postgresql+psycopg://kiosk:***@db/kiosk"
    if as_json:
        settings = json.loads(result.stdout.decode())["settings"]
        assert settings["database.url"] == {
            "value": masked,
            "from": "environment KIOSK_DATABASE_URL",
        }
        assert settings["kiosk.id"] == {"value": "SITE-9", "from": str(config)}
        assert settings["kiosk.locale"] == {"value": "vi", "from": "default"}
        assert settings["insurance.password_env"] == {
            "value": "KIOSK_GATEWAY_PASSWORD",
            "from": "default",
            "set": True,
        }
        assert settings["insurance.officer_id_env"]["set"] is False
    else:
        assert f'url = "{masked}"  # environment KIOSK_DATABASE_URL' in result.stdout.decode()
        assert f'id = "SITE-9"  # {config}' in result.stdout.decode()
        assert "KIOSK_GATEWAY_PASSWORD is set" in result.stdout.decode()


def test_a_broken_file_is_a_config_error(tmp_path: Path, run_cli: RunCli) -> None:
    config = tmp_path / "site.toml"
    config.write_text("[printer]\ndots = 577\n", encoding="utf-8")
    result = run_cli(["--config", str(config), "config", "show"], cwd=tmp_path, home=tmp_path)
    assert result.returncode == 2
    assert result.stderr.decode().strip().splitlines() == [
        result.stderr.decode().strip().splitlines()[0]
    ]  # one line
    assert "config error: printer.dots" in result.stderr.decode()


def test_init_writes_the_documented_file_and_keeps_an_existing_one(
    tmp_path: Path, run_cli: RunCli
) -> None:
    target = tmp_path / "etc" / "kiosk" / "config.toml"
    written = run_cli(["config", "init", str(target)], cwd=tmp_path, home=tmp_path)
    assert written.returncode == 0, written.stderr.decode()
    documented = (ROOT / "config.toml").read_text(encoding="utf-8")
    assert target.read_text(encoding="utf-8") == documented
    shown = run_cli(
        ["--config", str(target), "config", "show", "--json"], cwd=tmp_path, home=tmp_path
    )
    assert json.loads(shown.stdout.decode())["settings"]["kiosk.id"]["from"] == str(target)

    target.write_text("# the hospital's own edits\n", encoding="utf-8")
    refused = run_cli(["config", "init", str(target)], cwd=tmp_path, home=tmp_path)
    assert refused.returncode == 1
    assert "already exists (use --force" in refused.stderr.decode()
    assert target.read_text(encoding="utf-8") == "# the hospital's own edits\n"
    forced = run_cli(["config", "init", "--force", str(target)], cwd=tmp_path, home=tmp_path)
    assert forced.returncode == 0
    assert target.read_text(encoding="utf-8") == documented


def test_init_works_beside_a_broken_config(tmp_path: Path, run_cli: RunCli) -> None:
    (tmp_path / "config.toml").write_text("[kiosk\n", encoding="utf-8")
    result = run_cli(["config", "init", "fresh.toml"], cwd=tmp_path, home=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert (tmp_path / "fresh.toml").is_file()


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "postgresql+psycopg://kiosk:pw@db:5432/kiosk",
            "postgresql+psycopg://kiosk:***@db:5432/kiosk",
        ),
        ("https://user:p%40ss@feed.example/api", "https://user:***@feed.example/api"),
        ("postgresql+psycopg://kiosk@db/kiosk", "postgresql+psycopg://kiosk@db/kiosk"),
        ("https://egw.example:8443/api", "https://egw.example:8443/api"),
        ("sqlite:////var/lib/kiosk/kiosk.db", "sqlite:////var/lib/kiosk/kiosk.db"),
        ("Quầy tiếp đón", "Quầy tiếp đón"),
    ],
)
def test_a_url_password_is_masked(text: str, shown: str) -> None:
    assert mask_url_password(text) == shown
