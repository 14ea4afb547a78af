"""reserved: page speed of families, children and trainings

Kept empty so parts of the scale issue built side by side add their changes in a fixed order (one head).

Revision ID: b16e0015
Revises: b16e0014
Create Date: 2026-11-30 08:00:00
"""

from collections.abc import Sequence

revision: str = 'b16e0015'
down_revision: str | None = 'b16e0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
