"""Demo data of licensing: upcoming sessions, two inquiries, a partly filled application for the applicant, and
households at every stage of the tracker. Every status is reached through the services' transition functions, as
staff and families would reach it, so the demo's history reads like a real one."""

from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy import select, update
from werkzeug.datastructures import FileStorage

from licensing.application import reasons, submission
from licensing.application import services as applications
from licensing.application.documents import required_documents
from licensing.application.models import (
    Application,
    ApplicationSection,
    ApplicationStatus,
    HouseholdMember,
    MemberRole,
    ReturnReason,
    SectionStatus,
)
from licensing.recruitment import services as recruitment
from licensing.recruitment.models import (
    ClosedReason,
    ContactKind,
    ContactOutcome,
    EventKind,
    InfoSession,
    Interest,
    Lead,
    LeadSource,
    LeadStatus,
    SessionFormat,
)
from licensing.tracker.models import (
    CheckStatus,
    HomeStudyVisit,
    ItemStatus,
    LicenseType,
    RequirementType,
    VisitKind,
    VisitStatus,
)
from licensing.tracker.services import checklists, checks, home_study, licenses, visits
from licensing.uploads import store_upload
from portal.clock import agency_now, agency_today
from portal.database import now_utc
from portal.extensions import db
from portal.models import Household, User
from portal.signals import demo_seeding


@demo_seeding.connect
def seed(_app, **_kwargs) -> None:
    """Idempotent: each piece is created only when missing."""
    if db.session.scalar(select(InfoSession).limit(1)) is None:
        soon = agency_now().replace(hour=18, minute=30, second=0, microsecond=0)  # an evening session
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
    application = recruitment.open_application_for(lead, household, opened_by=applicant)
    sections = {section.key: section for section in db.session.scalars(
        select(ApplicationSection).where(ApplicationSection.application_id == application.id))}
    db.session.add(HouseholdMember(application_id=application.id, role=MemberRole.PRIMARY, position=0,
                                   first_name="Alex", last_name="Applicant", birth_date=date(1988, 5, 14),
                                   email=applicant.email, user_id=applicant.id, phone="555-010-2020"))
    sections["applicants"].data = {"primary_first_name": "Alex", "primary_last_name": "Applicant",
                                   "primary_birth_date": "1988-05-14", "primary_phone": "555-010-2020",
                                   "has_co_applicant": False, "co_first_name": "", "co_last_name": "",
                                   "co_birth_date": None, "co_email": "", "co_phone": ""}
    applications.change_section_status(applicant, application, sections["applicants"], SectionStatus.COMPLETE,
                                       "section_saved")
    sections["household"].data = {"count": 0}
    applications.change_section_status(applicant, application, sections["household"], SectionStatus.COMPLETE,
                                       "section_saved")
    sections["residence"].draft = {"street": ["48 Elm Avenue"], "city": ["Fresno"], "state": ["CA"],
                                   "zip_code": ["93704"], "ownership": ["own"], "bedrooms": ["3"]}
    db.session.flush()


# -- households at every stage of the tracker ---------------------------------------------------------------------

DEMO_ANSWERS = {
    "residence": {"street": "10 Demo Street", "city": "Fresno", "state": "CA", "zip_code": "93701",
                  "ownership": "own", "bedrooms": 3, "has_pets": "yes", "pets_description": "A cat",
                  "has_firearms": "no", "firearms_storage": "", "has_pool": "no", "pool_safety": "",
                  "other_states": "NV"},
    "employment": {"primary_employment": "full_time", "primary_employer": "Fresno Unified", "co_employment": "",
                   "co_employer": "", "income_range": "50k_75k"},
    "health": {"has_condition": "no", "condition_details": "", "medical_statement_ack": True},
    "preferences": {"number_of_children": 2, "age_min": 0, "age_max": 12, "sibling_groups": True,
                    "needs": ["medical"], "languages": "English, Spanish", "will_transport": "no"},
    "disclosures": {"arrests": "no", "arrests_explanation": "", "cps": "no", "cps_explanation": "",
                    "prior_license": "no", "prior_license_explanation": ""},
    "attestations": {"truthful": True, "background_checks": True, "home_study": True, "report_changes": True},
}
STAGED_HOUSEHOLDS = [
    # email, first, last, language, stage
    ("applied@demo.test", "Priya", "Shah", "en", "applied"),
    ("midway@demo.test", "Rosa", "Delgado", "es", "midway"),
    ("ready@demo.test", "Tom", "Becker", "en", "ready"),
    ("family@demo.test", "Jordan", "Rivera", "en", "licensed"),
    ("family2@demo.test", "María", "González", "es", "licensed"),
]


