"""payments with Stripe: payments, processed Stripe events, the agency's fee amounts

Revision ID: b16e0009
Revises: b16e0008
Create Date: 2026-11-30 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b16e0009'
down_revision: str | None = 'b16e0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('fee_amount',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['template_id'], ['requirement_template.id'], name=op.f('fk_fee_amount_template_id_requirement_template'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fee_amount')),
    sa.UniqueConstraint('template_id', name=op.f('uq_fee_amount_template_id'))
    )
    op.create_table('payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Enum('enrollment', 'fee_item', name='payment_purpose', native_enum=False, length=32), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=True),
    sa.Column('checklist_item_id', sa.Integer(), nullable=True),
    sa.Column('description_en', sa.String(length=300), nullable=False),
    sa.Column('description_es', sa.String(length=300), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.Enum('pending', 'paid', 'expired', 'failed', 'refund_pending', 'refunded', 'waived', 'paid_offline', name='payment_status', native_enum=False, length=32), nullable=False),
    sa.Column('stripe_session_id', sa.String(length=255), nullable=True),
    sa.Column('checkout_url', sa.String(length=2000), nullable=False),
    sa.Column('session_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('payment_intent_id', sa.String(length=255), nullable=False),
    sa.Column('refund_id', sa.String(length=255), nullable=False),
    sa.Column('refunded_cents', sa.Integer(), nullable=False),
    sa.Column('offline_method', sa.String(length=20), nullable=False),
    sa.Column('offline_receipt', sa.String(length=60), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(enrollment_id IS NULL) <> (checklist_item_id IS NULL)', name=op.f('ck_payment_one_purpose')),
    sa.CheckConstraint('amount_cents >= 0', name=op.f('ck_payment_amount_not_negative')),
    sa.CheckConstraint('refunded_cents >= 0 AND refunded_cents <= amount_cents', name=op.f('ck_payment_refund_within_amount')),
    sa.ForeignKeyConstraint(['checklist_item_id'], ['checklist_item.id'], name=op.f('fk_payment_checklist_item_id_checklist_item')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], name=op.f('fk_payment_enrollment_id_enrollment')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_payment_household_id_household')),
    sa.ForeignKeyConstraint(['started_by_id'], ['user_account.id'], name=op.f('fk_payment_started_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment')),
    sa.UniqueConstraint('stripe_session_id', name=op.f('uq_payment_stripe_session_id'))
    )
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_checklist_item_id'), ['checklist_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_enrollment_id'), ['enrollment_id'], unique=False)
        batch_op.create_index('ix_payment_household_created', ['household_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_payment_intent_id'), ['payment_intent_id'], unique=False)
        batch_op.create_index('ix_payment_status_created', ['status', 'created_at'], unique=False)

    op.create_table('stripe_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=255), nullable=False),
    sa.Column('type', sa.String(length=100), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=40), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], name=op.f('fk_stripe_event_payment_id_payment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stripe_event')),
    sa.UniqueConstraint('event_id', name=op.f('uq_stripe_event_event_id'))
    )
    with op.batch_alter_table('stripe_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stripe_event_payment_id'), ['payment_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('stripe_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stripe_event_payment_id'))

    op.drop_table('stripe_event')
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index('ix_payment_status_created')
        batch_op.drop_index(batch_op.f('ix_payment_payment_intent_id'))
        batch_op.drop_index('ix_payment_household_created')
        batch_op.drop_index(batch_op.f('ix_payment_enrollment_id'))
        batch_op.drop_index(batch_op.f('ix_payment_checklist_item_id'))

    op.drop_table('payment')
    op.drop_table('fee_amount')
