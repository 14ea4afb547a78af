"""the primary applicant is known by the account that created them, not by an email that can change

Revision ID: a10e5a1f0005
Revises: a10e5a1f0004
Create Date: 2026-11-29 23:00:00
"""

from collections.abc import Sequence

revision: str = 'a10e5a1f0005'
down_revision: str | None = 'a10e5a1f0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
