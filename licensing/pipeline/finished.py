"""A lead's `finished` flag: licensed or closed, kept in the same transaction as the statuses it is made of.

The stage (stages.py::stage_column) is worked out in SQL from three tables; "is the family still on its way" needed
the same three for every quiet family, so the home page's stalled count read every lead, its application and its
license (thousands of rows at a county's size, ten times more at a state's). The flag says it on the lead, and the
count reads one index of (finished, last_activity_at).

Kept by two listeners, each running one UPDATE computed in the database from what was just written
(`finished_now()`), in the same transaction:
- every flush that adds, deletes or changes a lead's status or household, an application's status or household,
  or a license: the leads concerned (found by id in SQL, so attributes never loaded don't hide a household);
- every bulk `insert()`/`update()`/`delete()` of those models run through the session that may change them (an
  UPDATE setting only other columns, such as a lead's last activity, doesn't): every lead, as the statement does not
  say which rows it touched.
Not seen: SQL typed by hand or run on a connection (`session.connection().execute`, psql). The scale demo's bulk
inserts refresh their leads at the end (scale_demo.py); after SQL typed by hand, `flask refresh-pipeline` puts every
lead right. tests/licensing/test_pipeline_stages.py holds the flag to the stage for every combination of statuses.
Leads loaded in the session get `finished` expired after a flush that refreshed flags, so Python never reads an old
value."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from itertools import chain

import click
from sqlalchemy import ColumnElement, event, exists, inspect, or_, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from licensing import bp
from licensing.application.models import Application
from licensing.pipeline.stages import CLOSING_APPLICATION, CLOSING_LICENSE, LICENSED_LICENSE
from licensing.recruitment.models import Lead, LeadStatus
from licensing.tracker.models import License
from portal.data_versions import updated_columns
from portal.extensions import db
from portal.jobs import runs_alone

# What a write must change for a lead's flag to be worked out again.
_WATCHED = {Lead: ("status", "household_id"), Application: ("status", "household_id"),
            License: ("status", "application_id", "household_id")}
_WATCHED_TABLES = {model.__table__.name: set(names) for model, names in _WATCHED.items()}
_REFRESHED = "finished_refreshed"  # session.info key: a flush refreshed flags (loaded leads' values are old)
_DEFERRED = "finished_deferred"  # session.info key: refreshed once at the end of refreshed_at_end()


def finished_now() -> ColumnElement[bool]:
    """The flag as the statuses say it now (correlated to the lead being updated): the stage's first two cases
    (stages.py::stage_column), the lead closed, or its household's application denied or withdrawn or carrying a
    license that closes or licenses it."""
    return or_(Lead.status == LeadStatus.CLOSED,
               exists().where(Application.household_id == Lead.household_id,
                              or_(Application.status.in_(CLOSING_APPLICATION),
                                  exists().where(License.application_id == Application.id,
                                                 License.status.in_(CLOSING_LICENSE + LICENSED_LICENSE)))))


def refresh(session: Session, *conditions) -> None:
    """Work the flag out again for the leads meeting `conditions` (every lead without any), on the session's
    connection: no ORM event, no autoflush."""
    session.connection().execute(update(Lead.__table__).where(*conditions).values(finished=finished_now()))


@contextmanager
def refreshed_at_end(session: Session, *conditions) -> Iterator[None]:
    """For bulk writers (the scale demo's thousands of rows in batches): the listeners stand aside meanwhile, and the
    leads meeting `conditions` are refreshed once at the end, instead of every lead after every batch."""
    session.info[_DEFERRED] = True
    try:
        yield
    finally:
        session.info.pop(_DEFERRED, None)
    refresh(session, *conditions)


def _changed(state, names: tuple[str, ...]) -> bool:
    return any(state.attrs[name].history.has_changes() for name in names)


def _known_households(state) -> set[int]:
    """The household the record named before and after the flush, as far as it was loaded (a moved application
    concerns both; a deleted one is no longer there to be looked up)."""
    history = state.attrs.household_id.history
    return {value for value in chain(history.added, history.unchanged, history.deleted) if value is not None}


@event.listens_for(Session, "after_flush")
def _keep_finished(session: Session, _flush_context) -> None:
    if session.info.get(_DEFERRED):
        return
    lead_ids: set[int] = set()
    application_ids: set[int] = set()
    license_ids: set[int] = set()
    households: set[int] = set()
    everyone = False
    for instance in chain(session.new, session.dirty, session.deleted):
        names = _WATCHED.get(type(instance))
        if names is None:
            continue
        state = inspect(instance)
        new, deleted = instance in session.new, instance in session.deleted
        if not (new or deleted or _changed(state, names)):
            continue
        if isinstance(instance, Lead):
            # A new inquiry (no household, not closed) is on its way: the column's default says so already.
            if not deleted and not (new and instance.household_id is None and instance.status != LeadStatus.CLOSED):
                lead_ids.add(instance.id)
            continue
        households |= _known_households(state)
        if not deleted:
            (application_ids if isinstance(instance, Application) else license_ids).add(instance.id)
        elif not _known_households(state):
            everyone = True  # deleted without its household ever loaded: nothing says whose it was
    if everyone:
        refresh(session)
    elif lead_ids or application_ids or license_ids or households:
        # Households found in SQL by the records' ids: an attribute never loaded has no history to read.
        of_applications = select(Application.household_id).where(Application.id.in_(application_ids))
        of_licenses = (select(Application.household_id).join(License, License.application_id == Application.id)
                       .where(License.id.in_(license_ids)))
        refresh(session, or_(*(condition for condition, wanted in (
            (Lead.id.in_(lead_ids), lead_ids), (Lead.household_id.in_(households), households),
            (Lead.household_id.in_(of_applications), application_ids),
            (Lead.household_id.in_(of_licenses), license_ids)) if wanted)))
    else:
        return
    session.info[_REFRESHED] = True


@event.listens_for(Session, "after_flush_postexec")
def _expire_loaded_flags(session: Session, _flush_context) -> None:
    if session.info.pop(_REFRESHED, False):
        for instance in list(session.identity_map.values()):
            if isinstance(instance, Lead):
                session.expire(instance, ["finished"])


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state: ORMExecuteState):
    """A bulk statement on the three tables that may change a flag: run it, then refresh every lead."""
    if not (state.is_insert or state.is_update or state.is_delete) or state.session.info.get(_DEFERRED):
        return None
    watched = _WATCHED_TABLES.get(getattr(getattr(state.statement, "table", None), "name", None))
    if watched is None:
        return None
    if state.is_update:
        columns = updated_columns(state)
        if columns is not None and not (columns & watched):
            return None  # a lead's last activity, an invitation's date, who works the family: no flag moves
    result = state.invoke_statement()
    refresh(state.session)
    return result


@bp.cli.command("refresh-pipeline")
@runs_alone("refresh-pipeline")
def refresh_pipeline_command() -> None:
    """Work every family's "licensed or closed" flag out again from the statuses (after data was changed by hand in
    SQL, which the portal does not see)."""
    with db.unit_of_work():
        refresh(db.session)
    click.echo("Every family's stage flag is worked out again.")
