"""A QR code whose top rows fell off the page edge: decoded from its module grid with erasures.

The codes are built in code with ``qrcode`` (the layout a real invoice code has: error level M,
version 4–6 for a 国家税务总局 payload); the page is cut the way a skewed scan cuts it, along a
slanted line through the top finders.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import qrcode
import zxingcpp

from classifiers.checks import qr, qr_decode, qr_matrix
from pipeline.types import Document, Field, Page, Provenance

PAYLOAD = "01,10,031002211290,88165130,1994598.68,20220318,89749370700471155986,F191,"
NUMBER = "88165130"
DPI = 200
X0, PAPER, INK = 90, 240, 35


def _grid(payload: str = PAYLOAD) -> np.ndarray:
    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(payload)
    code.make()
    return np.array(code.get_matrix(), bool)


def _cut_page(lost_rows: float, slope: float = 0.05, module_px: float = 4.5, jpeg: int = 60) -> np.ndarray:
    """A 240 x 140 mm page at 200 dpi whose code lost its top ``lost_rows`` rows (at its left edge)
    over the page's top edge, the cut slanting by ``slope`` like a 3° skew; soft and JPEG'd."""
    dark = _grid()
    side = round(dark.shape[0] * module_px)
    top = -round(lost_rows * module_px)
    canvas = np.full((1100 - top, 1890), PAPER, np.uint8)
    patch = cv2.resize(dark.astype(np.uint8), (side, side), interpolation=cv2.INTER_NEAREST)
    canvas[:side, X0:X0 + side][patch > 0] = INK
    page = canvas[-top:]
    ys, xs = np.mgrid[0:page.shape[0], 0:page.shape[1]]
    page[ys < -slope * (xs - X0)] = PAPER  # the cut line is lower on the left, as a skewed scan leaves it
    page = cv2.GaussianBlur(page, (0, 0), 0.8)
    if jpeg:
        page = cv2.imdecode(cv2.imencode(".jpg", page, [cv2.IMWRITE_JPEG_QUALITY, jpeg])[1], cv2.IMREAD_GRAYSCALE)
    return cv2.cvtColor(page, cv2.COLOR_GRAY2BGR)


def _invoice(img: np.ndarray, number: str) -> Document:
    h, w = img.shape[:2]
    page = Page(number=1, width=w * 72 / DPI, height=h * 72 / DPI, dpi=DPI, text_source="ocr")
    doc = Document(id="c", sha256="", source="c", doc_type="invoice", pages=[page])
    doc.set_field(Field(name="invoice_number", value=number, confidence=0.98,
                        provenance=Provenance(page=1, bbox=(500, 20, 560, 32), source="ocr")))
    doc.images[1] = img
    return doc


# ---- the grid decoder ----

def test_grid_with_lost_top_rows_decodes() -> None:
    dark = _grid()
    n = dark.shape[0]
    assert qr_matrix.decode(dark, np.ones_like(dark)) == PAYLOAD
    known = np.ones_like(dark)
    known[:9] = False  # both top finders, the top format copy and nine rows of data
    garbled = dark.copy()
    garbled[:9] = np.random.default_rng(1).random((9, n)) < 0.5  # whatever lies above the cut
    assert qr_matrix.decode(garbled, known) == PAYLOAD


def test_grid_beyond_its_error_correction_gives_nothing_rather_than_a_wrong_text() -> None:
    dark = _grid()
    known = np.ones_like(dark)
    known[:16] = False
    assert qr_matrix.decode(dark, known) is None
    rng = np.random.default_rng(2)
    noisy = dark ^ (rng.random(dark.shape) < 0.12)  # a grid sampled off by a module: errors everywhere
    assert qr_matrix.decode(noisy, np.ones_like(dark)) is None


def test_grid_of_no_qr_size_is_refused() -> None:
    assert qr_matrix.decode(np.zeros((30, 30), bool), np.ones((30, 30), bool)) is None


# ---- on a page ----

@pytest.mark.parametrize("lost_rows,slope", [(7.0, 0.05), (8.0, -0.03), (4.0, 0.0)])
def test_cut_code_is_read_and_a_changed_number_is_flagged(lost_rows: float, slope: float) -> None:
    img = _cut_page(lost_rows, slope)
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    assert not zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode), "zxing should see no code"
    [(text, box)] = qr_decode.read_image(img)
    assert text == PAYLOAD
    side = _grid().shape[0] * 4.5
    assert abs(box[0] - X0) < 4 and abs(box[3] - (side - lost_rows * 4.5)) < 4  # left and bottom edges

    assert [f for f in qr.check(_invoice(img, NUMBER)) if f.code == "QR_MISMATCH"] == []
    [flag] = [f for f in qr.check(_invoice(img, "88165138")) if f.code == "QR_MISMATCH"]
    assert flag.severity == "red" and flag.evidence["qr_payload"] == PAYLOAD


def test_code_cut_too_deep_reads_as_nothing() -> None:
    assert qr_decode.read_image(_cut_page(lost_rows=17)) == []