@demo_seeding.connect
def seed_tracker_stages(_app, **_kwargs) -> None:
    """Households just applied, mid-way with a returned item, ready for a license, and licensed with renewal due."""
    from portal.demo import DEMO_PASSWORD
    from portal.models import Role
    from portal.passwords import hash_password

    homefinder = db.session.scalar(select(User).where(User.email == "homefinder@demo.test"))
    admin = db.session.scalar(select(User).where(User.email == "admin@demo.test"))
    if homefinder is None or admin is None:
        return
    today = agency_today()
    password_hash = None
    for email, first, last, language, stage in STAGED_HOUSEHOLDS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            password_hash = password_hash or hash_password(DEMO_PASSWORD)
            user = User(email=email, full_name=f"{first} {last}", role=Role.APPLICANT, preferred_locale=language,
                        password_hash=password_hash, email_confirmed_at=now_utc(),
                        household=Household(name=f"{first} {last}"))
            db.session.add(user)
            db.session.flush()
        if user.household_id is None or db.session.scalar(
                select(Application.id).where(Application.household_id == user.household_id)) is not None:
            continue
        application = _submitted_application(user, first, last, homefinder, today)
        _sent_documents(user, homefinder if stage in ("ready", "licensed") else None, application.id, today)
        answers = {**DEMO_ANSWERS, "applicants": {}}
        checklists.generate_checklist(application, answers, today - timedelta(days=20))
        db.session.flush()
        if stage == "applied":
            continue
        household_id = application.household_id
        view = checklists.load_checklist(application.id)
        for check in view.checks:
            cleared = stage != "midway" or check.check_type.value != "fbi"
            checks.update_check(homefinder, check, CheckStatus.CLEARED if cleared else CheckStatus.PENDING,
                                household_id=household_id)
        if stage in ("ready", "licensed"):
            for kind in VisitKind:
                _completed_visit(homefinder, application, kind)
            home_study.save_report(homefinder, application, None, {"recommendation": "Recommended for licensing."})
            home_study.approve_report(admin, home_study.report_for(application.id), household_id)
        db.session.flush()
        for item in view.items:
            if stage == "midway" and item.template.type not in (RequirementType.DOCUMENT,):
                continue
            if item.template.type is RequirementType.FEE:
                item.payment_method, item.receipt_number = "check", f"R-{item.id:04d}"
            if item.template.type is RequirementType.TRAINING_HOURS:
                item.hours_completed = item.template.hours_required
            if item.status is not ItemStatus.SUBMITTED:
                checklists.change_item_status(homefinder, item, ItemStatus.SUBMITTED, household_id=household_id)
            if stage == "midway" and item.template.code == "pet_vaccinations":
                reason = "El registro es del año pasado: por favor suba el de este año." if language == "es" \
                    else "The record is from last year: please upload this year's."
                checklists.change_item_status(homefinder, item, ItemStatus.RETURNED, household_id=household_id,
                                              reason=reason)
            else:
                checklists.change_item_status(homefinder, item, ItemStatus.APPROVED, household_id=household_id,
                                              today=today)
        if stage == "licensed":
            effective = today - timedelta(days=285)
            # Outside any request: the license email's link is built from PORTAL_URL (portal.emails.portal_url).
            licenses.issue_license(admin, application, checklists.load_checklist(application.id),
                                   f"FH-DEMO-{application.id:04d}", LicenseType.FOSTER, 2, 0, 12, effective,
                                   effective + timedelta(days=365), answers)
            db.session.flush()
    db.session.flush()


