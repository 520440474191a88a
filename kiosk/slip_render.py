"""Turn a slip layout into a 1-bit raster image as wide as the printer's paper.

Cheap ESC/POS printers garble Vietnamese in text mode, so the slip goes out as a picture drawn
here with a TrueType font that has every Vietnamese letter. Text is wrapped by its measured width
and every line keeps a margin on both sides, so nothing is cut off at any paper width.
"""

from __future__ import annotations

import functools
import logging
import math
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from kiosk.calling import Place
from kiosk.model import CheckIn
from kiosk.ports import PrintResult, SlipPrinter
from kiosk.settings import Config
from kiosk.slip_layout import (
    Align,
    Size,
    Slip,
    SlipCode,
    SlipLine,
    SlipRule,
    layout_slip,
    print_test_slip,
)

log = logging.getLogger(__name__)

FONT_SETTING = "printer.font_path"
REFERENCE_DOTS = 576  # 80 mm paper: the sizes below are for this width
# Pixel sizes at 576 dots (203 dpi: 8 dots a millimetre).
BASE_SIZES = {
    Size.HEADER: 23,
    Size.TITLE: 34,
    Size.NUMBER: 150,
    Size.BODY: 26,
    Size.SMALL: 21,
}
# A few letters whose absence shows a font cannot print Vietnamese.
PROBE_LETTERS = "ăâđêôơưẮẫỆờỰỹĐ"
LINUX_FONTS = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/TTF/DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu/DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    ("/usr/share/fonts/noto/NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    ("/usr/share/fonts/google-noto/NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
)
FONTCONFIG_FAMILIES = ("DejaVu Sans", "Noto Sans")
WINDOWS_FONTS = (("arial.ttf", "arialbd.ttf"), ("segoeui.ttf", "segoeuib.ttf"))


class SlipFontError(Exception):
    """No usable font with Vietnamese letters; the message names the setting to fix."""


@dataclass(frozen=True)
class FontFiles:
    """The regular and bold faces used for slips."""

    regular: str
    bold: str
    fake_bold: bool = False  # no bold face: bold text is drawn with a one-dot stroke


def missing_letters(path: str, letters: str = PROBE_LETTERS) -> str:
    """The letters of ``letters`` that the font draws as its missing-glyph (.notdef) box."""
    font = ImageFont.truetype(path, 32, layout_engine=ImageFont.Layout.BASIC)
    # U+0378 is unassigned in Unicode, so every font draws it with its .notdef glyph.
    notdef = glyph_bitmap(font, "\u0378")
    return "".join(ch for ch in letters if glyph_bitmap(font, ch) == notdef)


