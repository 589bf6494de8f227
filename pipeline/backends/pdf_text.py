"""A PDF page's text layer as positioned characters, and those characters grouped into words.

Two readers give the same ``Char`` records: PDFium's text API (default: ~1–9 ms a page,
measured in ``bench/bench_pipeline.py``) and pdfplumber (pdfminer in pure Python, 40–90 ms
a page on real e-invoices, whose embedded CJK fonts and vector QR codes it parses op by op).
Words are built once, here, from either: pdfplumber's ``extract_words`` rule (lines by
``top`` within ``y_tol``, a new word at a gap wider than ``x_tol``, at a blank, or where
colour or size changes) so that both readers give the same words.
"""

from __future__ import annotations

import ctypes
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extractors.stamps import is_red_rgb
from pipeline.types import Word

UNMAPPED = {0, 0xFFFD}  # glyphs with no Unicode mapping (pdfminer spells them "(cid:N)")
SPECIAL = {0x02: "-"}  # PDFium reports a hyphen that ends a text line as U+0002


@dataclass(frozen=True, slots=True)
class Char:
    """One glyph in page points, top-left origin, as the page is displayed (its /Rotate applied)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    color: tuple[float, ...]  # fill colour, 0–1 components (gray, RGB or CMYK as the PDF has it)
    upright: bool  # False for rotated glyphs: seal lettering around an oval, vertical stamps


def usable(chars: list[Char], *, min_chars: int, max_unmapped_share: float) -> bool:
    """Real text: enough upright characters, and few that have no Unicode mapping."""
    real = [c for c in chars if c.upright and c.text.strip()]
    if len(real) < min_chars:
        return False
    unmapped = sum(1 for c in real if c.text == "\ufffd")
    return unmapped / len(real) <= max_unmapped_share


def _display_box(rot: int, crop: tuple[float, float, float, float],
                 left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
    """PDF user space (bottom-left origin) → the displayed page (top-left origin) under /Rotate."""
    cx0, cy0, cx1, cy1 = crop
    if rot == 90:
        xs, ys = (bottom - cy0, top - cy0), (left - cx0, right - cx0)
    elif rot == 180:
        xs, ys = (cx1 - right, cx1 - left), (bottom - cy0, top - cy0)
    elif rot == 270:
        xs, ys = (cy1 - top, cy1 - bottom), (cx1 - right, cx1 - left)
    else:
        xs, ys = (left - cx0, right - cx0), (cy1 - top, cy1 - bottom)
    return min(xs), min(ys), max(xs), max(ys)


@dataclass(frozen=True, slots=True)
class TextLayer:
    """A page's glyphs and the turn (degrees counter-clockwise, as ``Page.rotation``) that made its text upright."""

    chars: list[Char]
    turn: int = 0


def _quadrant(angle_cw: float, rot: int) -> int | None:
    """Which quarter-turn a glyph shows on the displayed page (None: at an odd angle, e.g. a seal ring)."""
    deg = (math.degrees(angle_cw) + rot) % 360
    q = round(deg / 90) % 4
    return q if abs(deg - round(deg / 90) * 90) < 1.0 else None


