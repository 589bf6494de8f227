"""receivables: links from invoices and payment vouchers to their contract

Revision ID: 0003_receivables
Revises: 0002_service
Create Date: 2024-12-16
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_receivables"
down_revision: str | Sequence[str] | None = "0002_service"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the types in storage/tables.py.
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "links",
        sa.Column("document_id", sa.String(32), nullable=False),
        sa.Column("contract_id", sa.String(32), nullable=False),
        sa.Column("org", sa.String(64), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("document_id", name="pk_links"),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"],
                                name="fk_links_document_id_documents", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["contract_id"], ["documents.id"],
                                name="fk_links_contract_id_documents", ondelete="CASCADE"),
        sa.CheckConstraint("method IN ('contract_number', 'parties')", name="ck_links_method"),
    )
    op.create_index("ix_links_contract_id", "links", ["contract_id"])
    op.create_index("ix_links_org", "links", ["org"])


def downgrade() -> None:
    op.drop_index("ix_links_org", table_name="links")
    op.drop_index("ix_links_contract_id", table_name="links")
    op.drop_table("links")
