"""secure messaging: threads, messages, attachments, read marks

Kept in its reserved place so the parts built side by side add their tables in a fixed order (one head).

Revision ID: b16e0005
Revises: b16e0004
Create Date: 2026-11-30 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b16e0005'
down_revision: str | None = 'b16e0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('message_thread',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_message_id', sa.Integer(), nullable=False),
    sa.Column('last_message_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('awaiting_staff', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_message_thread_child_id_child')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_message_thread_household_id_household')),
    sa.ForeignKeyConstraint(['staff_id'], ['user_account.id'], name=op.f('fk_message_thread_staff_id_user_account')),
    sa.ForeignKeyConstraint(['started_by_id'], ['user_account.id'],
                            name=op.f('fk_message_thread_started_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_thread'))
    )
    with op.batch_alter_table('message_thread', schema=None) as batch_op:
        batch_op.create_index('ix_message_thread_household_last', ['household_id', 'last_message_id'], unique=False)
        batch_op.create_index('ix_message_thread_staff_last', ['staff_id', 'last_message_id'], unique=False)

    op.create_table('message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_message_author_id_user_account')),
    sa.ForeignKeyConstraint(['thread_id'], ['message_thread.id'], name=op.f('fk_message_thread_id_message_thread')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message'))
    )
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.create_index('ix_message_thread_id', ['thread_id', 'id'], unique=False)

    op.create_table('message_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], name=op.f('fk_message_attachment_message_id_message')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_attachment'))
    )
    with op.batch_alter_table('message_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_attachment_message_id'), ['message_id'], unique=False)

    op.create_table('message_thread_mark',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('last_read_message_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['thread_id'], ['message_thread.id'],
                            name=op.f('fk_message_thread_mark_thread_id_message_thread')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_message_thread_mark_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_thread_mark')),
    sa.UniqueConstraint('thread_id', 'user_id', name=op.f('uq_message_thread_mark_thread_id'))
    )
    with op.batch_alter_table('message_thread_mark', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_thread_mark_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('message_thread_mark', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_thread_mark_user_id'))
    op.drop_table('message_thread_mark')
    with op.batch_alter_table('message_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_attachment_message_id'))
    op.drop_table('message_attachment')
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_index('ix_message_thread_id')
    op.drop_table('message')
    with op.batch_alter_table('message_thread', schema=None) as batch_op:
        batch_op.drop_index('ix_message_thread_staff_last')
        batch_op.drop_index('ix_message_thread_household_last')
    op.drop_table('message_thread')
