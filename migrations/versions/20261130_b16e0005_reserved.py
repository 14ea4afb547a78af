"""reserved: secure messaging (helper D)

Kept empty so the parts built side by side add their tables in a fixed order (one head).

Revision ID: b16e0005
Revises: b16e0004
Create Date: 2026-11-30 04:30:00
"""

from collections.abc import Sequence

revision: str = 'b16e0005'
down_revision: str | None = 'b16e0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
