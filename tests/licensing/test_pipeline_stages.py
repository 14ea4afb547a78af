"""Each lead's `finished` flag (licensing/pipeline/finished.py), what the stalled count and the board's "only
stalled" filter read: it says "licensed or closed" for exactly the families whose stage says so, for every
combination of the lead's, the application's and the license's statuses, with and without an application or a
license; whether the records are written together or changed one by one afterwards (a license deleted, a lead linked
to a licensed household or reopened, bulk UPDATE statements, a record loaded in part); and `flask refresh-pipeline`
puts it right after SQL typed by hand. The migration's backfill: tests/licensing/test_finished_migration.py."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlalchemy import select, text, update
from sqlalchemy.orm import load_only

from licensing.application.models import Application, ApplicationStatus
from licensing.pipeline.stages import (
    CLOSING_APPLICATION,
    FINISHED_STAGES,
    pipeline_select,
    stage_column,
    stalled_after,
    stalled_condition,
)
from licensing.recruitment.models import Interest, Lead, LeadSource, LeadStatus
from licensing.tracker.models import License, LicenseStatus, LicenseType
from portal.database import now_utc
from portal.models import Household, Role

COMBINATIONS = [(lead_status, None, None) for lead_status in LeadStatus] + list(itertools.product(
    LeadStatus, ApplicationStatus, [None, *LicenseStatus]))


def _family(db, number: int, lead_status, application_status, license_status, issuer, idle_days: int) -> Lead:
    lead = Lead(first_name="Family", last_name=str(number), email=f"stage{number}@example.com",
                source=LeadSource.EVENT, interest=Interest.FOSTER, status=lead_status,
                last_activity_at=now_utc() - timedelta(days=idle_days))
    if application_status is not None:
        household = Household(name=f"Family {number}")
        db.session.add(household)
        db.session.flush()
        lead.household_id = household.id
        application = Application(household_id=household.id, status=application_status)
        db.session.add(application)
        db.session.flush()
        if license_status is not None:
            db.session.add(License(application_id=application.id, household_id=household.id, number=f"L-{number}",
                                   type=LicenseType.FOSTER, capacity=2, age_min=0, age_max=17,
                                   effective_on=date(2026, 1, 1), expires_on=date(2028, 1, 1),
                                   status=license_status, issued_by_id=issuer.id))
    db.session.add(lead)
    return lead


def _every_combination(db, issuer) -> None:
    """One family per combination of statuses, written together (one commit)."""
    for number, (lead_status, application_status, license_status) in enumerate(COMBINATIONS):
        # Half the families quiet for a month, half active today: the stalled count needs both.
        _family(db, number, lead_status, application_status, license_status, issuer, 30 * (number % 2))
    db.session.commit()


def _flags_and_stages(db):
    return db.session.execute(pipeline_select(
        Lead.email, Lead.finished, stage_column().in_(FINISHED_STAGES), stalled_condition(),
        Lead.last_activity_at < now_utc() - stalled_after())).all()


def _assert_flag_is_the_stage(rows) -> None:
    assert len(rows) == len(COMBINATIONS)
    # Every kind of family is there, finished and not, quiet and not.
    assert {(bool(row[2]), bool(row[4])) for row in rows} == {(True, True), (True, False), (False, True),
                                                              (False, False)}
    for email, flag, by_stage, stalled, quiet in rows:
        assert bool(flag) == bool(by_stage), email
        assert bool(stalled) == (not by_stage and bool(quiet)), email


def test_the_flag_is_the_stage_for_every_combination_written_together(app, db, make_user):
    with app.test_request_context():
        _every_combination(db, make_user(Role.ADMIN))
        _assert_flag_is_the_stage(_flags_and_stages(db))


def test_the_flag_follows_each_status_changed_afterwards(app, db, make_user):
    """Every family starts on its way (a new lead, an application in progress), then each record moves to the
    combination's status in its own commit: the lead, the application, then a license issued (and closed)."""
    issuer = make_user(Role.ADMIN)
    with app.test_request_context():
        families = [_family(db, number, LeadStatus.NEW, ApplicationStatus.IN_PROGRESS if application else None, None,
                            issuer, 30 * (number % 2))
                    for number, (_lead, application, _license) in enumerate(COMBINATIONS)]
        db.session.commit()
        assert not any(db.session.scalars(select(Lead.finished)))
        for lead, (lead_status, _application, _license) in zip(families, COMBINATIONS, strict=True):
            lead.status = lead_status
        db.session.commit()
        applications = {a.household_id: a for a in db.session.scalars(select(Application))}
        for lead, (_lead, application_status, license_status) in zip(families, COMBINATIONS, strict=True):
            if application_status is None:
                continue
            application = applications[lead.household_id]
            application.status = application_status
            db.session.commit()
            if license_status is not None:
                license_ = License(application_id=application.id, household_id=lead.household_id,
                                   number=f"L-{lead.id}", type=LicenseType.FOSTER, capacity=2, age_min=0, age_max=17,
                                   effective_on=date(2026, 1, 1), expires_on=date(2028, 1, 1),
                                   status=LicenseStatus.ACTIVE, issued_by_id=issuer.id)
                db.session.add(license_)
                db.session.commit()
                license_.status = license_status
                db.session.commit()
        _assert_flag_is_the_stage(_flags_and_stages(db))
        # A license withdrawn altogether (deleted) puts a family whose lead and application are open back on its
        # way.
        licensed = db.session.scalars(select(License).join(Application, Application.id == License.application_id)
                                      .join(Lead, Lead.household_id == Application.household_id)
                                      .where(Lead.status != LeadStatus.CLOSED,
                                             Application.status.not_in(CLOSING_APPLICATION))).first()
        assert licensed is not None
        lead_id = db.session.scalar(select(Lead.id).where(Lead.household_id == licensed.household_id))
        assert db.session.scalar(select(Lead.finished).where(Lead.id == lead_id)) is True
        db.session.delete(licensed)
        db.session.commit()
        assert db.session.scalar(select(Lead.finished).where(Lead.id == lead_id)) is False


