"""Request and response schemas of the API (separate from the tables)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

Role = Literal["clerk", "reviewer", "integration", "admin"]


class UploadAccepted(BaseModel):
    id: str
    status: Literal["queued"] = "queued"
    source: str
    sha256: str


class ErrorPublic(BaseModel):
    stage: str
    message: str


class DocumentSummary(BaseModel):
    id: str
    ingest_id: str
    status: str
    source: str
    doc_type: str | None = None
    page_range: list[int] | None = None
    flags: list[str] = Field(default_factory=list, description="risk flag codes not cleared by a reviewer")
    reviewed: bool = False
    created_at: datetime
    updated_at: datetime


class CorrectionPublic(BaseModel):
    field: str
    old: Any = None
    new: Any = None
    who: str
    at: datetime


class ReviewPublic(BaseModel):
    who: str
    cleared_flags: list[str]
    note: str
    at: datetime


class DocumentPublic(DocumentSummary):
    """A document's state; ``record`` (records.md) once it is done, partial or failed.

    An upload split into several documents: this row is the first document and
    ``documents`` lists every document of the upload (this one included), each
    with its own id to GET.
    """

    sha256: str
    mime: str
    size: int
    attempts: int
    errors: list[ErrorPublic] = Field(default_factory=list)
    record: dict[str, Any] | None = None
    documents: list[DocumentSummary] = Field(default_factory=list)
    corrections: list[CorrectionPublic] = Field(default_factory=list)
    reviews: list[ReviewPublic] = Field(default_factory=list)


class DocumentList(BaseModel):
    items: list[DocumentSummary]
    next_cursor: str | None = Field(None, description="pass back as ?cursor= for the next page; null on the last")


class FieldCorrection(BaseModel):
    value: Any = Field(..., description="the corrected value, in its records.md normalised form (null clears it)")


class ReviewCreate(BaseModel):
    cleared_flags: list[str] = Field(default_factory=list, description="risk flag codes the reviewer clears")
    note: str = ""


class PageInfo(BaseModel):
    number: int
    width: float = Field(..., description="points")
    height: float = Field(..., description="points")
    image_url: str


class KeyCreate(BaseModel):
    role: Role
    name: str = ""


class KeyPublic(BaseModel):
    id: str
    org: str
    role: str
    name: str
    created_at: datetime
    revoked: bool = False


class KeyCreated(KeyPublic):
    key: str = Field(..., description="shown once; only its hash is stored")
