"""staff keep short reusable return reasons in both languages

Revision ID: a10e5a1f0003
Revises: a10e5a1f0002
Create Date: 2026-11-29 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'a10e5a1f0003'
down_revision: str | None = 'a10e5a1f0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('return_reason',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text_en', sa.String(length=500), nullable=False),
    sa.Column('text_es', sa.String(length=500), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_return_reason'))
    )


def downgrade() -> None:
    op.drop_table('return_reason')
