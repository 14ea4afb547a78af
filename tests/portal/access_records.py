"""Real records for the access matrix: one household well into licensing, with one of everything an id route names.

Built straight through the models (and the services that open an application and store a file), not through the
family's pages: the matrix runs once per endpoint and role, and filling in a whole application each time would take
minutes. What matters here is that every id in a URL names a record that exists, so "refused" and "not found" are no
longer the same answer.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path

from flask import Flask
from werkzeug.datastructures import FileStorage

from licensing.application import services as applications
from licensing.application.models import (
    ApplicationStatus,
    DocumentPage,
    HouseholdMember,
    MemberRole,
    Reference,
    ReturnReason,
)
from licensing.recruitment.models import (
    InfoSession,
    Interest,
    Lead,
    LeadInquiry,
    LeadSource,
    LeadStatus,
    RecruitmentEvent,
    SessionFormat,
    SessionRsvp,
)
from licensing.tracker.models import (
    BackgroundCheck,
    ChecklistItem,
    CheckType,
    HomeStudyVisit,
    RequirementScope,
    RequirementStage,
    RequirementTemplate,
    RequirementType,
    VisitKind,
    VisitSlot,
)
from licensing.uploads import store_upload, upload_folder
from portal.calendars import issue_feed
from portal.children.models import Appointment, AppointmentKind, Child, Placement, RespiteStay, StayKind
from portal.clock import agency_today
from portal.court_reports.models import CaregiverReport
from portal.database import now_utc
from portal.extensions import db as portal_db
from portal.messaging.models import Message, MessageAttachment, MessageThread
from portal.mileage.models import MileageClaim, Trip
from portal.models import Household, Passkey, Role, SignedInSession, User
from portal.sessions import END_SESSION_TOKEN
from portal.tokens import make_token
from tests.portal.access_records_payments import build_payment_records
from training.catalog.models import (
    ChildcareStatus,
    Course,
    CourseCategory,
    CourseSession,
    Enrollment,
    EnrollmentStatus,
    SessionMeeting,
)
from training.groups.models import GroupMeeting, GroupMembership, GroupRsvp, Recurrence, SupportGroup
from training.hours.models import CreditSource, CreditStatus, TrainingCredit

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass(frozen=True)
class AccessRecords:
    """The ids the matrix's URLs name (as `{lead_id}` and so on), and the household they belong to."""

    household_id: int
    owner_id: int  # the applicant who owns the household; also the person /admin/people/<id> names
    homefinder_id: int
    lead_id: int
    session_id: int
    application_id: int
    member_id: int  # another adult of the home, asked by email for their own part and not answered yet
    co_applicant_id: int  # signs through their own emailed link; has not signed
    reference_id: int  # asked, not answered yet
    document_id: int  # a photo ID sent with the application, stored on disk, in two pages (two photos)
    page: int  # the number of the document's second page
    template_id: int  # a requirement the agency defined (a document to send)
    item_id: int  # the household's checklist item for that requirement, not started
    check_id: int
    visit_id: int  # proposed: the family still has to choose one of its times
    slot_id: int
    return_reason_id: int  # a saved reason staff choose when they return something to a family
    signed_in_session_id: int  # the owner's signed-in session (another person's, to everyone the matrix signs in)
    end_session_token: str  # the owner's "it wasn't me" link to end that session
    passkey_id: int  # the homefinder's passkey (another person's, to everyone the matrix signs in; not the owner's,
    # whose sign-in it would turn into two steps for the browser tests that sign the owner in)
    stored_path: Path
    page_stored_path: Path
    event_id: int = 0  # a recruitment event (a fair) the lead came from
    # A child placed with the household (its coordinator is nobody the matrix signs in), one appointment of the
    # child, and the owner's private calendar address (the feed's token).
    child_id: int = 0
    appointment_id: int = 0
    feed_token: str = ""
    # A child placed with the household (no coordinator: the matrix's coordinator is not the child's), a court hearing
    # and its caregiver report (asked, not sent yet), a trip not claimed yet and a submitted claim of another trip.
    court_report_id: int = 0
    trip_id: int = 0
    claim_id: int = 0
    payment_enrollment_id: int = 0  # the owner's seat in a paid training session (payments)
    fee_item_id: int = 0  # the owner's fingerprinting fee on the checklist
    payment_id: int = 0  # an expired online payment of that seat
    placement_id: int = 0  # the first child's placement (active)
    stay_id: int = 0  # a camp stay next week during it
    thread_id: int = 0  # a message thread between the household and its homefinder, with one attachment
    attachment_id: int = 0
    attachment_stored_path: Path | None = None
    # Trainings: a course meeting the primary applicant is enrolled for, her pending outside hours (with a proof on
    # disk) and a completed course's credit (with its certificate).
    meeting_id: int = 0
    credit_id: int = 0
    certificate_id: int = 0
    proof_stored_path: Path | None = None
    course_id: int = 0  # a training course of the catalog
    course_session_id: int = 0  # an open session of it, with one meeting, the household's primary applicant enrolled
    enrollment_id: int = 0  # that enrollment
    group_id: int = 0  # a support group the household joined
    group_meeting_id: int = 0  # its meeting next week, which the household answered (coming, with childcare)

    def url_values(self) -> dict[str, int | str]:
        return {name: value for name, value in vars(self).items() if isinstance(value, int | str)}


