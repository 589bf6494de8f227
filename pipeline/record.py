"""The one place a Document becomes the records.md JSON object."""

from __future__ import annotations

from typing import Any

from pipeline.types import Document


def _bbox(b: Any) -> list[float] | None:
    return [round(float(v), 2) for v in b] if b is not None else None


# records.md names four sources; finer origins are kept under "origin"
SOURCE = {"ofd": "text_layer", "docx": "text_layer", "embedded": "derived"}


def to_record(doc: Document) -> dict[str, Any]:
    details = []
    for f in doc.fields.values():
        prov = f.provenance
        origin = prov.source if prov else "derived"
        details.append({
            "name": f.name, "value": f.value, "confidence": f.confidence,
            "page": prov.page if prov else None, "bbox": _bbox(prov.bbox) if prov else None,
            "source": SOURCE.get(origin, origin), "origin": origin,
        })
    rec: dict[str, Any] = {
        "id": doc.id,
        "source": doc.source,
        "sha256": doc.sha256,
        "status": doc.status.value,
        "doc_type": doc.doc_type,
        "pages": len(doc.pages),
        "page_range": list(doc.page_range) if doc.page_range else None,
        "scanned": doc.scanned,
        "fields": {f.name: f.value for f in doc.fields.values()},
        "field_details": details,
        "risk_flags": [fl.model_dump() for fl in doc.risk_flags],
        "errors": [e.model_dump() for e in doc.errors],
    }
    if doc.invoice_kind:
        rec["invoice_kind"] = doc.invoice_kind
    return rec
