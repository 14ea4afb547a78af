"""support groups: groups, meetings, memberships, RSVPs with childcare, attendance

Revision ID: b16e0008
Revises: b16e0007
Create Date: 2026-11-30 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b16e0008'
down_revision: str | None = 'b16e0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('support_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('name_es', sa.String(length=200), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('description_es', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('facilitator', sa.String(length=200), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('virtual_link', sa.String(length=500), nullable=False),
    sa.Column('recurrence', sa.Enum('weekly', 'every_two_weeks', 'monthly', name='group_recurrence', native_enum=False, length=32), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('week_of_month', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('time_of_day', sa.Time(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('childcare_capacity', sa.Integer(), nullable=False),
    sa.Column('counts_as_hours', sa.Boolean(), nullable=False),
    sa.Column('credit_tenths', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('childcare_capacity >= 0', name=op.f('ck_support_group_childcare_capacity_not_negative')),
    sa.CheckConstraint('week_of_month >= 1 AND week_of_month <= 5', name=op.f('ck_support_group_week_of_month_in_month')),
    sa.CheckConstraint('weekday >= 0 AND weekday <= 6', name=op.f('ck_support_group_weekday_in_week')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_support_group_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_group'))
    )
    op.create_table('group_meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('scheduled', 'cancelled', name='group_meeting_status', native_enum=False, length=32), nullable=False),
    sa.Column('childcare_capacity', sa.Integer(), nullable=False),
    sa.Column('childcare_taken', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('childcare_taken >= 0 AND childcare_taken <= childcare_capacity', name=op.f('ck_group_meeting_group_childcare_within_capacity')),
    sa.ForeignKeyConstraint(['group_id'], ['support_group.id'], name=op.f('fk_group_meeting_group_id_support_group'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_meeting')),
    sa.UniqueConstraint('group_id', 'starts_at', name=op.f('uq_group_meeting_group_id'))
    )
    with op.batch_alter_table('group_meeting', schema=None) as batch_op:
        batch_op.create_index('ix_group_meeting_starts', ['starts_at'], unique=False)

    op.create_table('group_membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['support_group.id'], name=op.f('fk_group_membership_group_id_support_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_group_membership_household_id_household'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_membership')),
    sa.UniqueConstraint('group_id', 'household_id', name=op.f('uq_group_membership_group_id'))
    )
    with op.batch_alter_table('group_membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_membership_household_id'), ['household_id'], unique=False)

    op.create_table('group_rsvp',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('going', 'cancelled', name='group_rsvp_status', native_enum=False, length=32), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('childcare_status', sa.Enum('none', 'booked', 'waitlisted', name='childcare_status', native_enum=False, length=32), nullable=False),
    sa.Column('childcare_children', sa.Integer(), nullable=False),
    sa.Column('childcare_ages', sa.String(length=100), nullable=False),
    sa.Column('childcare_requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminder_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_group_rsvp_household_id_household'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['group_meeting.id'], name=op.f('fk_group_rsvp_meeting_id_group_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_rsvp')),
    sa.UniqueConstraint('meeting_id', 'household_id', name=op.f('uq_group_rsvp_meeting_id'))
    )
    with op.batch_alter_table('group_rsvp', schema=None) as batch_op:
        batch_op.create_index('ix_group_rsvp_household', ['household_id', 'status'], unique=False)

    op.create_table('group_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.Column('credited', sa.Boolean(), nullable=False),
    sa.Column('credit_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['credit_id'], ['training_credit.id'], name=op.f('fk_group_attendance_credit_id_training_credit'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_group_attendance_household_id_household'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['group_meeting.id'], name=op.f('fk_group_attendance_meeting_id_group_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['household_member.id'], name=op.f('fk_group_attendance_member_id_household_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_group_attendance_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_attendance')),
    sa.UniqueConstraint('meeting_id', 'member_id', name=op.f('uq_group_attendance_meeting_id'))
    )
    with op.batch_alter_table('group_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_attendance_member_id'), ['member_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('group_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_attendance_member_id'))

    op.drop_table('group_attendance')
    with op.batch_alter_table('group_rsvp', schema=None) as batch_op:
        batch_op.drop_index('ix_group_rsvp_household')

    op.drop_table('group_rsvp')
    with op.batch_alter_table('group_membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_membership_household_id'))

    op.drop_table('group_membership')
    with op.batch_alter_table('group_meeting', schema=None) as batch_op:
        batch_op.drop_index('ix_group_meeting_starts')

    op.drop_table('group_meeting')
    op.drop_table('support_group')
