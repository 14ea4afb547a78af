"""session_meeting.sequence: the calendar event's SEQUENCE, bumped when a meeting's time or place changes

Review fixes of the trainings' hours, groups and calendar (issue 11).

Revision ID: b16e0010
Revises: b16e0009
Create Date: 2026-11-30 05:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b16e0010'
down_revision: str | None = 'b16e0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('session_meeting') as batch:
        batch.add_column(sa.Column('sequence', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('session_meeting') as batch:
        batch.drop_column('sequence')
