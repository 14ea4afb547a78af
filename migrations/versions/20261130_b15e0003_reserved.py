"""reserved for the recruitment workspace (filled by the part that needs it, else left empty)

Revision ID: b15e0003
Revises: b15e0002
Create Date: 2026-11-30 02:10:00
"""

from collections.abc import Sequence

revision: str = 'b15e0003'
down_revision: str | None = 'b15e0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