def _completed_visit(homefinder: User, application: Application, kind: VisitKind) -> None:
    """A visit held nine days ago: offered, scheduled and completed, each step recorded."""
    visit = HomeStudyVisit(application_id=application.id, kind=kind, homefinder_id=homefinder.id,
                           status=VisitStatus.PROPOSED)
    db.session.add(visit)
    visits.change_visit_status(homefinder, visit, VisitStatus.SCHEDULED, household_id=application.household_id)
    visit.starts_at = now_utc() - timedelta(days=9)
    visits.complete_visit(homefinder, visit, "", application.household_id)


DEMO_PDF = b"%PDF-1.4\n% A demo document: nothing real in it.\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _sent_documents(user: User, reviewer: User | None, application_id: int, today: date) -> None:
    """The documents sent with the application, accepted by the homefinder three days after it was sent when
    `reviewer` is given (the licensed family's application shows what was accepted, and when)."""
    application = applications.load_application(application_id)
    answers = applications.section_data(application)
    for slot in required_documents(application, answers, today - timedelta(days=20)):
        stored = store_upload(FileStorage(io.BytesIO(DEMO_PDF), filename=f"{slot.kind.replace('_', '-')}.pdf"))
        document = applications.new_document(application.id, slot.kind, slot.member_id, stored, user)
        document.uploaded_at = application.submitted_at - timedelta(days=1)
        db.session.add(document)
        db.session.flush()
        if reviewer is not None:
            applications.review_document(reviewer, application, document, accept=True, reason="")
            document.reviewed_at = application.submitted_at + timedelta(days=3)
    db.session.flush()


def _submitted_application(user: User, first: str, last: str, homefinder: User, today: date) -> Application:
    household = db.session.get(Household, user.household_id)
    application = applications.open_application(household, None, opened_by=user)
    application.assigned_homefinder_id = homefinder.id
    db.session.add(HouseholdMember(application_id=application.id, role=MemberRole.PRIMARY, position=0,
                                   first_name=first, last_name=last, birth_date=date(1984, 3, 9), email=user.email,
                                   user_id=user.id))
    for section in db.session.scalars(select(ApplicationSection).where(
            ApplicationSection.application_id == application.id)):
        section.data = dict(DEMO_ANSWERS.get(section.key, {"count": 0}))
        applications.change_section_status(user, application, section, SectionStatus.COMPLETE, "section_saved")
    db.session.flush()
    # Signed the way a family signs (a sent application with nobody's signature read as unfinished), then sent.
    application = applications.load_application(application.id)
    primary = next(m for m in application.members if m.role is MemberRole.PRIMARY)
    submission.sign_as_account_holder(application, primary, primary.full_name, user, "127.0.0.1")
    applications.change_application_status(user, application, ApplicationStatus.SUBMITTED)
    application.submitted_at = now_utc() - timedelta(days=20)
    db.session.flush()
    return application


# -- the agency's saved return reasons ----------------------------------------------------------------------------

DEMO_RETURN_REASONS = [
    ("The photo is blurry. Please take it again in good light.",
     "La foto está borrosa. Tómela de nuevo con buena luz."),
    ("A page is missing. Please send every page.", "Falta una página. Envíe todas las páginas, por favor."),
    ("The document has expired. Please send a current one.", "El documento está vencido. Envíe uno vigente."),
]


@demo_seeding.connect
def seed_return_reasons(_app, **_kwargs) -> None:
    """A few reasons staff can choose when they return a document, in English and Spanish."""
    if db.session.scalar(select(ReturnReason).limit(1)) is not None:
        return
    admin = db.session.scalar(select(User).where(User.email == "admin@demo.test"))
    for text_en, text_es in DEMO_RETURN_REASONS:
        reasons.save_reason(admin, None, text_en, text_es, active=True)
    db.session.flush()


