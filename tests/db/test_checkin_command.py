"""The first check-in end to end through the real ``kiosk-admin``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import pytest
from PIL import Image

from scanner import image_guard
from tests.db.clihelp import cli_json

RunCli = Callable[..., CompletedProcess[bytes]]

# docs/domain.md §2, the first synthetic example (a made-up person)
EXAMPLE = (
    "HS4797920123456|5472e1baa76e205468e1bb8b204de1bbb9204ce1bb87|07/09/2008|2|53e1bb912035204c"
    "c3aa204ce1bba3692c205068c6b0e1bb9d6e672042e1babf6e204e6768c3a92c205175e1baad6e20312c205450"
    "2048e1bb93204368c3ad204d696e68|79 - 024|01/01/2025|31/12/2025|20/12/2024|79010920123456|-"
    "|4| 01/01/2030|3f9a1c2b7d4e5f60-5202|$"
)
# the second example: not in the cache
UNKNOWN = (
    "7920123457|4e677579e1bb856e2056c4836e20c490e1bba963|1975|1|-|79 – 034|01/01/2025|-|"
    "05/01/2025|79027920123457|-|4| 01/07/2026|a1b2c3d4e5f60718-5202|4|5175e1baad6e20332c205468"
    "c3a06e68207068e1bb912048e1bb93204368c3ad204d696e68|$"
)
# the card as the insurance service knows it now: renewed for this year under the same number
CARD_ROW = {
    "maThe": "HS4797920123456",
    "maSoBHXH": "7920123456",
    "soCCCD": "",
    "hoTen": "Trần Thị Mỹ Lệ",
    "ngaySinh": "07/09/2008",
    "gioiTinh": "Nữ",
    "maDKBD": "79024",
    "gtTheTu": "01/01/2026",
    "gtTheDen": "31/12/2026",
    "trangThai": "active",
}


@pytest.fixture
def site(tmp_path: Path) -> dict[str, str]:
    """Environment that points the shipped config at a private database and slip folder."""
    return {
        "KIOSK_DATABASE_URL": f"sqlite:///{tmp_path / 'kiosk.db'}",
        "KIOSK_PRINTER_KIND": "file",
        "KIOSK_PRINTER_OUTPUT_DIR": str(tmp_path / "slips"),
        "KIOSK_INSURANCE_GATEWAY_URL": "",
    }


def _error(result: CompletedProcess[bytes], code: int) -> str:
    """The message of a command that failed with exit ``code``: one line, no traceback."""
    assert result.returncode == code, result.stderr.decode()
    message = result.stderr.decode().strip()
    assert len(message.splitlines()) == 1, message
    return message


def test_domain_example_is_accepted_unknown_goes_to_reception_junk_rejected(
    tmp_path: Path, site: dict[str, str], run_cli: RunCli
) -> None:
    cards = tmp_path / "cards.jsonl"
    cards.write_text(json.dumps(CARD_ROW, ensure_ascii=False) + "\n", encoding="utf-8")
    imported = run_cli(["import", str(cards), "--no-progress"], env=site)
    assert imported.returncode == 0, imported.stderr.decode()

    accepted = cli_json(
        run_cli(["checkin", "--text", EXAMPLE, "--clinic", "NOI", "--json"], env=site)
    )
    assert set(accepted) == {
        "status",
        "reason",
        "queue_number",
        "queue_label",
        "offline",
        "clinic",
        "checkin_id",
        "slip",
        "benefit",
        "ahead",
        "priority",
        "wait_minutes",
    }
    assert accepted["benefit"] == {"code": "1.1", "share": 80, "decided_by": "rules"}
    assert accepted["status"] == "accepted"
    assert accepted["queue_number"] == 1
    assert accepted["queue_label"] == "1"
    assert accepted["offline"] is False
    assert accepted["clinic"] == "NOI"
    assert isinstance(accepted["slip"], str)
    assert Path(accepted["slip"]).is_file()
    assert Path(accepted["slip"]).with_suffix(".pdf").is_file()

    unknown = cli_json(run_cli(["checkin", "--text", UNKNOWN, "--json"], env=site))
    assert unknown["status"] == "needs_reception"
    assert unknown["reason"] == "card_not_found"
    assert unknown["queue_number"] is None
    assert unknown["ahead"] is None

    junk = cli_json(run_cli(["checkin", "--text", "hello", "--json"], env=site))
    assert junk["status"] == "rejected"
    assert junk["reason"] == "not_a_card"
    assert junk["benefit"] is None

    again = cli_json(run_cli(["checkin", "--text", EXAMPLE, "--clinic", "NOI", "--json"], env=site))
    assert again["reason"] == "already_checked_in"
    assert again["checkin_id"] == accepted["checkin_id"]

    reprint = run_cli(["reprint", str(accepted["checkin_id"]), "--staff", "Lan"], env=site)
    assert reprint.returncode == 0, reprint.stderr.decode()
    assert "#1" in reprint.stdout.decode()
    missing = run_cli(["reprint", "no-such-id"], env=site)
    assert "no check-in with id" in _error(missing, 1)


def test_the_benefit_says_reception_decides_when_reception_must_confirm(
    tmp_path: Path, site: dict[str, str], run_cli: RunCli
) -> None:
    cards = tmp_path / "cards.jsonl"
    cards.write_text(json.dumps(CARD_ROW, ensure_ascii=False) + "\n", encoding="utf-8")
    assert run_cli(["import", str(cards), "--no-progress"], env=site).returncode == 0
    # five continuous years reached, the year's co-payment unknown: reception confirms
    five_years = EXAMPLE.replace("| 01/01/2030|", "| 01/01/2020|")
    result = cli_json(
        run_cli(["checkin", "--text", five_years, "--clinic", "NOI", "--json"], env=site)
    )
    assert result["status"] == "accepted"
    assert result["benefit"] == {"code": "1.1", "share": None, "decided_by": "reception"}


def test_checkin_from_demo_images_numbers_patients_in_order(
    tmp_path: Path, site: dict[str, str], run_cli: RunCli
) -> None:
    out = tmp_path / "demo"
    made = run_cli(["demo-data", "--patients", "3", "--out", str(out)], env=site)
    assert made.returncode == 0, made.stderr.decode()
    assert run_cli(["import", str(out / "cards.jsonl"), "--no-progress"], env=site).returncode == 0
    images = sorted((out / "qr").glob("*.png"))
    assert len(images) == 3
    numbers = []
    for image in images:
        result = cli_json(
            run_cli(["checkin", "--image", str(image), "--clinic", "TMH", "--json"], env=site)
        )
        assert result["status"] == "accepted", result
        numbers.append(result["queue_number"])
    assert numbers == [1, 2, 3]


def test_unreadable_image_and_unknown_clinic_are_one_line_errors(
    tmp_path: Path, site: dict[str, str], run_cli: RunCli
) -> None:
    blank = tmp_path / "blank.png"
    blank.write_bytes(b"not a png")
    result = run_cli(["checkin", "--image", str(blank), "--json"], env=site)
    assert "not a readable image (only PNG, JPEG, WebP, BMP)" in _error(result, 1)
    result = run_cli(["checkin", "--image", str(tmp_path / "gone.png"), "--json"], env=site)
    assert "gone.png: no such file / không có tệp này" in _error(result, 1)
    big = tmp_path / "big.png"
    Image.new("L", (3000, 1000)).save(big)  # 3 Mpx, over a cap of 2
    capped = {**site, "KIOSK_DECODER_MAX_IMAGE_MPX": "2"}
    try:
        result = run_cli(["checkin", "--image", str(big), "--json"], env=capped)
    finally:  # the cap is the process's: the next test in this one starts from the default
        image_guard.set_pixel_cap(image_guard.DEFAULT_MAX_MPX)
    assert "image too large (over 2 Mpx" in _error(result, 1)
    result = run_cli(["checkin", "--text", EXAMPLE, "--clinic", "XYZ"], env=site)
    assert "unknown clinic 'XYZ'" in _error(result, 2)


def test_a_database_that_cannot_be_created_is_one_line_not_a_traceback(
    tmp_path: Path, site: dict[str, str], run_cli: RunCli
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    env = {**site, "KIOSK_DATABASE_URL": f"sqlite:///{blocker / 'kiosk.db'}"}
    message = _error(run_cli(["checkin", "--text", EXAMPLE, "--json"], env=env), 1)
    assert message.startswith("kiosk-admin checkin: ")
    assert "Traceback" not in message
