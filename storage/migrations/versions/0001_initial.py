"""initial: documents, invoice_keys, page_hashes, corrections

Revision ID: 0001_initial
Revises:
Create Date: 2024-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001_initial"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the types in storage/tables.py: a revision must not change when tables.py does.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("ingest_id", sa.String(32), nullable=False),
        sa.Column("org", sa.String(64), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("mime", sa.String(255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("doc_type", sa.String(32), nullable=True),
        sa.Column("invoice_kind", sa.String(32), nullable=True),
        sa.Column("page_first", sa.Integer(), nullable=True),
        sa.Column("page_last", sa.Integer(), nullable=True),
        sa.Column("record", JSON, nullable=True),
        sa.Column("errors", JSON, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
        sa.CheckConstraint(
            "status IN ('queued', 'processing', 'done', 'partial', 'failed')",
            name="ck_documents_status",
        ),
    )
    op.create_index("ix_documents_sha256", "documents", ["sha256"])
    op.create_index("ix_documents_ingest_id", "documents", ["ingest_id"])
    op.create_index("ix_documents_updated_at", "documents", ["updated_at", "id"])
    op.create_index("ix_documents_org_status", "documents", ["org", "status"])

    op.create_table(
        "invoice_keys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("invoice_code", sa.String(20), nullable=True),
        sa.Column("invoice_number", sa.String(20), nullable=False),
        sa.Column("document_id", sa.String(32), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_invoice_keys"),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name="fk_invoice_keys_document_id_documents",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_invoice_keys_code_number",
        "invoice_keys",
        ["invoice_code", "invoice_number"],
    )
    op.create_index("ix_invoice_keys_document_id", "invoice_keys", ["document_id"])

    op.create_table(
        "page_hashes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(32), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("phash", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_page_hashes"),
        sa.UniqueConstraint("document_id", "page", name="uq_page_hashes_document_id_page"),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name="fk_page_hashes_document_id_documents",
            ondelete="CASCADE",
        ),
    )

    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(32), nullable=False),
        sa.Column("field", sa.String(128), nullable=False),
        sa.Column("old", JSON, nullable=True),
        sa.Column("new", JSON, nullable=True),
        sa.Column("who", sa.String(128), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_corrections"),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name="fk_corrections_document_id_documents",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_corrections_document_id", "corrections", ["document_id"])


def downgrade() -> None:
    op.drop_table("corrections")
    op.drop_table("page_hashes")
    op.drop_index("ix_invoice_keys_document_id", table_name="invoice_keys")
    op.drop_index("ix_invoice_keys_code_number", table_name="invoice_keys")
    op.drop_table("invoice_keys")
    op.drop_index("ix_documents_org_status", table_name="documents")
    op.drop_index("ix_documents_updated_at", table_name="documents")
    op.drop_index("ix_documents_ingest_id", table_name="documents")
    op.drop_index("ix_documents_sha256", table_name="documents")
    op.drop_table("documents")