# -- the pipeline board -------------------------------------------------------------------------------------------

# first, last, language, lead status, days since anything happened, source, whose (the demo homefinder's or nobody's)
BOARD_FAMILIES = [
    ("Lucía", "Ramírez", "es", LeadStatus.NEW, 1, LeadSource.FAITH_COMMUNITY, True),
    ("Carmen", "Ortiz", "es", LeadStatus.NEW, 19, LeadSource.EVENT, True),
    ("David", "Kim", "en", LeadStatus.CONTACTED, 3, LeadSource.SEARCH, True),
    ("Jorge", "Medina", "es", LeadStatus.CONTACTED, 24, LeadSource.FOSTER_PARENT_REFERRAL, True),
    ("Sarah", "Miller", "en", LeadStatus.RSVPED, 5, LeadSource.SOCIAL_MEDIA, True),
    ("Ana", "Flores", "es", LeadStatus.ATTENDED, 16, LeadSource.EVENT, True),
    ("James", "Wilson", "en", LeadStatus.INVITED, 30, LeadSource.EVENT, True),
    ("Beatriz", "Luna", "es", LeadStatus.INVITED, 2, LeadSource.FAITH_COMMUNITY, False),
    ("Emily", "Nguyen", "en", LeadStatus.NEW, 0, LeadSource.SOCIAL_MEDIA, False),
    ("Miguel", "Torres", "es", LeadStatus.CLOSED, 40, LeadSource.EVENT, True),
    # Nobody's yet, and quiet for weeks: the kind of family the board's "stalled" filter is for.
    ("Rosario", "Vega", "es", LeadStatus.CONTACTED, 21, LeadSource.EVENT, False),
    ("Tomás", "Rojas", "es", LeadStatus.NEW, 18, LeadSource.SOCIAL_MEDIA, False),
]


# -- recruitment events -------------------------------------------------------------------------------------------

DEMO_EVENTS = [
    # code, name, kind, language, days ago, the leads it brought (first, last, email, language)
    ("FAIR-FRESNO-SPRING", "Fresno spring resource fair", EventKind.FAIR, "en", 40,
     [("Dana", "Brooks", "dana.brooks@example.com", "en"), ("Luis", "Ortega", "luis.ortega@example.com", "es"),
      ("Kim", "Nguyen", "kim.nguyen@example.com", "en")]),
    ("IGLESIA-SANJOSE", "Charla en la parroquia San José", EventKind.FAITH_TALK, "es", 20,
     [("Carmen", "Ruiz", "carmen.ruiz@example.com", "es"), ("Jorge", "Méndez", "jorge.mendez@example.com", "es")]),
]


@demo_seeding.connect
def seed_pipeline_board(_app, **_kwargs) -> None:
    """A dozen families for the demo homefinder's board: several stages, some stalled, some Spanish-speaking (the
    households of the tracker's demo are on it too, through their applications)."""
    homefinder = db.session.scalar(select(User).where(User.email == "homefinder@demo.test"))
    if homefinder is None or db.session.scalar(select(Lead).where(Lead.email == "lucia.ramirez@example.com")):
        return
    now = now_utc()
    for first, last, language, status, idle_days, source, mine in BOARD_FAMILIES:
        ascii_name = f"{first}.{last}".lower().translate(str.maketrans("áéíóú", "aeiou"))
        lead = Lead(first_name=first, last_name=last, email=f"{ascii_name}@example.com", preferred_locale=language,
                    phone=f"559-555-{len(first) * 111:04d}", county="Fresno", zip_code="93702", source=source,
                    interest=Interest.FOSTER, status=status, created_at=now - timedelta(days=idle_days + 10),
                    assigned_homefinder_id=homefinder.id if mine else None,
                    first_contact_at=None if status is LeadStatus.NEW else now - timedelta(days=idle_days + 5),
                    closed_reason=ClosedReason.MOVED if status is LeadStatus.CLOSED else None,
                    closed_at=now - timedelta(days=idle_days) if status is LeadStatus.CLOSED else None,
                    next_follow_up_on=agency_today() + timedelta(days=1) if status is LeadStatus.CONTACTED else None)
        db.session.add(lead)
        db.session.flush()
        # Backdated after the insert: the event log's listener would set "now" for anything recorded meanwhile.
        lead.status_changed_at = lead.last_activity_at = now - timedelta(days=idle_days)
    for user in db.session.scalars(select(User).where(User.email.in_([e for e, *_ in STAGED_HOUSEHOLDS]))):
        db.session.execute(update(Lead).where(Lead.household_id == user.household_id,
                                              Lead.assigned_homefinder_id.is_(None))
                           .values(assigned_homefinder_id=homefinder.id))
    db.session.flush()