def pdfium_chars(page: pdfium.PdfPage) -> TextLayer:
    """The page's glyphs from PDFium's text page (loose boxes: the font's full line height).

    A page whose text shows sideways or upside down (text drawn turned, or a /Rotate that turns
    it) is read in the frame where most of its text is upright, like a turned scan.
    """
    rot = page.get_rotation() % 360
    crop = tuple(page.get_cropbox())
    textpage = page.get_textpage()
    raw: list[tuple[str, tuple[float, float, float, float], tuple[float, ...], float, float]] = []
    try:
        rect, matrix = pdfium_c.FS_RECTF(), pdfium_c.FS_MATRIX()
        r, g, b, a = (ctypes.c_uint() for _ in range(4))
        for i in range(textpage.count_chars()):
            if pdfium_c.FPDFText_IsGenerated(textpage, i) == 1:  # spaces/line breaks PDFium made up
                continue
            code = pdfium_c.FPDFText_GetUnicode(textpage, i)
            if 0xDC00 <= code <= 0xDFFF:  # low half of a surrogate pair: joined to the high half below
                continue
            if 0xD800 <= code <= 0xDBFF:
                low = pdfium_c.FPDFText_GetUnicode(textpage, i + 1)
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00) if 0xDC00 <= low <= 0xDFFF else 0
            if not pdfium_c.FPDFText_GetLooseCharBox(textpage, i, rect):
                continue
            color = ((r.value / 255, g.value / 255, b.value / 255)
                     if pdfium_c.FPDFText_GetFillColor(textpage, i, r, g, b, a) else ())
            size = pdfium_c.FPDFText_GetFontSize(textpage, i)
            if pdfium_c.FPDFText_GetMatrix(textpage, i, matrix):  # Tf 1 scaled up by the text matrix: the size seen
                size *= math.hypot(matrix.c, matrix.d) or 1.0
            raw.append(("\ufffd" if code in UNMAPPED else SPECIAL.get(code, chr(code)),
                        (rect.left, rect.bottom, rect.right, rect.top), color, round(size, 2),
                        max(pdfium_c.FPDFText_GetCharAngle(textpage, i), 0.0)))  # -1: unknown, taken as upright
    finally:
        textpage.close()
    quads = [_quadrant(angle, rot) for *_, angle in raw]
    q = max(range(4), key=quads.count) if raw else 0
    turn = 90 * q if q and quads.count(q) > len(raw) / 2 else 0
    frame = (rot - turn) % 360
    chars = []
    for (text, box, color, size, _), quad in zip(raw, quads):
        x0, top, x1, bottom = _display_box(frame, crop, *box)
        upright = quad == (q if turn else 0)
        if upright and size > 0:  # pdfminer's box: one font size up from the descent, not the font's full bbox
            top = max(top, bottom - size)
        chars.append(Char(text, x0, top, x1, bottom, size, color, upright))
    return TextLayer(chars, turn)


def pdfplumber_chars(ppage: Any) -> TextLayer:
    """The page's glyphs from pdfplumber (the reference reader; slower, see the module note).

    pdfplumber gives display coordinates (it applies /Rotate) and ``upright``; a page whose
    text shows sideways has no upright text, so it goes to OCR, which turns it.
    """
    x_off, y_off = float(ppage.bbox[0]), float(ppage.bbox[1])
    return TextLayer([Char("\ufffd" if c["text"].startswith("(cid:") else c["text"], c["x0"] - x_off, c["top"] - y_off,
                 c["x1"] - x_off, c["bottom"] - y_off, round(float(c.get("size") or 0), 2),
                 _color(c.get("non_stroking_color")), bool(c.get("upright", True)))
            for c in ppage.chars])


def _color(value: object) -> tuple[float, ...]:
    if isinstance(value, (int, float)):
        return (float(value),)
    return tuple(round(float(v), 3) for v in value if isinstance(v, (int, float))) if isinstance(value, (tuple, list)) else ()


def _lines(chars: list[Char], y_tol: float) -> Iterator[list[Char]]:
    """Chain-cluster by ``top`` (as pdfplumber's ``cluster_objects``), each line left to right."""
    line: list[Char] = []
    last = -math.inf
    for c in sorted(chars, key=lambda c: c.top):
        if line and c.top - last > y_tol:
            yield sorted(line, key=lambda c: c.x0)
            line = []
        line.append(c)
        last = c.top
    if line:
        yield sorted(line, key=lambda c: c.x0)


def _word(chars: list[Char]) -> Word:
    return Word(text="".join(c.text for c in chars),
                bbox=(min(c.x0 for c in chars), min(c.top for c in chars),
                      max(c.x1 for c in chars), max(c.bottom for c in chars)),
                source="text_layer", red=is_red_rgb(chars[0].color), font_size=chars[0].size or None)


def group_words(chars: Iterable[Char], *, x_tol: float = 1.5, y_tol: float = 2.0) -> list[Word]:
    """Upright characters into words; rotated glyphs (seal lettering) are left out."""
    words: list[Word] = []
    for line in _lines([c for c in chars if c.upright], y_tol):
        cur: list[Char] = []
        for c in line:
            if not c.text.strip():
                if cur:
                    words.append(_word(cur))
                cur = []
                continue
            if cur:
                prev = cur[-1]
                if c.x0 > prev.x1 + x_tol or c.x0 < prev.x0 or (c.size, c.color) != (prev.size, prev.color):
                    words.append(_word(cur))
                    cur = []
            cur.append(c)
        if cur:
            words.append(_word(cur))
    return words