def build_access_records(app: Flask, make_user) -> AccessRecords:
    owner = make_user(Role.APPLICANT, full_name="Ana Torres")
    homefinder = make_user(Role.HOMEFINDER)
    child_coordinator = make_user(Role.COORDINATOR)
    now = now_utc()
    with app.app_context():
        today = agency_today()
        session = portal_db.session
        household = session.get(Household, owner.household_id)

        lead = Lead(first_name="Ana", last_name="Torres", email=f"lead-{owner.id}@example.com",
                    source=LeadSource.EVENT, interest=Interest.FOSTER, status=LeadStatus.APPLYING,
                    household_id=household.id, assigned_homefinder_id=homefinder.id, first_contact_at=now)
        info_session = InfoSession(starts_at=now + timedelta(days=14), format=SessionFormat.IN_PERSON,
                                   address="1 Main St, Fresno", created_by_id=homefinder.id)
        session.add_all([lead, info_session])
        session.flush()
        session.add_all([LeadInquiry(lead_id=lead.id, interest=Interest.FOSTER, source=LeadSource.EVENT),
                         SessionRsvp(session_id=info_session.id, lead_id=lead.id)])

        application = applications.open_application(household, lead, opened_by=None)
        application.status = ApplicationStatus.SUBMITTED
        application.submitted_at = now
        primary = HouseholdMember(application_id=application.id, position=0, role=MemberRole.PRIMARY,
                                  first_name="Ana", last_name="Torres", birth_date=date(1985, 4, 2),
                                  email=owner.email, user_id=owner.id)
        co_applicant = HouseholdMember(application_id=application.id, position=1, role=MemberRole.CO_APPLICANT,
                                       first_name="Luis", last_name="Torres", birth_date=date(1983, 9, 20),
                                       email="luis@example.com", signature_link_sent_at=now)
        grandmother = HouseholdMember(application_id=application.id, position=1, role=MemberRole.OTHER,
                                      first_name="Rosa", last_name="Torres", birth_date=date(1950, 1, 15),
                                      relationship_to_applicant="Mother", email="rosa@example.com",
                                      link_sent_at=now)
        child = HouseholdMember(application_id=application.id, position=2, role=MemberRole.OTHER,
                                first_name="Mateo", last_name="Torres", birth_date=date(2015, 6, 1),
                                relationship_to_applicant="Son")
        reference = Reference(application_id=application.id, name="Pat Lee", relationship_to_applicant="Friend",
                              email="pat@example.com", requested_at=now)
        template = RequirementTemplate(code=f"access-cpr-{owner.id}", type=RequirementType.DOCUMENT,
                                       scope=RequirementScope.HOUSEHOLD, stage=RequirementStage.TRAINING,
                                       title_en="CPR card", title_es="Tarjeta de RCP", due_days=60)
        session.add_all([primary, co_applicant, grandmother, child, reference, template])
        session.flush()

        stored = store_upload(FileStorage(io.BytesIO(PDF), filename="photo-id.pdf"))
        document = applications.new_document(application.id, "photo_id", primary.id, stored, owner)
        back = store_upload(FileStorage(io.BytesIO(PDF), filename="photo-id-back.pdf"))
        document.more_pages = [DocumentPage(position=2, original_name=back.original_name,
                                            stored_name=back.stored_name, content_type=back.content_type,
                                            size_bytes=back.size_bytes, sha256=back.sha256)]
        item = ChecklistItem(application_id=application.id, template_id=template.id,
                             due_date=today + timedelta(days=60))
        check = BackgroundCheck(application_id=application.id, member_id=primary.id,
                                check_type=CheckType.STATE_CRIMINAL, requested_on=today)
        visit = HomeStudyVisit(application_id=application.id, kind=VisitKind.INDIVIDUAL_INTERVIEW,
                               homefinder_id=homefinder.id)
        session.add_all([document, item, check, visit])
        session.flush()
        slot = VisitSlot(visit_id=visit.id, starts_at=now + timedelta(days=10))
        return_reason = ReturnReason(text_en="The photo is blurry.", text_es="La foto está borrosa.")
        # Random keys: the live server's database keeps the records of every build (key and credential are unique).
        owners_session = SignedInSession(user_id=owner.id, key_hash=secrets.token_hex(32), device_hash="1" * 64,
                                         user_agent="Mozilla/5.0 (Linux; Android 14) Chrome/120.0 Mobile")
        owners_passkey = Passkey(user_id=homefinder.id, name="Phone", credential_id=secrets.token_bytes(32),
                                 public_key=b"\x02" * 77,
                                 sign_count=0, transports=["internal"])
        event = RecruitmentEvent(name="Spring fair", kind="fair", source_code=f"FAIR-{owner.id}", starts_on=today,
                                 created_by_id=homefinder.id)
        session.add_all([slot, return_reason, owners_session, owners_passkey, event])
        session.flush()
        lead.event_id = event.id
        placed = _placed_child_records(household.id, today, now)
        meeting_id, credit_id, certificate_id, proof = _training_records(session, household.id, primary.id, owner.id)
        course, course_session, enrollment = _catalog_records(session, household.id, primary.id, today)
        end_token = make_token(END_SESSION_TOKEN, owners_session.id, owners_session.key_hash)
        child = Child(first_name="Lucía", last_name="Paz", birth_date=date(2017, 2, 3),
                      coordinator_id=child_coordinator.id)
        session.add(child)
        session.flush()
        placement = Placement(child_id=child.id, household_id=household.id, starts_on=today - timedelta(days=30),
                              start_reason="Access matrix")
        session.add(placement)
        session.flush()
        stay = RespiteStay(placement_id=placement.id, kind=StayKind.CAMP, place_name="Camp Pine",
                           starts_on=today + timedelta(days=7), ends_on=today + timedelta(days=9))
        session.add(stay)
        appointment = Appointment(child_id=child.id, kind=AppointmentKind.MEDICAL, place="Clinic, 1 Main St",
                                  starts_at=now + timedelta(days=3))
        session.add(appointment)
        session.flush()
        feed_token = issue_feed(session.get(User, owner.id), "children")
        payments = build_payment_records(session, household.id, application.id, primary.id)
        thread_id, attachment_id, attachment = _message_thread(household.id, homefinder.id, owner.id)
        group, group_meeting = _support_group_for(household.id, homefinder.id)
        portal_db.commit()
        return AccessRecords(
            household_id=household.id, owner_id=owner.id, homefinder_id=homefinder.id, lead_id=lead.id,
            session_id=info_session.id, application_id=application.id, member_id=grandmother.id,
            co_applicant_id=co_applicant.id,
            reference_id=reference.id, document_id=document.id, page=2, template_id=template.id, item_id=item.id,
            check_id=check.id, visit_id=visit.id, slot_id=slot.id, return_reason_id=return_reason.id,
            signed_in_session_id=owners_session.id, end_session_token=end_token, passkey_id=owners_passkey.id,
            stored_path=upload_folder() / stored.stored_name, page_stored_path=upload_folder() / back.stored_name,
            event_id=event.id, child_id=child.id, appointment_id=appointment.id, feed_token=feed_token, **placed,
            placement_id=placement.id, stay_id=stay.id, **payments, thread_id=thread_id, attachment_id=attachment_id,
            attachment_stored_path=upload_folder() / attachment.stored_name,
            meeting_id=meeting_id, credit_id=credit_id, certificate_id=certificate_id,
            proof_stored_path=upload_folder() / proof,
            course_id=course.id, course_session_id=course_session.id,
            enrollment_id=enrollment.id,
            group_id=group.id, group_meeting_id=group_meeting.id,
        )


