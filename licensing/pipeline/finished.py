"""A lead's `finished` flag: licensed or closed, kept in the same flush as the statuses it is made of.

The stage (stages.py::stage_column) is worked out in SQL from three tables; "is the family still on its way" needed
the same three for every quiet family, so the home page's stalled count read every lead, its application and its
license (thousands of rows at a county's size, ten times more at a state's). The flag says it on the lead, and the
count reads one index of (finished, last_activity_at).

Kept by one listener on every flush that adds, deletes or changes a lead's status or household, an application's
status or household, or a license (issued, closed, moved, deleted): one UPDATE of the leads concerned, computed in
the database from what the flush has just written (`finished_now()`), in the same transaction. Bulk inserts of the
scale demo refresh their leads at the end (scale_demo.py). Not seen: SQL typed by hand or run on a connection
rather than the session; after such a change, `flask refresh-pipeline` (or any flush touching the family) puts it
right. tests/licensing/test_pipeline_stages.py holds the flag to the stage for every combination of statuses."""

from __future__ import annotations

from itertools import chain

import click
from sqlalchemy import ColumnElement, event, exists, inspect, or_, update
from sqlalchemy.orm import Session

from licensing import bp
from licensing.application.models import Application
from licensing.pipeline.stages import CLOSING_APPLICATION
from licensing.recruitment.models import Lead, LeadStatus
from licensing.tracker.models import License
from portal.extensions import db
from portal.jobs import runs_alone

# What a flush must have changed for a lead's flag to be worked out again.
_WATCHED = {Lead: ("status", "household_id"), Application: ("status", "household_id"),
            License: ("status", "application_id", "household_id")}


def finished_now() -> ColumnElement[bool]:
    """The flag as the statuses say it now (correlated to the lead being updated): the lead closed, or its
    household's application denied or withdrawn or carrying a license (every license status ends the way: active
    or expired is licensed, closed is closed)."""
    return or_(Lead.status == LeadStatus.CLOSED,
               exists().where(Application.household_id == Lead.household_id,
                              or_(Application.status.in_(CLOSING_APPLICATION),
                                  exists().where(License.application_id == Application.id))))


def refresh(session: Session, *conditions) -> None:
    """Work the flag out again for the leads meeting `conditions` (every lead without any), on the session's
    connection: no ORM event, no autoflush."""
    session.connection().execute(update(Lead.__table__).where(*conditions).values(finished=finished_now()))


def _changed(instance, names: tuple[str, ...]) -> bool:
    state = inspect(instance)
    return any(state.attrs[name].history.has_changes() for name in names)


def _households(instance, state) -> set[int]:
    """The household the record is of, before and after the flush (a moved application concerns both)."""
    history = state.attrs.household_id.history
    return {value for value in chain(history.added, history.unchanged, history.deleted) if value is not None}


@event.listens_for(Session, "after_flush")
def _keep_finished(session: Session, _flush_context) -> None:
    lead_ids: set[int] = set()
    household_ids: set[int] = set()
    for instance in chain(session.new, session.dirty, session.deleted):
        names = _WATCHED.get(type(instance))
        if names is None:
            continue
        state = inspect(instance)
        added_or_deleted = instance in session.new or instance in session.deleted
        if not added_or_deleted and not _changed(instance, names):
            continue
        if isinstance(instance, Lead):
            # A new inquiry (no household, not closed) is on its way: the column's default says so already.
            new_inquiry = (instance in session.new and instance.household_id is None
                           and instance.status is not LeadStatus.CLOSED)
            if instance not in session.deleted and not new_inquiry:
                lead_ids.add(instance.id)
        else:
            household_ids |= _households(instance, state)
    if lead_ids or household_ids:
        refresh(session, or_(Lead.id.in_(lead_ids), Lead.household_id.in_(household_ids)))


@bp.cli.command("refresh-pipeline")
@runs_alone("refresh-pipeline")
def refresh_pipeline_command() -> None:
    """Work every family's "licensed or closed" flag out again from the statuses (after data was changed by hand in
    SQL, which the portal does not see)."""
    with db.unit_of_work():
        refresh(db.session)
    click.echo("Every family's stage flag is worked out again.")
