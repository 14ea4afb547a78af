"""pipeline speed: lead.search_folded (the name and email folded once on write, so the staff search reads stored
text) and an index of checklist items by status (the work queue's count of items waiting for review)

Existing leads get theirs from the same folding the app writes with (licensing/recruitment/models.py::
lead_search_text), in batches, on SQLite and PostgreSQL alike.

Revision ID: b16e0014
Revises: b16e0013
Create Date: 2026-11-30 08:00:00
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b16e0014'
down_revision: str | None = 'b16e0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000


def _fold(value: str) -> str:
    # portal/folding.py::fold_text as of this revision (a migration keeps its own copy: the app's may change later).
    decomposed = unicodedata.normalize("NFKD", value.lower())
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def _search_text(first_name, last_name, email) -> str:
    return _fold(f"{first_name or ''} {last_name or ''}\n{email or ''}")


def upgrade() -> None:
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_folded', sa.Text(), nullable=False, server_default=''))
    bind = op.get_bind()
    lead = sa.table('lead', sa.column('id', sa.Integer), sa.column('first_name', sa.String),
                    sa.column('last_name', sa.String), sa.column('email', sa.String),
                    sa.column('search_folded', sa.Text))
    update = (sa.update(lead).where(lead.c.id == sa.bindparam('lead_id'))
              .values(search_folded=sa.bindparam('folded')))
    last_id = 0
    while True:
        rows = bind.execute(sa.select(lead.c.id, lead.c.first_name, lead.c.last_name, lead.c.email)
                            .where(lead.c.id > last_id).order_by(lead.c.id).limit(BATCH)).all()
        if not rows:
            break
        bind.execute(update, [{'lead_id': row.id, 'folded': _search_text(row.first_name, row.last_name, row.email)}
                              for row in rows])
        last_id = rows[-1].id
    with op.batch_alter_table('checklist_item', schema=None) as batch_op:
        batch_op.create_index('ix_checklist_item_status_application', ['status', 'application_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('checklist_item', schema=None) as batch_op:
        batch_op.drop_index('ix_checklist_item_status_application')
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_column('search_folded')
