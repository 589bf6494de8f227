"""Extraction API: upload, status and record, list (cursor), page images, corrections, review."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, Path, Query, Request, Response, UploadFile, status

from api import intake
from api.deps import Corrector, QueueDep, Reviewer, SessionDep, SettingsDep, StoreDep, Uploader, Viewer
from api.render import NoPageImage, page_sizes, render_png
from api.schemas import (
    CorrectionPublic,
    DocumentList,
    DocumentPublic,
    DocumentSummary,
    FieldCorrection,
    PageInfo,
    ReviewCreate,
    ReviewPublic,
    UploadAccepted,
)
from pipeline import jobs
from storage import repository as repo
from storage import service_repository as srepo
from storage.errors import InvalidCursor, ObjectNotFound
from storage.objects import original_key
from storage.tables import STATUSES, DocumentRow, utcnow

router = APIRouter(prefix="/api/v1/documents", tags=["documents"])

DocId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="document id")]
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def _summary(row: DocumentRow) -> DocumentSummary:
    rec = row.record or {}
    flags = [f["code"] for f in rec.get("risk_flags", []) if not f.get("cleared")]
    return DocumentSummary(
        id=row.id, ingest_id=row.ingest_id, status=row.status, source=row.source, doc_type=row.doc_type,
        page_range=[row.page_first, row.page_last] if row.page_first else None, flags=flags,
        reviewed="review" in rec, created_at=row.created_at, updated_at=row.updated_at)


def _load(session: SessionDep, id: str, org: str) -> DocumentRow:
    row = repo.get_document(session, id=id, org=org)
    if row is None:  # another organisation's document looks exactly like a missing one
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such document")
    return row


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=list[UploadAccepted],
             responses={413: {"description": "a file is over the size limit"},
                        422: {"description": "a file's type is not read, or it has too many pages"}})
def upload(files: Annotated[list[UploadFile], File(alias="file", description="one or many files")],
                 key: Uploader, session: SessionDep, settings: SettingsDep, store: StoreDep,
                 queue: QueueDep) -> list[UploadAccepted]:
    """Queue files for extraction: one job per file. Nothing is kept when any file is refused."""
    limit = intake.max_bytes(settings)
    taken: list[tuple[bytes, str, str]] = []
    for f in files:
        name = intake.safe_label(f.filename)
        data = f.file.read(limit + 1)
        try:
            mime = intake.check(data, name, settings)
        except intake.Rejected as exc:
            raise HTTPException(exc.status_code, exc.message) from None
        taken.append((data, name, mime))
    rows = [intake.register(session, store, data=d, name=n, mime=m, org=key.org) for d, n, m in taken]
    session.commit()  # the connection goes back to the pool before the jobs are submitted
    for row in rows:
        jobs.submit(settings, row.id, queue)
    return [UploadAccepted(id=r.id, source=r.source, sha256=r.sha256) for r in rows]


@router.get("", response_model=DocumentList)
def list_documents(key: Viewer, session: SessionDep,
                   status_: Annotated[str | None, Query(alias="status", description=" | ".join(STATUSES))] = None,
                   doc_type: str | None = None,
                   flag: Annotated[str | None, Query(description="only documents with this open risk flag")] = None,
                   updated_since: datetime | None = None,
                   cursor: str | None = None,
                   limit: Annotated[int, Query(ge=1, le=500)] = 50,
                   newest_first: bool = False) -> DocumentList:
    """Documents of your organisation in (updated_at, id) order: a change feed to poll with ``updated_since``.

    ``flag`` filters the page after it is read, so a page may hold fewer than ``limit``.
    """
    if status_ is not None and status_ not in STATUSES:
        raise HTTPException(422, f"unknown status {status_!r}")
    try:
        page = repo.list_documents(session, org=key.org, status=status_, doc_type=doc_type,
                                   updated_since=updated_since, cursor=cursor, limit=limit,
                                   newest_first=newest_first)
    except InvalidCursor:
        raise HTTPException(422, "invalid cursor") from None
    items = [_summary(r) for r in page.items]
    if flag:
        items = [i for i in items if flag in i.flags]
    return DocumentList(items=items, next_cursor=page.next_cursor)


def _public(session: SessionDep, row: DocumentRow) -> DocumentPublic:
    base = _summary(row).model_dump()
    finished = row.status in ("done", "partial", "failed")
    docs = srepo.list_ingest(session, ingest_id=row.ingest_id)
    return DocumentPublic(
        **base, sha256=row.sha256, mime=row.mime, size=row.size, attempts=row.attempts,
        errors=row.errors or [], record=row.record if finished else None,
        documents=[_summary(d) for d in docs] if len(docs) > 1 else [],
        corrections=[CorrectionPublic(field=c.field, old=c.old, new=c.new, who=c.who, at=c.at)
                     for c in repo.list_corrections(session, document_id=row.id)],
        reviews=[ReviewPublic(who=r.who, cleared_flags=r.cleared_flags, note=r.note, at=r.at)
                 for r in srepo.list_reviews(session, document_id=row.id)])


def _with_etag(request: Request, response: Response, doc: DocumentPublic) -> DocumentPublic | Response:
    etag = '"' + hashlib.sha256(doc.model_dump_json().encode()).hexdigest()[:32] + '"'
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers={"ETag": etag})
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "private, no-cache"
    return doc


@router.get("/{id}", response_model=DocumentPublic, responses={304: {"description": "unchanged (If-None-Match)"}})
def get_document(id: DocId, key: Viewer, session: SessionDep, request: Request,
                 response: Response) -> DocumentPublic | Response:
    """Status, and when finished the record (records.md). Send ``If-None-Match`` to poll cheaply."""
    return _with_etag(request, response, _public(session, _load(session, id, key.org)))


def _original(store: StoreDep, row: DocumentRow) -> bytes:
    try:
        return store.get(original_key(row.sha256))
    except ObjectNotFound:
        raise HTTPException(status.HTTP_410_GONE, "the original file is no longer stored") from None


@router.get("/{id}/pages", response_model=list[PageInfo])
def pages(id: DocId, key: Viewer, session: SessionDep, store: StoreDep) -> list[PageInfo]:
    """The pages of the document's file (sizes in points, as boxes are) with their image URLs."""
    row = _load(session, id, key.org)
    try:
        sizes = page_sizes(_original(store, row), row.mime)
    except NoPageImage:
        return []
    first, last = row.page_first or 1, row.page_last or len(sizes)
    return [PageInfo(number=n, width=w, height=h, image_url=f"/api/v1/documents/{id}/pages/{n}.png")
            for n, (w, h) in enumerate(sizes, start=1) if first <= n <= last]


