"""The engine contract and the helpers every adapter shares.

Coordinates: engines work in image pixels; every ``Line``/``Word`` they return is in
PDF points (``pixel * 72 / dpi``), top-left origin, ``source="ocr"``.

Words: OCR lines are split into words where the engine gives character boxes. A word
is a run of characters of one kind: a CJK run (``价税合计``), a Latin/digit/symbol run
(``¥569520.00``, ``91310115MA1K4LXXXX``), or one separator (``：``, ``（``). Spaces and
gaps wider than ``GAP_FACTOR`` x the line height also split. So a label and its value
(``发票号码`` ``：`` ``2431...``) get separate, tight boxes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol, runtime_checkable

import numpy as np

from pipeline.settings import OcrSettings
from pipeline.types import BBox, Line, Word

GAP_FACTOR = 0.8  # a gap wider than this x line height splits a word
SEPARATORS = frozenset("：:（）()【】[]「」《》<>，、；;|")

Quad = Sequence[Sequence[float]] | np.ndarray  # 4 (x, y) corners in pixels
CharBox = tuple[str, float, Quad]  # (char, score, quad)


@runtime_checkable
class OcrEngine(Protocol):
    """Reads a BGR uint8 page image taken at ``dpi``; returns lines in PDF points."""

    name: str

    def recognize(self, image: np.ndarray, dpi: float) -> list[Line]: ...


def quad_to_bbox(quad: Quad, scale: float) -> BBox:
    """Axis-aligned box around a pixel quadrilateral, times ``scale`` (72/dpi)."""
    xs = [float(p[0]) for p in quad]
    ys = [float(p[1]) for p in quad]
    return (min(xs) * scale, min(ys) * scale, max(xs) * scale, max(ys) * scale)


def union_bbox(boxes: Sequence[BBox]) -> BBox:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def char_kind(ch: str) -> str:
    """'sep' for separators, 'cjk' for ideographs/kana/CJK symbols, else 'latin'."""
    if ch in SEPARATORS:
        return "sep"
    if ord(ch) >= 0x2E80 and unicodedata.category(ch).startswith("L"):
        return "cjk"
    return "latin"


def chars_to_words(text: str, chars: Sequence[CharBox], scale: float) -> list[Word] | None:
    """Group per-character boxes into words; None when chars do not align with ``text``.

    ``chars`` are the non-space characters of ``text`` in order (rapidocr drops spaces).
    """
    if not chars or "".join(c for c in text if not c.isspace()) != "".join(c[0] for c in chars):
        return None
    # where the text had a space before the k-th non-space char
    space_before: list[bool] = []
    prev_space = False
    for ch in text:
        if ch.isspace():
            prev_space = True
        else:
            space_before.append(prev_space)
            prev_space = False
    boxes = [quad_to_bbox(q, scale) for _, _, q in chars]
    height = float(np.median([b[3] - b[1] for b in boxes]))
    groups: list[list[int]] = []
    for k, (ch, _, _) in enumerate(chars):
        if groups:
            prev = groups[-1][-1]
            pk, kk = char_kind(chars[prev][0]), char_kind(ch)
            gap = boxes[k][0] - boxes[prev][2]
            split = space_before[k] or gap > GAP_FACTOR * height or pk != kk or kk == "sep"
            if not split:
                groups[-1].append(k)
                continue
        groups.append([k])
    return [
        Word(
            text="".join(chars[k][0] for k in g),
            bbox=union_bbox([boxes[k] for k in g]),
            confidence=float(min(chars[k][1] for k in g)),
            source="ocr",
        )
        for g in groups
    ]


def make_line(
    text: str, score: float, quad: Quad, scale: float, chars: Sequence[CharBox] | None = None
) -> Line:
    """A ``Line`` in points; words from ``chars`` when they align, else one word per line."""
    bbox = quad_to_bbox(quad, scale)
    words = chars_to_words(text, chars, scale) if chars else None
    if not words:
        words = [Word(text=text, bbox=bbox, confidence=float(score), source="ocr")]
    return Line(text=text, bbox=bbox, words=words, confidence=float(score), source="ocr")


VERTICAL_RATIO = 1.5  # a line this many times taller than wide, with 2+ characters, is a vertical stack
ROW_SPACED = 1.3  # a stack whose characters sit this many widths apart is one character per table row
# units of measure an item table prints as one character: a stack made of them alone is a unit column
# however tightly its rows are set (项项 on 12-pt rows stayed one word, and two lines lost their unit);
# no vertical label (付款人, 收款人, 销售方, 密码区, 备注) is made of them alone
UNIT_CHARS = frozenset("项台套个件次吨米月年天日张组辆批株棵座樘只块根支桶箱包袋瓶盒片卷条把副双对份本册页间户处方升斤克")


def split_vertical(line: Line) -> list[Line]:
    """A vertical stack of characters as one line per character, top to bottom.

    The detector joins characters printed one above the other, a row apart, into one tall
    box: the unit column of an item table (项 / 项 / 月 read as "项项月"). Each character
    belongs to its own row, so it gets its own share of the box. A tightly set vertical
    label (付款人 down a bank form's margin) stays one line, unless it is units alone (``UNIT_CHARS``).
    """
    x0, y0, x1, y1 = line.bbox
    chars = [c for c in line.text if not c.isspace()]
    if len(chars) < 2 or (y1 - y0) < VERTICAL_RATIO * (x1 - x0):
        return [line]
    step = (y1 - y0) / len(chars)
    if step < ROW_SPACED * (x1 - x0) and not set(chars) <= UNIT_CHARS:  # a tight vertical label: one text
        return [line]
    out = []
    for i, ch in enumerate(chars):
        box = (x0, y0 + i * step, x1, y0 + (i + 1) * step)
        out.append(Line(text=ch, bbox=box, confidence=line.confidence, source=line.source,
                        words=[Word(text=ch, bbox=box, confidence=line.confidence, source=line.source)]))
    return out


def sort_lines(lines: list[Line]) -> list[Line]:
    """Reading order: rows of lines whose vertical centres are close, each left to right
    (vertical stacks split into their characters first)."""
    if not lines:
        return lines
    lines = [part for ln in lines for part in split_vertical(ln)]
    h = float(np.median([ln.bbox[3] - ln.bbox[1] for ln in lines])) or 1.0
    rows: list[list[Line]] = []
    for ln in sorted(lines, key=lambda ln: (ln.bbox[1] + ln.bbox[3]) / 2):
        cy = (ln.bbox[1] + ln.bbox[3]) / 2
        if rows and cy - (rows[-1][0].bbox[1] + rows[-1][0].bbox[3]) / 2 < 0.5 * h:
            rows[-1].append(ln)
        else:
            rows.append([ln])
    return [ln for row in rows for ln in sorted(row, key=lambda ln: ln.bbox[0])]


@lru_cache(maxsize=4)
def _engine_for(key: tuple[tuple[str, object], ...]) -> OcrEngine:
    cfg = OcrSettings.model_validate(dict(key))
    if cfg.engine == "rapidocr":
        from extractors.ocr.rapidocr_engine import RapidOcrEngine

        return RapidOcrEngine(cfg)
    if cfg.engine == "tesseract":
        from extractors.ocr.tesseract_engine import TesseractEngine

        return TesseractEngine(cfg)
    if cfg.engine == "paddleocr":
        from extractors.ocr.paddle_engine import PaddleOcrEngine

        return PaddleOcrEngine(cfg)
    raise ValueError(f"unknown OCR engine {cfg.engine!r}")


def get_engine(settings: OcrSettings) -> OcrEngine:
    """The engine for these settings, loaded once per process per configuration."""
    return _engine_for(tuple(sorted(settings.model_dump().items())))
