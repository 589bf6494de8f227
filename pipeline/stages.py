"""The pipeline's stages, in order. Each is small: the work lives in extractors/ and classifiers/."""

from __future__ import annotations

import time
from typing import ClassVar

from classifiers.checks import ChecksStage
from classifiers.doctype import classify
from extractors.fields.embedded import apply_embedded
from extractors.layout import group_lines, page_index
from extractors.normalize.text import fold_ocr_variants, normalize_text, reads_simplified
from extractors.stamps import mark_gray_seal_words, mark_red_ocr_words, split_stamps
from extractors.tables import page_tables, pdf_ruling
from pipeline.backends.sniff import PDF
from pipeline.stage import StageContext, register
from pipeline.types import Document, RiskFlag, Word


@register
class PreprocessStage:
    """Make page images flat (phone photos), upright (0/90/180/270) and deskewed before OCR."""

    name: ClassVar[str] = "preprocess"

    def applies_to(self, doc: Document) -> bool:
        return bool(doc.images)

    def __call__(self, doc: Document, ctx: StageContext) -> Document:
        from extractors.ocr import get_engine
        from extractors.preprocess import prepare

        engine = get_engine(ctx.settings.ocr)
        for page in doc.pages:
            img = doc.images.get(page.number)
            if img is None:
                continue
            img, rotation, skew, page.flattened = prepare(img, engine)
            doc.images[page.number] = img
            page.rotation, page.skew = rotation, round(float(skew), 3)
            h, w = img.shape[:2]
            page.width, page.height = w * 72.0 / page.dpi, h * 72.0 / page.dpi
        return doc


@register
class OcrStage:
    """Read page images with the configured OCR engine (loaded once per process)."""

    name: ClassVar[str] = "text"

    def applies_to(self, doc: Document) -> bool:
        return bool(doc.images)

    def __call__(self, doc: Document, ctx: StageContext) -> Document:
        from extractors.ocr import get_engine

        engine = get_engine(ctx.settings.ocr)
        for page in doc.pages:
            img = doc.images.get(page.number)
            if img is None or page.words:
                continue
            t0 = time.perf_counter()
            lines = engine.recognize(img, page.dpi)
            ctx.timings["ocr_engine"] = ctx.timings.get("ocr_engine", 0.0) + time.perf_counter() - t0
            for line in lines:
                page.words.extend(line.words or [Word(text=line.text, bbox=line.bbox, confidence=line.confidence, source="ocr")])
            mark_red_ocr_words(page.words, img, page.dpi)
            mark_gray_seal_words(page.words, img, page.dpi)
            page.text_source = "ocr"
        doc.scanned = doc.scanned or any(p.text_source == "ocr" for p in doc.pages)
        return doc


@register
class TextNormaliseStage:
    """Fold text once (NFKC, ¥) so every later regex sees one form."""

    name: ClassVar[str] = "normalise_text"

    def applies_to(self, doc: Document) -> bool:
        return True

    def __call__(self, doc: Document, ctx: StageContext) -> Document:
        for page in doc.pages:
            words, stamps = _normalised(page.words)
            page.words = words
            page.stamp_words.extend(stamps)
        return doc


def _normalised(words: list[Word]) -> tuple[list[Word], list[Word]]:
    """(content words, seal lettering), text folded in place; blank words dropped."""
    for w in words:
        w.text = normalize_text(w.text)
    simplified = reads_simplified(w.text for w in words if w.source == "ocr")
    for w in words:
        if w.source == "ocr":
            w.text = fold_ocr_variants(w.text, simplified)
    return split_stamps([w for w in words if w.text.strip()])


@register
class LayoutStage:
    """Lines in reading order from boxes; tables from ruling lines (the page image after preprocess,
    or a digital PDF's vector paths: cheaper than a render) and from column alignment."""

    name: ClassVar[str] = "layout"

    def applies_to(self, doc: Document) -> bool:
        return True

    def __call__(self, doc: Document, ctx: StageContext) -> Document:
        for page in doc.pages:
            page.lines = group_lines(page.words)
        t0 = time.perf_counter()
        turns = {p.number: p.rotation for p in doc.pages if p.text_source == "text_layer" and p.number not in doc.images}
        vectors = doc.ruling or (pdf_ruling(doc.data, turns) if turns and doc.data and doc.mime == PDF else {})
        for page in doc.pages:
            try:
                page.tables = page_tables(page, doc.images.get(page.number), vectors.get(page.number))
            except Exception:  # tables are an aid: lines and fields go on without them
                ctx.logger.exception("tables failed on page %d of %s", page.number, doc.source)
        ctx.timings["layout.tables"] = ctx.timings.get("layout.tables", 0.0) + time.perf_counter() - t0
        return doc


