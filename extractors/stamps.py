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
SMALL_PT = 10.0
TITLE_PT = 14.0  # red Chinese print this tall is a form title, not seal lettering
SEAL_AREA = 0.001  # a seal covers at least this share of the page image
SEAL_PT = (30.0, 190.0)  # seal width and height in points (发票专用章 40×30 mm, round seals up to 58 mm)
RED_SHARE = 0.4  # share of a word's ink pixels in seal red for an OCR word to be red  # lettering inside a seal is smaller than any printed field


def _seal_red(r: float, g: float, b: float) -> bool:
    """Seal red on a 0..1 scale: strong red with green and blue low and alike.

    The brown-red of printed invoice forms (0.62, 0.32, 0.04) and the dark red of
    e-invoice titles (0.5, 0, 0) are not seal red: brown has green far above blue,
    dark red is too dark.
    """
    return r >= 0.6 and g <= 0.55 * r and b <= 0.55 * r and abs(g - b) <= 0.2 and r - max(g, b) >= 0.3


def is_red_rgb(color: object) -> bool:
    """A PDF fill colour (gray, RGB or CMYK tuple) that is seal red."""
    if not isinstance(color, (tuple, list)):
        return False
    c = [float(v) for v in color if isinstance(v, (int, float))]
    if len(c) == 3:
        return _seal_red(*c)
    if len(c) == 4:
        cy, m, y, k = c
        return _seal_red((1 - cy) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return False


def is_stamp_text(word: Word) -> bool:
    """Seal lettering. On images only words inside a detected seal count: printed forms
    photographed or scanned show their brown-red labels as red too."""
    if word.source == "ocr":
        return word.red and word.in_seal
    height = word.font_size or (word.bbox[3] - word.bbox[1])
    return word.red and (height < SMALL_PT or (height < TITLE_PT and bool(CJK.search(word.text))))


def mark_red_ocr_words(words: list[Word], image: np.ndarray, dpi: float) -> None:
    """Set ``red`` on OCR words whose ink pixels are mostly seal red.

    Per pixel: ink is anything clearly darker than the paper in some channel; seal
    red is ink whose red channel stands 50 above green and blue, with green and blue
    alike (brown form print has green far above blue). Scans wash seals out to pink,
    so the test is on pixel shares, not on the mean colour.
    """
    from extractors.preprocess.color import stamp_boxes, suppress_red

    scale = dpi / 72.0
    h, w = image.shape[:2]
    paper = np.percentile(image.reshape(-1, 3)[:: max(1, h * w // 20000)], 90, axis=0)
    for word in words:
        x0, y0, x1, y1 = (int(round(v * scale)) for v in word.bbox)
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
        if x1 <= x0 or y1 <= y0:
            continue
        crop = image[y0:y1, x0:x1].reshape(-1, 3).astype(np.int16)
        ink = (paper - crop).max(axis=1) > 60
        n = int(ink.sum())
        if n < 10:
            continue
        b, g, r = crop[ink, 0], crop[ink, 1], crop[ink, 2]
        red = (r - np.maximum(g, b) > 50) & (np.abs(g - b) < 40)
        word.red = bool(red.sum() / n > RED_SHARE)
    red_words = [wd for wd in words if wd.red]
    if not red_words:
        return
    lo, hi = SEAL_PT[0] * scale, SEAL_PT[1] * scale
    seals = [b for b in stamp_boxes(suppress_red(image)[1], min_area_frac=SEAL_AREA)
             if lo <= b[2] - b[0] <= hi and lo <= b[3] - b[1] <= hi]
    for word in red_words:
        cx, cy = (word.bbox[0] + word.bbox[2]) / 2 * scale, (word.bbox[1] + word.bbox[3]) / 2 * scale
        word.in_seal = any(sx0 <= cx <= sx1 and sy0 <= cy <= sy1 for sx0, sy0, sx1, sy1 in seals)


def split_stamps(words: list[Word]) -> tuple[list[Word], list[Word]]:
    """(content words, stamp words)."""
    content, stamps = [], []
    for word in words:
        (stamps if is_stamp_text(word) else content).append(word)
    return content, stamps
