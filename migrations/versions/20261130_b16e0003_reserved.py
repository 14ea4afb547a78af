"""reserved (empty): appointments needed no new column

Kept empty so the parts built side by side add their tables in a fixed order (one head).

Revision ID: b16e0003
Revises: b16e0002
Create Date: 2026-11-30 04:30:00
"""

from collections.abc import Sequence

revision: str = 'b16e0003'
down_revision: str | None = 'b16e0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