def _placed_child_records(household_id: int, today: date, now) -> dict[str, int]:
    """The caregiver report's and mileage's records of a child placed with the household."""
    session = portal_db.session
    child = Child(first_name="Mia", last_name="Lopez", birth_date=date(2016, 5, 4))
    session.add(child)
    session.flush()
    hearing = Appointment(child_id=child.id, kind=AppointmentKind.COURT_HEARING, starts_at=now + timedelta(days=10),
                          place="County courthouse")
    session.add_all([Placement(child_id=child.id, household_id=household_id, starts_on=today - timedelta(days=30)),
                     hearing])
    session.flush()
    report = CaregiverReport(appointment_id=hearing.id, child_id=child.id, household_id=household_id,
                             hearing_at=hearing.starts_at, due_on=today + timedelta(days=3))
    claim = MileageClaim(household_id=household_id, month=today.replace(day=1), rate_cents=70, total_tenths=125,
                         amount_cents=875)
    session.add_all([report, claim])
    session.flush()
    trip = Trip(child_id=child.id, household_id=household_id, trip_on=today, from_place="Home", to_place="School",
                purpose="School", tenths=58)
    claimed = Trip(child_id=child.id, household_id=household_id, trip_on=today, from_place="Home",
                   to_place="Clinic", purpose="Check-up", tenths=125, claim_id=claim.id)
    session.add_all([trip, claimed])
    session.flush()
    return {"court_report_id": report.id, "trip_id": trip.id, "claim_id": claim.id}


