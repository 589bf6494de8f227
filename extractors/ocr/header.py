"""The page header read again at a coarser scale, for display text the detector missed.

PP-OCR's detector, run at the working resolution (``det_limit_side_len`` 1600), can miss a title
set in large, widely letter-spaced characters (广 东 增 值 税 专 用 发 票 under a 监制 seal): on a
generated invoice scan it found the title at 1280 px and not at 1600, 1900 or 2400, and it reads
it at once from the header band alone at half scale. Reading only the band keeps the cost to
about a tenth of a page; callers do it only when a header field (the invoice's kind) is missing.
"""

from __future__ import annotations

import cv2
import numpy as np

from extractors.ocr.base import OcrEngine
from pipeline.types import Word

BAND = 0.25  # top share of the page
SCALE = 0.5
MIN_CONFIDENCE = 0.8


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    """Share of ``a``'s area that ``b`` covers."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    area = max((a[2] - a[0]) * (a[3] - a[1]), 1e-6)
    return max(w, 0.0) * max(h, 0.0) / area


def header_words(engine: OcrEngine, image: np.ndarray, dpi: float, words: list[Word]) -> list[Word]:
    """Words of the page's top band, read at ``SCALE``, that no word already read covers (boxes in
    points, like ``words``)."""
    band = image[: max(1, int(image.shape[0] * BAND))]
    small = cv2.resize(band, None, fx=SCALE, fy=SCALE, interpolation=cv2.INTER_AREA)
    new: list[Word] = []
    for line in engine.recognize(small, dpi * SCALE):
        if line.confidence < MIN_CONFIDENCE or len(line.text.strip()) < 2:
            continue
        if any(_overlap(line.bbox, w.bbox) > 0.3 or _overlap(w.bbox, line.bbox) > 0.5 for w in words):
            continue
        new.extend(line.words or [Word(text=line.text, bbox=line.bbox, confidence=line.confidence, source="ocr")])
    return new