def glyph_bitmap(font: ImageFont.FreeTypeFont, char: str) -> bytes:
    """The pixels of one character drawn alone on a fixed canvas (to compare glyphs)."""
    size = int(font.size * 2)
    image = Image.new("1", (size, size), 0)
    ImageDraw.Draw(image).text((size // 4, size // 4), char, font=font, fill=1)
    return image.tobytes()


def _checked(files: FontFiles, configured: bool) -> FontFiles:
    try:
        missing = missing_letters(files.regular)
    except OSError as error:
        raise SlipFontError(
            f"{FONT_SETTING}: cannot read the font {files.regular}: {error}"
        ) from None
    if missing:
        where = "the font set in" if configured else "the font found for"
        raise SlipFontError(
            f"{FONT_SETTING}: {where} slips ({files.regular}) has no Vietnamese letters "
            f"{missing}: set {FONT_SETTING} to a font such as DejaVu Sans or Noto Sans"
        )
    return files


def _with_bold(regular: Path, bold_name: str) -> FontFiles:
    bold = regular.with_name(bold_name)
    if bold.is_file():
        return FontFiles(str(regular), str(bold))
    return FontFiles(str(regular), str(regular), fake_bold=True)


def _configured(font_path: str) -> FontFiles:
    path = Path(font_path).expanduser()
    if not path.is_file():
        raise SlipFontError(f"{FONT_SETTING}: font file {font_path} not found")
    stem = path.stem.removesuffix("-Regular")
    return _checked(_with_bold(path, f"{stem}-Bold{path.suffix}"), configured=True)


def _fontconfig(family: str) -> FontFiles | None:
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    found: list[str] = []
    for style in ("Regular", "Bold"):
        try:
            out = subprocess.run(
                [fc_match, "-f", "%{family}\t%{file}", f"{family}:style={style}"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return None
        families, _, file = out.partition("\t")
        # fc-match always answers with something: accept it only if it is the family asked for
        if family not in families.split(",") or not Path(file).is_file():
            return None
        found.append(file)
    return FontFiles(found[0], found[1])


def _candidates() -> list[FontFiles]:
    found: list[FontFiles] = []
    if sys.platform == "win32":
        fonts = Path(r"C:\Windows\Fonts")
        found += [
            _with_bold(fonts / regular, bold)
            for regular, bold in WINDOWS_FONTS
            if (fonts / regular).is_file()
        ]
        return found
    found += [
        _with_bold(Path(regular), bold) for regular, bold in LINUX_FONTS if Path(regular).is_file()
    ]
    if not found:
        found += [files for family in FONTCONFIG_FAMILIES if (files := _fontconfig(family))]
    return found


def find_font(font_path: str = "") -> FontFiles:
    """The font for slips: ``font_path`` when set, else DejaVu / Noto Sans, Arial / Segoe UI.

    Raises :class:`SlipFontError` naming ``printer.font_path`` when no font with Vietnamese
    letters is found.
    """
    if font_path:
        return _configured(font_path)
    for files in _candidates():
        try:
            return _checked(files, configured=False)
        except SlipFontError as error:
            log.warning("skipping slip font: %s", error)
    raise SlipFontError(
        f"{FONT_SETTING}: no font with Vietnamese letters found (looked for DejaVu Sans and "
        f"Noto Sans, or Arial and Segoe UI on Windows): install fonts-dejavu-core or set "
        f"{FONT_SETTING} to a .ttf file"
    )


class FontSet:
    """The slip fonts, loaded once per size and weight."""

    def __init__(self, files: FontFiles) -> None:
        self.files = files
        self._cache: dict[tuple[int, bool], ImageFont.FreeTypeFont] = {}
        self._extents: dict[tuple[int, bool], tuple[int, int]] = {}

    def get(self, size: int, bold: bool) -> ImageFont.FreeTypeFont:
        key = (size, bold and not self.files.fake_bold)
        font = self._cache.get(key)
        if font is None:
            path = self.files.bold if key[1] else self.files.regular
            # BASIC layout: the same result everywhere, with or without libraqm
            font = ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)
            self._cache[key] = font
        return font

    def extent(self, size: int, bold: bool) -> tuple[int, int]:
        """Room above and below the baseline that any Vietnamese row needs at this size."""
        key = (size, bold)
        cached = self._extents.get(key)
        if cached is None:
            font = self.get(size, bold)
            ascent, descent = font.getmetrics()
            # stacked diacritics on capitals (Ẫ, Ễ) rise above the font's ascent: size every
            # row for them so rows are evenly spaced whatever letters they hold
            _, top, _, bottom = font.getbbox(
                "ẪỄỖỮ ỵgjpq", anchor="ls", stroke_width=self.stroke(size, bold)
            )
            cached = (max(ascent, -int(top)), max(descent, int(bottom)))
            self._extents[key] = cached
        return cached

    def stroke(self, size: int, bold: bool) -> int:
        """Extra stroke width that stands in for a missing bold face."""
        return max(1, size // 28) if bold and self.files.fake_bold else 0


@dataclass(frozen=True)
class Block:
    """One placed piece of a slip: its kind, its text (for text rows) and its box in dots."""

    kind: str  # "text", "band", "rule", "ruler", "code"
    box: tuple[int, int, int, int]  # left, top, right, bottom (right/bottom exclusive)
    text: str = ""
    source: int = -1  # index of the slip item it comes from
    size: int = 0
    bold: bool = False
    white: bool = False  # drawn white (inside an inverse band)
    origin: tuple[int, int] = (0, 0)  # where the text baseline starts
    payload: str = ""


@dataclass(frozen=True)
class SlipPlan:
    """Where everything of a slip goes on paper of a given width."""

    dots: int
    margin: int
    height: int
    blocks: tuple[Block, ...]


def margin_for(dots: int) -> int:
    """The blank margin kept on both sides (about 2 mm on 80 mm paper)."""
    return max(8, dots // 36)


def font_size(size: Size, dots: int) -> int:
    """The pixel size of a size class at this paper width.

    Narrow paper shrinks text less than in proportion (square root) so 58 mm slips stay legible;
    the longer lines then wrap.
    """
    scale = math.sqrt(dots / REFERENCE_DOTS)
    return max(10, round(BASE_SIZES[size] * scale))


def _ink_width(font: ImageFont.FreeTypeFont, text: str, stroke: int) -> tuple[int, int]:
    """Left and right ink edges of ``text`` drawn from x=0 (the left edge may be negative)."""
    left, _, right, _ = font.getbbox(text, anchor="ls", stroke_width=stroke)
    return min(0, int(left)), max(int(right), 0)


def wrap_text(text: str, font: ImageFont.FreeTypeFont, width: int, stroke: int = 0) -> list[str]:
    """Split ``text`` into rows no wider than ``width`` dots, at spaces where possible.

    A word wider than the paper is broken between letters, so nothing is ever cut off.
    """

    def fits(candidate: str) -> bool:
        left, right = _ink_width(font, candidate, stroke)
        return right - left <= width

    if fits(text):  # most lines fit whole: one measurement
        return [text] if text else []
    rows: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if fits(candidate):
            current = candidate
            continue
        if current:
            rows.append(current)
        rest = word
        while not fits(rest) and len(rest) > 1:
            cut = len(rest) - 1
            while cut > 1 and not fits(rest[:cut]):
                cut -= 1
            rows.append(rest[:cut])
            rest = rest[cut:]
        current = rest
    if current:
        rows.append(current)
    return rows


def plan_slip(slip: Slip, dots: int, fonts: FontSet) -> SlipPlan:
    """Place every item of ``slip`` on paper ``dots`` wide, top to bottom."""
    planner = _Planner(dots, fonts)
    for index, item in enumerate(slip.items):
        if isinstance(item, SlipLine):
            planner.text(item, index)
        elif isinstance(item, SlipRule):
            planner.rule(item, index)
        else:
            planner.code(item, index)
    return SlipPlan(dots, planner.margin, planner.y + 3 * planner.margin, tuple(planner.blocks))


class _Planner:
    """Stacks blocks down the paper; ``y`` is the top of the free space."""

    def __init__(self, dots: int, fonts: FontSet) -> None:
        self.dots = dots
        self.fonts = fonts
        self.margin = margin_for(dots)
        self.width = dots - 2 * self.margin
        self.blocks: list[Block] = []
        self.y = self.margin

    def rule(self, item: SlipRule, index: int) -> None:
        self.y += 6
        if item.ruler:
            # the ruler spans the whole paper: its ends show the printable width
            self.blocks.append(Block("ruler", (0, self.y, self.dots, self.y + 24), source=index))
            self.y += 24 + 6
        else:
            box = (self.margin, self.y, self.dots - self.margin, self.y + 2)
            self.blocks.append(Block("rule", box, source=index))
            self.y += 2 + 6

    def code(self, item: SlipCode, index: int) -> None:
        modules = _qr_modules(item.payload)
        scale = max(3, int(self.dots * 0.3) // len(modules))
        side = len(modules) * scale
        left = (self.dots - side) // 2
        top = self.y + 2 * scale  # part of the quiet zone; the paper around is blank anyway
        box = (left, top, left + side, top + side)
        self.blocks.append(Block("code", box, source=index, payload=item.payload))
        self.y = top + side + 2 * scale

    def text(self, item: SlipLine, index: int) -> None:
        size = font_size(item.size, self.dots)
        font = self.fonts.get(size, item.bold)
        stroke = self.fonts.stroke(size, item.bold)
        ascent, descent = self.fonts.extent(size, item.bold)
        pad = max(4, size // 6) if item.inverse else 0
        inner = self.width - 2 * pad
        rows = wrap_text(unicodedata.normalize("NFC", item.text), font, inner, stroke)
        band = len(self.blocks)
        band_top = self.y
        self.y += pad
        gap = max(2, size // 7)
        for row in rows:
            bbox = font.getbbox(row, anchor="ls", stroke_width=stroke)
            above, below = max(ascent, -int(bbox[1])), max(descent, int(bbox[3]))
            left, right = min(0, int(bbox[0])), max(0, int(bbox[2]))
            ink = right - left
            if item.align is Align.CENTER:
                x = self.margin + pad + (inner - ink) // 2 - left
            elif item.align is Align.RIGHT:
                x = self.dots - self.margin - pad - right
            else:
                x = self.margin + pad - left
            box = (x + left, self.y, x + right, self.y + above + below)
            self.blocks.append(
                Block(
                    "text",
                    box,
                    text=row,
                    source=index,
                    size=size,
                    bold=item.bold,
                    white=item.inverse,
                    origin=(x, self.y + above),
                )
            )
            self.y += above + below + gap
        self.y += pad
        if item.inverse:
            box = (self.margin, band_top, self.dots - self.margin, self.y)
            self.blocks.insert(band, Block("band", box, source=index))
            self.y += gap


@functools.lru_cache(maxsize=64)
def _qr_modules(payload: str) -> tuple[tuple[bool, ...], ...]:
    """The dark modules of the QR code of ``payload``, row by row."""
    import numpy as np
    import zxingcpp

    barcode = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode)
    pixels = np.asarray(barcode.to_image(scale=1, add_quiet_zones=False))
    return tuple(tuple(bool(v < 128) for v in row) for row in pixels)


def draw_plan(plan: SlipPlan, fonts: FontSet) -> Image.Image:
    """Draw a planned slip: a mode "1" image, ``plan.dots`` wide, black text on white."""
    image = Image.new("1", (plan.dots, plan.height), 1)
    draw = ImageDraw.Draw(image)
    for block in plan.blocks:
        left, top, right, bottom = block.box
        if block.kind in ("band", "rule"):
            draw.rectangle((left, top, right - 1, bottom - 1), fill=0)
        elif block.kind == "ruler":
            _draw_ruler(draw, left, top, right, bottom)
        elif block.kind == "code":
            _draw_code(image, block)
        else:
            stroke = fonts.stroke(block.size, block.bold)
            ink = 1 if block.white else 0
            draw.text(
                block.origin,
                block.text,
                font=fonts.get(block.size, block.bold),
                fill=ink,
                anchor="ls",
                stroke_width=stroke,
                stroke_fill=ink,
            )
    return image


def _draw_ruler(draw: ImageDraw.ImageDraw, left: int, top: int, right: int, bottom: int) -> None:
    draw.rectangle((left, top, right - 1, top + 1), fill=0)
    draw.rectangle((left, top, left + 1, bottom - 1), fill=0)
    draw.rectangle((right - 2, top, right - 1, bottom - 1), fill=0)
    for x in range(left, right, 8):  # 8 dots = 1 mm at 203 dpi
        length = (bottom - top) if (x - left) % 80 == 0 else (bottom - top) // 3
        draw.line((x, top, x, top + length - 1), fill=0)


def _draw_code(image: Image.Image, block: Block) -> None:
    left, top, right, _ = block.box
    image.paste(_qr_image(block.payload, right - left), (left, top))


@functools.lru_cache(maxsize=64)
def _qr_image(payload: str, side: int) -> Image.Image:
    """The QR code of ``payload`` as a mode "1" image ``side`` dots square."""
    modules = _qr_modules(payload)
    small = Image.new("1", (len(modules), len(modules)), 1)
    small.putdata([0 if dark else 1 for row in modules for dark in row])
    return small.resize((side, side), Image.Resampling.NEAREST)


@functools.lru_cache(maxsize=4)
def _font_set(font_path: str) -> FontSet:
    return FontSet(find_font(font_path))


def render_slip(slip: Slip, dots: int, font_path: str = "") -> Image.Image:
    """The slip as a mode "1" image exactly ``dots`` wide (576 for 80 mm, 384 for 58 mm)."""
    fonts = _font_set(font_path)
    return draw_plan(plan_slip(slip, dots, fonts), fonts)


class SlipRenderer:
    """Renders the slip of a check-in with the kiosk's configuration; the fonts load once.

    The check-in service takes :meth:`render` as its slip maker.
    """

    def __init__(
        self, config: Config, place: Callable[[CheckIn], Place | None] | None = None
    ) -> None:
        """``place`` says where a check-in stands in its clinic's queue (None: not known)."""
        self._config = config
        self._place = place
        self._fonts = _font_set(config.printer.font_path)

    @property
    def fonts(self) -> FontSet:
        return self._fonts

    def layout(self, checkin: CheckIn, *, reprint: bool = False) -> Slip:
        config = self._config
        return layout_slip(
            checkin,
            config.clinic(checkin.clinic_code),
            config.hospital,
            config.kiosk.zone,
            reprint=reprint,
            card_number=config.privacy.slip_card_number,
            place=self._place(checkin) if self._place is not None else None,
        )

    def render(self, checkin: CheckIn, *, reprint: bool = False) -> Image.Image:
        """The slip image of ``checkin`` at the configured paper width."""
        return self.render_slip(self.layout(checkin, reprint=reprint))

    def render_slip(self, slip: Slip) -> Image.Image:
        """Any slip (such as the test page) at the configured paper width."""
        return draw_plan(plan_slip(slip, self._config.printer.dots, self._fonts), self._fonts)


def print_test_page(config: Config, printer: SlipPrinter) -> PrintResult:
    """Print the test page (hospital name, every Vietnamese letter, a ruler) on ``printer``,
    for ``kiosk-admin print-test`` and the admin screen.

    Raises :class:`SlipFontError` when no slip font is found.
    """
    settings = config.printer
    label = f"Máy in: {settings.kind}, {settings.dots} chấm, máy {config.kiosk.id}"
    image = SlipRenderer(config).render_slip(print_test_slip(config.hospital, label))
    return printer.print_image(image, "print-test")


__all__: Sequence[str] = (
    "FontFiles",
    "FontSet",
    "SlipFontError",
    "SlipPlan",
    "SlipRenderer",
    "find_font",
    "plan_slip",
    "print_test_page",
    "render_slip",
    "wrap_text",
)
