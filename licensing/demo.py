"""Demo data of recruitment: upcoming sessions, two inquiries, and a partly filled application for the applicant."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from licensing import applications
from licensing.models import (
    Application,
    ApplicationSection,
    HouseholdMember,
    InfoSession,
    Interest,
    Lead,
    LeadSource,
    LeadStatus,
    MemberRole,
    SectionStatus,
    SessionFormat,
)
from portal.database import now_utc
from portal.extensions import db
from portal.models import Household, User
from portal.signals import demo_seeding


@demo_seeding.connect
def seed(_app, **_kwargs) -> None:
    """Idempotent: each piece is created only when missing."""
    if db.session.scalar(select(InfoSession).limit(1)) is None:
        soon = now_utc().replace(hour=1, minute=30, second=0, microsecond=0)  # 6:30 pm in California
        db.session.add_all([
            InfoSession(starts_at=soon + timedelta(days=6), format=SessionFormat.IN_PERSON, language="en",
                        address="1200 Main Street, Room 3, Fresno, CA", capacity=25),
            InfoSession(starts_at=soon + timedelta(days=13), format=SessionFormat.VIRTUAL, language="es",
                        meeting_link="https://meet.example.com/sesion-informativa", capacity=30),
        ])
    for first, last, email, locale, status in [("Elena", "Vargas", "elena.vargas@example.com", "es", LeadStatus.NEW),
                                               ("Mark", "Chen", "mark.chen@example.com", "en",
                                                LeadStatus.CONTACTED)]:
        if db.session.scalar(select(Lead).where(Lead.email == email)) is None:
            db.session.add(Lead(first_name=first, last_name=last, email=email, preferred_locale=locale,
                                zip_code="93701", county="Fresno", source=LeadSource.EVENT, interest=Interest.FOSTER,
                                status=status, first_contact_at=now_utc() if status is LeadStatus.CONTACTED else None))
    applicant = db.session.scalar(select(User).where(User.email == "applicant@demo.test"))
    if applicant is None or applicant.household_id is None:
        return
    if db.session.scalar(select(Application).where(Application.household_id == applicant.household_id)):
        return
    household = db.session.get(Household, applicant.household_id)
    lead = Lead(first_name="Alex", last_name="Applicant", email=applicant.email, source=LeadSource.SEARCH,
                interest=Interest.FOSTER, status=LeadStatus.ATTENDED, household_id=household.id,
                first_contact_at=now_utc())
    db.session.add(lead)
    db.session.flush()
    application = applications.open_application(household, lead, opened_by=applicant)
    sections = {section.key: section for section in db.session.scalars(
        select(ApplicationSection).where(ApplicationSection.application_id == application.id))}
    db.session.add(HouseholdMember(application_id=application.id, role=MemberRole.PRIMARY, position=0,
                                   first_name="Alex", last_name="Applicant", birth_date=date(1988, 5, 14),
                                   email=applicant.email, phone="555-010-2020"))
    sections["applicants"].data = {"primary_first_name": "Alex", "primary_last_name": "Applicant",
                                   "primary_birth_date": "1988-05-14", "primary_phone": "555-010-2020",
                                   "has_co_applicant": False, "co_first_name": "", "co_last_name": "",
                                   "co_birth_date": None, "co_email": "", "co_phone": ""}
    sections["applicants"].status = SectionStatus.COMPLETE
    sections["household"].data = {"count": 0}
    sections["household"].status = SectionStatus.COMPLETE
    sections["residence"].draft = {"street": ["48 Elm Avenue"], "city": ["Fresno"], "state": ["CA"],
                                   "zip_code": ["93704"], "ownership": ["own"], "bedrooms": ["3"]}
    db.session.flush()
