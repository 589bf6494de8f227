"""Helpers shared by the checks: field values as Decimals, evidence from field provenance."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from pipeline.types import Document, Field


def dec(value: Any) -> Decimal | None:
    """A normalised money/number string as a Decimal; None when absent or not a number."""
    if value is None or value == "":
        return None
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def fmt(d: Decimal) -> str:
    """569520 -> '569,520.00', the way a clerk reads an amount."""
    return f"{d.quantize(Decimal('0.01')):,.2f}"


def field_box(f: Field | None) -> dict[str, Any]:
    if f is None:
        return {}
    out: dict[str, Any] = {"field": f.name}
    if f.provenance is not None:
        out["page"] = f.provenance.page
        if f.provenance.bbox is not None:
            out["bbox"] = [round(float(v), 2) for v in f.provenance.bbox]
    return out


def evidence(doc: Document, *names: str, **extra: Any) -> dict[str, Any]:
    """Evidence for a flag on fields: page + bbox of the first field found, and every field's box."""
    boxes = [field_box(doc.fields.get(n)) for n in names if n in doc.fields]
    ev: dict[str, Any] = {"fields": list(names)}
    if boxes:
        first = next((b for b in boxes if "bbox" in b), boxes[0])
        if "page" in first:
            ev["page"] = first["page"]
        if "bbox" in first:
            ev["bbox"] = first["bbox"]
        ev["boxes"] = boxes
    ev.update(extra)
    return ev


OCR_SURE = 0.9  # below this an OCR'd value may simply be misread


def severity(doc: Document, *names: str) -> str:
    """Red when every value involved was read reliably (text layer, or OCR at >= OCR_SURE);
    yellow when one of them was read by OCR with less confidence: a misreading is then as
    likely as an edit, and a red flag would stop a clean deal."""
    for name in names:
        f = doc.fields.get(name)
        if f is not None and f.provenance is not None and f.provenance.source == "ocr" and f.confidence < OCR_SURE:
            return "yellow"
    return "red"
