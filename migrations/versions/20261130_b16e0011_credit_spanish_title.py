"""a credit keeps its course's (or support group's) Spanish title, so a Spanish family reads its record in Spanish

Existing credits take theirs from the course or group they came from.

Revision ID: b16e0011
Revises: b16e0010
Create Date: 2026-11-30 05:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b16e0011'
down_revision: str | None = 'b16e0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('training_credit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_es', sa.String(length=200), nullable=False, server_default=''))
    op.execute("UPDATE training_credit SET title_es = (SELECT course.title_es FROM course "
               "WHERE course.id = training_credit.course_id) WHERE course_id IS NOT NULL")
    op.execute("UPDATE training_credit SET title_es = '' WHERE title_es IS NULL")


def downgrade() -> None:
    with op.batch_alter_table('training_credit', schema=None) as batch_op:
        batch_op.drop_column('title_es')
