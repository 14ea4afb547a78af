"""training rules: the agency's training requirements (one row with the defaults); how a credit was taken

Also brings the pre-service checklist requirement to the rule's default hours (27), so the checklist approves what
the rule counts as met; saving the rule keeps both the same afterwards (training/hours/services.py::save_rule).

Revision ID: b16e0007
Revises: b16e0006
Create Date: 2026-11-30 04:30:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = 'b16e0007'
down_revision: str | None = 'b16e0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    rule = op.create_table(
        'training_rule',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('preservice_hours', sa.Integer(), nullable=False),
        sa.Column('inservice_hours', sa.Integer(), nullable=False),
        sa.Column('inservice_categories', sa.JSON(), nullable=False),
        sa.Column('support_groups_count', sa.Boolean(), nullable=False),
        sa.Column('cpr_valid_months', sa.Integer(), nullable=False),
        sa.Column('online_cpr_counts', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'],
                                name=op.f('fk_training_rule_updated_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_training_rule')),
    )
    op.bulk_insert(rule, [{'id': 1, 'preservice_hours': 27, 'inservice_hours': 12,
                           'inservice_categories': ['in_service', 'specialty'], 'support_groups_count': True,
                           'cpr_valid_months': 24, 'online_cpr_counts': False,
                           'updated_at': datetime(2026, 11, 30, tzinfo=UTC),
                           'version': 1}])
    with op.batch_alter_table('training_credit') as batch:
        batch.add_column(sa.Column('format', sa.String(length=20), nullable=False, server_default='in_person'))
    op.execute("UPDATE requirement_template SET hours_required = 27 WHERE code = 'preservice_training'")


def downgrade() -> None:
    op.execute("UPDATE requirement_template SET hours_required = 30 WHERE code = 'preservice_training'")
    with op.batch_alter_table('training_credit') as batch:
        batch.drop_column('format')
    op.drop_table('training_rule')
