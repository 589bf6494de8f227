"""SQLAlchemy 2.0 declarative tables, portable between SQLite and PostgreSQL.

Changing a table means a new Alembic revision in ``storage/migrations/versions``;
``tests/storage`` checks that the migrated schema matches these classes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

#: Document statuses (records.md): queued → processing → done | partial | failed.
STATUSES: tuple[str, ...] = ("queued", "processing", "done", "partial", "failed")

#: Constraint names stay stable across backends, so migrations can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: JSON column: JSONB on PostgreSQL, JSON (text) elsewhere.
JsonType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend.

    Values are converted to UTC on the way in (naive values are taken as UTC) and come
    back aware. SQLite keeps no zone, so it stores the naive UTC time; string order
    then equals time order, which the list cursor relies on.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class DocumentRow(Base):
    """One record (records.md): a file holding 29 invoices gives 29 rows with one ``ingest_id``."""

    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint("status IN (" + ", ".join(f"'{s}'" for s in STATUSES) + ")", name="status"),
        Index("ix_documents_updated_at", "updated_at", "id"),
        Index("ix_documents_org_status", "org", "status"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: The ingest (upload / folder file) this row came from: rows split from one file share it.
    ingest_id: Mapped[str] = mapped_column(String(32), index=True)
    org: Mapped[str] = mapped_column(String(64), default="default")
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(Text)
    mime: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    doc_type: Mapped[str | None] = mapped_column(String(32))
    invoice_kind: Mapped[str | None] = mapped_column(String(32))
    page_first: Mapped[int | None] = mapped_column(Integer)
    page_last: Mapped[int | None] = mapped_column(Integer)
    #: The full records.md object; replaced as a whole (in-place mutation is not tracked).
    record: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    #: ``[{stage, message}]``
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"DocumentRow(id={self.id!r}, status={self.status!r}, doc_type={self.doc_type!r})"


class InvoiceKeyRow(Base):
    """(invoice_code, invoice_number) of an invoice record, for DUPLICATE_INVOICE."""

    __tablename__ = "invoice_keys"
    __table_args__ = (Index("ix_invoice_keys_code_number", "invoice_code", "invoice_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    #: Absent (NULL) on fully digital e-invoices.
    invoice_code: Mapped[str | None] = mapped_column(String(20))
    invoice_number: Mapped[str] = mapped_column(String(20))
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))


class PageHashRow(Base):
    """Perceptual hash of one page image, for re-scanned duplicates (DUPLICATE_DOCUMENT)."""

    __tablename__ = "page_hashes"
    __table_args__ = (UniqueConstraint("document_id", "page"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(String(64))
    page: Mapped[int] = mapped_column(Integer)
    #: 64-bit hash as 16 lower-case hex digits.
    phash: Mapped[str] = mapped_column(String(16))
    #: 256-bit hash as 64 hex digits: the distance judged (classifiers.checks.page_duplicates).
    phash16: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: The numbers printed on the page, sorted: what tells two documents of one template apart.
    tokens: Mapped[list[str] | None] = mapped_column(JsonType, nullable=True)


class PageBandRow(Base):
    """An LSH key of a page hash: the SQL pre-filter for re-scanned duplicates, indexed by ``band``."""

    __tablename__ = "page_bands"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    page_hash_id: Mapped[int] = mapped_column(ForeignKey("page_hashes.id", ondelete="CASCADE"), index=True)
    band: Mapped[str] = mapped_column(String(24), index=True)


class CorrectionRow(Base):
    """Audit trail: a person changed one field of a document's record."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(128))
    old: Mapped[Any] = mapped_column(JsonType, nullable=True)
    new: Mapped[Any] = mapped_column(JsonType, nullable=True)
    who: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# --- service (issue 6): API keys, queue bookkeeping, reviews, watched folders -----------------

#: API key roles: clerk (upload, view, correct), reviewer (+ approve, clear flags),
#: integration (read-only), admin (+ keys).
ROLES: tuple[str, ...] = ("clerk", "reviewer", "integration", "admin")


class ApiKeyRow(Base):
    """An API key: the secret is never stored, only sha256 of the whole key; ``id`` is its public prefix."""

    __tablename__ = "api_keys"
    __table_args__ = (CheckConstraint("role IN (" + ", ".join(f"'{r}'" for r in ROLES) + ")", name="role"),)

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    org: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(128), default="")
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class DocumentJobRow(Base):
    """The queue job currently responsible for a document (a re-queue replaces ``job_id``)."""

    __tablename__ = "document_jobs"

    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    job_id: Mapped[str] = mapped_column(String(64))
    enqueues: Mapped[int] = mapped_column(Integer, default=1)
    enqueued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReviewRow(Base):
    """A reviewer approved a document, possibly clearing some of its risk flags."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    who: Mapped[str] = mapped_column(String(128))
    cleared_flags: Mapped[list[str]] = mapped_column(JsonType, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


#: States of a file seen in a watched folder.
WATCH_STATES: tuple[str, ...] = ("submitted", "done", "failed", "duplicate")


class WatchFileRow(Base):
    """A file seen in a watched folder, by content: the same bytes are never submitted twice."""

    __tablename__ = "watch_files"
    __table_args__ = (UniqueConstraint("folder", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    folder: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text)
    document_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="submitted")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# --- receivables (issue 5 item 7): invoices and payment vouchers linked to their contract ----------

#: How a document was linked: a contract number in its remarks / purpose, or its parties (+ project).
LINK_METHODS: tuple[str, ...] = ("contract_number", "parties")


class LinkRow(Base):
    """An invoice or payment voucher belongs to a contract (both documents of one ``org``)."""

    __tablename__ = "links"
    __table_args__ = (
        CheckConstraint("method IN (" + ", ".join(f"'{m}'" for m in LINK_METHODS) + ")", name="method"),
    )

    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    org: Mapped[str] = mapped_column(String(64), index=True)
    method: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
