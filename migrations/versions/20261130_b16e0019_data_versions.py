"""data versions: a token per kind of data, moved by every commit that changes it (portal/data_versions.py)

The recruitment metrics are remembered per process until the pipeline's token moves.

Revision ID: b16e0019
Revises: b16e0018
Create Date: 2026-11-30 12:00:00
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b16e0019'
down_revision: str | None = 'b16e0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'data_version',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_data_version')),
    )
    # The pipeline's first token, so that the metrics of a database nobody has changed since are remembered too
    # (without a row nothing is remembered). Random: see portal/data_versions.py.
    op.execute(sa.text("INSERT INTO data_version (name, token) VALUES ('pipeline', :token)")
               .bindparams(token=secrets.token_hex(16)))


def downgrade() -> None:
    op.drop_table('data_version')
