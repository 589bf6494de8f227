"""QR_MISMATCH: the invoice's QR code disagrees with what is printed; a readable QR also
fills fields the text reading missed (provenance source "qr").

Payload (国家税务总局 format): ``01,{type},{code},{number},{amount},{YYYYMMDD},{check},{hash},``.
Old-format types (01, 04, 10, …) carry the amount before tax; 数电 types (31, 32, 61 …)
the tax-inclusive total. The date may be ``YYYY-MM-DD``; the check code may be its last 6
digits. Pages are decoded from ``doc.images`` (OCR'd pages: top-left region at 300 dpi,
then the whole page) or, for a digital PDF, from a clean 200-dpi render of the page's
top-left region (the code sits there on every layout we know).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from classifiers.checks.evidence import dec, evidence, fmt
from pipeline.types import Document, Field, Page, Provenance, RiskFlag

TOTAL_TYPES = {"31", "32", "51", "61", "81", "82", "83", "84", "85", "86", "87", "88"}  # 数电: tax-inclusive
CROP_DPI, PAGE_DPI = 300, 200  # scans: the top-left region finely, then the whole page
DIGITAL_DPI = 200  # clean vector renders decode at this scale
CONFIDENCE = 0.99  # a QR decodes with its own error correction: we trust it like a text layer


@dataclass
class QrPayload:
    raw: str
    type: str
    code: str
    number: str
    amount: Decimal | None
    date: str | None
    check: str

    @property
    def amount_field(self) -> str:
        return "total_amount" if self.type in TOTAL_TYPES else "amount_excl_tax"


def parse_payload(raw: str) -> QrPayload | None:
    """The invoice QR's fields, or None when the text is not an invoice payload."""
    parts = [p.strip() for p in raw.strip().split(",")]
    if len(parts) < 6 or parts[0] != "01" or not re.fullmatch(r"\d{2}", parts[1]):
        return None
    date = None
    m = re.fullmatch(r"(\d{4})-?(\d{2})-?(\d{2})", parts[5])
    if m:
        date = f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    number = re.sub(r"\D", "", parts[3])
    if not number:
        return None
    return QrPayload(raw=raw, type=parts[1], code=re.sub(r"\D", "", parts[2]), number=number,
                     amount=dec(parts[4]), date=date,
                     check=re.sub(r"\D", "", parts[6]) if len(parts) > 6 else "")


def _decode(img: np.ndarray) -> list[tuple[str, tuple[float, float, float, float]]]:
    import zxingcpp

    out = []
    for r in zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode):
        pos = r.position
        xs = [pos.top_left.x, pos.top_right.x, pos.bottom_left.x, pos.bottom_right.x]
        ys = [pos.top_left.y, pos.top_right.y, pos.bottom_left.y, pos.bottom_right.y]
        out.append((r.text, (min(xs), min(ys), max(xs), max(ys))))
    return out


