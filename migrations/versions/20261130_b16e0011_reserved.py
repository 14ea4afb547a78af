"""reserved: review fixes

Kept empty so fixes made side by side add their columns in a fixed order (one head).

Revision ID: b16e0011
Revises: b16e0010
Create Date: 2026-11-30 05:20:00
"""

from collections.abc import Sequence

revision: str = 'b16e0011'
down_revision: str | None = 'b16e0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
