"""each adult applicant signs through their own emailed link

A co-applicant's signing link carries a nonce of its own (a resend or a signature retires it), and a signature
records the SHA-256 of the link it came through (never the token). Existing co-applicants take the language of their
household's account.

Revision ID: a10e5a1f0001
Revises: 9d8e7f6a5b4c
Create Date: 2026-11-29 22:30:00
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'a10e5a1f0001'
down_revision: str | None = '9d8e7f6a5b4c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('household_member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signature_nonce', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('signature_link_sent_at', sa.DateTime(timezone=True), nullable=True))
    # Each existing row gets its own random nonce (one shared default would make links interchangeable).
    connection = op.get_bind()
    member = sa.table('household_member', sa.column('id', sa.Integer), sa.column('signature_nonce', sa.String))
    for (member_id,) in connection.execute(sa.select(member.c.id)).all():
        connection.execute(member.update().where(member.c.id == member_id)
                           .values(signature_nonce=secrets.token_urlsafe(16)))
    with op.batch_alter_table('household_member', schema=None) as batch_op:
        batch_op.alter_column('signature_nonce', existing_type=sa.String(length=32), nullable=False)

    with op.batch_alter_table('signature', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_sha256', sa.String(length=64), nullable=True))

    # The Applicants section never asked a co-applicant's language (every row says "en"): their link goes in the
    # language of the household's account whose email is theirs if there is one, else of the primary applicant's
    # account (the one whose email the primary's is), else the household's first account; never a language nobody
    # chose (NULL).
    op.execute(
        "UPDATE household_member SET preferred_locale = COALESCE(("
        " SELECT user_account.preferred_locale FROM user_account"
        " JOIN application ON application.household_id = user_account.household_id"
        " WHERE application.id = household_member.application_id"
        " AND user_account.preferred_locale IS NOT NULL"
        " AND household_member.email <> '' AND lower(user_account.email) = lower(household_member.email)"
        " ORDER BY user_account.id LIMIT 1"
        "), ("
        " SELECT user_account.preferred_locale FROM user_account"
        " JOIN application ON application.household_id = user_account.household_id"
        " JOIN household_member AS primary_member ON primary_member.application_id = application.id"
        " AND primary_member.role = 'primary'"
        " WHERE application.id = household_member.application_id"
        " AND user_account.preferred_locale IS NOT NULL"
        " AND primary_member.email <> '' AND lower(user_account.email) = lower(primary_member.email)"
        " ORDER BY user_account.id LIMIT 1"
        "), ("
        " SELECT user_account.preferred_locale FROM user_account"
        " JOIN application ON application.household_id = user_account.household_id"
        " WHERE application.id = household_member.application_id AND user_account.preferred_locale IS NOT NULL"
        " ORDER BY user_account.id LIMIT 1"
        "), preferred_locale) WHERE role = 'co_applicant'"
    )


def downgrade() -> None:
    with op.batch_alter_table('signature', schema=None) as batch_op:
        batch_op.drop_column('link_sha256')

    with op.batch_alter_table('household_member', schema=None) as batch_op:
        batch_op.drop_column('signature_link_sent_at')
        batch_op.drop_column('signature_nonce')
