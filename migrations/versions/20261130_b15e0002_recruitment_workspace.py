"""the homefinder's recruitment workspace: contacts, recruitment events, closures with a reason, announcements

`lead` gains the recruitment event it came from, when its status last changed and when anything last happened to it
(both filled from the event log for existing leads), why and when it closed, and the next follow-up;
`lead_contact` logs calls, texts, emails and visits; `recruitment_event` holds fairs, talks and campaigns with a
source code; `announcement` records each message sent to a group of families.

Revision ID: b15e0002
Revises: b15e0001
Create Date: 2026-11-30 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b15e0002'
down_revision: str | None = 'b15e0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'recruitment_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.Enum('fair', 'faith_talk', 'school_talk', 'community_talk', 'online_campaign',
                                  'print_campaign', 'other', name='event_kind', native_enum=False, length=32),
                  nullable=False),
        sa.Column('source_code', sa.String(length=40), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=True),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('county', sa.String(length=100), nullable=False),
        sa.Column('notes', sa.Text(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_recruitment_event_created_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recruitment_event')),
        sa.UniqueConstraint('source_code', name=op.f('uq_recruitment_event_source_code')),
    )
    op.create_index(op.f('ix_recruitment_event_starts_on'), 'recruitment_event', ['starts_on'], unique=False)
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closed_reason', sa.Enum('withdrew', 'denied', 'moved', 'not_eligible',
                                                               'no_response', 'other', name='closed_reason',
                                                               native_enum=False, length=32), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('next_follow_up_on', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_lead_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_last_activity_at'), ['last_activity_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_next_follow_up_on'), ['next_follow_up_on'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_lead_event_id_recruitment_event'), 'recruitment_event',
                                    ['event_id'], ['id'])
    # Existing leads: their status last changed at their newest status event (else when they asked); their last
    # activity is the newest event about them or their household (else when they asked).
    # Two indexed subqueries each (the lead's own events by target, its household's by household_id), not one OR
    # that no index serves; the larger of the two.
    greatest = "max" if op.get_bind().dialect.name == "sqlite" else "GREATEST"
    own = ("(SELECT max(occurred_at) FROM audit_event WHERE target_type = 'Lead' AND target_id = lead.id{extra})")
    household = ("(SELECT max(occurred_at) FROM audit_event WHERE audit_event.household_id = lead.household_id"
                 "{extra})")
    stage_extra = " AND to_status IS NOT NULL"
    household_stage_extra = " AND to_status IS NOT NULL AND target_type IN ('Application', 'License')"
    op.execute(
        f"UPDATE lead SET status_changed_at = COALESCE({greatest}("
        f"COALESCE({own.format(extra=stage_extra)}, created_at), "
        f"COALESCE({household.format(extra=household_stage_extra)}, created_at)), created_at)"
    )
    op.execute(
        f"UPDATE lead SET last_activity_at = COALESCE({greatest}("
        f"COALESCE({own.format(extra='')}, created_at), COALESCE({household.format(extra='')}, created_at)),"
        f" created_at)"
    )
    op.execute(
        "UPDATE lead SET closed_at = status_changed_at, closed_reason = 'other' WHERE status = 'closed'"
    )
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.alter_column('status_changed_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.alter_column('last_activity_at', existing_type=sa.DateTime(timezone=True), nullable=False)
    op.create_table(
        'lead_contact',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lead_id', sa.Integer(), nullable=False),
        sa.Column('homefinder_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.Enum('call', 'text', 'email', 'visit', name='contact_kind', native_enum=False,
                                  length=32), nullable=False),
        sa.Column('outcome', sa.Enum('reached', 'left_message', 'no_answer', 'wrong_number', 'not_interested',
                                     name='contact_outcome', native_enum=False, length=32), nullable=False),
        sa.Column('notes', sa.Text(), nullable=False),
        sa.Column('contacted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('next_follow_up_on', sa.Date(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['homefinder_id'], ['user_account.id'],
                                name=op.f('fk_lead_contact_homefinder_id_user_account')),
        sa.ForeignKeyConstraint(['lead_id'], ['lead.id'], name=op.f('fk_lead_contact_lead_id_lead')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lead_contact')),
    )
    op.create_index('ix_lead_contact_lead_when', 'lead_contact', ['lead_id', 'contacted_at'], unique=False)
    op.create_index(op.f('ix_lead_contact_homefinder_id'), 'lead_contact', ['homefinder_id'], unique=False)
    op.create_table(
        'announcement',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('audience', sa.JSON(), nullable=False),
        sa.Column('subject_en', sa.String(length=200), nullable=False),
        sa.Column('body_en', sa.Text(), nullable=False),
        sa.Column('subject_es', sa.String(length=200), nullable=False),
        sa.Column('body_es', sa.Text(), nullable=False),
        sa.Column('recipient_count', sa.Integer(), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['user_account.id'],
                                name=op.f('fk_announcement_author_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement')),
    )
    op.create_index(op.f('ix_announcement_author_id'), 'announcement', ['author_id'], unique=False)
    op.create_index(op.f('ix_announcement_sent_at'), 'announcement', ['sent_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_announcement_sent_at'), table_name='announcement')
    op.drop_index(op.f('ix_announcement_author_id'), table_name='announcement')
    op.drop_table('announcement')
    op.drop_index(op.f('ix_lead_contact_homefinder_id'), table_name='lead_contact')
    op.drop_index('ix_lead_contact_lead_when', table_name='lead_contact')
    op.drop_table('lead_contact')
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_lead_event_id_recruitment_event'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_lead_next_follow_up_on'))
        batch_op.drop_index(batch_op.f('ix_lead_last_activity_at'))
        batch_op.drop_index(batch_op.f('ix_lead_event_id'))
        batch_op.drop_column('next_follow_up_on')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('closed_reason')
        batch_op.drop_column('last_activity_at')
        batch_op.drop_column('status_changed_at')
        batch_op.drop_column('event_id')
    op.drop_index(op.f('ix_recruitment_event_starts_on'), table_name='recruitment_event')
    op.drop_table('recruitment_event')
