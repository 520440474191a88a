"""Importing card files: formats, bad rows with line numbers, batches, progress."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import pytest

from db.cards.importer import MAX_LINE_BYTES, ImportFileError, Progress, import_file
from db.cards.rows import FIELDS, row_from_record
from db.store import SqlStore
from kiosk.model import CardRecord
from kiosk.synthetic import card_record, people


def _cards(n: int, seed: int = 1) -> list[CardRecord]:
    return [replace(card_record(p), source="import") for p in people(n, seed=seed)]


def _write_csv(path: Path, rows: list[dict[str, str]], bom: bool = False) -> None:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(FIELDS))
        writer.writeheader()
        writer.writerows(rows)


def test_csv_import_with_bad_rows(tmp_path: Path, sqlite_store: SqlStore) -> None:
    cards = _cards(30)
    rows = [row_from_record(c) for c in cards]
    rows[4] = {**rows[4], "soCCCD": "12"}  # line 6 (header is line 1)
    rows[9] = {**rows[9], "gtTheDen": "32/12/2026"}  # line 11
    path = tmp_path / "cards.csv"
    _write_csv(path, rows, bom=True)
    seen: list[Progress] = []
    summary = import_file(sqlite_store, path, batch_size=7, on_progress=seen.append)
    assert summary.format == "csv"
    assert summary.rows == 30
    assert summary.imported == 28
    assert summary.counts.added == 28
    assert [(b.line, b.field) for b in summary.bad_rows] == [(6, "soCCCD"), (11, "gtTheDen")]
    assert sqlite_store.count_cards() == 28
    assert sqlite_store.find_card(cards[0].card_number) == cards[0]
    assert sqlite_store.find_card(cards[4].bhxh_number) is None
    assert seen[-1].bytes_read == path.stat().st_size
    assert [p.rows for p in seen] == sorted(p.rows for p in seen)
    again = import_file(sqlite_store, path)  # a second run updates, adds nothing
    assert (again.counts.added, again.counts.updated) == (0, 28)


def test_jsonl_import_with_broken_lines(tmp_path: Path, sqlite_store: SqlStore) -> None:
    cards = _cards(5)
    lines = [json.dumps(row_from_record(c), ensure_ascii=False) for c in cards]
    lines.insert(2, "{not json")  # line 3
    lines.insert(4, "")  # blank, skipped
    lines.insert(5, "[1, 2]")  # line 6
    path = tmp_path / "cards.data"  # no telling extension: detected by content
    path.write_bytes(("\n".join(lines) + "\n").encode() + b"\xff\xfe bad bytes\n")
    summary = import_file(sqlite_store, path)
    assert summary.format == "jsonl"
    assert summary.imported == 5
    assert [b.line for b in summary.bad_rows] == [3, 6, 9]
    assert "UTF-8" in summary.bad_rows[-1].why


def test_csv_wrong_field_count_and_quoted_newline(tmp_path: Path, sqlite_store: SqlStore) -> None:
    card = _cards(1)[0]
    row = row_from_record(card)
    row["diaChi"] = "Số 1,\nQuận 3"  # a quoted field spanning two lines
    path = tmp_path / "cards.csv"
    _write_csv(path, [row])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("HS4797920000001,only,three\n")  # line 4
    summary = import_file(sqlite_store, path)
    assert summary.imported == 1
    assert [(b.line, b.why) for b in summary.bad_rows] == [(4, "expected 17 fields, got 3")]
    found = sqlite_store.find_card(card.bhxh_number)
    assert found is not None
    assert found.address == "Số 1, Quận 3"  # the line break inside a field becomes a space


def test_conflicting_batch_is_rejected_whole(tmp_path: Path, sqlite_store: SqlStore) -> None:
    cards = _cards(6)
    rows = [row_from_record(c) for c in cards]
    # line 6 carries the card number another BHXH number already holds (old card, letters)
    taken = cards[4].card_number[:5] + "AB" + cards[4].card_number[7:]
    rows[4] = {**rows[4], "maThe": taken}
    sqlite_store.save_card(
        replace(cards[0], bhxh_number="7999999999", card_number=taken, id_number=None)
    )
    path = tmp_path / "cards.csv"
    _write_csv(path, rows)
    summary = import_file(sqlite_store, path, batch_size=3)
    assert summary.rejected_rows == 3
    assert summary.rejected_batches[0].startswith("lines 5-7:")
    assert summary.imported == 3
    assert sqlite_store.find_card(cards[3].bhxh_number) is None  # in the rejected batch


def test_unusable_files(tmp_path: Path, sqlite_store: SqlStore) -> None:
    path = tmp_path / "cards.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="header"):
        import_file(sqlite_store, path)
    with pytest.raises(ImportFileError, match="cannot open"):
        import_file(sqlite_store, tmp_path / "missing.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert import_file(sqlite_store, empty).rows == 0


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_nul_and_bidi_controls_are_stripped_on_both_databases(
    tmp_path: Path, store: SqlStore, kind: str
) -> None:
    # A NUL made PostgreSQL refuse the batch and the import stop there.
    cards = _cards(3)
    rows = [row_from_record(c) for c in cards]
    rows[1] = {**rows[1], "hoTen": "Lê\x00 Thị\u202e Ánh", "diaChi": "Số 5\x00 Lê Lợi\u200e"}
    path = tmp_path / f"cards.{kind}"
    if kind == "csv":
        _write_csv(path, rows)
    else:
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    summary = import_file(store, path)
    assert (summary.imported, summary.bad) == (3, 0)
    found = store.find_card(cards[1].bhxh_number)
    assert found is not None
    assert (found.name, found.address) == ("Lê Thị Ánh", "Số 5 Lê Lợi")


def test_a_line_over_the_limit_is_reported_by_number_and_skipped(
    tmp_path: Path, sqlite_store: SqlStore
) -> None:
    cards = _cards(3)
    lines = [json.dumps(row_from_record(c)) for c in cards]
    huge = json.dumps({**row_from_record(_cards(1, seed=9)[0]), "diaChi": "x" * 3 * MAX_LINE_BYTES})
    path = tmp_path / "cards.jsonl"
    path.write_text("\n".join([lines[0], huge, lines[1], "y" * 200_000 + lines[2]]) + "\n")
    summary = import_file(sqlite_store, path)
    assert [(b.line, b.why) for b in summary.bad_rows] == [
        (2, f"line longer than {MAX_LINE_BYTES:,} bytes"),
        (4, f"line longer than {MAX_LINE_BYTES:,} bytes"),
    ]
    assert summary.imported == 2
    csv_path = tmp_path / "cards.csv"
    _write_csv(csv_path, [row_from_record(c) for c in cards])
    with csv_path.open("a", encoding="utf-8") as handle:
        handle.write("z" * (MAX_LINE_BYTES + 1) + "\n")  # line 5, with no newline for 64 KB
    small = import_file(sqlite_store, csv_path, max_line_bytes=4096)
    assert [(b.line, b.why) for b in small.bad_rows] == [(5, "line longer than 4,096 bytes")]
    assert small.imported == 3


def test_a_too_long_value_rejects_its_row_without_repeating_it(
    tmp_path: Path, sqlite_store: SqlStore
) -> None:
    card = _cards(1)[0]
    secret = "Đường Trần Hưng Đạo " * 40  # 800 characters, over the address cap
    path = tmp_path / "cards.jsonl"
    path.write_text(json.dumps({**row_from_record(card), "diaChi": secret}) + "\n")
    summary = import_file(sqlite_store, path)
    assert [(b.line, b.field) for b in summary.bad_rows] == [(1, "diaChi")]
    assert "longer than 500 characters" in summary.bad_rows[0].why
    assert "Hưng" not in json.dumps(summary.as_json(), ensure_ascii=False)
