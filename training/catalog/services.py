"""Every write of the catalog: courses, sessions and their meetings, enrollment with its waitlist, childcare and
make-ups, cancellations. Services flush, never commit; mail goes to the outbox in the recipient's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from licensing.application.models import Application, HouseholdMember
from portal import audit
from portal.database import now_utc
from portal.emails import portal_url, queue_email
from portal.extensions import db
from portal.i18n import date_filter
from portal.models import User
from portal.transitions import Refused, transition
from training.catalog import seats
from training.catalog.models import (
    ENROLLMENT_MOVES,
    SESSION_MOVES,
    ChildcareStatus,
    Course,
    CourseSession,
    Enrollment,
    EnrollmentStatus,
    SessionMeeting,
    SessionStatus,
)
from training.signals import enrollment_cancelled, enrollment_seated

LIVE = (EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITLISTED)


# -- courses and sessions (staff) ---------------------------------------------------------------------------------


def save_course(actor: User, course: Course | None, values: dict) -> Course:
    """Add a course or change one; `values` are the model's own fields (cents, tenths)."""
    created = course is None
    if course is None:
        course = Course()
        db.session.add(course)
    for name, value in values.items():
        setattr(course, name, value)
    course.updated_by_id = actor.id
    course.updated_at = now_utc()
    db.session.flush()
    audit.record("course_saved", actor=actor, target=course, created=created)
    return course


@dataclass(frozen=True)
class MeetingPlan:
    starts_at: datetime  # UTC
    duration_minutes: int
    place: str
    virtual_link: str


def save_session(actor: User, course: Course, session: CourseSession | None, values: dict,
                 meetings: list[MeetingPlan]) -> CourseSession:
    """Add a session of `course` with its meetings (numbered in the order given), or change one. Capacities change by
    one conditional statement: never below the seats (or childcare places) already taken; a larger capacity seats
    the waitlist at once."""
    capacity = values.pop("capacity")
    childcare_capacity = values.pop("childcare_capacity")
    created = session is None
    if session is None:
        session = CourseSession(course_id=course.id, capacity=capacity, childcare_capacity=childcare_capacity)
        db.session.add(session)
    elif session.status is SessionStatus.CANCELLED:
        raise Refused(_("This session was cancelled: it can't be changed."))
    for name, value in values.items():
        setattr(session, name, value)
    session.first_starts_at = min(meeting.starts_at for meeting in meetings)
    session.updated_by_id = actor.id
    session.updated_at = now_utc()
    db.session.flush()
    if not created:
        existing = {meeting.number: meeting for meeting in session.meetings}
        if not seats.set_capacity(session.id, capacity, childcare_capacity):
            raise Refused(_("The capacity can't be lower than the seats or childcare places already taken."))
    else:
        existing = {}
    for number, plan in enumerate(meetings, start=1):
        meeting = existing.pop(number, None) or SessionMeeting(session_id=session.id, number=number, sequence=0)
        if meeting.id is not None and (meeting.starts_at, meeting.duration_minutes, meeting.place,
                                       meeting.virtual_link) != (plan.starts_at, plan.duration_minutes, plan.place,
                                                                 plan.virtual_link):
            meeting.sequence += 1  # moved: calendar apps replace the event they have
        meeting.starts_at, meeting.duration_minutes = plan.starts_at, plan.duration_minutes
        meeting.place, meeting.virtual_link = plan.place, plan.virtual_link
        db.session.add(meeting)
    for meeting in existing.values():
        db.session.delete(meeting)
    db.session.flush()
    audit.record("course_session_saved", actor=actor, target=session, created=created)
    if not created:
        serve_waitlist(session, actor)
        serve_childcare_waitlist(session.id)
    return session


