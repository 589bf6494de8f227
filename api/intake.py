"""Taking a file in (API upload, watched folder): limits, type sniffed from bytes, original kept, row queued.

A file's name is only a label (``source``): it never becomes a path or an object key;
the original is stored under its sha256.
"""

from __future__ import annotations

import hashlib
import re
import uuid

from sqlalchemy.orm import Session

from api.render import page_count
from pipeline.backends import sniff_mime
from pipeline.errors import DocintelError
from pipeline.settings import Settings
from storage import repository as repo
from storage.objects import ObjectStore, original_key
from storage.tables import DocumentRow


class Rejected(Exception):
    """A file the service will not take: ``status_code`` 413 (too large) or 422 (type, pages)."""

    def __init__(self, status_code: int, message: str):
        super().__init__(message)
        self.status_code = status_code
        self.message = message


def max_bytes(settings: Settings) -> int:
    return int(settings.limits.max_file_mb * 1024 * 1024)


def safe_label(name: str | None) -> str:
    """The file's base name without control characters, at most 200 characters; a label, not a path."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip()
    return base[:200] or "upload"


def check(data: bytes, name: str, settings: Settings) -> str:
    """The sniffed MIME type, or ``Rejected`` with a message a clerk understands."""
    if len(data) > max_bytes(settings):
        raise Rejected(413, f"{name}: the file is {len(data) / 1048576:.1f} MB; the limit is "
                            f"{settings.limits.max_file_mb:g} MB")
    try:
        mime = sniff_mime(data)
    except DocintelError as exc:
        raise Rejected(422, f"{name}: {exc}") from None
    pages = page_count(data, mime)
    if pages is not None and pages > settings.limits.max_pages:
        raise Rejected(422, f"{name}: {pages} pages; the limit is {settings.limits.max_pages}")
    return mime


def register(session: Session, store: ObjectStore, *, data: bytes, name: str, mime: str, org: str) -> DocumentRow:
    """Keep the original (by sha256) and add a queued row; the caller commits, then submits the job."""
    sha = hashlib.sha256(data).hexdigest()
    key = original_key(sha)
    if not store.exists(key):
        store.put(data, key, content_type=mime)
    return repo.create_document(session, id=uuid.uuid4().hex, sha256=sha, source=name, mime=mime,
                                size=len(data), org=org, status="queued")
