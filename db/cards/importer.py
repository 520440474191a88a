"""Stream a card file (CSV or JSON lines) into the card cache, batch by batch.

The file is read line by line, never whole, so a 10-million-line file needs no more memory
than one batch. Every row goes through the rules of :mod:`db.cards.rows`, validated straight
into the store's own tuples (:func:`db.cards.rows.card_values` in
:attr:`db.store.SqlStore.card_forms`; no CardRecord per row); a bad row is reported with its
line number and skipped. Each batch commits in one transaction: a batch the database refuses
(a uniqueness conflict) is rolled back whole and reported with its line range, and the import
goes on; a database that cannot be used stops the import (every batch before stays committed,
so running it again resumes by overwriting the same cards).

Formats: CSV with a header row of the field names in :mod:`db.cards.rows` (UTF-8, an Excel BOM
is fine), or JSON lines (one object per line with the same keys). The extension (.csv, .jsonl,
.json) decides, else the first non-blank character (``{`` means JSON lines).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from db.cards.rows import FIELDS, RowError, card_values
from db.store import CardConflictError, PageCounts, SqlStore
from db.store.card_columns import CardValues, ValueForms

MAX_REPORTED = 100  # bad rows kept in the summary; the count covers them all
_KNOWN = frozenset(FIELDS)


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, unknown format, no usable header)."""


@dataclass(frozen=True)
class BadRow:
    """One skipped row: its line number (1-based, the header is line 1 in CSV) and why."""

    line: int
    field: str
    why: str

    def as_json(self) -> dict[str, object]:
        return {"line": self.line, "field": self.field, "error": self.why}


@dataclass(frozen=True)
class Progress:
    """How far the import is, for a progress bar."""

    bytes_read: int
    total_bytes: int
    rows: int


@dataclass
class ImportSummary:
    """What an import did."""

    file: str
    format: str
    rows: int = 0  # data rows read (blank lines not counted)
    counts: PageCounts = field(default_factory=PageCounts)
    bad: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)
    rejected_batches: list[str] = field(default_factory=list)  # "lines a-b: why"
    rejected_rows: int = 0
    unknown_columns: tuple[str, ...] = ()

    @property
    def imported(self) -> int:
        return self.counts.added + self.counts.updated

    def note_bad(self, row: BadRow) -> None:
        self.bad += 1
        if len(self.bad_rows) < MAX_REPORTED:
            self.bad_rows.append(row)

    def as_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "format": self.format,
            "rows": self.rows,
            "imported": self.imported,
            "added": self.counts.added,
            "updated": self.counts.updated,
            "bad": self.bad,
            "bad_rows": [row.as_json() for row in self.bad_rows],
            "rejected_rows": self.rejected_rows,
            "rejected_batches": list(self.rejected_batches),
            "unknown_columns": list(self.unknown_columns),
        }


# A parsed line: (line number, the card or None, the error or None)
Parsed = tuple[int, CardValues | None, BadRow | None]


