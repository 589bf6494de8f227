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


class ReceivableItem(BaseModel):
    """An invoice or payment linked to the contract; ``counted`` is false for a repeat of one already counted."""

    document_id: str
    link_method: Literal["contract_number", "parties"]
    amount: str | None = Field(None, description="invoice total_amount / voucher amount, records.md money")
    counted: bool = True
    flags: list[str] = Field(default_factory=list, description="open risk flag codes of the document")
    invoice_number: str | None = None
    issue_date: str | None = None
    serial_number: str | None = None
    payment_date: str | None = None


class PaymentNode(BaseModel):
    milestone: str
    rate: Any = None
    amount: str | None = Field(None, description="stated, or rate × price where the rate is of the price")
    due_days: int | None = None
    cumulative: bool = False
    due_date: str | None = Field(None, description="ISO date where the contract alone fixes it, else null")
    basis: str | None = Field(None, description="what due_date counts from")


class ReceivablePublic(BaseModel):
    """A contract's receivable: money as records.md decimal strings; ``outstanding`` = invoiced − paid."""

    contract_id: str
    contract_number: str | None = None
    contract_title: str | None = None
    party_a_name: str | None = Field(None, description="the debtor (who pays)")
    party_b_name: str | None = Field(None, description="the creditor (who is paid)")
    project_name: str | None = None
    currency: str = "CNY"
    price: str | None = Field(None, description="the contract's total_amount")
    invoiced: str = Field(..., description="sum of the linked invoices' total_amount (each invoice once)")
    paid: str = Field(..., description="sum of the linked payment vouchers' amount (each voucher once)")
    outstanding: str = Field(..., description="invoiced − paid")
    uninvoiced: str | None = Field(None, description="price − invoiced")
    invoices: list[ReceivableItem] = Field(default_factory=list)
    payments: list[ReceivableItem] = Field(default_factory=list)
    schedule: list[PaymentNode] = Field(default_factory=list, description="payment_terms with due dates")


class ReceivableList(BaseModel):
    items: list[ReceivablePublic]
