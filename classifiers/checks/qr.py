"""QR_MISMATCH: the invoice's QR code disagrees with what is printed; a readable QR also
fills fields the text reading missed (provenance source "qr").

Payload (国家税务总局 format): ``01,{type},{code},{number},{amount},{YYYYMMDD},{check},{hash},``.
Old-format types (01, 04, 10, …) carry the amount before tax; 数电 types (31, 32, 61 …)
the tax-inclusive total. The date may be ``YYYY-MM-DD``; the check code may be its last 6
digits. Some local invoices (toll, 通用机打) print ``{code},{number},{amount},{date},…``
with no type: their amount may be either, so it only has to match one printed amount.

Finding and reading the code (scans, photos, digital PDFs) is :mod:`qr_decode`'s job. A
difference in a value OCR read with low confidence is yellow, not red (``evidence.severity``):
a misreading is then as likely as an edit.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from classifiers.checks import qr_decode
from classifiers.checks.evidence import dec, evidence, fmt, severity
from pipeline.types import Document, Field, Page, Provenance, RiskFlag

TOTAL_TYPES = {"31", "32", "51", "61", "81", "82", "83", "84", "85", "86", "87", "88"}  # 数电: tax-inclusive
CONFIDENCE = 0.99  # a QR decodes with its own error correction: we trust it like a text layer
AMOUNTS = ("total_amount", "amount_excl_tax")
WORDS = {"invoice_code": "code", "invoice_number": "number", "issue_date": "date",
         "total_amount": "total", "amount_excl_tax": "amount before tax", "check_code": "check code"}
_DATE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")


@dataclass
class QrPayload:
    raw: str
    type: str  # "" for a payload without the 01,{type} head: its amount may be either
    code: str
    number: str
    amount: Decimal | None
    date: str | None
    check: str

    @property
    def amount_field(self) -> str | None:
        if not self.type:
            return None
        return "total_amount" if self.type in TOTAL_TYPES else "amount_excl_tax"


def _date(text: str) -> str | None:
    m = _DATE.fullmatch(text)
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None


def parse_payload(raw: str) -> QrPayload | None:
    """The invoice QR's fields, or None when the text is not an invoice payload."""
    parts = [p.strip() for p in raw.strip().split(",")]
    if len(parts) >= 6 and parts[0] == "01" and re.fullmatch(r"\d{2}", parts[1]):
        number = re.sub(r"\D", "", parts[3])
        if not number:
            return None
        return QrPayload(raw=raw, type=parts[1], code=re.sub(r"\D", "", parts[2]), number=number,
                         amount=dec(parts[4]), date=_date(parts[5]),
                         check=re.sub(r"\D", "", parts[6]) if len(parts) > 6 else "")
    if (len(parts) >= 4 and re.fullmatch(r"\d{10,12}", parts[0]) and re.fullmatch(r"\d{8}", parts[1])
            and dec(parts[2]) is not None and _date(parts[3])):
        return QrPayload(raw=raw, type="", code=parts[0], number=parts[1], amount=dec(parts[2]),
                         date=_date(parts[3]), check="")
    return None


def _is_invoice(raw: str) -> bool:
    return parse_payload(raw) is not None


def page_codes(doc: Document, page: Page, accept: Callable[[str], bool] = _is_invoice) -> list[tuple[str, tuple[float, ...]]]:
    """(payload, box in points) for the codes on a page: its image when it was OCR'd, else the PDF."""
    img = doc.images.get(page.number)
    if img is not None:
        k = 72.0 / page.dpi
        return [(t, tuple(v * k for v in box)) for t, box in qr_decode.read_image(img, accept=accept)]
    data = doc.data
    if page.text_source == "text_layer" and data and data[:5] == b"%PDF-":
        return list(qr_decode.read_pdf_page(data, page.number - 1, accept=accept))
    return []


def _same_check(printed: str, qr: str) -> bool:
    return printed == qr or (len(qr) < len(printed) and printed.endswith(qr))


def _digits(v: Any) -> str:
    return re.sub(r"\D", "", str(v))


def _same_amount(a: Any, b: Any) -> bool:
    return dec(a) == dec(b)


def _amount_diffs(doc: Document, p: QrPayload) -> tuple[list[tuple[str, str, str]], dict[str, Any]]:
    """(differences, fills) for the payload's amount against the printed amount it stands for."""
    if p.amount is None:
        return [], {}
    qr_value = f"{p.amount:.2f}"
    if p.amount_field is not None:
        printed = doc.value(p.amount_field)
        if printed in (None, ""):
            return [], {p.amount_field: qr_value}
        return ([] if _same_amount(printed, qr_value) else [(p.amount_field, str(printed), qr_value)]), {}
    printed_all = [(n, doc.value(n)) for n in AMOUNTS if doc.value(n) not in (None, "")]
    if not printed_all or any(_same_amount(v, qr_value) for _, v in printed_all):
        return [], {}
    name, value = printed_all[0]
    return [(name, str(value), qr_value)], {}


def compare(doc: Document, p: QrPayload, page: int, box: tuple[float, ...]) -> list[RiskFlag]:
    """Flags for printed fields that disagree with the payload; fills fields that are missing."""
    qr_ev: dict[str, Any] = {"qr_page": page, "qr_bbox": [round(v, 2) for v in box], "qr_payload": p.raw}
    diffs, fills = _amount_diffs(doc, p)
    checks: list[tuple[str, str | None, Callable[[Any, str], bool]]] = [
        ("invoice_code", p.code, lambda a, b: _digits(a) == b),
        ("invoice_number", p.number, lambda a, b: _digits(a) == b),
        ("issue_date", p.date, lambda a, b: str(a) == b),
        ("check_code", p.check, lambda a, b: _same_check(_digits(a), b)),
    ]
    for name, qr_value, same in checks:
        if qr_value in (None, ""):
            continue
        printed = doc.value(name)
        if printed in (None, ""):
            fills[name] = qr_value
        elif not same(printed, qr_value):  # type: ignore[arg-type]
            diffs.append((name, str(printed), str(qr_value)))

    for name, value in fills.items():
        if name == "check_code" and len(value) < 20:
            continue  # the last 6 digits are not the printed check code
        doc.set_field(Field(name=name, value=value, raw_text=p.raw, confidence=CONFIDENCE,
                            provenance=Provenance(page=page, bbox=box, stage="checks.qr", source="qr")))  # type: ignore[arg-type]
    if not diffs:
        return []

    def show(name: str, v: str) -> str:
        d = dec(v) if name in AMOUNTS else None
        return fmt(d) if d is not None else v

    parts = [f"{WORDS[n]}: printed {show(n, a)}, QR says {show(n, b)}" for n, a, b in diffs]
    names = [d[0] for d in diffs]
    return [RiskFlag(code="QR_MISMATCH", severity=severity(doc, *names),  # type: ignore[arg-type]
                     message="the QR code disagrees with the printed invoice — " + "; ".join(parts),
                     evidence=evidence(doc, *names, **qr_ev,
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
        if compared:
            break  # the code was read: later pages need not be decoded
    return flags
