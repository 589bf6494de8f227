"""PDF pages: the text layer with positions (PDFium by default, pdfplumber by setting), else a
render for OCR (pypdfium2).

A page's text layer is used only when it is real text: enough characters and few glyphs
without a Unicode mapping. Mixed PDFs are decided page by page.
"""

from __future__ import annotations

import io
from typing import Literal

import numpy as np
import pypdfium2 as pdfium

from extractors.tables import pdf_segments
from pipeline.backends import pdf_text
from pipeline.backends.base import LoadedPage
from pipeline.errors import CorruptFile, EncryptedFile, FileTooLarge
from pipeline.types import Page

TextReader = Literal["pdfium", "pdfplumber"]
THUMB_DPI = 100  # page_duplicates.WORK_DPI: the hash shrinks from here
MIN_TEXT_CHARS = 15  # fewer real characters than this: the page is treated as an image
MAX_CID_SHARE = 0.2  # more unmapped glyphs than this: the text layer is unreadable


def _open_pdfium(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise EncryptedFile("encrypted PDF: a password is needed to open it") from exc
        raise CorruptFile(f"the PDF is damaged and cannot be opened ({exc})") from exc


def _plumber(data: bytes):  # -> pdfplumber.PDF, imported lazily
    """pdfplumber's document (the reference text reader), with its errors mapped to ours."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    try:
        return pdfplumber.open(io.BytesIO(data))
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise EncryptedFile("encrypted PDF: a password is needed to open it") from exc
    except Exception as exc:  # pdfminer raises many types on damage
        raise CorruptFile(f"the PDF is damaged and cannot be read ({type(exc).__name__})") from exc


def load(data: bytes, *, dpi: int, max_pages: int, text_reader: TextReader = "pdfium") -> list[LoadedPage]:
    pdfium_doc = _open_pdfium(data)
    plumber = None
    try:
        n = len(pdfium_doc)
        if n == 0:
            raise CorruptFile("the PDF has no pages")
        if n > max_pages:
            raise FileTooLarge(f"the PDF has {n} pages; the limit is {max_pages}")
        plumber = _plumber(data) if text_reader == "pdfplumber" else None
        return [_load_page(pdfium_doc[i], i, dpi, plumber.pages[i] if plumber else None) for i in range(n)]
    finally:
        if plumber is not None:
            plumber.close()
        pdfium_doc.close()


def _text_layer(pdfium_page: pdfium.PdfPage, ppage: object | None) -> pdf_text.TextLayer:
    try:
        return pdf_text.pdfplumber_chars(ppage) if ppage is not None else pdf_text.pdfium_chars(pdfium_page)
    except Exception:  # noqa: BLE001 - a broken content stream: fall back to the picture of the page
        return pdf_text.TextLayer([])


def _load_page(pdfium_page: pdfium.PdfPage, i: int, dpi: int, ppage: object | None) -> LoadedPage:
    width, height = pdfium_page.get_size()
    page = Page(number=i + 1, width=float(width), height=float(height), dpi=dpi)
    layer = _text_layer(pdfium_page, ppage)
    try:
        if pdf_text.usable(layer.chars, min_chars=MIN_TEXT_CHARS, max_unmapped_share=MAX_CID_SHARE):
            page.text_source = "text_layer"
            page.rotation = layer.turn
            if layer.turn in (90, 270):
                page.width, page.height = page.height, page.width
            page.words = pdf_text.group_words(layer.chars)
            # the table's ruling lines from the vector paths, while the page is loaded (reopening costs 10+ ms)
            # and a small grey render for the page-duplicate hash (classifiers/checks/page_duplicates.py)
            thumb = pdfium_page.render(scale=THUMB_DPI / 72.0, grayscale=True, rotation=(360 - layer.turn) % 360)
            return LoadedPage(page=page, extra={"ruling": pdf_segments(pdfium_page, layer.turn),
                                                "thumb": np.asarray(thumb.to_pil().convert("L"))})
        page.text_source = "ocr"
        bitmap = pdfium_page.render(scale=dpi / 72.0)
        return LoadedPage(page=page, image=_bgr(bitmap))
    finally:
        pdfium_page.close()


def _bgr(bitmap: pdfium.PdfBitmap) -> np.ndarray:
    """A rendered page as a BGR array, read in pdfium's own byte order (a round trip through PIL's RGB and
    back cost 7 ms an A4 page)."""
    if bitmap.mode in ("BGR", "BGRA", "BGRX"):
        return np.array(bitmap.to_numpy()[:, :, :3])
    return np.asarray(bitmap.to_pil().convert("RGB"))[:, :, ::-1].copy()
