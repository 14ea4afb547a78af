"""home page speed: the stalled count reads quiet families from one index of (last_activity_at, status,
household_id), which takes the place of the index of last_activity_at alone (its first column)

Revision ID: b16e0021
Revises: b16e0020
Create Date: 2026-12-01 04:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = 'b16e0021'
down_revision: str | None = 'b16e0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.create_index('ix_lead_activity_status_household', ['last_activity_at', 'status', 'household_id'],
                              unique=False)
        batch_op.drop_index('ix_lead_last_activity_at')


def downgrade() -> None:
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.create_index('ix_lead_last_activity_at', ['last_activity_at'], unique=False)
        batch_op.drop_index('ix_lead_activity_status_household')
