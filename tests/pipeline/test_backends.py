"""Each input type is sniffed from its bytes and loaded into pages with positions."""

from __future__ import annotations

import io

import pytest
from docx import Document as DocxDocument

from pipeline.backends import load_pages, sniff_mime
from pipeline.backends.sniff import DOCX, OFD, PDF, TEXT
from tests.conftest import text_image, text_pdf

LINES = ["发票号码：12345678", "开票日期：2024年03月15日", "价税合计（小写）¥569520.00"]


def _img_bytes(fmt: str, frames: int = 1, **kw) -> bytes:
    imgs = [text_image(LINES) for _ in range(frames)]
    buf = io.BytesIO()
    if frames > 1:
        imgs[0].save(buf, fmt, save_all=True, append_images=imgs[1:], **kw)
    else:
        imgs[0].save(buf, fmt, **kw)
    return buf.getvalue()


def test_pdf_text_layer_words_in_points_top_left():
    data = text_pdf(LINES)
    assert sniff_mime(data) == PDF
    (page,) = load_pages(data, PDF, dpi=200, max_pages=10)
    assert page.image is None and page.page.text_source == "text_layer"
    words = {w.text: w.bbox for w in page.page.words}
    number = next(b for t, b in words.items() if "12345678" in t)
    # drawn at x=60, baseline y=800 from the bottom of an 842-pt page: ~42 pt from the top
    assert 55 <= number[0] <= 65 and 30 <= number[1] <= 45


def test_image_only_pdf_is_rendered_for_ocr():
    buf = io.BytesIO()
    text_image(LINES).save(buf, "PDF", resolution=200)
    (page,) = load_pages(buf.getvalue(), PDF, dpi=150, max_pages=10)
    assert page.page.text_source == "ocr" and page.image is not None
    assert page.image.shape[2] == 3


def test_mixed_pdf_decides_per_page():
    from pypdf import PdfReader, PdfWriter

    scan = io.BytesIO()
    text_image(LINES).save(scan, "PDF", resolution=200)
    writer = PdfWriter()
    for src in (text_pdf(LINES), scan.getvalue()):
        for p in PdfReader(io.BytesIO(src)).pages:
            writer.add_page(p)
    out = io.BytesIO()
    writer.write(out)
    pages = load_pages(out.getvalue(), PDF, dpi=100, max_pages=10)
    assert [p.page.text_source for p in pages] == ["text_layer", "ocr"]


@pytest.mark.parametrize("fmt,mime", [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("BMP", "image/bmp"),
                                      ("WEBP", "image/webp"), ("TIFF", "image/tiff")])
def test_image_formats_sniffed_from_bytes(fmt, mime):
    data = _img_bytes(fmt)
    assert sniff_mime(data) == mime
    (page,) = load_pages(data, mime, dpi=200, max_pages=10)
    assert page.image is not None
    assert page.page.width == pytest.approx(1654 * 72 / 200, rel=0.01)


def test_multipage_tiff_gives_one_page_per_frame():
    data = _img_bytes("TIFF", frames=3, dpi=(300, 300))
    pages = load_pages(data, sniff_mime(data), dpi=200, max_pages=10)
    assert len(pages) == 3
    assert pages[0].page.dpi == 300
    assert pages[2].page.number == 3


def test_docx_paragraphs_and_tables_in_body_order():
    doc = DocxDocument()
    doc.add_paragraph("建设工程施工合同")
    table = doc.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "发包人：甲公司"
    table.rows[0].cells[1].text = "承包人：乙公司"
    doc.add_paragraph("第一条 工程概况")
    buf = io.BytesIO()
    doc.save(buf)
    data = buf.getvalue()
    assert sniff_mime(data) == DOCX
    (page,) = load_pages(data, DOCX, dpi=200, max_pages=10)
    texts = [w.text for w in page.page.words]
    assert texts == ["建设工程施工合同", "发包人：甲公司", "承包人：乙公司", "第一条 工程概况"]
    # the two cells of the table row sit side by side on one line
    assert page.page.words[1].bbox[1] == page.page.words[2].bbox[1]


def test_plain_text_document():
    data = "Invoice no. 42\nTotal 10.00 EUR\n".encode()
    assert sniff_mime(data) == TEXT
    (page,) = load_pages(data, TEXT, dpi=200, max_pages=10)
    assert [w.text for w in page.page.words] == ["Invoice no. 42", "Total 10.00 EUR"]


def test_ofd_text_with_positions(realdocs):
    data = (realdocs / "vat_invoice_pdf" / "ofdrw_ofdrw__20240531141733.ofd").read_bytes()
    assert sniff_mime(data) == OFD
    (page,) = load_pages(data, OFD, dpi=200, max_pages=10)
    texts = [w.text for w in page.page.words]
    assert "24112000000048542163" in texts
    assert any("发票号码" in t for t in texts)  # labels come from the template page
    assert page.page.width == pytest.approx(210 * 72 / 25.4)
