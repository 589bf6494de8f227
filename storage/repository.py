"""Repository functions: keyword-only, one session in, rows out.

They ``flush`` but never ``commit``: the caller owns the transaction, so a result, its
invoice keys and its page hashes are saved together or not at all::

    with factory.begin() as session:
        save_result(session, id=doc_id, record=record, status="done", ...)
        add_invoice_key(session, document_id=doc_id, sha256=sha, invoice_code=c, invoice_number=n)
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from storage.errors import DocumentNotFound, InvalidCursor
from storage.tables import (
    STATUSES,
    CorrectionRow,
    DocumentRow,
    InvoiceKeyRow,
    PageBandRow,
    PageHashRow,
    utcnow,
)

MAX_LIMIT = 500


class PageHash(NamedTuple):
    document_id: str
    sha256: str
    page: int
    phash: str


class PageCandidate(NamedTuple):
    """A stored page that shares an LSH band with a new one (``find_page_candidates``)."""

    document_id: str
    page: int
    phash: str
    phash16: str | None
    tokens: list[str]
    source: str
    created_at: datetime


class DocumentPage(NamedTuple):
    """One page of ``list_documents``; ``next_cursor`` is None on the last page."""

    items: list[DocumentRow]
    next_cursor: str | None


def _check_status(status: str) -> str:
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}")
    return status


def _require(session: Session, id: str) -> DocumentRow:
    row = session.get(DocumentRow, id)
    if row is None:
        raise DocumentNotFound(id)
    return row


# --- documents -------------------------------------------------------------------------


def create_document(
    session: Session,
    *,
    id: str,
    sha256: str,
    source: str,
    mime: str,
    size: int,
    org: str = "default",
    status: str = "queued",
    ingest_id: str | None = None,
) -> DocumentRow:
    """Insert a document row. Rows split from one file pass the first row's id as ``ingest_id``."""
    now = utcnow()
    row = DocumentRow(
        id=id,
        ingest_id=ingest_id or id,
        org=org,
        sha256=sha256.lower(),
        source=source,
        mime=mime,
        size=size,
        status=_check_status(status),
        errors=[],
        attempts=0,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def mark_processing(session: Session, *, id: str) -> DocumentRow:
    """A worker took the job: status ``processing``, one more attempt."""
    row = _require(session, id)
    row.status = "processing"
    row.attempts = (row.attempts or 0) + 1
    row.updated_at = utcnow()
    session.flush()
    return row


def save_result(
    session: Session,
    *,
    id: str,
    record: dict[str, Any],
    status: str,
    doc_type: str | None,
    invoice_kind: str | None,
    page_first: int | None,
    page_last: int | None,
    errors: Sequence[dict[str, Any]],
) -> DocumentRow:
    """Store a finished (done / partial / failed) record; raises ``DocumentNotFound``."""
    row = _require(session, id)
    row.record = dict(record)
    row.status = _check_status(status)
    row.doc_type = doc_type
    row.invoice_kind = invoice_kind
    row.page_first = page_first
    row.page_last = page_last
    row.errors = [dict(e) for e in errors]
    row.updated_at = utcnow()
    session.flush()
    return row


def get_document(session: Session, *, id: str, org: str | None = None) -> DocumentRow | None:
    """The row, or None when absent or (with ``org``) owned by another organisation."""
    row = session.get(DocumentRow, id)
    if row is None or (org is not None and row.org != org):
        return None
    return row


def find_by_sha256(session: Session, *, sha256: str, exclude_id: str | None = None) -> list[DocumentRow]:
    """Rows of other ingests of the same bytes, oldest first (created_at, id).

    ``exclude_id`` leaves out that row and every row split from the same file (same
    ``ingest_id``), so 29 invoices of one PDF are not duplicates of one another.
    """
    stmt = select(DocumentRow).where(DocumentRow.sha256 == sha256.lower())
    if exclude_id is not None:
        own = session.get(DocumentRow, exclude_id)
        ingest = own.ingest_id if own is not None else exclude_id
        stmt = stmt.where(DocumentRow.id != exclude_id, DocumentRow.ingest_id != ingest)
    stmt = stmt.order_by(DocumentRow.created_at, DocumentRow.id)
    return list(session.scalars(stmt))


def _encode_cursor(row: DocumentRow) -> str:
    raw = json.dumps([row.updated_at.astimezone(UTC).isoformat(), row.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, id_ = json.loads(raw)
        when = datetime.fromisoformat(stamp)
        if not isinstance(id_, str) or when.tzinfo is None:
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidCursor(cursor) from None
    return when, id_


def list_documents(
    session: Session,
    *,
    org: str | None = None,
    status: str | None = None,
    doc_type: str | None = None,
    updated_since: datetime | None = None,
    limit: int = 50,
    cursor: str | None = None,
    newest_first: bool = False,
) -> DocumentPage:
    """Documents in (updated_at, id) order, ``limit`` at a time; pass ``next_cursor`` back for more.

    Oldest first (the default) is a change feed: a row updated while a client pages
    moves past the cursor and is seen again, never skipped. ``updated_since`` is inclusive.
    """
    limit = max(1, min(limit, MAX_LIMIT))
    stmt = select(DocumentRow)
    if org is not None:
        stmt = stmt.where(DocumentRow.org == org)
    if status is not None:
        stmt = stmt.where(DocumentRow.status == _check_status(status))
    if doc_type is not None:
        stmt = stmt.where(DocumentRow.doc_type == doc_type)
    if updated_since is not None:
        stmt = stmt.where(DocumentRow.updated_at >= updated_since)
    if cursor is not None:
        when, last_id = _decode_cursor(cursor)
        if newest_first:
            after = or_(
                DocumentRow.updated_at < when,
                and_(DocumentRow.updated_at == when, DocumentRow.id < last_id),
            )
        else:
            after = or_(
                DocumentRow.updated_at > when,
                and_(DocumentRow.updated_at == when, DocumentRow.id > last_id),
            )
        stmt = stmt.where(after)
    if newest_first:
        stmt = stmt.order_by(DocumentRow.updated_at.desc(), DocumentRow.id.desc())
    else:
        stmt = stmt.order_by(DocumentRow.updated_at, DocumentRow.id)
    rows = list(session.scalars(stmt.limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return DocumentPage(rows, _encode_cursor(rows[-1]) if more else None)


# --- invoice keys (DUPLICATE_INVOICE) ---------------------------------------------------


def add_invoice_key(
    session: Session,
    *,
    document_id: str,
    sha256: str,
    invoice_number: str,
    invoice_code: str | None = None,
) -> InvoiceKeyRow:
    """Remember an invoice's code and number; idempotent per (document, code, number) for retried jobs."""
    code = invoice_code or None
    existing = session.scalars(
        select(InvoiceKeyRow).where(
            InvoiceKeyRow.document_id == document_id,
            InvoiceKeyRow.invoice_number == invoice_number,
            InvoiceKeyRow.invoice_code.is_(None) if code is None else InvoiceKeyRow.invoice_code == code,
        )
    ).first()
    if existing is not None:
        return existing
    row = InvoiceKeyRow(
        document_id=document_id,
        sha256=sha256.lower(),
        invoice_number=invoice_number,
        invoice_code=code,
    )
    session.add(row)
    session.flush()
    return row


def find_invoice_key(
    session: Session,
    *,
    invoice_code: str | None,
    invoice_number: str,
    exclude_sha256: str | None,
) -> list[InvoiceKeyRow]:
    """Known invoices with this code and number (code None: e-invoices) in other files, oldest first."""
    code = invoice_code or None
    stmt = select(InvoiceKeyRow).where(
        InvoiceKeyRow.invoice_number == invoice_number,
        InvoiceKeyRow.invoice_code.is_(None) if code is None else InvoiceKeyRow.invoice_code == code,
    )
    if exclude_sha256 is not None:
        stmt = stmt.where(InvoiceKeyRow.sha256 != exclude_sha256.lower())
    return list(session.scalars(stmt.order_by(InvoiceKeyRow.id)))


# --- page hashes (re-scanned duplicates) -------------------------------------------------


def _check_phash(phash: str) -> str:
    value = phash.strip().lower()
    if len(value) != 16 or any(c not in "0123456789abcdef" for c in value):
        raise ValueError(f"phash must be 16 hex digits (64 bits): {phash!r}")
    return value


def add_page_hash(
    session: Session,
    *,
    document_id: str,
    sha256: str,
    page: int,
    phash: str,
    phash16: str | None = None,
    tokens: Sequence[str] | None = None,
    bands: Sequence[str] = (),
) -> PageHashRow:
    """Store (or replace, for a retried job) the hashes of one page and its LSH ``bands``."""
    value = _check_phash(phash)
    row = session.scalars(
        select(PageHashRow).where(PageHashRow.document_id == document_id, PageHashRow.page == page)
    ).first()
    if row is None:
        row = PageHashRow(document_id=document_id, sha256=sha256.lower(), page=page, phash=value)
        session.add(row)
    else:
        row.sha256, row.phash = sha256.lower(), value
        session.execute(delete(PageBandRow).where(PageBandRow.page_hash_id == row.id))
    row.phash16 = phash16.lower() if phash16 else None
    row.tokens = list(tokens) if tokens is not None else None
    session.flush()
    session.add_all(PageBandRow(page_hash_id=row.id, band=b) for b in dict.fromkeys(bands))
    session.flush()
    return row


def all_page_hashes(session: Session) -> list[PageHash]:
    """Every stored page hash as ``(document_id, sha256, page, phash)``, in insertion order."""
    stmt = select(PageHashRow.document_id, PageHashRow.sha256, PageHashRow.page, PageHashRow.phash).order_by(
        PageHashRow.id
    )
    return [PageHash(*r) for r in session.execute(stmt)]


def find_page_candidates(session: Session, *, bands: Sequence[str], exclude_ingest_id: str | None = None,
                         limit: int = 500) -> list[PageCandidate]:
    """Stored pages sharing at least one LSH band, most shared bands first; not those of ``exclude_ingest_id``.

    Reads through the ``band`` index only, so the cost follows the number of similar pages,
    not the size of the table. A re-scan shares many bands, a page that merely has the same
    parties one or two, so ``limit`` keeps the likely ones when thousands look alike.
    """
    if not bands:
        return []
    hits = (
        select(PageBandRow.page_hash_id, func.count().label("shared"))
        .where(PageBandRow.band.in_(list(dict.fromkeys(bands))))
        .group_by(PageBandRow.page_hash_id)
        .subquery()
    )
    stmt = (
        select(PageHashRow.document_id, PageHashRow.page, PageHashRow.phash, PageHashRow.phash16,
               PageHashRow.tokens, DocumentRow.source, DocumentRow.created_at)
        .join(hits, hits.c.page_hash_id == PageHashRow.id)
        .join(DocumentRow, DocumentRow.id == PageHashRow.document_id)
    )
    if exclude_ingest_id is not None:
        stmt = stmt.where(DocumentRow.ingest_id != exclude_ingest_id)
    stmt = stmt.order_by(hits.c.shared.desc(), DocumentRow.created_at, DocumentRow.id, PageHashRow.page).limit(limit)
    return [PageCandidate(d, p, ph, ph16, list(t or []), src, at) for d, p, ph, ph16, t, src, at in session.execute(stmt)]


# --- corrections (audit trail) -----------------------------------------------------------


def add_correction(session: Session, *, document_id: str, field: str, old: Any, new: Any, who: str) -> CorrectionRow:
    """Log that ``who`` changed ``field`` from ``old`` to ``new`` (the record itself is saved separately)."""
    _require(session, document_id)
    row = CorrectionRow(document_id=document_id, field=field, old=old, new=new, who=who, at=utcnow())
    session.add(row)
    session.flush()
    return row


def list_corrections(session: Session, *, document_id: str) -> list[CorrectionRow]:
    """A document's corrections, oldest first."""
    stmt = (
        select(CorrectionRow)
        .where(CorrectionRow.document_id == document_id)
        .order_by(CorrectionRow.at, CorrectionRow.id)
    )
    return list(session.scalars(stmt))


# --- receivables (storage.linking) ---------------------------------------------------------


def receivable(session: Session, *, contract_id: str, org: str) -> dict[str, Any] | None:
    """A contract's receivable (price, invoiced, paid, outstanding, schedule), or None when not ``org``'s contract."""
    from storage.linking import receivable as _receivable

    return _receivable(session, contract_id=contract_id, org=org)


def list_receivables(session: Session, *, org: str) -> list[dict[str, Any]]:
    """Every finished contract's receivable in ``org``, oldest contract first."""
    from storage.linking import list_receivables as _list

    return _list(session, org=org)
