"""Page geometry and page images of an original file, rendered on demand (PDF via pdfium, images via Pillow).

Sizes are in PDF points, as the record's boxes are: an image is taken at its DPI (200 if unknown),
the same rule as ``pipeline.backends.image_backend``.
"""

from __future__ import annotations

import io
import threading

from PIL import Image

from pipeline.backends.image_backend import _dpi

#: pdfium is not thread-safe: one render at a time in this process.
_PDFIUM = threading.Lock()

PDF = "application/pdf"


class NoPageImage(Exception):
    """This type of file (Word, OFD, text) has no page image to show."""


def page_sizes(data: bytes, mime: str) -> list[tuple[float, float]]:
    """(width, height) in points of every page."""
    if mime == PDF:
        import pypdfium2 as pdfium

        with _PDFIUM:
            pdf = pdfium.PdfDocument(data)
            try:
                return [tuple(pdf[i].get_size()) for i in range(len(pdf))]  # type: ignore[misc]
            finally:
                pdf.close()
    if mime.startswith("image/"):
        img = Image.open(io.BytesIO(data))
        sizes = []
        for i in range(getattr(img, "n_frames", 1)):
            img.seek(i)
            dpi = _dpi(img)
            sizes.append((img.width * 72.0 / dpi, img.height * 72.0 / dpi))
        return sizes
    raise NoPageImage(mime)


def page_count(data: bytes, mime: str) -> int | None:
    """Pages in the file, or None where it cannot be told cheaply (the pipeline decides then)."""
    try:
        return len(page_sizes(data, mime))
    except Exception:  # noqa: BLE001 (a broken file is the pipeline's to report)
        return None


def render_png(data: bytes, mime: str, number: int, dpi: int) -> bytes:
    """PNG of page ``number`` (1-based) at ``dpi``; raises IndexError for a page that does not exist."""
    if mime == PDF:
        import pypdfium2 as pdfium

        with _PDFIUM:
            pdf = pdfium.PdfDocument(data)
            try:
                if not 1 <= number <= len(pdf):
                    raise IndexError(number)
                img = pdf[number - 1].render(scale=dpi / 72.0).to_pil()
            finally:
                pdf.close()
    elif mime.startswith("image/"):
        src = Image.open(io.BytesIO(data))
        if not 1 <= number <= getattr(src, "n_frames", 1):
            raise IndexError(number)
        src.seek(number - 1)
        scale = dpi / _dpi(src)
        img = src.convert("RGB")
        if abs(scale - 1) > 0.01:
            img = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))))
    else:
        raise NoPageImage(mime)
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=False)
    return buf.getvalue()