def _pdf_page_codes(data: bytes, index: int) -> list[tuple[str, tuple[float, ...]]]:
    """Decode a digital PDF page from a clean render of its top-left region."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        page = pdf[index]
        w, h = page.get_size()
        # crop = (left, bottom, right, top) points cut away: keep the top-left half x third
        crop = (0, h * 2 / 3, w / 2, 0)
        # a digital page renders clean: the top-left region is enough (the whole page would
        # cost more than the rest of the digital path together)
        for scale, cut in ((DIGITAL_DPI / 72, crop),):
            img = np.asarray(page.render(scale=scale, crop=cut, grayscale=True).to_numpy())
            if img.ndim == 3:
                img = np.ascontiguousarray(img[:, :, 0])
            found = _decode(img)
            if found:
                return [(t, tuple(v / scale for v in box)) for t, box in found]
        return []
    finally:
        pdf.close()


def _image_codes(img: np.ndarray, dpi: float) -> list[tuple[str, tuple[float, ...]]]:
    import cv2

    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY) if img.ndim == 3 else img
    found = _decode(gray)
    scale = 1.0
    if not found:  # small codes on a noisy scan: enlarge and binarise the corners
        h, w = gray.shape[:2]
        for y0, x0 in ((0, 0), (0, w // 2), (h // 2, 0), (h // 2, w // 2)):
            tile = gray[y0:y0 + h // 2, x0:x0 + w // 2]
            big = cv2.resize(tile, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
            _, big = cv2.threshold(big, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
            hits = _decode(big)
            if hits:
                found = [(t, (b[0] / 2 + x0, b[1] / 2 + y0, b[2] / 2 + x0, b[3] / 2 + y0)) for t, b in hits]
                break
    k = 72.0 / dpi * scale
    return [(t, tuple(v * k for v in box)) for t, box in found]


def page_codes(doc: Document, page: Page) -> list[tuple[str, tuple[float, ...]]]:
    img = doc.images.get(page.number)
    if img is not None:
        return _image_codes(img, page.dpi)
    data = doc.data
    if page.text_source == "text_layer" and data and data[:5] == b"%PDF-":
        return _pdf_page_codes(data, page.number - 1)
    return []


def _same_check(printed: str, qr: str) -> bool:
    return printed == qr or (len(qr) < len(printed) and printed.endswith(qr))


def compare(doc: Document, p: QrPayload, page: int, box: tuple[float, ...]) -> list[RiskFlag]:
    """Flags for printed fields that disagree with the payload; fills fields that are missing."""
    qr_ev: dict[str, Any] = {"qr_page": page, "qr_bbox": [round(v, 2) for v in box], "qr_payload": p.raw}
    diffs: list[tuple[str, str, str]] = []  # field, printed, qr
    fills: dict[str, Any] = {}

    def cmp(name: str, qr_value: Any, same) -> None:  # type: ignore[no-untyped-def]
        if qr_value in (None, ""):
            return
        printed = doc.value(name)
        if printed in (None, ""):
            fills[name] = qr_value
        elif not same(printed, qr_value):
            diffs.append((name, str(printed), str(qr_value)))

    cmp("invoice_code", p.code, lambda a, b: re.sub(r"\D", "", str(a)) == b)
    cmp("invoice_number", p.number, lambda a, b: re.sub(r"\D", "", str(a)) == b)
    cmp("issue_date", p.date, lambda a, b: str(a) == b)
    cmp(p.amount_field, f"{p.amount:.2f}" if p.amount is not None else None, lambda a, b: dec(a) == dec(b))
    cmp("check_code", p.check, lambda a, b: _same_check(re.sub(r"\D", "", str(a)), b))

    for name, value in fills.items():
        if name == "check_code" and len(value) < 20:
            continue  # the last 6 digits are not the printed check code
        doc.set_field(Field(name=name, value=value, raw_text=p.raw, confidence=CONFIDENCE,
                            provenance=Provenance(page=page, bbox=box, stage="checks.qr", source="qr")))  # type: ignore[arg-type]
    if not diffs:
        return []
    words = {"invoice_code": "code", "invoice_number": "number", "issue_date": "date",
             "total_amount": "total", "amount_excl_tax": "amount before tax", "check_code": "check code"}

    def show(name: str, v: str) -> str:
        return fmt(dec(v)) if name in ("total_amount", "amount_excl_tax") and dec(v) is not None else v  # type: ignore[arg-type]

    parts = [f"{words[n]}: printed {show(n, a)}, QR says {show(n, b)}" for n, a, b in diffs]
    return [RiskFlag(code="QR_MISMATCH", severity="red",
                     message="the QR code disagrees with the printed invoice — " + "; ".join(parts),
                     evidence=evidence(doc, *[d[0] for d in diffs], **qr_ev,
                                       differences=[{"field": n, "printed": a, "qr": b} for n, a, b in diffs]))]


def check(doc: Document) -> list[RiskFlag]:
    if doc.doc_type != "invoice":
        return []
    flags: list[RiskFlag] = []
    compared = False
    for page in doc.pages:
        for raw, box in page_codes(doc, page):
            if raw not in page.qr_payloads:
                page.qr_payloads.append(raw)
            p = parse_payload(raw)
            if p is not None and not compared:
                flags += compare(doc, p, page.number, box)  # one invoice: its first code
                compared = True
    return flags
