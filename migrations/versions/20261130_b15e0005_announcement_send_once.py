"""an announcement is sent once: the key its preview handed out is stored, unique

A double click on "Send", or the same request sent again with an old cookie, finds the key taken and sends nothing.

Revision ID: b15e0005
Revises: b15e0004
Create Date: 2026-11-30 02:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b15e0005'
down_revision: str | None = 'b15e0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A new table's column and its own index: no rebuild of any table another one names.
    op.add_column('announcement', sa.Column('send_key', sa.String(length=64), nullable=True))
    op.create_index('uq_announcement_send_key', 'announcement', ['send_key'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_announcement_send_key', table_name='announcement')
    op.drop_column('announcement', 'send_key')
