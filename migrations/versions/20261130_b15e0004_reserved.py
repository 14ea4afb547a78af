"""each lead's first-contact deadline: one business day after its inquiry arrived (weekends skipped)

`lead.first_contact_due_at` (indexed) is what the dashboard's "past one business day", the leads list's lateness
badge and the metrics' "contacted within one business day" compare with; the portal sets it when it makes a lead
(portal/clock.py::first_contact_due). Existing leads get theirs here, computed in Python one lead at a time (the same
walk as first_contact_due, copied so that this migration stays as it is when the portal's code changes; SQL has no
portable way to skip weekends in a time zone).

Revision ID: b15e0004
Revises: b15e0003
Create Date: 2026-11-30 02:10:00
"""

import os
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = 'b15e0004'
down_revision: str | None = 'b15e0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _agency_zone() -> ZoneInfo:
    try:
        from flask import current_app, has_app_context
        if has_app_context():
            return ZoneInfo(current_app.config["PORTAL_TIMEZONE"])
    except ImportError:  # pragma: no cover - Flask is always installed with the portal
        pass
    return ZoneInfo(os.environ.get("PORTAL_TIMEZONE", "America/Los_Angeles"))


def _due(arrived_at: datetime, zone: ZoneInfo) -> datetime:
    """24 hours of weekdays after arrived_at in the agency's zone (portal/clock.py::first_contact_due)."""
    remaining = timedelta(hours=24)
    start = arrived_at.astimezone(UTC)
    day: date = arrived_at.astimezone(zone).date()
    while True:
        day_end = datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC)
        if day.weekday() < 5:
            if day_end - start >= remaining:
                return start + remaining
            remaining -= day_end - start
        start, day = day_end, day + timedelta(days=1)


def _as_utc(value) -> datetime:
    # SQLite gives the stored text (or a naive datetime), PostgreSQL an aware datetime.
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def upgrade() -> None:
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_contact_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_lead_first_contact_due_at'), ['first_contact_due_at'], unique=False)
    connection = op.get_bind()
    lead = sa.table('lead', sa.column('id', sa.Integer()), sa.column('created_at', sa.DateTime(timezone=True)),
                    sa.column('first_contact_due_at', sa.DateTime(timezone=True)))
    zone = _agency_zone()
    rows = connection.execute(sa.select(lead.c.id, lead.c.created_at).where(lead.c.created_at.is_not(None))).all()
    updates = [{"lead_id": lead_id, "due": _due(_as_utc(created_at), zone)} for lead_id, created_at in rows]
    if updates:  # one executemany, not a statement per lead
        connection.execute(lead.update().where(lead.c.id == sa.bindparam("lead_id"))
                           .values(first_contact_due_at=sa.bindparam("due")), updates)


def downgrade() -> None:
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_first_contact_due_at'))
        batch_op.drop_column('first_contact_due_at')