@demo_seeding.connect
def seed_lead_contacts(_app, **_kwargs) -> None:
    """Inquiries of the last days, some called back with a follow-up due today (the homefinder's home page starts
    with something to do) and one still waiting past a business day. Idempotent."""
    homefinder = db.session.scalar(select(User).where(User.email == "homefinder@demo.test"))
    if homefinder is None or db.session.scalar(select(Lead.id).where(Lead.email == "rosa.morales@example.com")):
        return
    today = agency_today()
    for first, last, email, locale, days_ago, contact in [
        ("Rosa", "Morales", "rosa.morales@example.com", "es", 3,
         (ContactKind.CALL, ContactOutcome.LEFT_MESSAGE, "Dejé un mensaje sobre la sesión del jueves.", 0)),
        ("Daniel", "Park", "daniel.park@example.com", "en", 6,
         (ContactKind.EMAIL, ContactOutcome.REACHED, "Wants to know about respite care first.", -1)),
        ("Grace", "Okafor", "grace.okafor@example.com", "en", 2,
         (ContactKind.CALL, ContactOutcome.REACHED, "Coming to the next session with her husband.", 0)),
        ("Lucía", "Ortega", "lucia.ortega@example.com", "es", 4, None),
    ]:
        arrived = now_utc() - timedelta(days=days_ago)
        lead = Lead(first_name=first, last_name=last, email=email, preferred_locale=locale, zip_code="93702",
                    county="Fresno", source=LeadSource.SOCIAL_MEDIA, interest=Interest.FOSTER, created_at=arrived,
                    last_activity_at=arrived, status_changed_at=arrived)
        db.session.add(lead)
        db.session.flush()
        if contact is not None:
            kind, outcome, notes, follow_up_in = contact
            recruitment.log_contact(homefinder, lead, kind, outcome, notes, arrived + timedelta(hours=20),
                                    today + timedelta(days=follow_up_in))


@demo_seeding.connect
def seed_recruitment_events(_app, **_kwargs) -> None:
    """A fair and a talk at a church, each with the few inquiries it brought (the events page counts them)."""
    homefinder = db.session.scalar(select(User).where(User.email == "homefinder@demo.test"))
    if homefinder is None:
        return
    today = agency_today()
    for code, name, kind, language, days_ago, leads in DEMO_EVENTS:
        event = recruitment.event_for_code(code)
        if event is None:
            event = recruitment.create_event(homefinder, name=name, kind=kind, source_code=code,
                                             starts_on=today - timedelta(days=days_ago), ends_on=None,
                                             language=language, county="Fresno", notes="")
        for first, last, email, locale in leads:
            if db.session.scalar(select(Lead.id).where(Lead.email == email)) is None:
                db.session.add(Lead(first_name=first, last_name=last, email=email, preferred_locale=locale,
                                    county="Fresno", zip_code="93702", source=LeadSource.EVENT,
                                    interest=Interest.FOSTER, event_id=event.id,
                                    created_at=now_utc() - timedelta(days=days_ago - 1)))
    db.session.flush()
