"""training catalog and enrollment: one live enrollment per person and session (a partial unique index)

A double tap on "Enroll", or two browsers at once, can't seat or waitlist the same person twice in a session.

Revision ID: b16e0006
Revises: b16e0005
Create Date: 2026-11-30 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b16e0006'
down_revision: str | None = 'b16e0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = "status IN ('enrolled', 'waitlisted')"


def upgrade() -> None:
    op.create_index('uq_enrollment_live_person', 'enrollment', ['session_id', 'member_id'], unique=True,
                    sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))


def downgrade() -> None:
    op.drop_index('uq_enrollment_live_person', table_name='enrollment')
