"""one event log; statuses of the home study write-up and the license

The application's and the checklist's own histories (application_event, checklist_event) move into audit_event,
which gains the household an event is about and, for status changes, from/to/reason. The write-up and the license
get a status of their own, so approval and expiry are transitions that are recorded.

A downgrade brings the old tables (with their indexes) back and copies their rows back from the log; the log keeps
its rows (it is append-only), so upgrading again after a downgrade lists those old events twice.

Revision ID: 7c1d2e3f4a5b
Revises: e154287182cc
Create Date: 2026-11-29 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '7c1d2e3f4a5b'
down_revision: str | None = 'e154287182cc'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('household_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('from_status', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('to_status', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_audit_event_household_id'), ['household_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_audit_event_household_id_household'), 'household',
                                    ['household_id'], ['id'])
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.alter_column('reason', server_default=None)

    # The two old histories, kept whole in the one log (ordered by when they happened).
    op.execute(
        "INSERT INTO audit_event (occurred_at, actor_id, action, target_type, target_id, household_id, reason, "
        "details) SELECT e.occurred_at, e.actor_id, e.action, 'Application', e.application_id, a.household_id, '', "
        "e.details FROM application_event e JOIN application a ON a.id = e.application_id ORDER BY e.id")
    empty = "CAST('{}' AS JSON)" if op.get_bind().dialect.name == "postgresql" else "'{}'"
    op.execute(
        "INSERT INTO audit_event (occurred_at, actor_id, action, target_type, target_id, household_id, "
        "from_status, to_status, reason, details) SELECT e.occurred_at, e.actor_id, 'status_changed', "
        f"'ChecklistItem', e.item_id, a.household_id, e.from_status, e.to_status, e.reason, {empty} "
        "FROM checklist_event e JOIN application a ON a.id = e.application_id ORDER BY e.id")
    with op.batch_alter_table('application_event', schema=None) as batch_op:
        batch_op.drop_index('ix_application_event_app_time')
    op.drop_table('application_event')
    with op.batch_alter_table('checklist_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checklist_event_item_id'))
        batch_op.drop_index(batch_op.f('ix_checklist_event_application_id'))
    op.drop_table('checklist_event')

    with op.batch_alter_table('home_study_report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.Enum('draft', 'approved', name='home_study_status',
                                                        native_enum=False, length=32),
                                      nullable=False, server_default='draft'))
    op.execute("UPDATE home_study_report SET status = 'approved' WHERE approved_at IS NOT NULL")
    with op.batch_alter_table('home_study_report', schema=None) as batch_op:
        batch_op.alter_column('status', server_default=None)
    with op.batch_alter_table('license', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.Enum('active', 'expired', 'closed', name='license_status',
                                                        native_enum=False, length=32),
                                      nullable=False, server_default='active'))
    with op.batch_alter_table('license', schema=None) as batch_op:
        batch_op.alter_column('status', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('license', schema=None) as batch_op:
        batch_op.drop_column('status')
    with op.batch_alter_table('home_study_report', schema=None) as batch_op:
        batch_op.drop_column('status')
    op.create_table('checklist_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('from_status', sa.String(length=20), nullable=False),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_checklist_event_actor_id_user_account')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'],
                            name=op.f('fk_checklist_event_application_id_application')),
    sa.ForeignKeyConstraint(['item_id'], ['checklist_item.id'], name=op.f('fk_checklist_event_item_id_checklist_item'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_event'))
    )
    op.create_table('application_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('staff_only', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_application_event_actor_id_user_account')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'],
                            name=op.f('fk_application_event_application_id_application')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_event'))
    )
    with op.batch_alter_table('checklist_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_event_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checklist_event_item_id'), ['item_id'], unique=False)
    with op.batch_alter_table('application_event', schema=None) as batch_op:
        batch_op.create_index('ix_application_event_app_time', ['application_id', 'id'], unique=False)
    # The events stay in audit_event too (it is append-only); the old histories get their rows back.
    op.execute(
        "INSERT INTO application_event (application_id, occurred_at, actor_id, action, details, staff_only) "
        "SELECT target_id, occurred_at, actor_id, action, details, false FROM audit_event "
        "WHERE target_type = 'Application' AND target_id IN (SELECT id FROM application) ORDER BY id")
    op.execute(
        "INSERT INTO checklist_event (item_id, application_id, occurred_at, actor_id, from_status, to_status, reason) "
        "SELECT e.target_id, i.application_id, e.occurred_at, e.actor_id, e.from_status, e.to_status, e.reason "
        "FROM audit_event e JOIN checklist_item i ON i.id = e.target_id "
        "WHERE e.target_type = 'ChecklistItem' AND e.action = 'status_changed' AND e.from_status IS NOT NULL "
        "ORDER BY e.id")
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audit_event_household_id_household'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_audit_event_household_id'))
        batch_op.drop_column('reason')
        batch_op.drop_column('to_status')
        batch_op.drop_column('from_status')
        batch_op.drop_column('household_id')
