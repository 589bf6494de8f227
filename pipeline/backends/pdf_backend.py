"""PDF pages: the text layer with positions (pdfplumber), else a render for OCR (pypdfium2).

A page's text layer is used only when it is real text: enough characters and few
``(cid:N)`` glyphs that have no Unicode mapping. Mixed PDFs are decided page by page.
"""

from __future__ import annotations

import io

import numpy as np
import pdfplumber
import pypdfium2 as pdfium
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError

from extractors.stamps import is_red_rgb
from pipeline.backends.base import LoadedPage
from pipeline.errors import CorruptFile, EncryptedFile, FileTooLarge
from pipeline.types import Page, Word

MIN_TEXT_CHARS = 15  # fewer real characters than this: the page is treated as an image
MAX_CID_SHARE = 0.2  # more unmapped glyphs than this: the text layer is unreadable


def _usable_text(chars: list[dict]) -> bool:
    real = [c for c in chars if c.get("text", "").strip()]
    if len(real) < MIN_TEXT_CHARS:
        return False
    cid = sum(1 for c in real if c["text"].startswith("(cid:"))
    return cid / len(real) <= MAX_CID_SHARE


def _render(pdf: pdfium.PdfDocument, index: int, dpi: int) -> np.ndarray:
    bitmap = pdf[index].render(scale=dpi / 72.0)
    rgb = np.asarray(bitmap.to_pil().convert("RGB"))
    return rgb[:, :, ::-1].copy()


def _open_pdfium(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise EncryptedFile("encrypted PDF: a password is needed to open it") from exc
        raise CorruptFile(f"the PDF is damaged and cannot be opened ({exc})") from exc


def load(data: bytes, *, dpi: int, max_pages: int) -> list[LoadedPage]:
    pdfium_doc = _open_pdfium(data)
    try:
        try:
            plumber = pdfplumber.open(io.BytesIO(data))
        except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
            raise EncryptedFile("encrypted PDF: a password is needed to open it") from exc
        except (PDFSyntaxError, Exception) as exc:  # pdfminer raises many types on damage
            raise CorruptFile(f"the PDF is damaged and cannot be read ({type(exc).__name__})") from exc
        with plumber:
            n = len(plumber.pages)
            if n == 0:
                raise CorruptFile("the PDF has no pages")
            if n > max_pages:
                raise FileTooLarge(f"the PDF has {n} pages; the limit is {max_pages}")
            return [_load_page(plumber.pages[i], pdfium_doc, i, dpi) for i in range(n)]
    finally:
        pdfium_doc.close()


def _load_page(ppage: pdfplumber.page.Page, pdfium_doc: pdfium.PdfDocument, i: int, dpi: int) -> LoadedPage:
    x_off, y_off = float(ppage.bbox[0]), float(ppage.bbox[1])
    page = Page(number=i + 1, width=float(ppage.width), height=float(ppage.height), dpi=dpi)
    try:
        chars = ppage.chars
    except Exception:  # a broken content stream: fall back to the picture of the page
        chars = []
    if _usable_text(chars):
        page.text_source = "text_layer"
        # rotated glyphs are seal and stamp lettering (发票专用章 around an oval), not page text
        upright = ppage.filter(lambda o: o.get("object_type") != "char" or o.get("upright", True))
        for w in upright.extract_words(x_tolerance=1.5, y_tolerance=2, keep_blank_chars=False,
                                       extra_attrs=["non_stroking_color", "size"]):
            page.words.append(
                Word(
                    text=w["text"],
                    bbox=(w["x0"] - x_off, w["top"] - y_off, w["x1"] - x_off, w["bottom"] - y_off),
                    source="text_layer",
                    red=is_red_rgb(w.get("non_stroking_color")),
                    font_size=round(float(w.get("size") or 0), 2) or None,
                )
            )
        return LoadedPage(page=page)
    page.text_source = "ocr"
    return LoadedPage(page=page, image=_render(pdfium_doc, i, dpi))
