"""`seed-demo --households N` writes possible data: nothing dated after now, each step after the one before it, and
licenses that are current (renewed every two years) or lapsed with the status to say so."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from licensing import scale_demo
from licensing.application.models import Application
from licensing.pipeline import stages as pipeline_stages
from licensing.recruitment.models import Lead, LeadContact
from licensing.tracker.models import ChecklistItem, License, LicenseStatus, RequirementTemplate
from portal.database import now_utc
from portal.extensions import db as portal_db


def test_seeded_families_have_nothing_in_the_future_and_realistic_licenses(app, db):
    with app.app_context():
        scale_demo.seed_households(app, households=400)
        portal_db.session.commit()
    now, today = now_utc(), now_utc().date()
    seeded = Lead.email.like(f"%@{scale_demo.EMAIL_DOMAIN}")
    for column in (Lead.created_at, Lead.first_contact_at, Lead.invited_at, Lead.status_changed_at,
                   Lead.last_activity_at, Lead.closed_at):
        assert db.session.scalar(select(func.max(column)).where(seeded)) <= now, column
    assert db.session.scalar(select(func.max(LeadContact.contacted_at)).join(Lead).where(seeded)) <= now
    households = select(Lead.household_id).where(seeded)
    in_households = Application.household_id.in_(households)
    assert db.session.scalar(select(func.max(Application.created_at)).where(in_households)) <= now
    assert db.session.scalar(select(func.max(Application.submitted_at)).where(in_households)) <= now
    for lead, application in db.session.execute(select(Lead, Application).join(
            Application, Application.household_id == Lead.household_id).where(seeded)):
        assert lead.created_at <= lead.invited_at <= application.created_at
        assert application.submitted_at is None or application.created_at <= application.submitted_at
        assert lead.status_changed_at >= (application.submitted_at or application.created_at)
    licenses = db.session.scalars(select(License).where(License.household_id.in_(households))).all()
    assert licenses and all(lic.issued_at <= now and lic.effective_on <= today for lic in licenses)
    assert all(lic.expires_on > today for lic in licenses if lic.status is LicenseStatus.ACTIVE)
    assert all(lic.expires_on <= today for lic in licenses if lic.status is LicenseStatus.EXPIRED)
    assert any(lic.status is LicenseStatus.EXPIRED for lic in licenses)  # a few lapsed
    assert any(lic.expires_on - lic.effective_on > timedelta(days=730) for lic in licenses
               if lic.status is LicenseStatus.ACTIVE)  # renewed: a later expiry
    assert sum(lic.status is LicenseStatus.ACTIVE for lic in licenses) > len(licenses) * 0.8
    # Renewal items belong to a term the license began: none due after it expires.
    renewal_items = (select(func.count()).select_from(ChecklistItem)
                     .join(RequirementTemplate, RequirementTemplate.id == ChecklistItem.template_id)
                     .join(License, License.application_id == ChecklistItem.application_id)
                     .where(RequirementTemplate.for_renewal.is_(True), License.household_id.in_(households)))
    assert db.session.scalar(renewal_items) > 0
    assert db.session.scalar(renewal_items.where(ChecklistItem.due_date > License.expires_on)) == 0


def test_the_seed_stages_are_not_the_boards_stages():
    assert not hasattr(scale_demo, "Stage") and scale_demo.SeedStage is not pipeline_stages.Stage
