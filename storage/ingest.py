"""Ingest: keep the original, run the pipeline, judge duplicates against everything known, save.

Processing (pure, parallel) is separate from persisting (ordered), so that within a
batch "before" means the sorted order of the inputs whatever the parallelism.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
    return rec


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
