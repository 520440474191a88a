"""``kiosk-admin parse`` run as the real CLI (``python -m db.cli``)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable

from kiosk.synthetic import bhyt_payload, cccd_payload, people

RunCli = Callable[..., subprocess.CompletedProcess[bytes]]
KEYS = {
    "kind", "card_number", "bhxh_number", "id_number", "name", "birth_date", "gender",
    "facility_code", "valid_from", "valid_to", "benefit_level", "reason", "group", "group_name",
}  # fmt: skip
EXAMPLE_17 = (
    "7920123457|4e677579e1bb856e2056c4836e20c490e1bba963|1975|1|-|79 – 034|01/01/2025|-|"
    "05/01/2025|79027920123457|-|4| 01/07/2026|a1b2c3d4e5f60718-5202|4|"
    "5175e1baad6e20332c205468c3a06e68207068e1bb912048e1bb93204368c3ad204d696e68|$"
)


def lines(result: subprocess.CompletedProcess[bytes]) -> list[dict[str, object]]:
    return [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]


def test_json_of_the_2021_form_example(run_cli: RunCli) -> None:
    result = run_cli(["parse", "--json", EXAMPLE_17])
    assert result.returncode == 0, result.stderr
    (row,) = lines(result)
    assert row == {
        "kind": "bhyt",
        "card_number": None,
        "bhxh_number": "7920123457",
        "id_number": None,
        "name": "Nguyễn Văn Đức",
        "birth_date": "1975",
        "gender": "male",
        "facility_code": "79034",
        "valid_from": "2025-01-01",
        "valid_to": None,
        "benefit_level": 4,
        "reason": None,
        "group": None,  # a 10-digit number carries no object code
        "group_name": None,
    }


def test_json_names_the_group_of_every_card_length(run_cli: RunCli) -> None:
    person = next(people(1, seed=9))
    base = bhyt_payload(person, "15")
    texts = [
        base.replace(person.card_number, "LH479079190001234", 1),
        base.replace(person.card_number, "CN3797920123456", 1),
        base.replace(person.card_number, "079190001234", 1),
        "ZZ4797920123456",
    ]
    result = run_cli(["parse", "--json", "-"], input_bytes="\n".join(texts).encode())
    assert result.returncode == 0, result.stderr
    long_form, near_poor, by_id, unknown = lines(result)
    assert (long_form["group"], long_form["id_number"]) == ("LH", "079190001234")
    assert long_form["card_number"] == "LH479079190001234"
    assert (
        long_form["group_name"] == "Người từ đủ 75 tuổi trở lên đang hưởng trợ cấp hưu trí xã hội"
    )
    assert (near_poor["group"], near_poor["group_name"]) == (
        "CN",
        "Người thuộc hộ gia đình cận nghèo",
    )
    assert (by_id["group"], by_id["id_number"], by_id["card_number"]) == (
        None,
        "079190001234",
        None,
    )
    assert (unknown["group"], unknown["group_name"]) == ("ZZ", None)


def test_stdin_one_payload_per_line_with_a_non_utf8_line(run_cli: RunCli) -> None:
    person = next(people(1, seed=9))
    data = b"\n".join(
        [
            bhyt_payload(person, "15").encode() + b"\r",
            cccd_payload(person, 11).encode(),
            b"\xff\xfe\x00binary junk \xc3",
            b"",
            b"HS4797920123456",
            b"https://example.com/not-a-card",
        ]
    )
    result = run_cli(["parse", "--json", "-"], input_bytes=data + b"\n")
    assert result.returncode == 1  # some inputs were invalid
    rows = lines(result)
    assert [r["kind"] for r in rows] == ["bhyt", "cccd", "invalid", "code", "invalid"]
    assert all(set(r) == KEYS for r in rows)
    bhyt, cccd, binary, code, url = rows
    assert bhyt["card_number"] == person.card_number
    assert bhyt["name"] == person.name
    assert bhyt["birth_date"] == person.birth.iso()
    assert bhyt["valid_to"] == person.valid_to.isoformat()
    assert bhyt["benefit_level"] == person.benefit_level
    assert cccd["id_number"] == person.id_number
    assert cccd["card_number"] is None
    assert binary["reason"] == "not_a_card"
    assert code["card_number"] == "HS4797920123456"
    assert code["bhxh_number"] == "7920123456"
    assert code["benefit_level"] == 4
    assert url["reason"] == "not_a_card"
    stderr = result.stderr.decode()
    assert "input 3: not_a_card" in stderr
    assert "Traceback" not in stderr


def test_exit_0_when_all_inputs_parse(run_cli: RunCli) -> None:
    data = "\n".join(bhyt_payload(p, "10") for p in people(5, seed=4)).encode()
    result = run_cli(["parse", "--json", "-"], input_bytes=data)
    assert result.returncode == 0, result.stderr
    assert len(lines(result)) == 5


def test_wrong_card_number_reason(run_cli: RunCli) -> None:
    result = run_cli(["parse", "--json", "HS9797920123456"])
    assert result.returncode == 1
    assert lines(result)[0]["reason"] == "bad_card_number"
    assert "character 3 ('9') is not a benefit level 1-5" in result.stderr.decode()


def test_readable_summary_is_masked(run_cli: RunCli) -> None:
    person = next(people(1, seed=9))
    result = run_cli(["parse", bhyt_payload(person, "15")])
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode("utf-8")
    family, *rest = person.name.split()
    assert family in out
    assert person.name not in out
    for word in rest:
        assert f" {word[0]}***" in out
        if len(word) > 1:
            assert word not in out
    assert person.card_number not in out
    assert person.card_number[-4:] in out
    assert str(person.birth.year) in out
    if person.birth.month is not None:
        assert person.birth.display() not in out


def test_readable_summary_of_invalid_input(run_cli: RunCli) -> None:
    result = run_cli(["parse", "hello"])
    assert result.returncode == 1
    assert result.stdout.decode().startswith("invalid  not_a_card:")


# Every shape found in the field, one per line (docs/insurance-api.md §5; people made up).
FIELD_SHAPES = {
    "one-digit dates": (
        "HS4797920123456|4cc3aa2056c4836e2054c3a26d|5/3/1950|1|-|79 - 024|1/1/2026|31/12/2026|"
        "-|-|-|4|-|ab-5202|$"
    ),
    "month-year birth": (
        "HS4797920123456|4cc3aa2056c4836e2054c3a26d|03/1994|1|-|79 - 024|01/01/2026|31/12/2026|-|$"
    ),
    "object code TV": (
        "TV4010123987654|4cc3aa2056c4836e2054c3a26d|1960|1|-|79 - 024|01/01/2026|31/12/2026|-|$"
    ),
    "unknown object code": (
        "ZZ4797920123456|4cc3aa2056c4836e2054c3a26d|1960|1|-|79 - 024|01/01/2026|31/12/2026|-|$"
    ),
    "telex-mangled hex": (
        "HS4797920123456|4cc3â2056c4836e2054c3a26d|1960|1|-|79 - 024|01/01/2026|31/12/2026|-|$"
    ),
    "no terminator": (
        "HS4797920123456|4cc3aa2056c4836e2054c3a26d|1960|1|-|79 - 024|01/01/2026|31/12/2026|"
        "-|-|-|4|-|5a5b5c5d5e5f6061-6202|"
    ),
    "cccd month-year": "079190001234||Lê Văn Tâm|031985|Nam|Số 1 Lê Lợi|10052021",
    "new căn cước": (
        "079190001234|025123456, 079190009876|Lê Văn Tâm|15081990|Nam|Số 1 Lê Lợi|10052021|"
        "01012040|Việt Nam|Kinh|x|y|z"
    ),
}


def test_every_field_shape_is_read_with_the_same_keys(run_cli: RunCli) -> None:
    data = "\n".join(FIELD_SHAPES.values()).encode() + b"\n"
    result = run_cli(["parse", "--json", "-"], input_bytes=data)
    assert result.returncode == 0, result.stderr
    rows = dict(zip(FIELD_SHAPES, lines(result), strict=True))
    assert all(set(row) == KEYS for row in rows.values())
    assert all(row["kind"] in ("bhyt", "cccd") for row in rows.values())
    assert rows["one-digit dates"]["birth_date"] == "1950-03-05"
    assert rows["one-digit dates"]["valid_from"] == "2026-01-01"
    assert rows["month-year birth"]["birth_date"] == "1994-03"
    assert rows["cccd month-year"]["birth_date"] == "1985-03"
    assert rows["object code TV"]["reason"] is None
    assert rows["unknown object code"]["reason"] == "unknown_object_code"
    assert rows["telex-mangled hex"]["name"] == "Lê Văn Tâm"
    assert rows["no terminator"]["card_number"] == "HS4797920123456"
    assert rows["new căn cước"]["id_number"] == "079190001234"


def test_readable_summary_flags_an_unknown_object_code(run_cli: RunCli) -> None:
    result = run_cli(["parse", FIELD_SHAPES["unknown object code"]])
    assert result.returncode == 0
    assert "flag unknown_object_code" in result.stdout.decode()
