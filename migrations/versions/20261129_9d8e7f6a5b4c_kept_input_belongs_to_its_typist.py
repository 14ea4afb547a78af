"""kept input belongs to the person whose session ended while typing

Rows kept before this change name nobody, so nobody can be given them back: they are deleted (they live a day).

Revision ID: 9d8e7f6a5b4c
Revises: 7c1d2e3f4a5b
Create Date: 2026-11-29 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '9d8e7f6a5b4c'
down_revision: str | None = '7c1d2e3f4a5b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM pending_submission")
    with op.batch_alter_table('pending_submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=False))
        batch_op.create_index(batch_op.f('ix_pending_submission_user_id'), ['user_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_pending_submission_user_id_user_account'), 'user_account',
                                    ['user_id'], ['id'], ondelete='CASCADE')


def downgrade() -> None:
    with op.batch_alter_table('pending_submission', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_pending_submission_user_id_user_account'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_pending_submission_user_id'))
        batch_op.drop_column('user_id')
