"""Rendering slips: every Vietnamese glyph drawn, nothing past the paper edge, a readable QR."""

from __future__ import annotations

import itertools
import unicodedata
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from PIL import Image, ImageDraw, ImageFont

from kiosk.config import HospitalSettings, load_config
from kiosk.model import CheckIn, Clinic, Route
from kiosk.slip_layout import Size, Slip, SlipLine, layout_slip
from kiosk.slip_render import (
    FontSet,
    SlipFontError,
    SlipRenderer,
    draw_plan,
    find_font,
    font_size,
    margin_for,
    plan_slip,
    render_slip,
    wrap_text,
)
from tests import builders
from tests.builders import ZONE
from tools.slip_gallery import WIDTHS, write_gallery

HOSPITAL = HospitalSettings(department="SỞ Y TẾ THÀNH PHỐ HỒ CHÍ MINH", name="BỆNH VIỆN MẪU")
CLINIC = Clinic(
    "TMH",
    "Khám Tai Mũi Họng và Phẫu thuật đầu mặt cổ",
    "ENT",
    "Phòng 203",
    "Tầng 2, khu A, cạnh thang máy số 3, đối diện nhà thuốc",
    "First floor",
)
BASES = "aăâeêioôơuưy"
TONES = "\u0300\u0301\u0309\u0303\u0323"  # huyền, sắc, hỏi, ngã, nặng
# every vowel with every tone (and none), lower and upper case, plus đ/Đ: 134 letters
LETTERS = "".join(
    unicodedata.normalize("NFC", base + tone) for base in BASES for tone in ("", *TONES)
)
ALL_LETTERS = LETTERS + LETTERS.upper() + "đĐ"
NAMES = (
    "Tôn Nữ Hoàng Phương Uyển Thục Quỳnh Nguyễn Ngọc Ẩn Huyền Trang",
    " ".join(ALL_LETTERS[i : i + 6] for i in range(0, len(ALL_LETTERS), 6)),
    "Ưng Đặng Ẵng Ấu Ầm Ẩn Ẫn Ập Ểu Ễu Ệ Ỗ Ồ Ộ Ỡ Ở Ợ Ữ Ự Ừ Ỳ Ỹ Ỷ Ỵ",
    "NguyễnThịMinhKhaiTrườngSơnĐôngTâyNamBắcLiềnMộtChữKhôngCáchDàiVôCùng",
)


def checkin(name: str, number: int = 7, card: str | None = "HS4797920123456") -> CheckIn:
    """A check-in at the ENT clinic of a patient with only a name and, maybe, a card number."""
    return builders.checkin(
        id="ci-20261125-0007",
        clinic_code="TMH",
        queue_number=number,
        patient=builders.patient(
            name=name, birth=None, card_number=card, bhxh_number=None, id_number=None
        ),
        route=Route.OPEN,
    )


@pytest.fixture(scope="module")
def fonts() -> FontSet:
    return FontSet(find_font())


def bitmap(font: ImageFont.FreeTypeFont, char: str) -> bytes:
    side = round(font.size * 3)
    canvas = Image.new("L", (side, side), 0)
    ImageDraw.Draw(canvas).text((font.size, font.size), char, font=font, fill=255)
    return canvas.tobytes()


@pytest.mark.parametrize("dots", WIDTHS)
def test_every_vietnamese_letter_has_its_own_glyph_at_every_slip_size(
    fonts: FontSet, dots: int
) -> None:
    assert len(ALL_LETTERS) == 2 * 12 * 6 + 2
    for size_class in Size:
        for bold in (False, True):
            font = fonts.get(font_size(size_class, dots), bold)
            # U+0378 is unassigned: the font draws its fallback (.notdef) box for it
            notdef = bitmap(font, "\u0378")
            assert any(notdef), "the fallback glyph should draw something to compare with"
            for char in ALL_LETTERS:
                drawn = bitmap(font, char)
                assert drawn != notdef, f"{char!r} drawn as a missing glyph ({size_class}, {bold})"
                assert any(drawn), f"{char!r} drawn blank"


def test_the_comparison_catches_a_font_without_vietnamese() -> None:
    path = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")
    if not path.is_file():
        pytest.skip("no font without Vietnamese letters installed to compare against")
    font = ImageFont.truetype(str(path), 26, layout_engine=ImageFont.Layout.BASIC)
    assert bitmap(font, "ư") == bitmap(font, "\u0378")
    with pytest.raises(SlipFontError, match=r"printer\.font_path"):
        find_font(str(path))