def cancel_session(actor: User, session: CourseSession, course: Course, reason: str) -> int:
    """Cancel a session: every enrollment in it is cancelled (refunds follow `enrollment_cancelled`), and each family
    is emailed in its language. Returns how many enrollments were cancelled."""
    transition(SESSION_MOVES, session, SessionStatus.CANCELLED, actor=actor, household_id=None, reason=reason)
    session.updated_by_id = actor.id
    enrollments = db.session.scalars(
        select(Enrollment).where(Enrollment.session_id == session.id, Enrollment.status.in_(LIVE))
        .order_by(Enrollment.created_at, Enrollment.id)).all()
    members = _members_of([enrollment.member_id for enrollment in enrollments])
    for enrollment in enrollments:
        transition(ENROLLMENT_MOVES, enrollment, EnrollmentStatus.CANCELLED, actor=actor,
                   household_id=enrollment.household_id, reason=reason)
        enrollment.cancelled_at = now_utc()
        enrollment.childcare_status = ChildcareStatus.NONE
    db.session.flush()
    seats.clear_counters(session.id)
    for enrollment in enrollments:
        enrollment_cancelled.send(enrollment, actor=actor)
    for address, locale, names in _recipients(members, enrollments):
        queue_email(address, locale, "training_session_cancelled", user=names, course=course, session=session,
                    reason=reason, link=portal_url("training.catalog"))
    return len(enrollments)


# -- enrollment ---------------------------------------------------------------------------------------------------


def enroll(actor: User, session: CourseSession, course: Course, members: list[HouseholdMember], *, household_id: int,
           today: date, children: int = 0, ages: str = "", makeup_meeting: int | None = None) -> list[Enrollment]:
    """Enroll one or both applicants of a household in a session: each gets a seat (one conditional UPDATE) or a
    place on the waitlist. Childcare, when asked, is booked with the first seat, or waitlisted. A make-up takes a
    seat for one meeting of a course the person is enrolled in elsewhere."""
    if session.status is not SessionStatus.OPEN:
        raise Refused(_("This session was cancelled."))
    if today > session.enroll_by:
        raise Refused(_("Enrollment for this session closed on %(day)s.", day=date_filter(session.enroll_by, "long")))
    if not members:
        raise Refused(_("Choose who will attend."))
    if children and not session.offers_childcare:
        raise Refused(_("This session does not offer childcare."))
    member_ids = [member.id for member in members]
    already = db.session.scalar(select(HouseholdMember.first_name).join(
        Enrollment, Enrollment.member_id == HouseholdMember.id).where(
        Enrollment.session_id == session.id, Enrollment.member_id.in_(member_ids), Enrollment.status.in_(LIVE))
        .limit(1))
    if already is not None:
        raise Refused(_("%(name)s is already enrolled or on the waitlist for this session.", name=already))
    makeup = None
    if makeup_meeting is not None:
        _check_makeup(session, course, member_ids, makeup_meeting)
        makeup = [makeup_meeting]
    try:
        with db.session.begin_nested():
            # A couple sits together when there is room for both; otherwise as many as fit, in the order chosen.
            together = len(members) > 1 and seats.take_seats(session.id, len(members))
            enrollments = []
            for member in members:
                seated = together or seats.take_seats(session.id, 1)
                enrollments.append(Enrollment(
                    session_id=session.id, household_id=household_id, member_id=member.id, enrolled_by_id=actor.id,
                    status=EnrollmentStatus.ENROLLED if seated else EnrollmentStatus.WAITLISTED,
                    seat_at=now_utc() if seated else None, makeup_meetings=makeup))
            db.session.add_all(enrollments)
            db.session.flush()
    except IntegrityError:  # the same person enrolled by another request at this very moment
        raise Refused(_("Someone in your household is already enrolled or on the waitlist for this session.")) \
            from None
    if children:
        holder = next((e for e in enrollments if e.status is EnrollmentStatus.ENROLLED), enrollments[0])
        # Booked at once when nobody seated ahead waits for childcare (they are served first) and there is room.
        booked = (holder.status is EnrollmentStatus.ENROLLED and not _childcare_waiting(session.id)
                  and seats.take_childcare(session.id, children))
        holder.childcare_children, holder.childcare_ages = children, ages
        holder.childcare_status = ChildcareStatus.BOOKED if booked else ChildcareStatus.WAITLISTED
    for enrollment in enrollments:
        audit.record("enrollment_added", actor=actor, target=enrollment, household_id=household_id,
                     to_status=enrollment.status.value, session_id=session.id)
        if enrollment.status is EnrollmentStatus.ENROLLED:
            enrollment_seated.send(enrollment, from_waitlist=False)
    db.session.flush()
    if any(enrollment.status is EnrollmentStatus.WAITLISTED for enrollment in enrollments):
        # A seat freed by a cancellation committing at this moment could not see our waiting rows; its row lock makes
        # this UPDATE wait for it, then see the seat: nobody waits while a seat stays free (PostgreSQL's race).
        serve_waitlist(session, None)
    return enrollments