@register
class ClassifyStage:
    name: ClassVar[str] = "classify"

    def applies_to(self, doc: Document) -> bool:
        return True

    def __call__(self, doc: Document, ctx: StageContext) -> Document:
        kind, conf = classify(doc.text)
        doc.doc_type = kind
        doc.meta["doc_type_confidence"] = conf
        return doc


@register
class ExtractStage:
    """Fields by document type; values are normalised as they are read."""

    name: ClassVar[str] = "extract"

    def applies_to(self, doc: Document) -> bool:
        return doc.doc_type in ("invoice", "payment_voucher", "contract")

    def __call__(self, doc: Document, ctx: StageContext) -> Document:
        from extractors.fields import contract, foreign, invoice, voucher

        index = page_index(doc.pages)
        if doc.doc_type == "invoice" and not foreign.is_chinese_invoice(doc.text):
            apply_embedded(doc)  # the Factur-X / ZUGFeRD XML first: the text rules only fill what it lacks
            foreign.extract(doc, index)
            return doc
        module = {"invoice": invoice, "payment_voucher": voucher, "contract": contract}[doc.doc_type or ""]
        module.extract(doc, index)
        if doc.doc_type == "invoice":
            if doc.value("invoice_kind") is None and _reread_headers(doc, ctx):
                invoice.extract(doc, page_index(doc.pages))  # the header band read again: what it holds fills in
            apply_embedded(doc)
            doc.invoice_kind = doc.value("invoice_kind")
        return doc


def _reread_headers(doc: Document, ctx: StageContext) -> bool:
    """Read the first page's header band again at a coarser scale (``extractors.ocr.header``), if
    OCR read it, and add what was missed (a letter-spaced title: an invoice's is on its first page);
    True when the page gained words."""
    from extractors.ocr import get_engine
    from extractors.ocr.header import header_words

    page = doc.pages[0] if doc.pages else None
    img = doc.images.get(page.number) if page is not None else None
    if page is None or img is None or page.text_source != "ocr":
        return False
    t0 = time.perf_counter()
    new = header_words(get_engine(ctx.settings.ocr), img, page.dpi, page.words)
    ctx.timings["ocr_engine"] = ctx.timings.get("ocr_engine", 0.0) + time.perf_counter() - t0
    mark_red_ocr_words(new, img, page.dpi)
    content, stamps = _normalised(new)
    page.stamp_words.extend(stamps)
    if not content:
        return False
    page.words.extend(content)
    page.lines = group_lines(page.words)
    return True


REQUIRED = {
    "invoice": ["invoice_number", "issue_date", "seller_name", "total_amount"],
    "payment_voucher": ["payment_date", "payer_name", "payee_name", "amount"],
    "contract": ["party_a_name", "party_b_name", "total_amount"],
}


@register
class ConfidenceStage:
    """LOW_CONFIDENCE when a required field is missing or was read below the threshold."""

    name: ClassVar[str] = "confidence"

    def applies_to(self, doc: Document) -> bool:
        return doc.doc_type in REQUIRED

    def __call__(self, doc: Document, ctx: StageContext) -> Document:
        for name in REQUIRED[doc.doc_type or ""]:
            f = doc.fields.get(name)
            if f is None:
                doc.risk_flags.append(RiskFlag(code="LOW_CONFIDENCE", severity="yellow",
                                               message=f"{name} was not found: a person must look",
                                               evidence={"field": name}))
            elif f.confidence < ctx.settings.low_confidence:
                prov = f.provenance
                doc.risk_flags.append(RiskFlag(
                    code="LOW_CONFIDENCE", severity="yellow",
                    message=f"{name} was read with confidence {f.confidence:.2f}: a person must look",
                    evidence={"field": name, "page": prov.page if prov else None, "bbox": list(prov.bbox) if prov and prov.bbox else None}))
        return doc


FILE_STAGES = [PreprocessStage, OcrStage, TextNormaliseStage, LayoutStage]
DOCUMENT_STAGES = [ClassifyStage, ExtractStage, ChecksStage, ConfidenceStage]  # checks first: the QR fills fields
