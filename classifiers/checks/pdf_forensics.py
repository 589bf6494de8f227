"""PDF_TAMPERING: a PDF changed after it was issued.

* Incremental updates (a revision appended after the first ``%%EOF``): an update that
  changes what a page shows (its content stream, an image or form it draws, or a visible
  annotation laid over it) is red, with the page and the box of the words that changed;
  an update that changes only metadata or form structure is yellow.
* Digital signatures (``/ByteRange``): with pyhanko (optional), validated offline
  (``allow_fetching=False``): an altered signed range is red, a signature that no longer
  covers the file with page changes after it is red, other later changes yellow. Without
  pyhanko only the coverage is checked from the byte range.
* Info dates and producer: ModDate before CreationDate, or a later revision written by a
  different producer: yellow.

Not done: comparing the text layer with an OCR of the rendered page (an OCR per digital
page costs seconds).
"""

from __future__ import annotations

import hashlib
import io
import re
from datetime import datetime, timedelta
from typing import Any

from pipeline.types import Document, RiskFlag

CODE = "PDF_TAMPERING"
EOF_RE = re.compile(rb"%%EOF[ \t]*(?:\r\n|\r|\n)?")
VISIBLE_ANNOTS = {"/FreeText", "/Square", "/Circle", "/Stamp", "/Ink", "/Polygon", "/Line", "/Redact", "/Caret"}
MOD_GAP = timedelta(days=1)


def revisions(data: bytes) -> list[int]:
    """End offsets of each revision (after its ``%%EOF``); a linearised file's first marker is skipped."""
    ends = [m.end() for m in EOF_RE.finditer(data)]
    if len(ends) > 1 and b"/Linearized" in data[:1024]:
        ends = ends[1:]
    # trailing garbage after the last %%EOF is not a revision
    return ends


def _stream_hash(obj: Any, h: hashlib._Hash, depth: int = 0) -> None:
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

    if isinstance(obj, IndirectObject):
        obj = obj.get_object()
    if isinstance(obj, StreamObject):
        h.update(getattr(obj, "_data", b"") or b"")
    if depth > 3:
        return
    if isinstance(obj, DictionaryObject):
        for k in sorted(obj.keys()):
            if k in ("/Parent", "/P"):
                continue
            v = obj[k]
            if isinstance(v, (DictionaryObject, ArrayObject, IndirectObject, StreamObject)):
                _stream_hash(v, h, depth + 1)
            else:
                h.update(f"{k}={v}".encode("utf-8", "replace"))
    elif isinstance(obj, ArrayObject):
        for v in obj:
            _stream_hash(v, h, depth + 1)


def _page_fingerprint(page: Any) -> tuple[str, str, list[str]]:
    """(content hash, resources hash, visible annotation subtypes) of a pypdf page."""
    contents = page.get_contents()
    c = hashlib.sha256(contents.get_data() if contents is not None else b"").hexdigest()
    h = hashlib.sha256()
    res = page.get("/Resources")
    if res is not None:
        _stream_hash(res, h)
    annots = []
    for a in page.get("/Annots") or []:
        try:
            annots.append(str(a.get_object().get("/Subtype")))
        except Exception:  # noqa: BLE001
            annots.append("?")
    return c, h.hexdigest(), annots


def _reader(data: bytes) -> Any:
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(data), strict=False)


def _words(data: bytes, index: int) -> dict[tuple, str]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        ws = pdf.pages[index].extract_words()
    return {(round(w["x0"]), round(w["top"]), w["text"]): w for w in ws}


def _changed_box(old: bytes, new: bytes, index: int) -> list[float] | None:
    """Box of the words on the page that the update added or changed (None if unknown)."""
    try:
        a, b = _words(old, index), _words(new, index)
    except Exception:  # noqa: BLE001
        return None
    added = [w for k, w in b.items() if k not in a] + [w for k, w in a.items() if k not in b]
    if not added:
        return None
    return [round(min(w["x0"] for w in added), 2), round(min(w["top"] for w in added), 2),
            round(max(w["x1"] for w in added), 2), round(max(w["bottom"] for w in added), 2)]


def _pdf_date(v: Any) -> datetime | None:
    m = re.match(r"(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?", str(v or ""))
    if not m:
        return None
    parts = [int(g) if g else d for g, d in zip(m.groups(), (0, 1, 1, 0, 0, 0))]
    try:
        return datetime(*parts)  # type: ignore[arg-type]
    except ValueError:
        return None


def _doc_pages(doc: Document, n: int) -> range:
    if doc.page_range:
        return range(doc.page_range[0] - 1, min(doc.page_range[1], n))
    return range(n)


