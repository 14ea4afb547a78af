"""a document may have several pages (images) kept together

Revision ID: a10e5a1f0002
Revises: a10e5a1f0001
Create Date: 2026-11-29 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a10e5a1f0002"
down_revision: str | None = "a10e5a1f0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The document's own file stays its first page; further pages sent with it in one upload are kept here.
    op.create_table(
        "application_document_page",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["application_document.id"],
            name=op.f("fk_application_document_page_document_id_application_document"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_document_page")),
        sa.UniqueConstraint("document_id", "position", name=op.f("uq_application_document_page_document_id")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_application_document_page_stored_name")),
    )
    with op.batch_alter_table("application_document_page", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_application_document_page_document_id"), ["document_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("application_document_page", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_document_page_document_id"))
    op.drop_table("application_document_page")
