"""Page-image preprocessing (OpenCV headless; BGR uint8 numpy images in and out).

``prepare(img, engine)`` is what the pipeline calls on page images: a photo is flattened
(``flatten_photo``) and its light evened out (``normalize_contrast``), then every page is
turned upright and deskewed (``upright``). Seals: ``red_mask`` and ``seal_mask`` find seal ink
(``extractors.stamps`` sets seal lettering apart from the page's words with them); ``suppress_red``
takes seal ink out of an image and keeps the black print under it (not applied before OCR in the
pipeline: PP-OCR is given the page as scanned).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from extractors.preprocess.color import normalize_contrast, red_mask, seal_mask, stamp_boxes, suppress_red
from extractors.preprocess.orientation import detect_orientation, rotate, text_direction
from extractors.preprocess.perspective import correct_perspective, find_page_quad, flatten_photo, is_photo
from extractors.preprocess.skew import deskew, estimate_skew

MIN_SKEW = 0.1  # degrees; smaller skew is left alone (rotating blurs a little)

__all__ = [
    "correct_perspective", "deskew", "detect_orientation", "estimate_skew", "find_page_quad",
    "flatten_photo", "is_photo", "normalize_contrast", "prepare", "red_mask", "rotate", "seal_mask", "stamp_boxes",
    "suppress_red", "text_direction", "upright",
]


def upright(img: np.ndarray, engine: Any | None = None) -> tuple[np.ndarray, int, float]:
    """(upright deskewed image, rotation applied in {0,90,180,270} CCW, skew corrected in
    degrees). Skew is measured after the 90-degree turn, so ``Page.rotation``/``Page.skew``
    can be set from the result."""
    rotation = detect_orientation(img, engine)
    img = rotate(img, rotation)
    skew = estimate_skew(img)
    if abs(skew) >= MIN_SKEW:
        img = deskew(img, skew)
    else:
        skew = 0.0
    return img, rotation, skew


def prepare(img: np.ndarray, engine: Any | None = None) -> tuple[np.ndarray, int, float, bool]:
    """``upright``'s result for any page image, plus whether it was a photo flattened first."""
    flat = flatten_photo(img)
    if flat is not None:
        img = normalize_contrast(flat)
    img, rotation, skew = upright(img, engine)
    return img, rotation, skew, flat is not None
