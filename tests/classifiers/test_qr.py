"""QR_MISMATCH on pages built in code, one case per way a code used to go unread or ignored:
a code too small and blurred for zxing to see, one it sees but cannot read, a digital PDF
whose code is an embedded image or a vector drawing, a payload without the ``01,`` head;
each with its agreeing negative. Real documents: the photo whose blue code needed the retry."""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
import pytest
import qrcode
import zxingcpp

from classifiers.checks import qr, qr_decode
from pipeline.types import Document, Field, Page, Provenance

PAYLOAD = "01,32,,24444848609012757164,92716.75,20240419,,4334,"
NUMBER, TOTAL, DATE = "24444848609012757164", "92716.75", "2024-04-19"
DPI = 200
ORIGIN = (90, 60)  # where the code is drawn on the page image, px


def _modules(payload: str = PAYLOAD) -> np.ndarray:
    code = qrcode.QRCode(border=0, box_size=1)
    code.add_data(payload)
    code.make()
    return np.array(code.get_matrix(), dtype=np.float32)  # 1 = dark module


def _page(module_px: float, blur: float, ink: tuple[int, int, int] = (40, 40, 40), jpeg: int = 0) -> np.ndarray:
    """A 240 x 140 mm invoice page at 200 dpi (BGR) with the code top-left, as a scan or photo gives it."""
    img = np.full((1100, 1890, 3), 245, np.uint8)
    side = round(_modules().shape[0] * module_px)
    dark = cv2.resize(_modules(), (side, side), interpolation=cv2.INTER_AREA)[..., None]
    patch = dark * np.array(ink, np.float32) + (1 - dark) * 245
    x, y = ORIGIN
    img[y:y + side, x:x + side] = patch.astype(np.uint8)
    cv2.putText(img, f"No {NUMBER}", (700, 110), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (30, 30, 30), 2)
    if blur:
        img = cv2.GaussianBlur(img, (0, 0), blur)
    if jpeg:
        img = cv2.imdecode(cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, jpeg])[1], cv2.IMREAD_COLOR)
    return img


def _first_pass(img: np.ndarray) -> str:
    """What one plain zxing pass makes of the page: read, seen (found, not decoded) or none."""
    hits = zxingcpp.read_barcodes(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), formats=zxingcpp.BarcodeFormat.QRCode,
                                  return_errors=True)
    return "read" if any(h.valid for h in hits) else "seen" if hits else "none"


def _invoice(number: str = NUMBER, total: str = TOTAL, source: str = "ocr", confidence: float = 0.98,
             image: np.ndarray | None = None, data: bytes | None = None) -> Document:
    h, w = image.shape[:2] if image is not None else (397 * DPI / 72, 595 * DPI / 72)
    page = Page(number=1, width=w * 72 / DPI, height=h * 72 / DPI, dpi=DPI,
                text_source="ocr" if image is not None else "text_layer")
    doc = Document(id="q", sha256="", source="q", doc_type="invoice", pages=[page])
    for i, (name, value) in enumerate({"invoice_number": number, "issue_date": DATE, "total_amount": total}.items()):
        doc.set_field(Field(name=name, value=value, confidence=confidence,
                            provenance=Provenance(page=1, bbox=(300, 20 + 15 * i, 420, 32 + 15 * i), source=source)))
    if image is not None:
        doc.images[1] = image
    if data is not None:
        doc.attach_data(data)
    return doc


def _mismatch(doc: Document) -> list:  # type: ignore[type-arg]
    return [f for f in qr.check(doc) if f.code == "QR_MISMATCH"]


# ---- page images: codes the first pass misses ----

@pytest.mark.parametrize("first,module_px,blur,ink,jpeg", [
    ("none", 2.0, 1.2, (40, 40, 40), 0),  # ~12 mm code on a soft scan: zxing sees nothing
    ("seen", 1.6, 0.8, (40, 40, 40), 0),  # found, modules too few pixels to decode
    ("seen", 2.5, 1.2, (170, 90, 40), 40),  # blue ink, phone JPEG
])
def test_hard_code_is_read_and_a_changed_number_is_flagged(
        first: str, module_px: float, blur: float, ink: tuple[int, int, int], jpeg: int) -> None:
    img = _page(module_px, blur, ink, jpeg)
    assert _first_pass(img) == first, "the page no longer exercises the retry it was built for"
    [(text, box)] = qr_decode.read_image(img)
    assert text == PAYLOAD
    x, y = ORIGIN
    assert abs(box[0] - x) < 8 and abs(box[1] - y) < 8  # the box is where the code was drawn

    assert _mismatch(_invoice(image=img)) == []  # printed fields agree
    tampered = _invoice(number=NUMBER[:-1] + "9", image=img)
    [flag] = _mismatch(tampered)
    assert flag.severity == "red" and "number: printed 24444848609012757169, QR says " + NUMBER in flag.message
    assert flag.evidence["differences"] == [{"field": "invoice_number", "printed": NUMBER[:-1] + "9", "qr": NUMBER}]
    assert flag.evidence["qr_payload"] == PAYLOAD and flag.evidence["qr_page"] == 1
    assert abs(flag.evidence["qr_bbox"][0] - x * 72 / DPI) < 3  # points, not pixels
    assert tampered.pages[0].qr_payloads == [PAYLOAD]


def test_changed_total_is_flagged_on_a_hard_page() -> None:
    img = _page(module_px=2.0, blur=1.2)
    [flag] = _mismatch(_invoice(total="92726.75", image=img))
    assert "total: printed 92,726.75, QR says 92,716.75" in flag.message