def test_a_lead_linked_to_a_licensed_household_or_reopened(app, db, make_user):
    issuer = make_user(Role.ADMIN)
    with app.test_request_context():
        licensed = _family(db, 1, LeadStatus.APPLYING, ApplicationStatus.APPROVED, LicenseStatus.ACTIVE, issuer, 0)
        asked_first = _family(db, 2, LeadStatus.NEW, None, None, issuer, 0)
        closed = _family(db, 3, LeadStatus.CLOSED, None, None, issuer, 0)
        db.session.commit()
        assert (licensed.finished, asked_first.finished, closed.finished) == (True, False, True)
        # The person who asked first is found to be the licensed household's (the leads list links them).
        asked_first.household_id = licensed.household_id
        closed.status = LeadStatus.NEW  # reopened
        db.session.commit()
        # Read again from the database: the loaded objects' values were expired by the flush.
        assert (asked_first.finished, closed.finished) == (True, False)


def test_bulk_statements_and_records_loaded_in_part(app, db, make_user, count_queries):
    issuer = make_user(Role.ADMIN)
    with app.test_request_context():
        lead = _family(db, 1, LeadStatus.CONTACTED, None, None, issuer, 0)
        applying = _family(db, 2, LeadStatus.APPLYING, ApplicationStatus.IN_PROGRESS, None, issuer, 0)
        sent = _family(db, 3, LeadStatus.APPLYING, ApplicationStatus.SUBMITTED, None, issuer, 0)
        db.session.commit()
        flag = lambda of: db.session.scalar(select(Lead.finished).where(Lead.id == of.id))  # noqa: E731
        db.session.execute(update(Lead).where(Lead.id == lead.id).values(status=LeadStatus.CLOSED)
                           .execution_options(synchronize_session=False))
        db.session.execute(update(Application).where(Application.household_id == applying.household_id)
                           .values(status=ApplicationStatus.WITHDRAWN).execution_options(synchronize_session=False))
        db.session.commit()
        assert (flag(lead), flag(applying), flag(sent)) == (True, True, False)
        # A bulk UPDATE of other columns (every family action writes its lead's last activity) refreshes nothing.
        with count_queries() as counter:
            db.session.execute(update(Lead).where(Lead.id == sent.id).values(last_activity_at=now_utc())
                               .execution_options(synchronize_session=False))
        assert counter.count == 1
        # An application loaded without its household: the household is found by the application's id.
        db.session.expunge_all()
        application = db.session.scalars(select(Application).where(Application.household_id == sent.household_id)
                                         .options(load_only(Application.id, Application.status))).one()
        application.status = ApplicationStatus.DENIED
        db.session.commit()
        assert flag(sent) is True


def test_refresh_pipeline_puts_right_what_sql_typed_by_hand_changed(app, db, make_user):
    with app.test_request_context():
        _every_combination(db, make_user(Role.ADMIN))
        # What the portal does not see: a connection's statement (as psql would), every flag turned over.
        db.session.connection().execute(update(Lead.__table__).values(finished=text("NOT finished")))
        db.session.commit()
        assert any(bool(row[1]) != bool(row[2]) for row in _flags_and_stages(db))
        db.session.commit()  # nothing held open around the command's own transaction (they share one connection)
    result = app.test_cli_runner().invoke(args=["refresh-pipeline"])
    assert result.exit_code == 0, result.output
    with app.test_request_context():
        _assert_flag_is_the_stage(_flags_and_stages(db))