def _check_makeup(session: CourseSession, course: Course, member_ids: list[int], number: int) -> None:
    if not 1 <= number <= course.meeting_count:
        raise Refused(_("Choose a meeting of this course."))
    # Make-ups count from a full enrollment (the JSON column keeps None as JSON null: compared here, not in SQL).
    held = {member_id for member_id, meetings in db.session.execute(
        select(Enrollment.member_id, Enrollment.makeup_meetings).join(
            CourseSession, CourseSession.id == Enrollment.session_id).where(
            CourseSession.course_id == course.id, CourseSession.id != session.id,
            Enrollment.member_id.in_(member_ids),
            Enrollment.status.in_((EnrollmentStatus.ENROLLED, EnrollmentStatus.COMPLETED)))) if meetings is None}
    if held != set(member_ids):
        raise Refused(_("A make-up is for a meeting missed in another session of the same course you enrolled in."))


def cancel_enrollment(actor: User, enrollment: Enrollment, *, by_staff: bool, today: date, reason: str = "") -> None:
    """Cancel one person's place. Before the session's cancellation deadline a family may; after it only staff. A
    freed seat goes to the first on the waitlist in this same transaction, and a freed childcare place likewise."""
    session = enrollment.session
    # Leaving the waitlist frees nothing anyone counts on: allowed until the end. A seat is bound by the deadline.
    if not by_staff and enrollment.status is EnrollmentStatus.ENROLLED and today > session.cancel_by:
        raise Refused(_("The deadline to cancel was %(day)s. Please call the agency to cancel.",
                        day=date_filter(session.cancel_by, "long")))
    had_seat = enrollment.status is EnrollmentStatus.ENROLLED
    transition(ENROLLMENT_MOVES, enrollment, EnrollmentStatus.CANCELLED, actor=actor,
               household_id=enrollment.household_id, reason=reason)
    enrollment.cancelled_at = now_utc()
    freed_childcare = _hand_over_childcare(enrollment)
    db.session.flush()
    if had_seat:
        seats.release_seats(session.id, 1)
    if freed_childcare:
        seats.release_childcare(session.id, freed_childcare)
    enrollment_cancelled.send(enrollment, actor=actor)
    if had_seat:
        serve_waitlist(session, actor)
    if freed_childcare:
        serve_childcare_waitlist(session.id)
    if by_staff:
        members = _members_of([enrollment.member_id])
        course = db.session.get(Course, session.course_id)
        for address, locale, names in _recipients(members, [enrollment]):
            queue_email(address, locale, "training_enrollment_cancelled", user=names, course=course,
                        session=session, reason=reason, link=portal_url("training.my_trainings"))


def _hand_over_childcare(enrollment: Enrollment) -> int:
    """The household's childcare rides on one enrollment: when that person cancels and another of the household
    stays in the session, the booking moves to them. Returns the children whose place is freed (0 when none)."""
    if enrollment.childcare_status is ChildcareStatus.NONE:
        return 0
    other = db.session.scalar(select(Enrollment).where(
        Enrollment.session_id == enrollment.session_id, Enrollment.household_id == enrollment.household_id,
        Enrollment.id != enrollment.id, Enrollment.status.in_(LIVE),
        Enrollment.childcare_status == ChildcareStatus.NONE).order_by(Enrollment.status, Enrollment.created_at)
        .limit(1))
    booked = enrollment.childcare_status is ChildcareStatus.BOOKED
    children = enrollment.childcare_children
    if other is not None and (other.status is EnrollmentStatus.ENROLLED or not booked):
        other.childcare_status, other.childcare_children = enrollment.childcare_status, children
        other.childcare_ages = enrollment.childcare_ages
        enrollment.childcare_status = ChildcareStatus.NONE
        return 0
    enrollment.childcare_status = ChildcareStatus.NONE
    return children if booked else 0