@pytest.mark.parametrize("dots", WIDTHS)
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("reprint", [False, True])
def test_nothing_crosses_the_paper_edge_and_nothing_overlaps(
    fonts: FontSet, dots: int, name: str, reprint: bool
) -> None:
    slip = layout_slip(checkin(name, number=1234), CLINIC, HOSPITAL, ZONE, reprint=reprint)
    plan = plan_slip(slip, dots, fonts)
    margin = margin_for(dots)
    image = render_slip(slip, dots)
    assert image.mode == "1"
    assert image.width == dots
    assert image.height == plan.height
    pixels = np.asarray(image.convert("L"))
    assert (pixels[:, :margin] == 255).all(), "ink in the left margin"
    assert (pixels[:, dots - margin :] == 255).all(), "ink in the right margin"
    assert (pixels[-margin:, :] == 255).all(), "ink at the bottom edge"

    rows = [b for b in plan.blocks if b.kind == "text"]
    for block in rows:
        left, top, right, bottom = block.box
        assert margin <= left < right <= dots - margin, block
        # the real ink of the row lies inside its box
        font = fonts.get(block.size, block.bold)
        ink = font.getbbox(block.text, anchor="ls")
        x, y = block.origin
        assert left <= x + ink[0], block
        assert x + ink[2] <= right, block
        assert top <= y + ink[1], block
        assert y + ink[3] <= bottom, block
    stacked = [b for b in plan.blocks if b.kind != "band"]
    for upper, lower in itertools.pairwise(stacked):
        assert upper.box[3] <= lower.box[1], f"{upper} overlaps {lower}"

    # every line's text is printed whole, only split into rows
    for index, item in enumerate(slip.items):
        if isinstance(item, SlipLine):
            printed = "".join(b.text for b in rows if b.source == index)
            assert printed.replace(" ", "") == item.text.replace(" ", "")


def test_a_long_name_wraps_and_makes_the_slip_longer(fonts: FontSet) -> None:
    short = plan_slip(layout_slip(checkin("Lê Văn Tám"), CLINIC, HOSPITAL, ZONE), 384, fonts)
    long = plan_slip(layout_slip(checkin(NAMES[0]), CLINIC, HOSPITAL, ZONE), 384, fonts)
    assert long.height > short.height
    name_rows = [b.text for b in long.blocks if b.kind == "text" and b.text in NAMES[0]]
    assert len(name_rows) >= 2


def test_a_word_wider_than_the_paper_is_broken_not_cut(fonts: FontSet) -> None:
    font = fonts.get(34, True)
    word = NAMES[3]
    rows = wrap_text(word, font, 300)
    assert len(rows) > 1
    assert "".join(rows) == word
    assert all(font.getbbox(row, anchor="ls")[2] <= 300 for row in rows)


@pytest.mark.parametrize("dots", WIDTHS)
def test_the_qr_on_the_slip_reads_back_as_the_checkin_id(dots: int) -> None:
    image = render_slip(layout_slip(checkin("Trần Thị Mỹ Lệ"), CLINIC, HOSPITAL, ZONE), dots)
    found = zxingcpp.read_barcodes(np.asarray(image.convert("L")))
    assert [b.text for b in found] == ["ci-20261125-0007"]


def test_a_reprint_starts_with_a_black_band() -> None:
    slip = layout_slip(checkin("Lê Văn Tám"), CLINIC, HOSPITAL, ZONE, reprint=True)
    pixels = np.asarray(render_slip(slip, 576).convert("L"))
    margin = margin_for(576)
    band_row = pixels[margin + 2, margin : 576 - margin]
    assert (band_row == 0).all()
    plain = np.asarray(
        render_slip(layout_slip(checkin("Lê Văn Tám"), CLINIC, HOSPITAL, ZONE), 576).convert("L")
    )
    assert (plain[margin + 2, margin : 576 - margin] == 255).mean() > 0.5


def test_the_renderer_uses_the_configuration(repo_root: Path) -> None:
    config = load_config(repo_root / "config.toml", env={"KIOSK_PRINTER_DOTS": "384"})
    renderer = SlipRenderer(config)
    ticket = checkin("Lê Văn Tám")
    normal = renderer.render(replace_clinic(ticket, "NOI"))
    again = renderer.render(replace_clinic(ticket, "NOI"), reprint=True)
    assert normal.width == 384
    assert again.width == 384
    assert again.height > normal.height
    slip = renderer.layout(replace_clinic(ticket, "NOI"))
    assert "Khám Nội tổng quát" in slip.text()
    assert config.hospital.name in slip.text()


def replace_clinic(value: CheckIn, code: str) -> CheckIn:
    return replace(value, clinic_code=code)


def test_a_missing_configured_font_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(SlipFontError, match=r"printer\.font_path.*not found"):
        find_font(str(tmp_path / "nope.ttf"))
    bad = tmp_path / "broken.ttf"
    bad.write_bytes(b"not a font")
    with pytest.raises(SlipFontError, match=r"printer\.font_path"):
        find_font(str(bad))


def test_a_configured_font_without_a_bold_face_fakes_bold(tmp_path: Path) -> None:
    regular = Path(find_font().regular)
    alone = tmp_path / "Solo.ttf"
    alone.write_bytes(regular.read_bytes())
    files = find_font(str(alone))
    assert files.fake_bold
    assert files.bold == files.regular == str(alone)
    fonts = FontSet(files)
    slip = Slip((SlipLine("Đậm", Size.TITLE, bold=True), SlipLine("Đậm", Size.TITLE)))
    image = np.asarray(draw_plan(plan_slip(slip, 576, fonts), fonts).convert("L"))
    half = image.shape[0] // 2
    assert (image[:half] == 0).sum() > (image[half:] == 0).sum()  # the bold row has more ink


def test_the_default_font_is_found_on_this_machine() -> None:
    files = find_font()
    assert Path(files.regular).is_file()
    assert Path(files.bold).is_file()


def test_the_gallery_writes_every_sample_at_both_widths(tmp_path: Path) -> None:
    written = write_gallery(tmp_path)
    assert len(written) == 16  # 6 check-in slips and 2 reception tickets, at 2 widths
    for path in written:
        with Image.open(path) as image:
            assert image.width == int(path.stem.rsplit("-", 1)[1])
