"""Demo training hours (`flask seed-demo`): the Rivera family (family@demo.test) part-way to its annual in-service
hours, each applicant with a CPR/First Aid certification that expires, and one outside-hours submission waiting for
staff. Idempotent: nothing is added once the household has credits."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from portal.clock import agency_today
from portal.extensions import db
from portal.models import User
from portal.signals import demo_seeding
from training.catalog.models import CourseCategory
from training.hours import services
from training.hours.models import CreditFormat, TrainingCredit
from training.hours.record import household_license

DEMO_PROOF = b"%PDF-1.4\n% A demo certificate: nothing real in it.\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _proof(name: str) -> FileStorage:
    return FileStorage(io.BytesIO(DEMO_PROOF), filename=name)


@demo_seeding.connect
def seed_training_hours(_app, **_kwargs) -> None:
    family = db.session.scalar(select(User).where(User.email == "family@demo.test"))
    homefinder = db.session.scalar(select(User).where(User.email == "homefinder@demo.test"))
    if family is None or homefinder is None or family.household_id is None:
        return
    household_id = family.household_id
    license_ = household_license(household_id)
    if license_ is None or db.session.scalar(select(TrainingCredit.id).where(
            TrainingCredit.household_id == household_id).limit(1)) is not None:
        return
    today = agency_today()
    year_started = max(license_.effective_on, today - timedelta(days=300))
    for member in services.applicants_of(household_id):
        # 7 of the 12 in-service hours of this license year: a class at another agency and an online course.
        for title, provider, kind, tenths, days_in in (
                ("Trauma-informed parenting", "County family services", CreditFormat.IN_PERSON, 40, 30),
                ("Supporting children's school success", "Foster parent college (online)", CreditFormat.ONLINE, 30,
                 90)):
            services.record_outside_hours(homefinder, household_id, services.OutsideHours(
                member_id=member.id, title=title, provider=provider, category=CourseCategory.IN_SERVICE,
                format=kind, hours_tenths=tenths, completed_on=min(year_started + timedelta(days=days_in), today)),
                _proof(f"{title.lower().replace(' ', '-')}.pdf"))
        # CPR/First Aid, taken before the license: valid two years from then.
        services.record_outside_hours(homefinder, household_id, services.OutsideHours(
            member_id=member.id, title="CPR and First Aid (Red Cross)", provider="American Red Cross",
            category=CourseCategory.CPR_FIRST_AID, format=CreditFormat.IN_PERSON, hours_tenths=40,
            completed_on=license_.effective_on - timedelta(days=40)), _proof("cpr-card.pdf"))
    first = services.applicants_of(household_id)[0]
    services.submit_outside_hours(family, services.OutsideHours(
        member_id=first.id, title="“The Connected Child” (book)", provider="Purvis, Cross & Sunshine",
        category=CourseCategory.IN_SERVICE, format=CreditFormat.BOOK, hours_tenths=20,
        completed_on=today - timedelta(days=5)), _proof("book-report.pdf"))
    db.session.flush()
