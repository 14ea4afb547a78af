"""staff keep short reusable return reasons in both languages

Revision ID: a10e5a1f0003
Revises: a10e5a1f0002
Create Date: 2026-11-29 22:30:00
"""

from collections.abc import Sequence

revision: str = 'a10e5a1f0003'
down_revision: str | None = 'a10e5a1f0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
