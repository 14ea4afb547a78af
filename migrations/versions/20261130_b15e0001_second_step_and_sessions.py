"""staff sign in in two steps; every signed-in session is a row people can see and end

`user_account` gains the authenticator app's encrypted secret (and the last time step used, so a code works once);
`signed_in_session` holds one row per browser signed in (the cookie's key only as SHA-256); `recovery_code` the
single-use recovery codes (keyed hashes); `passkey` the WebAuthn credentials.

Revision ID: b15e0001
Revises: a10e5a1f0005
Create Date: 2026-11-30 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b15e0001'
down_revision: str | None = 'a10e5a1f0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret_encrypted', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
    op.create_table(
        'signed_in_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('device_hash', sa.String(length=64), nullable=False),
        sa.Column('second_step', sa.String(length=16), nullable=False),
        sa.Column('user_agent', sa.String(length=400), nullable=False),
        sa.Column('ip_address', sa.String(length=64), nullable=True),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ended_by_id', sa.Integer(), nullable=True),
        sa.Column('end_reason', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_signed_in_session_user_id_user_account'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['ended_by_id'], ['user_account.id'],
                                name=op.f('fk_signed_in_session_ended_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_signed_in_session')),
        sa.UniqueConstraint('key_hash', name=op.f('uq_signed_in_session_key_hash')),
    )
    op.create_index('ix_signed_in_session_user_live', 'signed_in_session', ['user_id', 'ended_at'], unique=False)
    op.create_index(op.f('ix_signed_in_session_device_hash'), 'signed_in_session', ['device_hash'], unique=False)
    op.create_table(
        'recovery_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_recovery_code_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code')),
        sa.UniqueConstraint('code_hash', name=op.f('uq_recovery_code_code_hash')),
    )
    op.create_index(op.f('ix_recovery_code_user_id'), 'recovery_code', ['user_id'], unique=False)
    op.create_table(
        'passkey',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('credential_id', sa.LargeBinary(length=1024), nullable=False),
        sa.Column('public_key', sa.LargeBinary(length=2048), nullable=False),
        sa.Column('sign_count', sa.Integer(), nullable=False),
        sa.Column('transports', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_passkey_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_passkey')),
        sa.UniqueConstraint('credential_id', name=op.f('uq_passkey_credential_id')),
    )
    op.create_index(op.f('ix_passkey_user_id'), 'passkey', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_passkey_user_id'), table_name='passkey')
    op.drop_table('passkey')
    op.drop_index(op.f('ix_recovery_code_user_id'), table_name='recovery_code')
    op.drop_table('recovery_code')
    op.drop_index(op.f('ix_signed_in_session_device_hash'), table_name='signed_in_session')
    op.drop_index('ix_signed_in_session_user_live', table_name='signed_in_session')
    op.drop_table('signed_in_session')
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch would copy and drop user_account, which the foreign
    # keys of every table that names an account refuse.
    for column in ('totp_last_step', 'totp_enabled_at', 'totp_secret_encrypted'):
        op.drop_column('user_account', column)