def detect_format(path: Path, head: bytes) -> str:
    """``"csv"`` or ``"jsonl"`` from the extension, else from the first non-blank byte."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".json", ".ndjson"):
        return "jsonl"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return "jsonl" if text.startswith(b"{") else "csv"


MAX_LINE_BYTES = 64 * 1024  # a card row is well under 4 KB; anything longer is not one


class _CountingLines:
    """Decodes a binary file line by line, counting bytes for the progress bar.

    A line longer than ``limit`` bytes is never held whole: it is skipped to its end and
    reported (``too_long``), so a file with no line breaks cannot fill the memory.
    """

    def __init__(self, handle: BinaryIO, limit: int = MAX_LINE_BYTES) -> None:
        self._handle = handle
        self._limit = limit
        self.bytes_read = 0
        self.line = 0
        self.undecodable: set[int] = set()
        self.too_long: set[int] = set()

    def _skip_rest(self, raw: bytes) -> None:
        while raw and not raw.endswith(b"\n"):
            raw = self._handle.readline(self._limit)
            self.bytes_read += len(raw)

    def __iter__(self) -> Iterator[str]:
        first = True
        while True:
            raw = self._handle.readline(self._limit + 1)
            if not raw:
                return
            self.bytes_read += len(raw)
            self.line += 1
            if len(raw) > self._limit:
                self._skip_rest(raw)
                self.too_long.add(self.line)
                first = False
                yield "\n"
                continue
            data = raw[3:] if first and raw.startswith(b"\xef\xbb\xbf") else raw
            first = False
            try:
                yield data.decode("utf-8")
            except UnicodeDecodeError:
                self.undecodable.add(self.line)
                yield "\n"

    def problem(self, line: int) -> str | None:
        """Why ``line`` was handed on as an empty line, or None when it really was one."""
        if line in self.too_long:
            return f"line longer than {self._limit:,} bytes"
        if line in self.undecodable:
            return "not UTF-8 text"
        return None


def _parse_csv(
    lines: _CountingLines, summary: ImportSummary, source: str, forms: ValueForms
) -> Iterator[Parsed]:
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as error:
        raise ImportFileError(f"line 1: unreadable CSV header: {error}") from None
    header = [name.strip() for name in header]
    if "hoTen" not in header or not ({"maThe", "maSoBHXH"} & set(header)):
        raise ImportFileError(
            "line 1: the CSV header must name at least hoTen and maThe (or maSoBHXH); "
            f"the fields are: {', '.join(FIELDS)}"
        )
    summary.unknown_columns = tuple(name for name in header if name not in _KNOWN)
    width = len(header)
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield lines.line, None, BadRow(lines.line, "-", f"unreadable CSV: {error}")
            continue
        line = lines.line
        if not values or (len(values) == 1 and not values[0].strip()):
            problem = lines.problem(line)
            if problem is not None:
                yield line, None, BadRow(line, "-", problem)
            continue
        if len(values) != width:
            yield line, None, BadRow(line, "-", f"expected {width} fields, got {len(values)}")
            continue
        try:
            yield line, card_values(dict(zip(header, values, strict=True)), source, forms), None
        except RowError as error:
            yield line, None, BadRow(line, error.field, error.why)


def _parse_jsonl(lines: _CountingLines, source: str, forms: ValueForms) -> Iterator[Parsed]:
    for text in lines:
        line = lines.line
        problem = lines.problem(line)
        if problem is not None:
            yield line, None, BadRow(line, "-", problem)
            continue
        if not text.strip():
            continue
        try:
            row = json.loads(text)
        except ValueError as error:
            yield line, None, BadRow(line, "-", f"not JSON: {error.args[0].split(':')[0]}")
            continue
        if not isinstance(row, dict):
            yield line, None, BadRow(line, "-", "expected one JSON object per line")
            continue
        try:
            yield line, card_values(row, source, forms), None
        except RowError as error:
            yield line, None, BadRow(line, error.field, error.why)


def import_file(
    store: SqlStore,
    path: Path,
    *,
    batch_size: int = 5000,
    source: str = "import",
    on_progress: Callable[[Progress], None] | None = None,
    max_line_bytes: int = MAX_LINE_BYTES,
) -> ImportSummary:
    """Import ``path`` into ``store``; returns the summary. A line longer than
    ``max_line_bytes`` is skipped and reported with its number, like any bad row.

    Raises :class:`ImportFileError` for a file that cannot be read at all, and
    :class:`kiosk.ports.StoreError` when the database fails (batches before stay committed).
    """
    try:
        handle = path.open("rb")
    except OSError as error:
        raise ImportFileError(f"cannot open {path}: {error.strerror}") from None
    with handle:
        head = handle.read(4096)
        handle.seek(0)
        kind = detect_format(path, head)
        total = path.stat().st_size
        summary = ImportSummary(file=str(path), format=kind)
        lines = _CountingLines(handle, max_line_bytes)
        forms = store.card_forms
        parsed = (
            _parse_csv(lines, summary, source, forms)
            if kind == "csv"
            else _parse_jsonl(lines, source, forms)
        )
        batch: list[CardValues] = []
        first_line = 0
        last_line = 0
        for line, record, bad in parsed:
            summary.rows += 1
            if bad is not None:
                summary.note_bad(bad)
                continue
            assert record is not None
            if not batch:
                first_line = line
            batch.append(record)
            last_line = line
            if len(batch) >= batch_size:
                _commit(store, batch, first_line, last_line, summary)
                batch = []
                if on_progress is not None:
                    on_progress(Progress(lines.bytes_read, total, summary.rows))
        if batch:
            _commit(store, batch, first_line, last_line, summary)
        if on_progress is not None:
            on_progress(Progress(lines.bytes_read, total, summary.rows))
    return summary


def _commit(
    store: SqlStore, batch: list[CardValues], first: int, last: int, summary: ImportSummary
) -> None:
    try:
        summary.counts += store.upsert_card_rows(batch)
    except CardConflictError as error:
        summary.rejected_rows += len(batch)
        summary.rejected_batches.append(f"lines {first}-{last}: {error}")
