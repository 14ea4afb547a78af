"""children: at most one active placement per child (a partial unique index)

Placed children (caseload, placements, matching, respite) need no new table: this revision adds only the index that
keeps two simultaneous placements of one child from both being stored.

Revision ID: b16e0002
Revises: b16e0001
Create Date: 2026-11-30 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b16e0002'
down_revision: str | None = 'b16e0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.create_index('uq_placement_active_child', ['child_id'], unique=True,
                              sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))


def downgrade() -> None:
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.drop_index('uq_placement_active_child', sqlite_where=sa.text("status = 'active'"),
                            postgresql_where=sa.text("status = 'active'"))
