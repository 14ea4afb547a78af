"""homefinder's first week (invitations shown, first contact from logged contacts)

Revision ID: a10e5a1f0004
Revises: a10e5a1f0003
Create Date: 2026-11-29 22:30:00
"""

from collections.abc import Sequence

revision: str = 'a10e5a1f0004'
down_revision: str | None = 'a10e5a1f0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
