"""The stage's plain spelling: `unfinished()` (what the stalled count and the board's "only stalled" filter use) says
"still on its way" for exactly the families whose stage is neither licensed nor closed, for every combination of the
lead's, the application's and the license's statuses, with and without an application or a license."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from licensing.application.models import Application, ApplicationStatus
from licensing.pipeline.stages import (
    FINISHED_STAGES,
    pipeline_select,
    stage_column,
    stalled_after,
    stalled_condition,
    unfinished,
)
from licensing.recruitment.models import Interest, Lead, LeadSource, LeadStatus
from licensing.tracker.models import License, LicenseStatus, LicenseType
from portal.database import now_utc
from portal.models import Household, Role


def _family(db, number: int, lead_status, application_status, license_status, issuer, idle_days: int) -> None:
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


def test_unfinished_is_the_stage_neither_licensed_nor_closed_for_every_combination(app, db, make_user):
    issuer = make_user(Role.ADMIN)
    combinations = [(lead_status, None, None) for lead_status in LeadStatus] + list(itertools.product(
        LeadStatus, ApplicationStatus, [None, *LicenseStatus]))
    with app.test_request_context():
        for number, (lead_status, application_status, license_status) in enumerate(combinations):
            # Half the families quiet for a month, half active today: the stalled count needs both.
            _family(db, number, lead_status, application_status, license_status, issuer, 30 * (number % 2))
        db.session.commit()
        rows = db.session.execute(pipeline_select(
            Lead.email, stage_column().not_in(FINISHED_STAGES), unfinished(), stalled_condition(),
            Lead.last_activity_at < now_utc() - stalled_after())).all()
        assert len(rows) == len(combinations)
        # Every kind of family is there, finished and not, quiet and not.
        assert {(row[1], row[4]) for row in rows} == {(True, True), (True, False), (False, True), (False, False)}
        for email, by_stage, plain, stalled, quiet in rows:
            assert bool(plain) == bool(by_stage), email
            assert bool(stalled) == (bool(by_stage) and bool(quiet)), email
