"""Run the stages over one file: load → file stages → split → document stages.

A failing stage becomes an error item on the document (status partial, or failed
when nothing could be read); the runner never raises for a bad file.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from pathlib import Path

from pipeline.backends import load_pages, sniff_mime
from pipeline.errors import DocintelError, FileTooLarge
from pipeline.settings import Settings
from pipeline.split import split_documents
from pipeline.stage import StageContext
from pipeline.stages import DOCUMENT_STAGES, FILE_STAGES
from pipeline.types import Document, ErrorItem, Status


def _run(stages: list[type], doc: Document, ctx: StageContext) -> Document:
    for cls in stages:
        stage = cls()
        if not stage.applies_to(doc):
            continue
        t0 = time.perf_counter()
        try:
            doc = stage(doc, ctx)
        except DocintelError as exc:
            doc.errors.append(ErrorItem(stage=stage.name, message=str(exc)))
        except Exception as exc:  # a bug or a library failure must not lose the batch
            ctx.logger.exception("stage %s failed on %s", stage.name, doc.source)
            doc.errors.append(ErrorItem(stage=stage.name, message=f"internal error in {stage.name}: {type(exc).__name__}: {exc}"))
        ctx.timings[stage.name] = ctx.timings.get(stage.name, 0.0) + time.perf_counter() - t0
    return doc


def failed(source: str, sha256: str, stage: str, message: str, size: int = 0, mime: str = "") -> Document:
    return Document(id=uuid.uuid4().hex, sha256=sha256, source=source, size=size, mime=mime,
                    status=Status.failed, errors=[ErrorItem(stage=stage, message=message)])


def process_bytes(data: bytes, source: str, settings: Settings, *, doc_id: str | None = None,
                  ctx: StageContext | None = None) -> list[Document]:
    """All documents in one file's bytes, each with status, fields, flags and errors."""
    ctx = ctx or StageContext(settings=settings)
    sha = hashlib.sha256(data).hexdigest()
    doc = Document(id=doc_id or uuid.uuid4().hex, sha256=sha, source=source, size=len(data))
    try:
        limit = settings.limits.max_file_mb * 1024 * 1024
        if len(data) > limit:
            raise FileTooLarge(f"the file is {len(data) / 1048576:.1f} MB; the limit is {settings.limits.max_file_mb:g} MB")
        doc.mime = sniff_mime(data)
        t0 = time.perf_counter()
        loaded = load_pages(data, doc.mime, dpi=settings.ocr.dpi, max_pages=settings.limits.max_pages,
                            pdf_text_reader=settings.pdf.text_reader)
        ctx.timings["backend"] = ctx.timings.get("backend", 0.0) + time.perf_counter() - t0
    except DocintelError as exc:
        doc.status = Status.failed
        doc.errors.append(ErrorItem(stage="backend", message=str(exc)))
        return [doc]
    doc.attach_data(data)
    doc.pages = [lp.page for lp in loaded]
    for lp in loaded:
        if lp.image is not None:
            doc.images[lp.page.number] = lp.image
        if "ruling" in lp.extra:
            doc.ruling[lp.page.number] = lp.extra["ruling"]
        if "thumb" in lp.extra:
            doc.thumbs[lp.page.number] = lp.extra["thumb"]
    doc = _run(FILE_STAGES, doc, ctx)
    docs = split_documents(doc)
    out = []
    for d in docs:
        d.attach_data(data)
        lo, hi = d.page_range or (1, 0)
        for mine, whole in ((d.images, doc.images), (d.thumbs, doc.thumbs)):  # its pages' renders only
            mine.update({n: v for n, v in whole.items() if lo <= n <= hi})
        d = _run(DOCUMENT_STAGES, d, ctx)
        if not any(p.words for p in d.pages):
            d.status = Status.failed
            if not d.errors:
                d.errors.append(ErrorItem(stage="text", message="no text could be read from the document"))
        else:
            d.status = Status.partial if d.errors else Status.done
        out.append(d)
    return out


def process_path(path: Path, settings: Settings, *, source: str | None = None) -> list[Document]:
    src = source or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [failed(src, "", "read", f"cannot read the file: {exc.strerror or exc}")]
    return process_bytes(data, src, settings)
