"""each adult applicant signs through their own emailed link

Revision ID: a10e5a1f0001
Revises: 9d8e7f6a5b4c
Create Date: 2026-11-29 22:30:00
"""

from collections.abc import Sequence

revision: str = 'a10e5a1f0001'
down_revision: str | None = '9d8e7f6a5b4c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
