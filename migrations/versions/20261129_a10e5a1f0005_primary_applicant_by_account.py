"""the primary applicant is known by the account that created them, not by an email that can change

`household_member.user_id` names the account of the primary applicant (existing primaries get the account of their
household whose email is theirs); `signature_link_failures` counts wrong dates of birth typed on a co-applicant's
current signing link.

Revision ID: a10e5a1f0005
Revises: a10e5a1f0004
Create Date: 2026-11-29 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'a10e5a1f0005'
down_revision: str | None = 'a10e5a1f0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('household_member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signature_link_failures', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_household_member_user_id'), ['user_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_household_member_user_id_user_account'), 'user_account',
                                    ['user_id'], ['id'], ondelete='SET NULL')
    op.execute("UPDATE household_member SET signature_link_failures = 0")
    with op.batch_alter_table('household_member', schema=None) as batch_op:
        batch_op.alter_column('signature_link_failures', existing_type=sa.Integer(), nullable=False)
    # Until now the primary applicant was the one whose email is an account of the household's (the Applicants
    # section copied the saving account's email onto them): that account is theirs.
    op.execute(
        "UPDATE household_member SET user_id = ("
        " SELECT user_account.id FROM user_account"
        " JOIN application ON application.household_id = user_account.household_id"
        " WHERE application.id = household_member.application_id"
        " AND lower(user_account.email) = lower(household_member.email)"
        " ORDER BY user_account.id LIMIT 1"
        ") WHERE role = 'primary' AND email <> ''"
    )


def downgrade() -> None:
    with op.batch_alter_table('household_member', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_household_member_user_id_user_account'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_household_member_user_id'))
        batch_op.drop_column('user_id')
        batch_op.drop_column('signature_link_failures')