@router.get("/{id}/pages/{number}.png", response_class=Response,
            responses={200: {"content": {"image/png": {}}, "description": "the page image"}})
def page_image(id: DocId, number: Annotated[int, Path(ge=1)], key: Viewer, session: SessionDep, store: StoreDep,
               dpi: Annotated[int, Query(ge=36, le=300)] = 110) -> Response:
    """PNG of page ``number`` of the file, rendered on demand and kept in the object store."""
    row = _load(session, id, key.org)
    cache = f"pages/{row.sha256[:2]}/{row.sha256}/{number}-{dpi}.png"
    try:
        png = store.get(cache)
    except ObjectNotFound:
        try:
            png = render_png(_original(store, row), row.mime, number, dpi)
        except IndexError:
            raise HTTPException(404, f"the file has no page {number}") from None
        except NoPageImage:
            raise HTTPException(404, "this type of file has no page image") from None
        store.put(png, cache, content_type="image/png")
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


@router.patch("/{id}/fields/{name}", response_model=DocumentPublic)
def correct_field(id: DocId, name: str, body: FieldCorrection, key: Corrector, session: SessionDep) -> DocumentPublic:
    """Correct one field: the record is updated and the change (who, when, old, new) is logged."""
    if not FIELD_NAME.match(name):
        raise HTTPException(422, "a field name is lower-case letters, digits and _")
    row = _load(session, id, key.org)
    if row.record is None or row.status not in ("done", "partial", "failed"):
        raise HTTPException(409, "the document is not processed yet")
    record: dict[str, Any] = dict(row.record)
    old = record.get("fields", {}).get(name)
    record["fields"] = {**record.get("fields", {}), name: body.value}
    details = [dict(d) for d in record.get("field_details", [])]
    for d in details:
        if d.get("name") == name:
            d.update(value=body.value, confidence=1.0, corrected=True)
            break
    else:
        details.append({"name": name, "value": body.value, "confidence": 1.0, "page": None, "bbox": None,
                        "source": "derived", "corrected": True})
    record["field_details"] = details
    repo.add_correction(session, document_id=row.id, field=name, old=old, new=body.value, who=key.who)
    srepo.update_record(session, id=row.id, record=record)
    session.commit()
    return _public(session, row)


@router.get("/{id}/corrections", response_model=list[CorrectionPublic])
def corrections(id: DocId, key: Viewer, session: SessionDep) -> list[CorrectionPublic]:
    """The audit trail of a document's corrections, oldest first."""
    row = _load(session, id, key.org)
    return [CorrectionPublic(field=c.field, old=c.old, new=c.new, who=c.who, at=c.at)
            for c in repo.list_corrections(session, document_id=row.id)]


@router.post("/{id}/review", response_model=DocumentPublic)
def review(id: DocId, body: ReviewCreate, key: Reviewer, session: SessionDep) -> DocumentPublic:
    """Mark the document reviewed, clearing the named risk flags (each keeps who cleared it and when)."""
    row = _load(session, id, key.org)
    if row.record is None:
        raise HTTPException(409, "the document is not processed yet")
    record: dict[str, Any] = dict(row.record)
    codes = {f["code"] for f in record.get("risk_flags", [])}
    unknown = sorted(set(body.cleared_flags) - codes)
    if unknown:
        raise HTTPException(422, f"the document has no flag {', '.join(unknown)}")
    at = utcnow().isoformat()
    flags = []
    for f in record.get("risk_flags", []):
        f = dict(f)
        if f["code"] in body.cleared_flags and not f.get("cleared"):
            f["cleared"] = {"by": key.who, "at": at}
        flags.append(f)
    record["risk_flags"] = flags
    record["review"] = {"by": key.who, "at": at, "note": body.note}
    srepo.add_review(session, document_id=row.id, who=key.who, cleared_flags=body.cleared_flags, note=body.note)
    srepo.update_record(session, id=row.id, record=record)
    session.commit()
    return _public(session, row)
