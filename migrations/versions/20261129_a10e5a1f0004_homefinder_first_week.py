"""homefinder's first week (invitations shown, first contact from logged contacts)

Upgrade adds `lead.invited_at`, filled from the first invitation in the event log, and `lead.invitation_resent_at`
(when the invitation was last sent again); and it sets every lead's `first_contact_at` again from the log: the
earliest logged contact ("Mark as contacted", action `lead_contacted`, target Lead), or NULL when none was logged.
Until now, recording attendance or an invitation also set it, so the hours to first contact counted contacts nobody
made. A contact marked before "Mark as contacted" recorded an event (before the one event log) has no row to be
found by, and reads as not contacted.

Downgrade drops the two columns but cannot give back the first-contact times the upgrade replaced (the old values
were not kept anywhere): after a downgrade they stay as the event log gave them.

Revision ID: a10e5a1f0004
Revises: a10e5a1f0003
Create Date: 2026-11-29 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'a10e5a1f0004'
down_revision: str | None = 'a10e5a1f0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invited_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('invitation_resent_at', sa.DateTime(timezone=True), nullable=True))
    # Leads invited before the column existed: the first invitation in the event log.
    op.execute(
        "UPDATE lead SET invited_at = (SELECT MIN(audit_event.occurred_at) FROM audit_event "
        "WHERE audit_event.action = 'invited_to_apply' AND audit_event.target_type = 'Lead' "
        "AND audit_event.target_id = lead.id) "
        "WHERE invited_at IS NULL"
    )
    # First contact is a logged contact only: the earliest one, or none (attendance and invitations set it before).
    op.execute(
        "UPDATE lead SET first_contact_at = (SELECT MIN(audit_event.occurred_at) FROM audit_event "
        "WHERE audit_event.action = 'lead_contacted' AND audit_event.target_type = 'Lead' "
        "AND audit_event.target_id = lead.id)"
    )


def downgrade() -> None:
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_column('invitation_resent_at')
        batch_op.drop_column('invited_at')
