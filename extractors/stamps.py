"""Seal and stamp lettering: red text that is not page content.

Invoices carry a 全国统一发票监制章 through the title and a 发票专用章 over the
remarks; both are lettering in seal red. Red text that is Chinese, or tiny (the tax
id in a seal's centre), is stamp text and is kept apart from the page's words; large
red digits (the red "No 12345678" of paper invoices) stay content.
"""

from __future__ import annotations

import re

import numpy as np

from pipeline.types import Word

CJK = re.compile(r"[\u3400-\u9fff]")
SMALL_PT = 8.0  # lettering inside a seal is smaller than any printed field
RED_SHARE = 0.5  # share of a word's ink pixels in seal red for an OCR word to count as red


def is_red_rgb(color: object) -> bool:
    """A PDF fill colour (gray, RGB or CMYK tuple) that is seal red."""
    if not isinstance(color, (tuple, list)):
        return False
    c = [float(v) for v in color if isinstance(v, (int, float))]
    if len(c) == 3:
        r, g, b = c
    elif len(c) == 4:
        cy, m, y, k = c
        r, g, b = (1 - cy) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)
    else:
        return False
    return r >= 0.75 and g <= 0.3 and b <= 0.3


def is_stamp_text(word: Word) -> bool:
    height = word.bbox[3] - word.bbox[1]
    return word.red and (bool(CJK.search(word.text)) or height < SMALL_PT)


def mark_red_ocr_words(words: list[Word], image: np.ndarray, dpi: float) -> None:
    """Set ``red`` on OCR words whose ink is mostly seal red."""
    from extractors.preprocess.color import red_mask

    mask = red_mask(image) > 0
    dark = image.min(axis=2) < 200
    scale = dpi / 72.0
    h, w = mask.shape
    for word in words:
        x0, y0, x1, y1 = (int(round(v * scale)) for v in word.bbox)
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
        if x1 <= x0 or y1 <= y0:
            continue
        ink = dark[y0:y1, x0:x1] | mask[y0:y1, x0:x1]
        n = int(ink.sum())
        if n and mask[y0:y1, x0:x1].sum() / n >= RED_SHARE:
            word.red = True


def split_stamps(words: list[Word]) -> tuple[list[Word], list[Word]]:
    """(content words, stamp words)."""
    content, stamps = [], []
    for word in words:
        (stamps if is_stamp_text(word) else content).append(word)
    return content, stamps
