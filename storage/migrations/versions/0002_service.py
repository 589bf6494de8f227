"""service: api_keys, document_jobs, reviews, watch_files

Revision ID: 0002_service
Revises: 0001_initial
Create Date: 2024-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002_service"
down_revision: str | Sequence[str] | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the types in storage/tables.py.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("org", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        sa.CheckConstraint("role IN ('clerk', 'reviewer', 'integration', 'admin')", name="ck_api_keys_role"),
    )
    op.create_index("ix_api_keys_org", "api_keys", ["org"])

    op.create_table(
        "document_jobs",
        sa.Column("document_id", sa.String(32), nullable=False),
        sa.Column("job_id", sa.String(64), nullable=False),
        sa.Column("enqueues", sa.Integer(), nullable=False),
        sa.Column("enqueued_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("document_id", name="pk_document_jobs"),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"],
                                name="fk_document_jobs_document_id_documents", ondelete="CASCADE"),
    )

    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(32), nullable=False),
        sa.Column("who", sa.String(128), nullable=False),
        sa.Column("cleared_flags", JSON, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reviews"),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"],
                                name="fk_reviews_document_id_documents", ondelete="CASCADE"),
    )
    op.create_index("ix_reviews_document_id", "reviews", ["document_id"])

    op.create_table(
        "watch_files",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("folder", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("document_id", sa.String(32), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_watch_files"),
        sa.UniqueConstraint("folder", "sha256", name="uq_watch_files_folder_sha256"),
    )


def downgrade() -> None:
    op.drop_table("watch_files")
    op.drop_index("ix_reviews_document_id", table_name="reviews")
    op.drop_table("reviews")
    op.drop_table("document_jobs")
    op.drop_index("ix_api_keys_org", table_name="api_keys")
    op.drop_table("api_keys")