def test_page_without_a_code_flags_nothing() -> None:
    img = np.full((1100, 1890, 3), 245, np.uint8)
    assert qr_decode.read_image(img) == []
    doc = _invoice(number="1", image=img)
    assert _mismatch(doc) == [] and doc.pages[0].qr_payloads == []


def test_low_confidence_ocr_difference_is_yellow() -> None:
    """A printed digit OCR was unsure of may be a misreading: yellow, not red."""
    img = _page(module_px=4.0, blur=0)
    [flag] = _mismatch(_invoice(number=NUMBER[:-1] + "9", confidence=0.6, image=img))
    assert flag.severity == "yellow"


# ---- digital PDFs ----

def _pdf(vector: bool) -> bytes:
    """An e-invoice-sized PDF page with the code top-left: an embedded PNG, or drawn as vector squares."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 397))
    if vector:
        widget = QrCodeWidget(PAYLOAD, barBorder=1)
        x0, y0, x1, y1 = widget.getBounds()
        d = Drawing(57, 57, transform=[57 / (x1 - x0), 0, 0, 57 / (y1 - y0), 0, 0])
        d.add(widget)
        renderPDF.draw(d, c, 18, 397 - 17 - 57)
    else:
        c.drawImage(ImageReader(qrcode.make(PAYLOAD, border=1, box_size=4).get_image()), 18, 397 - 17 - 57, 57, 57)
    c.setFont("Helvetica", 10)
    c.drawString(400, 370, f"No {NUMBER}")
    c.save()
    return buf.getvalue()


@pytest.mark.parametrize("vector", [False, True], ids=["embedded_image", "vector_drawing"])
def test_digital_pdf_code_is_read_and_a_changed_total_is_flagged(vector: bool) -> None:
    data = _pdf(vector)
    [(text, box)] = qr_decode.read_pdf_page(data, 0)
    assert text == PAYLOAD
    assert abs(box[0] - 18) < 4 and abs(box[1] - 17) < 4 and abs(box[2] - 75) < 4  # points from the top-left

    assert _mismatch(_invoice(source="text_layer", confidence=1.0, data=data)) == []
    [flag] = _mismatch(_invoice(total="93716.75", source="text_layer", confidence=1.0, data=data))
    assert flag.severity == "red"
    assert flag.evidence["differences"] == [{"field": "total_amount", "printed": "93716.75", "qr": TOTAL}]


# ---- payloads ----

def test_payload_without_type_head_is_compared() -> None:
    """Toll and 通用机打 e-invoices print ``{code},{number},{amount},{date},{buyer}``; the amount
    may be before or after tax, so it has to match one printed amount."""
    p = qr.parse_payload("132052300111,03223884,28.00,2025-10-24,苏州信泰宜合信息技术有限公司")
    assert p is not None and p.type == "" and p.amount_field is None
    assert (p.code, p.number, p.date, str(p.amount)) == ("132052300111", "03223884", "2025-10-24", "28.00")
    assert qr.parse_payload("https://example.com/pay?id=12345678,1,2") is None

    def doc(number: str, total: str) -> Document:
        d = _invoice(number=number, total=total, source="text_layer", confidence=1.0)
        d.fields["issue_date"].value = "2025-10-24"
        d.set_field(Field(name="amount_excl_tax", value="26.42"))
        return d

    assert qr.compare(doc("03223884", "28.00"), p, 1, (0, 0, 50, 50)) == []  # total matches
    assert qr.compare(doc("03223884", "29.68"), p, 1, (0, 0, 50, 50)) != []  # neither amount matches
    [flag] = qr.compare(doc("03223885", "28.00"), p, 1, (0, 0, 50, 50))
    assert "number: printed 03223885, QR says 03223884" in flag.message


def test_non_invoice_code_does_not_stop_the_search() -> None:
    """A payment QR read in the first pass must not hide the invoice code the retry would read."""
    img = _page(module_px=2.0, blur=1.2)
    pay = cv2.resize(_modules("https://pay.example.com/c/0001")[..., None].repeat(3, 2), (160, 160),
                     interpolation=cv2.INTER_NEAREST)
    img[800:960, 1600:1760] = (245 - pay * 205).astype(np.uint8)
    texts = [t for t, _ in qr_decode.read_image(img, accept=lambda t: qr.parse_payload(t) is not None)]
    assert PAYLOAD in texts


# ---- real documents ----

def _real(realdocs: Path, name: str) -> np.ndarray:
    return cv2.imdecode(np.fromfile(str(realdocs / "vat_invoice_image" / name), np.uint8), cv2.IMREAD_COLOR)


def test_real_photo_blue_code_is_read(realdocs: Path) -> None:
    """A phone photo of a 深圳 paper invoice: zxing finds the blue code but reads it only
    from the enlarged, binarised crop."""
    img = _real(realdocs, "guanshuicheng_invoice__机打普票.png")
    assert _first_pass(img) == "seen"
    assert [t for t, _ in qr_decode.read_image(img)] == [
        "01,04,044031800104,41108527,96.72,20190319,55617567333517793345,5C54,"]


def test_real_e_invoice_pdfs_read_from_their_embedded_image(realdocs: Path) -> None:
    read = {}
    for path in sorted((realdocs / "vat_invoice_pdf").glob("*.pdf")):
        codes = qr_decode.read_pdf_page(path.read_bytes(), 0, accept=lambda t: qr.parse_payload(t) is not None)
        read[path.name] = [t for t, _ in codes if qr.parse_payload(t)]
    with_code = {n for n, t in read.items() if t}
    assert len(with_code) >= 16, read  # every real PDF invoice that prints a code
    assert read["clm1100_parserpdf2__1.pdf"] == [
        "01,10,011002000511,36523185,104.12,20201030,03110838482637256784,17B6,"]
