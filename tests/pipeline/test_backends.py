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
    data = b"Invoice no. 42\nTotal 10.00 EUR\n"
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


def _rotated_text_pdf(lines: list[str], rotate: int) -> bytes:
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(text_pdf(lines)))
    writer = PdfWriter()
    writer.add_page(reader.pages[0])
    writer.pages[0].rotate(rotate)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(("reader", "rotate"), [("pdfium", 0), ("pdfium", 90), ("pdfium", 180), ("pdfium", 270),
                                                ("pdfplumber", 0)])
def test_text_layer_boxes_sit_on_the_glyphs_of_a_turned_page(reader, rotate):
    """A page shown turned (/Rotate) is read upright; its boxes sit on the ink of the page turned the same way."""
    import numpy as np
    import pypdfium2 as pdfium

    data = _rotated_text_pdf(LINES, rotate)
    (page,) = load_pages(data, PDF, dpi=72, max_pages=10, pdf_text_reader=reader)
    assert page.page.text_source == "text_layer"
    assert page.page.rotation == (rotate if reader == "pdfium" else 0)
    assert [w.text for w in page.page.words][:1] == ["发票号码：12345678"]
    word = page.page.words[0]
    render = pdfium.PdfDocument(data)[0].render(scale=1, rotation=(360 - page.page.rotation) % 360)
    gray = np.asarray(render.to_pil().convert("L"))
    assert abs(gray.shape[1] - page.page.width) <= 1 and abs(gray.shape[0] - page.page.height) <= 1
    x0, y0, x1, y1 = (round(v) for v in word.bbox)
    assert 55 <= x0 <= 65 and 28 <= y0 <= 40, "where the text was drawn, measured on the upright page"
    inside = gray[y0:y1, x0:x1]
    assert (inside < 128).mean() > 0.05, "the box holds ink"


def test_a_page_shown_sideways_goes_to_ocr_with_the_pdfplumber_reader():
    (page,) = load_pages(_rotated_text_pdf(LINES, 90), PDF, dpi=72, max_pages=10, pdf_text_reader="pdfplumber")
    assert page.page.text_source == "ocr" and page.image is not None


def test_both_text_readers_give_the_same_words_on_a_contract():
    from pathlib import Path

    data = (Path(__file__).resolve().parents[2] / "samples" / "committed" / "con_0004.pdf").read_bytes()
    a = load_pages(data, PDF, dpi=72, max_pages=20, pdf_text_reader="pdfium")
    b = load_pages(data, PDF, dpi=72, max_pages=20, pdf_text_reader="pdfplumber")
    for pa, pb in zip(a, b, strict=True):
        wa = sorted((w.text, tuple(round(v) for v in w.bbox)) for w in pa.page.words)
        wb = sorted((w.text, tuple(round(v) for v in w.bbox)) for w in pb.page.words)
        assert [t for t, _ in wa] == [t for t, _ in wb]
        assert all(max(abs(p - q) for p, q in zip(ba, bb)) <= 2 for (_, ba), (_, bb) in zip(wa, wb))


def test_seal_lettering_around_the_oval_is_not_page_text():
    from pathlib import Path

    data = (Path(__file__).resolve().parents[2] / "samples" / "committed" / "inv_0007.pdf").read_bytes()
    page = load_pages(data, PDF, dpi=72, max_pages=5)[0]
    text = "".join(w.text for w in page.page.words)
    assert "全国统一发票监制" not in text and not any(w.text in ("监", "制") for w in page.page.words)
    assert any(w.text.startswith("电子发票") for w in page.page.words)


def test_line_end_hyphen_and_unmapped_glyphs_on_real_invoices(realdocs):
    data = next(realdocs.rglob("*7.22底座.pdf")).read_bytes()
    (page,) = load_pages(data, PDF, dpi=72, max_pages=5)
    assert "*公共安全设备*JTW-ZCD-" in [w.text for w in page.page.words]
