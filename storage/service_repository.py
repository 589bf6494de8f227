"""Repository functions for the service (issue 6): API keys, queue jobs, reviews, watched folders.

Same rules as ``storage.repository``: keyword-only, one session in, ``flush`` never ``commit``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.errors import DocumentNotFound
from storage.tables import (
    ROLES,
    ApiKeyRow,
    DocumentJobRow,
    DocumentRow,
    ReviewRow,
    WatchFileRow,
    utcnow,
)

#: Every API key starts with this, then the public id, then the secret: ``dk_<id>_<secret>``.
KEY_PREFIX = "dk_"

#: Statuses a document is still waiting in (a job should exist for it).
PENDING_STATUSES: tuple[str, ...] = ("queued", "processing")


class NewKey(NamedTuple):
    row: ApiKeyRow
    key: str  # shown once, never stored


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


# --- API keys --------------------------------------------------------------------------------


def create_api_key(session: Session, *, org: str, role: str, name: str = "") -> NewKey:
    """A new key for ``org`` with ``role``; the plain key is returned once and only its hash is kept."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    if not org or len(org) > 64:
        raise ValueError("org must be 1 to 64 characters")
    key_id = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(24)}"
    row = ApiKeyRow(id=key_id, org=org, role=role, name=name[:128], key_hash=hash_key(key), created_at=utcnow())
    session.add(row)
    session.flush()
    return NewKey(row, key)


def find_api_key(session: Session, *, key: str) -> ApiKeyRow | None:
    """The live key row for a presented key, or None (unknown, wrong secret, revoked)."""
    if not key.startswith(KEY_PREFIX) or key.count("_") < 2:
        return None
    key_id = key[len(KEY_PREFIX):].split("_", 1)[0]
    row = session.get(ApiKeyRow, key_id)
    if row is None or row.revoked_at is not None:
        return None
    return row if hmac.compare_digest(row.key_hash, hash_key(key)) else None


def list_api_keys(session: Session, *, org: str) -> list[ApiKeyRow]:
    return list(session.scalars(select(ApiKeyRow).where(ApiKeyRow.org == org).order_by(ApiKeyRow.created_at)))


def revoke_api_key(session: Session, *, id: str, org: str) -> ApiKeyRow | None:
    row = session.get(ApiKeyRow, id)
    if row is None or row.org != org:
        return None
    row.revoked_at = row.revoked_at or utcnow()
    session.flush()
    return row


# --- documents: status, record, ingest ------------------------------------------------------------


def set_status(session: Session, *, id: str, status: str, errors: list[dict[str, Any]] | None = None) -> DocumentRow:
    row = session.get(DocumentRow, id)
    if row is None:
        raise DocumentNotFound(id)
    row.status = status
    if errors is not None:
        row.errors = [dict(e) for e in errors]
    row.updated_at = utcnow()
    session.flush()
    return row


def update_record(session: Session, *, id: str, record: dict[str, Any]) -> DocumentRow:
    """Replace a document's record (after a correction or a review); bumps ``updated_at``."""
    row = session.get(DocumentRow, id)
    if row is None:
        raise DocumentNotFound(id)
    row.record = dict(record)
    row.updated_at = utcnow()
    session.flush()
    return row


def list_ingest(session: Session, *, ingest_id: str) -> list[DocumentRow]:
    """Every document split from one upload, in page order (the upload's own row first)."""
    stmt = select(DocumentRow).where(DocumentRow.ingest_id == ingest_id)
    rows = list(session.scalars(stmt))
    return sorted(rows, key=lambda r: (r.id != ingest_id, r.page_first or 0, r.id))


def pending_documents(session: Session, *, updated_before: datetime | None = None) -> list[DocumentRow]:
    """Documents still queued or processing (the reaper's candidates), oldest first."""
    stmt = select(DocumentRow).where(DocumentRow.status.in_(PENDING_STATUSES))
    if updated_before is not None:
        stmt = stmt.where(DocumentRow.updated_at < updated_before)
    return list(session.scalars(stmt.order_by(DocumentRow.updated_at)))


def count_by_status(session: Session) -> dict[str, int]:
    stmt = select(DocumentRow.status, func.count()).group_by(DocumentRow.status)
    return {status: int(n) for status, n in session.execute(stmt)}


# --- queue jobs -------------------------------------------------------------------------------------


def set_job(session: Session, *, document_id: str, job_id: str) -> DocumentJobRow:
    """Make ``job_id`` the one job allowed to process the document (a re-queue replaces the old one)."""
    row = session.get(DocumentJobRow, document_id)
    if row is None:
        row = DocumentJobRow(document_id=document_id, job_id=job_id, enqueues=1, enqueued_at=utcnow())
        session.add(row)
    else:
        row.job_id, row.enqueues, row.enqueued_at = job_id, (row.enqueues or 0) + 1, utcnow()
    session.flush()
    return row


def get_job(session: Session, *, document_id: str) -> DocumentJobRow | None:
    return session.get(DocumentJobRow, document_id)


# --- reviews ------------------------------------------------------------------------------------------


def add_review(session: Session, *, document_id: str, who: str, cleared_flags: list[str], note: str = "") -> ReviewRow:
    if session.get(DocumentRow, document_id) is None:
        raise DocumentNotFound(document_id)
    row = ReviewRow(document_id=document_id, who=who, cleared_flags=list(cleared_flags), note=note, at=utcnow())
    session.add(row)
    session.flush()
    return row


def list_reviews(session: Session, *, document_id: str) -> list[ReviewRow]:
    stmt = select(ReviewRow).where(ReviewRow.document_id == document_id).order_by(ReviewRow.at, ReviewRow.id)
    return list(session.scalars(stmt))


# --- watched folders -------------------------------------------------------------------------------


def get_watch_file(session: Session, *, folder: str, sha256: str) -> WatchFileRow | None:
    stmt = select(WatchFileRow).where(WatchFileRow.folder == folder, WatchFileRow.sha256 == sha256)
    return session.scalars(stmt).first()


def add_watch_file(session: Session, *, folder: str, sha256: str, name: str, document_id: str | None,
                   state: str = "submitted") -> WatchFileRow:
    now = utcnow()
    row = WatchFileRow(folder=folder, sha256=sha256, name=name, document_id=document_id, state=state,
                       created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    return row


def set_watch_state(session: Session, *, id: int, state: str) -> None:
    row = session.get(WatchFileRow, id)
    if row is not None:
        row.state, row.updated_at = state, utcnow()
        session.flush()
