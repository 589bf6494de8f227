"""What every backend returns, and the dispatcher over them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pipeline.types import Page


@dataclass
class LoadedPage:
    """A page as a backend gives it: geometry, words from a text layer if any, an image if needed.

    ``image`` (BGR uint8) is set when the page must be OCR'd; it stays out of the
    serialised model so records never carry pixels.
    """

    page: Page
    image: np.ndarray | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def load_pages(data: bytes, mime: str, *, dpi: int, max_pages: int, pdf_text_reader: str = "pdfium") -> list[LoadedPage]:
    """Dispatch on MIME type; errors raised are ``pipeline.errors.DocintelError``."""
    from pipeline.backends import docx_backend, image_backend, ofd_backend, pdf_backend
    from pipeline.backends.sniff import DOCX, OFD, PDF, TEXT

    if mime == PDF:
        return pdf_backend.load(data, dpi=dpi, max_pages=max_pages, text_reader=pdf_text_reader)  # type: ignore[arg-type]
    if mime == DOCX:
        return docx_backend.load(data)
    if mime == TEXT:
        return docx_backend.load_text(data)
    if mime == OFD:
        return ofd_backend.load(data, max_pages=max_pages)
    return image_backend.load(data, max_pages=max_pages)