def _message_thread(household_id: int, staff_id: int, author_id: int):
    """A thread of the household with its homefinder: one message from the family, with a file."""
    session = portal_db.session
    thread = MessageThread(household_id=household_id, staff_id=staff_id, subject="About the home study",
                           started_by_id=author_id, awaiting_staff=True)
    session.add(thread)
    session.flush()
    message = Message(thread_id=thread.id, author_id=author_id, body="When is the next visit?")
    session.add(message)
    session.flush()
    thread.last_message_id = message.id
    stored = store_upload(FileStorage(io.BytesIO(PDF), filename="school-letter.pdf"))
    attachment = MessageAttachment(message_id=message.id, original_name=stored.original_name,
                                   stored_name=stored.stored_name, content_type=stored.content_type,
                                   size_bytes=stored.size_bytes, sha256=stored.sha256)
    session.add(attachment)
    session.flush()
    return thread.id, attachment.id, stored


def _training_records(session, household_id: int, member_id: int, owner_id: int) -> tuple[int, int, int, str]:
    today = agency_today()
    course = Course(title_en="TIPS-MAPP", title_es="TIPS-MAPP", category=CourseCategory.PRE_SERVICE,
                    credit_tenths=270, meeting_count=1)
    session.add(course)
    session.flush()
    run = CourseSession(course_id=course.id, enroll_by=today, cancel_by=today, first_starts_at=now_utc())
    session.add(run)
    session.flush()
    meeting = SessionMeeting(session_id=run.id, number=1, starts_at=now_utc())
    stored = store_upload(FileStorage(io.BytesIO(PDF), filename="outside-class.pdf"))
    outside = TrainingCredit(household_id=household_id, member_id=member_id, source=CreditSource.OUTSIDE,
                             category=CourseCategory.IN_SERVICE, status=CreditStatus.PENDING, title="Online class",
                             hours_tenths=20, completed_on=today, proof_path=stored.stored_name,
                             proof_filename=stored.original_name, submitted_by_id=owner_id)
    completed = TrainingCredit(household_id=household_id, member_id=member_id, source=CreditSource.COURSE,
                               category=CourseCategory.PRE_SERVICE, title="TIPS-MAPP", hours_tenths=270,
                               completed_on=today, course_id=course.id,
                               certificate_code=f"TC-ACCESS{owner_id:05d}"[:20])
    session.add_all([meeting, outside, completed])
    session.flush()
    session.add(Enrollment(session_id=run.id, household_id=household_id, member_id=member_id,
                           status=EnrollmentStatus.ENROLLED))
    session.flush()
    return meeting.id, outside.id, completed.id, stored.stored_name