def serve_waitlist(session: CourseSession, actor: User | None) -> list[Enrollment]:
    """Give free seats to the waitlist in the order people joined it (one conditional UPDATE per seat), and email each
    person seated in their language."""
    seated: list[Enrollment] = []
    while True:
        # SKIP LOCKED (PostgreSQL): a waiting person another transaction is seating right now is not seated twice.
        candidate = db.session.scalar(
            select(Enrollment).where(Enrollment.session_id == session.id,
                                     Enrollment.status == EnrollmentStatus.WAITLISTED)
            .order_by(Enrollment.created_at, Enrollment.id).limit(1)
            .with_for_update(skip_locked=True).execution_options(populate_existing=True))
        if candidate is None or not seats.take_seats(session.id, 1):
            break
        transition(ENROLLMENT_MOVES, candidate, EnrollmentStatus.ENROLLED, actor=actor,
                   household_id=candidate.household_id, action="seat_from_waitlist")
        candidate.seat_at = now_utc()
        db.session.flush()
        seated.append(candidate)
        enrollment_seated.send(candidate, from_waitlist=True)
    if seated:
        serve_childcare_waitlist(session.id)
        course = db.session.get(Course, session.course_id)
        members = _members_of([enrollment.member_id for enrollment in seated])
        for enrollment in seated:
            for address, locale, names in _recipients(members, [enrollment]):
                queue_email(address, locale, "training_seat_from_waitlist", user=names, course=course,
                            session=session, link=portal_url("training.my_trainings"))
    return seated


def _childcare_waiting(session_id: int) -> bool:
    return db.session.scalar(select(Enrollment.id).where(
        Enrollment.session_id == session_id, Enrollment.status == EnrollmentStatus.ENROLLED,
        Enrollment.childcare_status == ChildcareStatus.WAITLISTED).limit(1)) is not None


def serve_childcare_waitlist(session_id: int) -> None:
    """Book childcare for seated people waiting for it, in the order they enrolled, while it fits: the first in line
    is not passed over by a smaller family behind them."""
    waiting = db.session.scalars(
        select(Enrollment).where(Enrollment.session_id == session_id, Enrollment.status == EnrollmentStatus.ENROLLED,
                                 Enrollment.childcare_status == ChildcareStatus.WAITLISTED)
        .order_by(Enrollment.created_at, Enrollment.id).with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)).all()
    for enrollment in waiting:
        if not seats.take_childcare(session_id, enrollment.childcare_children):
            break
        enrollment.childcare_status = ChildcareStatus.BOOKED
    db.session.flush()


# -- who is told --------------------------------------------------------------------------------------------------


def _members_of(member_ids: list[int]) -> dict[int, tuple[HouseholdMember, User | None, int]]:
    """The people, the account of each who has one, and their household, in two statements."""
    if not member_ids:
        return {}
    rows = db.session.execute(
        select(HouseholdMember, User, Application.household_id)
        .join(Application, Application.id == HouseholdMember.application_id)
        .outerjoin(User, User.id == HouseholdMember.user_id)
        .where(HouseholdMember.id.in_(set(member_ids)))).all()
    return {member.id: (member, user, household_id) for member, user, household_id in rows}


def _recipients(members: dict, enrollments: list[Enrollment]) -> list[tuple[str, str, SimpleNamespace]]:
    """(address, language, names) per person to tell: their own account, else the address on the application, else
    the household's accounts; one message per address naming everyone of theirs it is about."""
    by_address: dict[str, tuple[str, list[str]]] = {}
    household_ids = set()
    for enrollment in enrollments:
        member, user, household_id = members[enrollment.member_id]
        if user is not None and user.is_active:
            address, locale = user.email, user.preferred_locale
        elif member.email:
            address, locale = member.email, member.preferred_locale
        else:
            household_ids.add(household_id)
            continue
        by_address.setdefault(address, (locale, []))[1].append(member.first_name)
    if household_ids:
        for user in db.session.scalars(select(User).where(User.household_id.in_(household_ids), User.is_active)):
            by_address.setdefault(user.email, (user.preferred_locale, [user.full_name]))
    # The emails' layout greets `user.full_name`: here, the people the message is about.
    return [(address, locale, SimpleNamespace(full_name=", ".join(names)))
            for address, (locale, names) in by_address.items()]


def load_session(session_id: int) -> CourseSession | None:
    return db.session.scalar(select(CourseSession).where(CourseSession.id == session_id)
                             .options(selectinload(CourseSession.meetings), selectinload(CourseSession.course)))
