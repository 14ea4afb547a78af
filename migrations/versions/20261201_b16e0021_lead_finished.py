"""home page speed: each lead's `finished` flag (licensed or closed), worked out for every lead now and kept by the
portal from then on (licensing/pipeline/finished.py), with an index of (finished, last_activity_at) for the stalled
count

Revision ID: b16e0021
Revises: b16e0020
Create Date: 2026-12-01 04:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b16e0021'
down_revision: str | None = 'b16e0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.add_column(sa.Column('finished', sa.Boolean(), server_default=sa.false(), nullable=False))
    # The same rule as licensing/pipeline/finished.py::finished_now, written out: a migration must not change when
    # the code does.
    op.execute(
        "UPDATE lead SET finished = (lead.status = 'closed' OR EXISTS ("
        "SELECT 1 FROM application WHERE application.household_id = lead.household_id AND ("
        "application.status IN ('denied', 'withdrawn') OR EXISTS ("
        "SELECT 1 FROM license WHERE license.application_id = application.id "
        "AND license.status IN ('closed', 'active', 'expired')))))"
    )
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.create_index('ix_lead_finished_activity', ['finished', 'last_activity_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_finished_activity')
        batch_op.drop_column('finished')