def _catalog_records(session, household_id: int, member_id: int, today: date):
    """A course with an open session a month away, and the household's primary applicant enrolled in it."""
    course = Course(title_en="Trauma-informed care", title_es="Cuidado informado por el trauma",
                    category=CourseCategory.IN_SERVICE, credit_tenths=30)
    session.add(course)
    session.flush()
    starts = now_utc() + timedelta(days=30)
    course_session = CourseSession(course_id=course.id, capacity=10, seats_taken=1, childcare_capacity=4,
                                   enroll_by=today + timedelta(days=25), cancel_by=today + timedelta(days=25),
                                   first_starts_at=starts)
    session.add(course_session)
    session.flush()
    enrollment = Enrollment(session_id=course_session.id, household_id=household_id, member_id=member_id,
                            status=EnrollmentStatus.ENROLLED, seat_at=now_utc())
    session.add_all([SessionMeeting(session_id=course_session.id, number=1, starts_at=starts, place="Main St"),
                     enrollment])
    session.flush()
    return course, course_session, enrollment


def _support_group_for(household_id: int, homefinder_id: int) -> tuple[SupportGroup, GroupMeeting]:
    """A support group with childcare, its meeting next week (which the household, a member, answered) and the
    week after."""
    group = SupportGroup(name_en="Parent circle", name_es="Círculo de padres", language="en",
                         recurrence=Recurrence.WEEKLY, weekday=1, starts_on=agency_today(), time_of_day=time(18, 30),
                         childcare_capacity=5, counts_as_hours=True, credit_tenths=15, updated_by_id=homefinder_id)
    portal_db.session.add(group)
    portal_db.session.flush()
    meeting = GroupMeeting(group_id=group.id, starts_at=now_utc() + timedelta(days=7), childcare_capacity=5,
                           childcare_taken=1)
    # And the one after, not answered yet (its answer form shows on the group's page).
    following = GroupMeeting(group_id=group.id, starts_at=now_utc() + timedelta(days=14), childcare_capacity=5)
    portal_db.session.add_all([meeting, following, GroupMembership(group_id=group.id, household_id=household_id)])
    portal_db.session.flush()
    portal_db.session.add(GroupRsvp(meeting_id=meeting.id, household_id=household_id, people=2,
                                    childcare_status=ChildcareStatus.BOOKED, childcare_children=1,
                                    childcare_ages="5", childcare_requested_at=now_utc()))
    portal_db.session.flush()
    return group, meeting


def household_user(make_user, db, role: Role | str, household_id: int) -> User:
    """Someone signed up with `role` who belongs to the given household."""
    user = make_user(role)
    user.household_id = household_id
    db.session.commit()
    return user


def open_application_for(app: Flask, household_id: int) -> int:
    """Open an application for the household (a family with records of its own, not just an empty account)."""
    with app.app_context():
        application = applications.open_application(portal_db.session.get(Household, household_id), None,
                                                    opened_by=None)
        portal_db.commit()
        return application.id


__all__ = ["PDF", "AccessRecords", "build_access_records", "household_user", "open_application_for"]
