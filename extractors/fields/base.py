"""Turning found spans into typed, provenance-carrying fields."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from extractors.fields.finder import Found
from extractors.layout import Span
from pipeline.types import Document, Field, Provenance

PLACEHOLDER = re.compile(r"\{\{|\}\}|\{%|_{4,}|＿{2,}|\bX{4,}\b")


def put(
    doc: Document,
    name: str,
    found: Found | Span | None,
    normalise: Callable[[str], Any] | None = None,
    *,
    stage: str = "extract",
    overwrite: bool = False,
) -> Any:
    """Normalise a found value and store it on the document; None values are not stored."""
    if found is None or (name in doc.fields and not overwrite):
        return doc.value(name)
    span = found.value if isinstance(found, Found) else found
    if PLACEHOLDER.search(span.text):
        return None  # an unfilled template ({{name}}, ____) is not a value
    value = normalise(span.text) if normalise else span.text.strip()
    if value in (None, "", []):
        return None
    doc.set_field(
        Field(
            name=name,
            value=value,
            raw_text=span.text,
            confidence=round(float(span.confidence), 4),
            provenance=Provenance(page=span.page, bbox=span.bbox, stage=stage, source=span.source),  # type: ignore[arg-type]
        )
    )
    return value


def put_value(doc: Document, name: str, value: Any, *, page: int | None = None, bbox=None, confidence: float = 1.0,  # type: ignore[no-untyped-def]
              source: str = "derived", raw: str = "") -> None:
    """Store a value computed from other fields (e.g. a tax rate common to all lines)."""
    if value in (None, "", []):
        return
    prov = Provenance(page=page, bbox=bbox, stage="extract", source=source) if page else None  # type: ignore[arg-type]
    doc.set_field(Field(name=name, value=value, raw_text=raw, confidence=confidence, provenance=prov))
