"""agency settings, caregiver reports to the court, mileage trips and claims

Revision ID: b16e0004
Revises: b16e0003
Create Date: 2026-11-30 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b16e0004'
down_revision: str | None = 'b16e0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('agency_setting',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_agency_setting_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_agency_setting'))
    )
    op.create_table('mileage_claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('submitted', 'approved', 'returned', name='mileage_claim_status', native_enum=False, length=32), nullable=False),
    sa.Column('rate_cents', sa.Integer(), nullable=False),
    sa.Column('total_tenths', sa.Integer(), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('return_reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_mileage_claim_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_mileage_claim_household_id_household')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'], name=op.f('fk_mileage_claim_submitted_by_id_user_account')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_mileage_claim_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mileage_claim'))
    )
    with op.batch_alter_table('mileage_claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mileage_claim_household_id'), ['household_id'], unique=False)
        batch_op.create_index('ix_mileage_claim_month_status', ['month', 'status'], unique=False)

    op.create_table('caregiver_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('requested', 'submitted', 'received', 'withdrawn', name='caregiver_report_status', native_enum=False, length=32), nullable=False),
    sa.Column('hearing_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reminder_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('home', sa.Text(), nullable=False),
    sa.Column('school', sa.Text(), nullable=False),
    sa.Column('health', sa.Text(), nullable=False),
    sa.Column('visits', sa.Text(), nullable=False),
    sa.Column('other', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], name=op.f('fk_caregiver_report_appointment_id_appointment')),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_caregiver_report_child_id_child')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_caregiver_report_household_id_household')),
    sa.ForeignKeyConstraint(['received_by_id'], ['user_account.id'], name=op.f('fk_caregiver_report_received_by_id_user_account')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'], name=op.f('fk_caregiver_report_submitted_by_id_user_account')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_caregiver_report_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_caregiver_report')),
    sa.UniqueConstraint('appointment_id', 'household_id', name='uq_caregiver_report_appointment_household')
    )
    with op.batch_alter_table('caregiver_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_caregiver_report_child_id'), ['child_id'], unique=False)
        batch_op.create_index('ix_caregiver_report_household_status', ['household_id', 'status'], unique=False)

    op.create_table('mileage_trip',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('trip_on', sa.Date(), nullable=False),
    sa.Column('from_place', sa.String(length=200), nullable=False),
    sa.Column('to_place', sa.String(length=200), nullable=False),
    sa.Column('purpose', sa.String(length=300), nullable=False),
    sa.Column('tenths', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=True),
    sa.Column('claim_id', sa.Integer(), nullable=True),
    sa.Column('logged_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], name=op.f('fk_mileage_trip_appointment_id_appointment')),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_mileage_trip_child_id_child')),
    sa.ForeignKeyConstraint(['claim_id'], ['mileage_claim.id'], name=op.f('fk_mileage_trip_claim_id_mileage_claim')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_mileage_trip_household_id_household')),
    sa.ForeignKeyConstraint(['logged_by_id'], ['user_account.id'], name=op.f('fk_mileage_trip_logged_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mileage_trip'))
    )
    with op.batch_alter_table('mileage_trip', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mileage_trip_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mileage_trip_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index('ix_mileage_trip_household_claim', ['household_id', 'claim_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('mileage_trip', schema=None) as batch_op:
        batch_op.drop_index('ix_mileage_trip_household_claim')
        batch_op.drop_index(batch_op.f('ix_mileage_trip_claim_id'))
        batch_op.drop_index(batch_op.f('ix_mileage_trip_child_id'))

    op.drop_table('mileage_trip')
    with op.batch_alter_table('caregiver_report', schema=None) as batch_op:
        batch_op.drop_index('ix_caregiver_report_household_status')
        batch_op.drop_index(batch_op.f('ix_caregiver_report_child_id'))

    op.drop_table('caregiver_report')
    with op.batch_alter_table('mileage_claim', schema=None) as batch_op:
        batch_op.drop_index('ix_mileage_claim_month_status')
        batch_op.drop_index(batch_op.f('ix_mileage_claim_household_id'))

    op.drop_table('mileage_claim')
    op.drop_table('agency_setting')