def _update_flags(doc: Document, data: bytes, ends: list[int]) -> list[RiskFlag]:
    orig = data[: ends[0]]
    r0, r1 = _reader(orig), _reader(data)
    n0, n1 = len(r0.pages), len(r1.pages)
    flags: list[RiskFlag] = []
    changed_pages: list[tuple[int, str]] = []
    for i in _doc_pages(doc, n1):
        if i >= n0:
            changed_pages.append((i, "the page was added"))
            continue
        c0, s0, a0 = _page_fingerprint(r0.pages[i])
        c1, s1, a1 = _page_fingerprint(r1.pages[i])
        if c0 != c1:
            changed_pages.append((i, "its content stream was rewritten"))
        elif s0 != s1:
            changed_pages.append((i, "an image, font or form it draws was replaced"))
        else:
            new_vis = [a for a in a1 if a in VISIBLE_ANNOTS]
            if len(new_vis) > len([a for a in a0 if a in VISIBLE_ANNOTS]):
                changed_pages.append((i, f"a {new_vis[-1][1:]} annotation was laid over it"))
    k = len(ends) - 1
    for i, why in changed_pages:
        ev: dict[str, Any] = {"page": i + 1, "revisions": len(ends)}
        box = _changed_box(orig, data, i)
        if box:
            ev["bbox"] = box
        flags.append(RiskFlag(code=CODE, severity="red",
                              message=f"page {i + 1} was changed after the PDF was issued: {why} "
                                      f"in {k} later update{'s' if k > 1 else ''} appended to the file",
                              evidence=ev))
    if not flags and not _signature_update_only(r0, r1):
        flags.append(RiskFlag(code=CODE, severity="yellow",
                              message=f"the PDF was updated {k} time{'s' if k > 1 else ''} after it was issued "
                                      "(the pages look unchanged: metadata or form changes)",
                              evidence={"revisions": len(ends)}))
    # producer change between the first and the last revision
    p0 = str((r0.metadata or {}).get("/Producer") or "")
    p1 = str((r1.metadata or {}).get("/Producer") or "")
    if p0 and p1 and p0 != p1:
        flags.append(RiskFlag(code=CODE, severity="yellow",
                              message=f"the PDF was issued by “{p0}” but last saved by “{p1}”",
                              evidence={"producer_original": p0, "producer_last": p1}))
    return flags


def _signature_update_only(r0: Any, r1: Any) -> bool:
    """True when the update only adds signature fields (a normal signing workflow)."""
    def sigs(r: Any) -> int:
        try:
            return sum(1 for f in (r.get_fields() or {}).values() if f.get("/FT") == "/Sig")
        except Exception:  # noqa: BLE001
            return 0
    return sigs(r1) > sigs(r0)


def _signature_flags(doc: Document, data: bytes) -> list[RiskFlag]:
    if b"/ByteRange" not in data:
        return []
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko_certvalidator import ValidationContext
    except ImportError:
        return _byterange_flags(data)
    flags: list[RiskFlag] = []
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    vc = ValidationContext(allow_fetching=False)
    for sig in reader.embedded_signatures:
        name = sig.field_name or "signature"
        try:
            st = validate_pdf_signature(sig, vc, skip_diff=False)
        except Exception as exc:  # noqa: BLE001
            flags.append(RiskFlag(code=CODE, severity="red", message=f"the signature “{name}” cannot be checked: {exc}",
                                  evidence={"signature": name}))
            continue
        if not st.intact:
            flags.append(RiskFlag(code=CODE, severity="red",
                                  message=f"the signature “{name}” is broken: the signed bytes were altered",
                                  evidence={"signature": name}))
            continue
        level = getattr(st, "modification_level", None)
        cov = getattr(getattr(st, "coverage", None), "name", "")
        if cov != "ENTIRE_FILE":
            lvl = getattr(level, "name", str(level))
            red = lvl not in ("NONE", "LTA_UPDATES", "FORM_FILLING")
            flags.append(RiskFlag(code=CODE, severity="red" if red else "yellow",
                                  message=f"the signature “{name}” no longer covers the whole file; "
                                          f"changes after signing: {lvl.lower().replace('_', ' ')}",
                                  evidence={"signature": name, "coverage": cov, "modification_level": lvl}))
    return flags


def _byterange_flags(data: bytes) -> list[RiskFlag]:
    flags = []
    for m in re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data):
        a, b, c, d = (int(x) for x in m.groups())
        if c + d < len(data):
            flags.append(RiskFlag(code=CODE, severity="yellow",
                                  message=f"a signature covers only the first {c + d} of {len(data)} bytes: "
                                          "the file was changed after signing (install pyhanko to see what changed)",
                                  evidence={"byte_range": [a, b, c, d]}))
    return flags


def _date_flags(data: bytes) -> list[RiskFlag]:
    try:
        meta = _reader(data).metadata or {}
    except Exception:  # noqa: BLE001
        return []
    created, modified = _pdf_date(meta.get("/CreationDate")), _pdf_date(meta.get("/ModDate"))
    if created and modified and modified < created - MOD_GAP:
        return [RiskFlag(code=CODE, severity="yellow",
                         message=f"the PDF says it was modified ({modified:%Y-%m-%d}) before it was created "
                                 f"({created:%Y-%m-%d})",
                         evidence={"creation_date": str(meta.get('/CreationDate')), "mod_date": str(meta.get('/ModDate'))})]
    return []


def check(doc: Document) -> list[RiskFlag]:
    data = doc.data
    if not data or not data.startswith(b"%PDF-"):
        return []
    flags: list[RiskFlag] = []
    ends = revisions(data)
    if len(ends) > 1:
        flags += _update_flags(doc, data, ends)
    flags += _signature_flags(doc, data)
    flags += _date_flags(data)
    return flags
