"""Each lead's "last activity" and "in this stage since" come from the event log (licensing/recruitment/activity.py):
what moves a family forward counts; a read, a stranger's wrong answer or handing the family to a homefinder doesn't;
a status change within one stage keeps the stage's start."""

from __future__ import annotations

from datetime import timedelta

from licensing.recruitment.models import Interest, Lead, LeadSource, LeadStatus
from portal import audit
from portal.database import now_utc
from portal.extensions import db as portal_db
from portal.models import Household


def _lead(app, db, when):
    household = Household(name="Vega")
    db.session.add(household)
    db.session.flush()
    lead = Lead(first_name="Rosa", last_name="Vega", email="rosa.vega@example.com", source=LeadSource.EVENT,
                interest=Interest.FOSTER, status=LeadStatus.APPLYING, household_id=household.id,
                last_activity_at=when, status_changed_at=when)
    db.session.add(lead)
    db.session.commit()
    return lead.id, household.id


def _times(db, lead_id):
    db.session.expire_all()
    lead = db.session.get(Lead, lead_id)
    return lead.last_activity_at, lead.status_changed_at


def test_reads_and_assignments_are_not_activity_but_the_familys_steps_are(app, db):
    long_ago = now_utc() - timedelta(days=30)
    lead_id, household_id = _lead(app, db, long_ago)
    with app.test_request_context():
        for action in ("document_downloaded", "application_read_by_link", "signing_link_birth_date_wrong"):
            audit.record(action, target=None, household_id=household_id)
        audit.record("lead_assigned", target=portal_db.session.get(Lead, lead_id), household_id=household_id)
        portal_db.commit()
    assert _times(db, lead_id) == (long_ago, long_ago)
    with app.test_request_context():
        audit.record("document_added", household_id=household_id)
        portal_db.commit()
    active, since = _times(db, lead_id)
    assert active > long_ago and since == long_ago


def test_only_a_change_of_stage_restarts_the_days_in_it(app, db):
    long_ago = now_utc() - timedelta(days=30)
    lead_id, household_id = _lead(app, db, long_ago)

    class Application:  # what the log names: the record's type and id
        def __init__(self, id_):
            self.id = id_

    with app.test_request_context():
        audit.record("status_changed", target=Application(7), household_id=household_id,
                     from_status="submitted", to_status="returned")  # still the home study stage
        portal_db.commit()
    assert _times(db, lead_id)[1] == long_ago
    with app.test_request_context():
        audit.record("status_changed", target=Application(7), household_id=household_id,
                     from_status="in_progress", to_status="submitted")
        portal_db.commit()
    assert _times(db, lead_id)[1] > long_ago
