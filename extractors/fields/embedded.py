"""Structured invoice data embedded in the file itself, read where the file carries it.

- OFD e-invoices: ``Doc_N/Attachs/original_invoice.xml`` (the tax system's own data).
- Factur-X / ZUGFeRD PDFs: the CII XML attachment (``factur-x.xml``, ``zugferd-invoice.xml`` …).

These values are the issuer's own; they fill fields the layout did not find (source
``embedded``) and are kept whole under ``doc.meta["embedded"]`` for later checks.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from typing import Any

from extractors.fields.base import put_value
from extractors.normalize.dates import parse_date
from extractors.normalize.ids import normalize_code, normalize_tax_id
from extractors.normalize.money import canonical_decimal, format_money, parse_money, parse_rate
from extractors.normalize.text import canonical_name
from pipeline.types import Document


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(el: ET.Element, *path: str) -> ET.Element | None:
    """First descendant following local names in order (namespace-agnostic)."""
    cur: ET.Element | None = el
    for name in path:
        if cur is None:
            return None
        cur = next((c for c in cur.iter() if _local(c.tag) == name and c is not cur), None)
    return cur


def _text(el: ET.Element, *path: str) -> str | None:
    found = _find(el, *path)
    return found.text.strip() if found is not None and found.text and found.text.strip() else None


def _money(text: str | None) -> str | None:
    value = parse_money(text) if text else None
    return format_money(value) if value is not None else None


def ofd_invoice(data: bytes) -> dict[str, Any] | None:
    """Fields from an OFD e-invoice's original_invoice.xml, in records.md form."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            name = next((n for n in zf.namelist() if n.lower().endswith("original_invoice.xml")), None)
            if name is None:
                return None
            root = ET.fromstring(zf.read(name))
    except (zipfile.BadZipFile, ET.ParseError, KeyError):
        return None
    items = []
    for g in (e for e in root.iter() if _local(e.tag) == "GoodsInfo"):
        items.append({
            "name": _text(g, "Item"), "spec": _text(g, "Specification"), "unit": _text(g, "MeasurementDimension"),
            "quantity": canonical_decimal(_text(g, "Quantity") or ""), "unit_price": canonical_decimal(_text(g, "Price") or ""),
            "amount": _money(_text(g, "Amount")), "tax_rate": parse_rate(_text(g, "TaxScheme") or ""),
            "tax_amount": _money(_text(g, "TaxAmount")),
        })
    code = _text(root, "InvoiceCode")
    fields = {
        "invoice_code": normalize_code(code) if code else None,
        "invoice_number": normalize_code(_text(root, "InvoiceNo") or ""),
        "issue_date": parse_date(_text(root, "IssueDate") or ""),
        "check_code": normalize_code(_text(root, "InvoiceCheckCode") or "") or None,
        "buyer_name": canonical_name(_text(root, "BuyerName") or "") or None,
        "buyer_tax_id": normalize_tax_id(_text(root, "BuyerTaxID") or "") or None,
        "seller_name": canonical_name(_text(root, "SellerName") or "") or None,
        "seller_tax_id": normalize_tax_id(_text(root, "SellerTaxID") or "") or None,
        "amount_excl_tax": _money(_text(root, "TaxExclusiveTotalAmount")),
        "tax_amount": _money(_text(root, "TaxTotalAmount")),
        "total_amount": _money(_text(root, "TaxInclusiveTotalAmount")),
        "remarks": _text(root, "Note"),
        "items": items or None,
    }
    return {k: v for k, v in fields.items() if v not in (None, "", [])}


CII_NAMES = re.compile(r"(factur-?x|zugferd|xrechnung|cii).*\.xml$", re.IGNORECASE)


def cii_invoice(data: bytes) -> dict[str, Any] | None:
    """Fields from a Factur-X / ZUGFeRD PDF's embedded CII XML."""
    if b"EmbeddedFile" not in data:
        return None
    try:
        from pypdf import PdfReader

        attachments = PdfReader(io.BytesIO(data)).attachments
        name = next((n for n in attachments if CII_NAMES.search(n)), None)
        if name is None:
            return None
        root = ET.fromstring(attachments[name][0])
    except Exception:  # noqa: BLE001  # a damaged attachment is no reason to fail the document
        return None
    summary = _find(root, "SpecifiedTradeSettlementHeaderMonetarySummation")
    seller = _find(root, "SellerTradeParty")
    buyer = _find(root, "BuyerTradeParty")
    date = _text(root, "ExchangedDocument", "IssueDateTime", "DateTimeString")
    if date and re.fullmatch(r"\d{8}", date):
        date = f"{date[:4]}-{date[4:6]}-{date[6:]}"
    items = []
    for line in (e for e in root.iter() if _local(e.tag) == "IncludedSupplyChainTradeLineItem"):
        items.append({
            "name": _text(line, "SpecifiedTradeProduct", "Name"), "spec": None,
            "unit": (_find(line, "BilledQuantity").get("unitCode") if _find(line, "BilledQuantity") is not None else None),
            "quantity": canonical_decimal(_text(line, "BilledQuantity") or ""),
            "unit_price": canonical_decimal(_text(line, "NetPriceProductTradePrice", "ChargeAmount") or ""),
            "amount": _money(_text(line, "LineTotalAmount")),
            "tax_rate": parse_rate((_text(line, "RateApplicablePercent") or "") + "%") if _text(line, "RateApplicablePercent") else None,
            "tax_amount": None,
        })

    def tax_id(party: ET.Element | None) -> str | None:
        """The VAT id (schemeID VA) before a national tax number (FC)."""
        if party is None:
            return None
        ids = [e for e in party.iter() if _local(e.tag) == "ID" and e.text and e.get("schemeID") in ("VA", "FC")]
        ids.sort(key=lambda e: e.get("schemeID") != "VA")
        return normalize_tax_id(ids[0].text or "") or None if ids else None

    fields = {
        "invoice_number": _text(root, "ExchangedDocument", "ID"),
        "issue_date": date,
        "seller_name": _text(seller, "Name") if seller is not None else None,
        "seller_tax_id": tax_id(seller),
        "buyer_name": _text(buyer, "Name") if buyer is not None else None,
        "buyer_tax_id": tax_id(buyer),
        "amount_excl_tax": _money(_text(summary, "TaxBasisTotalAmount")) if summary is not None else None,
        "tax_amount": _money(_text(summary, "TaxTotalAmount")) if summary is not None else None,
        "total_amount": _money(_text(summary, "GrandTotalAmount")) if summary is not None else None,
        "currency": _text(root, "InvoiceCurrencyCode"),
        "items": items or None,
    }
    return {k: v for k, v in fields.items() if v not in (None, "", [])}


def apply_embedded(doc: Document) -> None:
    """Fill missing invoice fields from data the file embeds (only for a file holding one document)."""
    data = doc.data
    if not data or (doc.page_range and doc.page_range != (1, len(doc.pages)) and doc.page_range[0] != 1):
        return
    embedded = ofd_invoice(data) if doc.mime == "application/ofd" else cii_invoice(data) if doc.mime == "application/pdf" else None
    if not embedded:
        return
    doc.meta["embedded"] = embedded
    for name, value in embedded.items():
        if name not in doc.fields:
            put_value(doc, name, value, source="embedded")
