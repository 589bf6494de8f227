"""Word (.docx) contracts: paragraphs and tables in body order, laid out on synthetic A4 pages.

A .docx has no fixed geometry, so boxes are the positions of a simple flow layout
(one line per paragraph or table row); they keep provenance ordered and page-bound.
"""

from __future__ import annotations

import io

from docx import Document as open_docx
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph

from pipeline.backends.base import LoadedPage
from pipeline.errors import CorruptFile
from pipeline.types import Page, Word

A4 = (595.0, 842.0)
MARGIN = 56.0
LINE_H = 16.0
CHAR_W = 10.5
CELL_GAP = 4 * CHAR_W  # wider than a label-value gap, so table cells never run together


def _blocks(doc) -> list[list[str]]:
    """Body items in order: a paragraph is one cell, a table row is its cells."""
    out: list[list[str]] = []
    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(child, doc).text.strip()
            if text:
                out.append([text])
        elif tag == "tbl":
            for row in DocxTable(child, doc).rows:
                cells: list[str] = []
                for cell in row.cells:
                    t = cell.text.strip()
                    if t and (not cells or cells[-1] != t):  # merged cells repeat their text
                        cells.append(t)
                if cells:
                    out.append(cells)
    return out


def load(data: bytes) -> list[LoadedPage]:
    try:
        doc = open_docx(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several types for damaged packages
        raise CorruptFile(f"the Word file is damaged and cannot be read ({type(exc).__name__})") from exc
    return flow_pages(_blocks(doc), source="docx")


def load_text(data: bytes) -> list[LoadedPage]:
    """Plain-text documents (ERP exports): one line per text line, same flow layout."""
    text = data.decode("utf-8-sig", errors="replace")
    return flow_pages([[ln.strip()] for ln in text.splitlines() if ln.strip()], source="docx")


def flow_pages(blocks: list[list[str]], *, source: str) -> list[LoadedPage]:
    """Lay text blocks out top to bottom on A4 pages; a block's cells sit side by side."""
    per_page = int((A4[1] - 2 * MARGIN) // LINE_H)
    pages: list[LoadedPage] = []
    for idx, cells in enumerate(blocks):
        if idx % per_page == 0:
            page = Page(number=len(pages) + 1, width=A4[0], height=A4[1], dpi=72.0, text_source=source)  # type: ignore[arg-type]
            pages.append(LoadedPage(page=page))
        y = MARGIN + (idx % per_page) * LINE_H
        x = MARGIN
        for text in cells:
            w = min(len(text) * CHAR_W, A4[0] - MARGIN - x)
            pages[-1].page.words.append(Word(text=text, bbox=(x, y, x + max(w, CHAR_W), y + LINE_H - 4), source=source))  # type: ignore[arg-type]
            x = min(x + w + CELL_GAP, A4[0] - MARGIN - CHAR_W)
    if not pages:
        raise CorruptFile("the document has no text")
    return pages
