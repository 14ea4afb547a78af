"""home page speed: indexes of the work queue's waiting rows (pending documents, scheduled visits by date, active
licenses by expiry date), so its counts read the few rows waiting instead of every document, visit and license

Revision ID: b16e0020
Revises: b16e0019
Create Date: 2026-11-30 12:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = 'b16e0020'
down_revision: str | None = 'b16e0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('application_document', schema=None) as batch_op:
        batch_op.create_index('ix_application_document_status_application', ['status', 'application_id'],
                              unique=False)
    with op.batch_alter_table('home_study_visit', schema=None) as batch_op:
        batch_op.create_index('ix_home_study_visit_status_starts', ['status', 'starts_at'], unique=False)
    with op.batch_alter_table('license', schema=None) as batch_op:
        batch_op.create_index('ix_license_status_expires', ['status', 'expires_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('license', schema=None) as batch_op:
        batch_op.drop_index('ix_license_status_expires')
    with op.batch_alter_table('home_study_visit', schema=None) as batch_op:
        batch_op.drop_index('ix_home_study_visit_status_starts')
    with op.batch_alter_table('application_document', schema=None) as batch_op:
        batch_op.drop_index('ix_application_document_status_application')
