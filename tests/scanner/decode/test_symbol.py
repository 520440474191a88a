"""A symbol's bytes as text, shared by both adapters."""

from __future__ import annotations

from scanner.decode.symbol import text_of


def test_text_of_prefers_utf8_then_shift_jis() -> None:
    assert text_of("Nguyễn Văn Đức".encode()) == "Nguyễn Văn Đức"
    assert text_of("外側QRコード".encode("shift_jis")) == "外側QRコード"
    assert text_of(b"\xff\xfe\xfa") == "\xff\xfe\xfa"
