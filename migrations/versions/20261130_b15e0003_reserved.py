"""every household with an application is on the pipeline board: a lead for each application without one

The board lists leads; households that registered on their own (no inquiry) had an application and no lead. Each
gets one made from its first account (name, email, language; source "other", status "applying"), or the existing
lead with the account's email is linked to the household. Households without an account are left as they are.

Revision ID: b15e0003
Revises: b15e0002
Create Date: 2026-11-30 02:10:00
"""

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = 'b15e0003'
down_revision: str | None = 'b15e0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


lead = sa.table('lead', sa.column('id', sa.Integer), sa.column('first_name', sa.String), sa.column('last_name', sa.String),
                sa.column('email', sa.String), sa.column('phone', sa.String), sa.column('preferred_locale', sa.String),
                sa.column('county', sa.String), sa.column('zip_code', sa.String), sa.column('source', sa.String),
                sa.column('interest', sa.String), sa.column('status', sa.String),
                sa.column('created_at', sa.DateTime(timezone=True)), sa.column('link_nonce', sa.String),
                sa.column('household_id', sa.Integer), sa.column('status_changed_at', sa.DateTime(timezone=True)),
                sa.column('last_activity_at', sa.DateTime(timezone=True)))
application = sa.table('application', sa.column('id', sa.Integer), sa.column('household_id', sa.Integer),
                       sa.column('lead_id', sa.Integer), sa.column('created_at', sa.DateTime(timezone=True)))
user_account = sa.table('user_account', sa.column('id', sa.Integer), sa.column('email', sa.String),
                        sa.column('full_name', sa.String), sa.column('preferred_locale', sa.String),
                        sa.column('household_id', sa.Integer))


def upgrade() -> None:
    bind = op.get_bind()
    has_lead = sa.exists().where(lead.c.household_id == application.c.household_id)
    orphans = bind.execute(sa.select(application.c.id, application.c.household_id, application.c.created_at)
                           .where(~has_lead).order_by(application.c.id)).all()
    now = datetime.now(UTC)
    for application_id, household_id, created_at in orphans:
        account = bind.execute(sa.select(user_account.c.email, user_account.c.full_name,
                                         user_account.c.preferred_locale)
                               .where(user_account.c.household_id == household_id)
                               .order_by(user_account.c.id).limit(1)).first()
        if account is None:
            continue
        found = bind.execute(sa.select(lead.c.id, lead.c.household_id)
                             .where(sa.func.lower(lead.c.email) == (account.email or "").lower())
                             .order_by(lead.c.id).limit(1)).first()
        if found is not None and found.household_id is not None:
            continue  # another household's inquiry: never moved (this household stays off the board)
        if found is not None:
            lead_id = found.id
            bind.execute(lead.update().where(lead.c.id == lead_id).values(household_id=household_id))
        else:
            first, _space, last = (account.full_name or "").strip().partition(" ")
            lead_id = bind.execute(lead.insert().values(
                first_name=first or account.email, last_name=last, email=account.email, phone="",
                preferred_locale=account.preferred_locale or "en", county="", zip_code="", source="other",
                interest="foster", status="applying", created_at=created_at or now, link_nonce=secrets.token_hex(16),
                household_id=household_id, status_changed_at=created_at or now, last_activity_at=now,
            ).returning(lead.c.id)).scalar()
        bind.execute(application.update().where(application.c.id == application_id, application.c.lead_id.is_(None))
                     .values(lead_id=lead_id))


def downgrade() -> None:
    # The leads made here are ordinary leads by now (contacts, assignments may name them): they stay.
    pass
