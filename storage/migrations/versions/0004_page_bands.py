"""page bands: 256-bit page hashes, the numbers printed on each page, LSH keys (re-scanned duplicates)

Revision ID: 0004_page_bands
Revises: 0003_receivables
Create Date: 2024-12-20
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004_page_bands"
down_revision: str | Sequence[str] | None = "0003_receivables"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the types in storage/tables.py.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.add_column("page_hashes", sa.Column("phash16", sa.String(64), nullable=True))
    op.add_column("page_hashes", sa.Column("tokens", JSON, nullable=True))
    op.create_table(
        "page_bands",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("page_hash_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.String(24), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_page_bands"),
        sa.ForeignKeyConstraint(["page_hash_id"], ["page_hashes.id"],
                                name="fk_page_bands_page_hash_id_page_hashes", ondelete="CASCADE"),
    )
    op.create_index("ix_page_bands_page_hash_id", "page_bands", ["page_hash_id"])
    op.create_index("ix_page_bands_band", "page_bands", ["band"])


def downgrade() -> None:
    op.drop_index("ix_page_bands_band", table_name="page_bands")
    op.drop_index("ix_page_bands_page_hash_id", table_name="page_bands")
    op.drop_table("page_bands")
    with op.batch_alter_table("page_hashes") as batch:
        batch.drop_column("tokens")
        batch.drop_column("phash16")
