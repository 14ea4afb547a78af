"""The catalog's reads: what families browse, a family's own trainings, the staff's courses and a session's roster.
Each page runs a fixed number of statements whatever the number of sessions or enrollments (tests count them)."""

from __future__ import annotations

import calendar
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from licensing.application.models import HouseholdMember
from portal.clock import agency_now, agency_today, agency_zone
from portal.extensions import db
from portal.models import Household
from portal.paging import Page, paginate
from training.catalog.models import (
    ChildcareStatus,
    Course,
    CourseCategory,
    CourseSession,
    Enrollment,
    EnrollmentStatus,
    SessionMeeting,
    SessionStatus,
)

LIVE = (EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITLISTED)
# Sessions on one page of the catalog's list: eight rows of three cards (twelve of two on a tablet). A large agency
# has hundreds of upcoming sessions; families page through them or narrow them by category, language and month.
CATALOG_PAGE_SIZE = 24


def _waitlist_count():
    waiting = (select(func.count()).select_from(Enrollment)
               .where(Enrollment.session_id == CourseSession.id, Enrollment.status == EnrollmentStatus.WAITLISTED)
               .correlate(CourseSession).scalar_subquery())
    return waiting.label("waiting")


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The first instant of the month and of the next, at the agency, in UTC."""
    zone = agency_zone()
    start = datetime.combine(month.replace(day=1), time(), zone)
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start, datetime.combine(following, time(), zone)


@dataclass
class CatalogFilters:
    category: CourseCategory | None = None
    language: str | None = None
    month: date | None = None  # the first of a month


def _filtered(query, filters: CatalogFilters, starts_column):
    query = query.where(Course.active.is_(True), CourseSession.status == SessionStatus.OPEN)
    if filters.category is not None:
        query = query.where(Course.category == filters.category)
    if filters.language:
        query = query.where(CourseSession.language == filters.language)
    if filters.month is not None:
        start, end = month_bounds(filters.month)
        query = query.where(starts_column >= start, starts_column < end)
    return query.where(starts_column >= agency_now())


def catalog_sessions(filters: CatalogFilters, number: int = 1, size: int = CATALOG_PAGE_SIZE) -> Page:
    """One page of the upcoming open sessions of active courses, soonest first, each with its course and how many
    wait: one statement, the total over every page coming with the rows (a window count). A page past the end (a
    bookmark kept while sessions filled or started) shows the last page, at the cost of two more statements."""
    query = _filtered(select(CourseSession, Course, _waitlist_count(), func.count().over().label("total"))
                      .join(Course, Course.id == CourseSession.course_id), filters, CourseSession.first_starts_at)
    query = query.order_by(CourseSession.first_starts_at, CourseSession.id)
    rows = db.session.execute(query.limit(size).offset((number - 1) * size)).all()
    if not rows and number > 1:
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
        number = max(1, math.ceil(total / size))
        rows = db.session.execute(query.limit(size).offset((number - 1) * size)).all()
    return Page(items=[(session, course, waiting) for session, course, waiting, _total in rows],
                total=rows[0].total if rows else 0, number=number, size=size)


@dataclass
class CalendarDay:
    day: date | None
    meetings: list = field(default_factory=list)


def calendar_weeks(filters: CatalogFilters, month: date, first_weekday: int = 6) -> list[list[CalendarDay]]:
    """The month as weeks of days, each day with the meetings on it (of sessions the filters keep): one statement.
    Weeks start on Sunday (first_weekday=6), as US calendars do."""
    query = (select(SessionMeeting, CourseSession, Course)
             .join(CourseSession, CourseSession.id == SessionMeeting.session_id)
             .join(Course, Course.id == CourseSession.course_id))
    query = _filtered(query, CatalogFilters(filters.category, filters.language, month), SessionMeeting.starts_at)
    by_day: dict[date, list] = defaultdict(list)
    zone = agency_zone()
    for meeting, session, course in db.session.execute(query.order_by(SessionMeeting.starts_at).limit(500)):
        by_day[meeting.starts_at.astimezone(zone).date()].append((meeting, session, course))
    weeks = calendar.Calendar(first_weekday).monthdatescalendar(month.year, month.month)
    return [[CalendarDay(day if day.month == month.month else None, by_day.get(day, []) if day.month == month.month
                         else []) for day in week] for week in weeks]


def course_sessions(course_id: int, household_id: int | None) -> tuple[list, dict[int, list[Enrollment]]]:
    """A course's open sessions still taking enrollments, with meetings and waitlist counts, and the household's live
    enrollments in them (keyed by session): three statements."""
    rows = db.session.execute(
        select(CourseSession, _waitlist_count()).where(
            CourseSession.course_id == course_id, CourseSession.status == SessionStatus.OPEN,
            CourseSession.enroll_by >= agency_today())
        .options(selectinload(CourseSession.meetings))
        .order_by(CourseSession.first_starts_at, CourseSession.id)).all()
    mine: dict[int, list[Enrollment]] = defaultdict(list)
    if household_id is not None and rows:
        for enrollment in db.session.scalars(select(Enrollment).where(
                Enrollment.household_id == household_id, Enrollment.status.in_(LIVE),
                Enrollment.session_id.in_([session.id for session, _ in rows]))):
            mine[enrollment.session_id].append(enrollment)
    return rows, mine


def members_with_a_place(session_id: int, member_ids: list[int]) -> set[int]:
    """Which of these people are enrolled in the session or on its waitlist (one statement)."""
    if not member_ids:
        return set()
    return set(db.session.scalars(select(Enrollment.member_id).where(
        Enrollment.session_id == session_id, Enrollment.member_id.in_(member_ids), Enrollment.status.in_(LIVE))))


@dataclass
class MyEnrollment:
    enrollment: Enrollment
    session: CourseSession
    course: Course
    person: str
    position: int | None  # on the waitlist: 1 is next


def my_trainings(household_id: int) -> tuple[list[MyEnrollment], list[MyEnrollment]]:
    """The household's live enrollments (upcoming first) with their waitlist positions, and its last 20 finished or
    cancelled ones: four statements whatever the number."""
    base = (select(Enrollment, CourseSession, Course, HouseholdMember.first_name, HouseholdMember.last_name)
            .join(CourseSession, CourseSession.id == Enrollment.session_id)
            .join(Course, Course.id == CourseSession.course_id)
            .join(HouseholdMember, HouseholdMember.id == Enrollment.member_id)
            .where(Enrollment.household_id == household_id)
            .options(selectinload(CourseSession.meetings)))
    live_rows = db.session.execute(base.where(Enrollment.status.in_(LIVE))
                                   .order_by(CourseSession.first_starts_at, Enrollment.id)).all()
    past_rows = db.session.execute(base.where(Enrollment.status.not_in(LIVE))
                                   .order_by(CourseSession.first_starts_at.desc(), Enrollment.id).limit(20)).all()
    positions = waitlist_positions([row[0].session_id for row in live_rows
                                    if row[0].status is EnrollmentStatus.WAITLISTED])

    def shaped(rows):
        return [MyEnrollment(enrollment, session, course, f"{first} {last}", positions.get(enrollment.id))
                for enrollment, session, course, first, last in rows]

    return shaped(live_rows), shaped(past_rows)


def waitlist_positions(session_ids: list[int]) -> dict[int, int]:
    """Each waiting enrollment's place in its session's line (created_at order): one statement."""
    if not session_ids:
        return {}
    place = func.row_number().over(partition_by=Enrollment.session_id,
                                   order_by=(Enrollment.created_at, Enrollment.id)).label("place")
    line = (select(Enrollment.id, place)
            .where(Enrollment.session_id.in_(set(session_ids)), Enrollment.status == EnrollmentStatus.WAITLISTED)
            .subquery())
    return dict(db.session.execute(select(line.c.id, line.c.place)).all())


def next_training(household_id: int | None):
    """The household's next seated training (for the home page's card): one statement, or none."""
    if household_id is None:
        return None
    return db.session.execute(
        select(CourseSession, Course)
        .join(Course, Course.id == CourseSession.course_id)
        .join(Enrollment, Enrollment.session_id == CourseSession.id)
        .where(Enrollment.household_id == household_id, Enrollment.status == EnrollmentStatus.ENROLLED,
               CourseSession.status == SessionStatus.OPEN, CourseSession.first_starts_at >= agency_now())
        .order_by(CourseSession.first_starts_at).limit(1)).first()


# -- staff --------------------------------------------------------------------------------------------------------


def staff_courses() -> Page:
    sessions = (select(func.count()).select_from(CourseSession)
                .where(CourseSession.course_id == Course.id, CourseSession.status == SessionStatus.OPEN,
                       CourseSession.first_starts_at >= agency_now())
                .correlate(Course).scalar_subquery().label("upcoming"))
    return paginate(select(Course, sessions).order_by(Course.active.desc(), Course.title_en, Course.id),
                    scalars=False)


def staff_course_sessions(course_id: int) -> list:
    return db.session.execute(select(CourseSession, _waitlist_count())
                              .where(CourseSession.course_id == course_id)
                              .order_by(CourseSession.first_starts_at.desc(), CourseSession.id)).all()


@dataclass
class RosterLine:
    enrollment: Enrollment
    person: str
    household: str


@dataclass
class MeetingChildcare:
    meeting: SessionMeeting
    children: int
    ages: list[str]


def roster(session: CourseSession) -> tuple[list[RosterLine], list[RosterLine], list[MeetingChildcare]]:
    """Who is seated, who waits (in order), and the childcare booked for each meeting (a make-up only on its own
    meeting): one statement besides the session's own."""
    rows = db.session.execute(
        select(Enrollment, HouseholdMember.first_name, HouseholdMember.last_name, Household.name)
        .join(HouseholdMember, HouseholdMember.id == Enrollment.member_id)
        .join(Household, Household.id == Enrollment.household_id)
        .where(Enrollment.session_id == session.id, Enrollment.status != EnrollmentStatus.CANCELLED)
        .order_by(Enrollment.created_at, Enrollment.id)).all()
    lines = [RosterLine(enrollment, f"{first} {last}", household) for enrollment, first, last, household in rows]
    seated = [line for line in lines if line.enrollment.status is not EnrollmentStatus.WAITLISTED]
    waiting = [line for line in lines if line.enrollment.status is EnrollmentStatus.WAITLISTED]
    childcare = []
    for meeting in session.meetings:
        booked = [line.enrollment for line in seated
                  if line.enrollment.childcare_status is ChildcareStatus.BOOKED
                  and (line.enrollment.makeup_meetings is None or meeting.number in line.enrollment.makeup_meetings)]
        childcare.append(MeetingChildcare(meeting, sum(e.childcare_children for e in booked),
                                          [e.childcare_ages for e in booked if e.childcare_ages]))
    return seated, waiting, childcare
