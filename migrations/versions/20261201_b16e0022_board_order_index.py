"""board speed: an index of lead(status_changed_at, id), the board's default order (days in the stage), so its first
page reads the families in order and stops at the page's last one instead of sorting every family; and one of
lead(household_id, assigned_homefinder_id, status_changed_at, id), so "my families" finds who works each family
without reading the lead's wide rows

Revision ID: b16e0022
Revises: b16e0021
Create Date: 2026-12-01 05:35:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = 'b16e0022'
down_revision: str | None = 'b16e0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.create_index('ix_lead_status_changed', ['status_changed_at', 'id'], unique=False)
        batch_op.create_index('ix_lead_board_homefinder',
                              ['household_id', 'assigned_homefinder_id', 'status_changed_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_board_homefinder')
        batch_op.drop_index('ix_lead_status_changed')
