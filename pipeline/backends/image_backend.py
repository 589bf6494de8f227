"""Image files (PNG, JPEG, TIFF incl. multi-page, BMP, WebP): one page per frame."""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from pipeline.backends.base import LoadedPage
from pipeline.errors import CorruptFile, FileTooLarge
from pipeline.types import Page

DEFAULT_DPI = 200.0
Image.MAX_IMAGE_PIXELS = 200_000_000  # a 600-dpi A0 scan; beyond this is a decompression bomb


def _dpi(img: Image.Image) -> float:
    dpi = img.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        value = 0.0
    # 72/96 dpi tags come from software defaults, not scanners: treat them as unknown
    return value if 100.0 <= value <= 1200.0 else DEFAULT_DPI


def load(data: bytes, *, max_pages: int) -> list[LoadedPage]:
    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise CorruptFile(f"the image cannot be decoded ({exc})") from exc
    pages: list[LoadedPage] = []
    for idx, frame in enumerate(ImageSequence.Iterator(img)):
        if idx >= max_pages:
            raise FileTooLarge(f"the image has more than {max_pages} pages")
        dpi = _dpi(frame)
        rgb = ImageOps.exif_transpose(frame.convert("RGB")) if idx == 0 else frame.convert("RGB")
        arr = cv2.cvtColor(np.asarray(rgb), cv2.COLOR_RGB2BGR)
        h, w = arr.shape[:2]
        page = Page(number=idx + 1, width=w * 72.0 / dpi, height=h * 72.0 / dpi, dpi=dpi, text_source="ocr")
        pages.append(LoadedPage(page=page, image=arr))
    return pages
