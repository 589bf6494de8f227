"""Ingest: keep the original, run the pipeline, judge duplicates against everything known, save.

Processing (pure, parallel) is separate from persisting (ordered), so that within a
batch "before" means the sorted order of the inputs whatever the parallelism.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from classifiers.checks import page_duplicates as pd
from pipeline.record import to_record
from pipeline.settings import Settings
from pipeline.split import child_id
from pipeline.types import Document, RiskFlag
from storage import linking
from storage import repository as repo
from storage.db import make_engine, session_factory, upgrade
from storage.objects import ObjectStore, get_store, original_key


@dataclass
class Ingested:
    records: list[dict[str, Any]]


class Ingestor:
    """One per process: owns the DB engine and the object store of a docintel home."""

    def __init__(self, settings: Settings, *, migrate: bool = True):
        self.settings = settings
        settings.home_dir.mkdir(parents=True, exist_ok=True)
        self.engine = make_engine(settings.db_url)
        if migrate:
            upgrade(self.engine)
        self.sessions = session_factory(self.engine)
        self.store: ObjectStore = get_store(settings)

    def close(self) -> None:
        self.engine.dispose()

    def keep_original(self, data: bytes, sha256: str) -> str:
        key = original_key(sha256)
        if not self.store.exists(key):
            self.store.put(data, key)
        return key

    def save(self, docs: list[Document], *, org: str = "default") -> list[dict[str, Any]]:
        """Persist the documents of one file (in order), adding duplicate flags; return their records."""
        with self.sessions.begin() as session:
            first_id = docs[0].id if docs else ""
            for n, doc in enumerate(docs):
                if n:
                    doc.id = child_id(first_id, n)
                repo.create_document(session, id=doc.id, sha256=doc.sha256, source=doc.source, mime=doc.mime,
                                     size=doc.size, org=org, status="processing", ingest_id=first_id)
            return [_persist(session, doc, ingest_id=first_id) for doc in docs]

    def save_job(self, docs: list[Document], *, upload_id: str) -> list[dict[str, Any]]:
        """Persist a queued upload's documents (the service's job): the first document is the upload's row.

        The others get ids derived from the upload's id (``child_id``), so a retried job
        overwrites its earlier rows instead of adding new ones; all share ``ingest_id``.
        """
        with self.sessions.begin() as session:
            upload = repo.get_document(session, id=upload_id)
            if upload is None:
                raise LookupError(f"no document {upload_id}")
            for n, doc in enumerate(docs):
                doc.id = upload_id if n == 0 else child_id(upload_id, n)
                doc.source = upload.source
                if n and repo.get_document(session, id=doc.id) is None:
                    repo.create_document(session, id=doc.id, sha256=doc.sha256 or upload.sha256, source=upload.source,
                                         mime=doc.mime or upload.mime, size=doc.size or upload.size, org=upload.org,
                                         status="processing", ingest_id=upload_id)
            return [_persist(session, doc, ingest_id=upload_id) for doc in docs]


def _persist(session: Any, doc: Document, *, ingest_id: str) -> dict[str, Any]:
    """Flag duplicates against everything known from other files, then store the record."""
    if doc.sha256:
        earlier = [r for r in repo.find_by_sha256(session, sha256=doc.sha256) if r.ingest_id != ingest_id]
        if earlier and not any(f.code == "DUPLICATE_DOCUMENT" for f in doc.risk_flags):
            e = earlier[0]
            doc.risk_flags.append(RiskFlag(
                code="DUPLICATE_DOCUMENT", severity="red",
                message=f"the same file was ingested before as {e.source} ({e.created_at:%Y-%m-%d %H:%M})",
                evidence={"document_id": e.id, "source": e.source}))
    _flag_duplicate_pages(session, doc, ingest_id=ingest_id)
    _flag_duplicate_invoice(session, doc)
    rec = to_record(doc)
    rec = linking.link(session, doc, rec)  # invoices / vouchers ↔ contracts of the org, their flags
    repo.save_result(session, id=doc.id, record=rec, status=doc.status.value, doc_type=doc.doc_type,
                     invoice_kind=doc.invoice_kind,
                     page_first=doc.page_range[0] if doc.page_range else None,
                     page_last=doc.page_range[1] if doc.page_range else None,
                     errors=rec["errors"])
    if doc.doc_type == "invoice" and doc.value("invoice_number"):
        repo.add_invoice_key(session, document_id=doc.id, sha256=doc.sha256,
                             invoice_number=doc.value("invoice_number"), invoice_code=doc.value("invoice_code"))
    for h in pd.hashes_of(doc):
        if h.phash:
            repo.add_page_hash(session, document_id=doc.id, sha256=doc.sha256, page=h.page, phash=h.phash,
                               phash16=h.phash16, tokens=h.tokens, bands=pd.bands(h))
    return rec


def _flag_duplicate_pages(session: Any, doc: Document, *, ingest_id: str) -> None:
    """DUPLICATE_DOCUMENT when this document's pages were seen in another file (re-scan, photo, re-render).

    Candidates come from the LSH bands (indexed); a candidate document counts when its pages
    match (classifiers.checks.page_duplicates) and no identifier (number, code, serial) differs.
    The oldest such document is named; nothing is added when the same bytes were already flagged.
    """
    pages = [h for h in pd.hashes_of(doc) if h.phash16]
    if not pages or any(f.code == "DUPLICATE_DOCUMENT" for f in doc.risk_flags):
        return
    found: dict[str, dict[int, repo.PageCandidate]] = {}
    for h in pages:
        for c in repo.find_page_candidates(session, bands=pd.query_bands(h), exclude_ingest_id=ingest_id):
            found.setdefault(c.document_id, {})[c.page] = c
    mine = {k: doc.value(k) for k in pd.IDENTIFIERS}
    for doc_id, cands in sorted(found.items(), key=lambda kv: (next(iter(kv[1].values())).created_at, kv[0])):
        old = [pd.PageHash(page=c.page, phash=c.phash, phash16=c.phash16, tokens=tuple(c.tokens)) for c in cands.values()]
        matches = pd.document_match(pages, old)
        if not matches:
            continue
        row = repo.get_document(session, id=doc_id)
        theirs = (row.record or {}).get("fields", {}) if row is not None else {}
        if pd.different_identifiers(mine, theirs):
            continue  # one layout, the same parties and amounts, another number: another document
        m = min(matches, key=lambda x: x.distance)
        source = next(iter(cands.values())).source
        doc.risk_flags.append(RiskFlag(
            code="DUPLICATE_DOCUMENT", severity="red",
            message=f"page {m.page} is the same page as page {m.old_page} of {source}, ingested before (scanned or "
                    f"photographed again: {len(matches)} page(s) match, image distance {m.distance}/256, same numbers)",
            evidence={"document_id": doc_id, "page": m.old_page, "distance": m.distance, "source": source,
                      "own_page": m.page}))
        return


def _flag_duplicate_invoice(session: Any, doc: Document) -> None:
    number = doc.value("invoice_number")
    if doc.doc_type != "invoice" or not number:
        return
    known = repo.find_invoice_key(session, invoice_code=doc.value("invoice_code"), invoice_number=number,
                                  exclude_sha256=doc.sha256)
    if known:
        k = known[0]
        f = doc.fields["invoice_number"]
        doc.risk_flags.append(RiskFlag(
            code="DUPLICATE_INVOICE", severity="red",
            message=f"invoice {doc.value('invoice_code') or ''} {number} is already known from another file",
            evidence={"document_id": k.document_id, "page": f.provenance.page if f.provenance else None,
                      "bbox": list(f.provenance.bbox) if f.provenance and f.provenance.bbox else None}))
