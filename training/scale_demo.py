"""Agency-scale trainings for `flask --app app seed-demo --households N`, heard on `demo_scaled` (after licensing's
families and the core's children): the run's own catalog (the demo's courses), pre-service sessions past and
upcoming in proportion to the families, enrollments (completed for licensed families, seated or waitlisted for
applicants), attendance and credited hours toward the agency's rules, and support groups with meetings, members and
RSVPs.

The families are found by query (applications and members of the households after `since_household_id`). Bulk
inserts only (portal/bulk.py), no audit events, no signals (the checklist's training items are not recomputed), a
seeded random generator. Every session's `seats_taken` is the number of its enrolled and completed enrollments (a
completed enrollment keeps its seat, as in training/catalog/services.py); a waitlist exists only where the session is
full. Proportions below and in docs/performance.md."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from licensing.application.models import Application, ApplicationStatus, HouseholdMember, MemberRole
from licensing.tracker.models import License
from portal.bulk import insert_returning_ids, insert_rows
from portal.clock import agency_today
from portal.database import now_utc
from portal.extensions import db
from portal.i18n import local_to_utc
from portal.models import User
from portal.signals import demo_scaled
from training.catalog.demo import COURSES, TIPS_MAPP
from training.catalog.models import (
    Attendance,
    ChildcareStatus,
    Course,
    CourseCategory,
    CourseSession,
    Enrollment,
    EnrollmentStatus,
    SessionMeeting,
)
from training.groups.demo import DEMO_GROUPS
from training.groups.models import GroupMeeting, GroupMembership, GroupRsvp, Recurrence, RsvpStatus, SupportGroup
from training.hours.models import CreditSource, CreditStatus, TrainingCredit

CAPACITY = 20  # people per session
WAITLISTED_HOUSEHOLDS = (1, 3)  # behind a full upcoming pre-service session
APPLYING_ENROLLED_PERCENT = 30  # of the families still filling in their application
INSERVICE_CREDITS = (0, 4)  # outside in-service hours per licensed parent, over the last year
PENDING_PERCENT = 5  # of those outside hours, still waiting for staff
CPR_CURRENT_PERCENT = 75
HOUSEHOLDS_PER_GROUP = 500
GROUP_JOIN_PERCENT = 25  # of the licensed families
RSVP_PERCENT = 40  # of a group's members, per meeting
OTHER_SESSIONS_PER_100_LICENSED = 2  # upcoming CPR and in-service sessions, licensed parents enrolled
INSERVICE_TITLES = [("Understanding attachment (online)", "FosterParentCollege.com", "online"),
                    ("Parenting teens in care", "County Office of Education", "in_person"),
                    ("Caring for children with autism", "Autism Society", "in_person"),
                    ("Reading: The Connected Child", "Book report", "book")]


@demo_scaled.connect
def seed_trainings(_app, households: int = 0, since_household_id: int = 0,
                   progress: Callable[[int], None] | None = None, **_kwargs) -> None:
    progress = progress or (lambda _n: None)
    if households <= 0:
        return
    rng = random.Random(households * 7907 + since_household_id)
    today = agency_today()
    run = (db.session.scalar(select(func.count()).select_from(TrainingCredit)
                             .where(TrainingCredit.certificate_code.like("SD%-1"))) or 0) + 1
    people = db.session.execute(
        select(Application.household_id, HouseholdMember.id, Application.status, License.effective_on)
        .join(HouseholdMember, HouseholdMember.application_id == Application.id)
        .outerjoin(License, License.application_id == Application.id)
        .where(Application.household_id > since_household_id,
               HouseholdMember.role.in_([MemberRole.PRIMARY, MemberRole.CO_APPLICANT]))
        .order_by(Application.household_id, HouseholdMember.position)).all()
    accounts = dict(db.session.execute(select(User.household_id, User.id)
                                       .where(User.household_id > since_household_id)).all())
    families: dict[int, dict] = {}
    for household_id, member_id, status, licensed_on in people:
        family = families.setdefault(household_id, {"household_id": household_id, "members": [], "status": status,
                                                     "licensed_on": licensed_on,
                                                     "user_id": accounts.get(household_id)})
        family["members"].append(member_id)
    courses = _courses()
    seeding = _Seeding(rng, run, today, courses)
    licensed = [f for f in families.values() if f["licensed_on"] is not None]
    learning = [f for f in families.values() if f["licensed_on"] is None and (
        f["status"] in (ApplicationStatus.SUBMITTED, ApplicationStatus.RETURNED)
        or (f["status"] is ApplicationStatus.IN_PROGRESS and rng.randrange(100) < APPLYING_ENROLLED_PERCENT))]
    seeding.past_preservice(sorted(licensed, key=lambda f: (f["licensed_on"], f["household_id"])))
    seeding.upcoming(courses[TIPS_MAPP], learning, waitlists=True)
    others = [title for title, *_rest in COURSES if title != TIPS_MAPP]
    for k in range(max(1, len(licensed) * OTHER_SESSIONS_PER_100_LICENSED // 100)):
        chosen = rng.sample(licensed, min(len(licensed), rng.randint(5, 9)))
        seeding.upcoming(courses[others[k % len(others)]], chosen, waitlists=False)
    seeding.outside_hours(licensed)
    seeding.flush()
    progress(households // 2)
    _support_groups(rng, households, licensed, today)
    progress(households - households // 2)


def _courses() -> dict[str, dict]:
    """The run's catalog: the demo's courses, with the run's sessions."""
    rows = [{"title_en": title, "title_es": title_es, "category": category, "audience": audience,
             "credit_tenths": tenths, "fee_cents": 0, "meeting_count": meetings, "valid_months": valid,
             "description_en": about_en, "description_es": about_es, "active": True}
            for title, title_es, category, audience, tenths, _fee, meetings, valid, about_en, about_es in COURSES]
    ids = insert_returning_ids(Course, rows)
    return {row["title_en"]: {**row, "id": course_id} for row, course_id in zip(rows, ids, strict=True)}


class _Seeding:
    """Collects sessions with their meetings and enrollments, then writes them in bulk (`flush`)."""

    def __init__(self, rng: random.Random, run: int, today: date, courses: dict[str, dict]):
        self.rng, self.run, self.today, self.courses = rng, run, today, courses
        self.sessions: list[dict] = []  # each: row, meetings (rows), enrollments (rows), completed (bool)
        self.credits: list[dict] = []
        self.now = now_utc()

    def _session(self, course: dict, first_day: date, language: str) -> dict:
        start = local_to_utc(datetime.combine(first_day, time(18, 30)))
        meetings = [{"number": number + 1, "starts_at": start + timedelta(days=7 * number),
                     "duration_minutes": 180 if course["meeting_count"] > 1 else 240,
                     "place": "Agency office, 1200 Main St, Room A", "virtual_link": "", "sequence": 0,
                     "reminder_sent_at": None} for number in range(course["meeting_count"])]
        session = {"row": {"course_id": course["id"], "language": language, "instructor": "Dana Whitfield",
                           "capacity": CAPACITY, "seats_taken": 0, "childcare_capacity": 0, "childcare_taken": 0,
                           "enroll_by": first_day - timedelta(days=3), "cancel_by": first_day - timedelta(days=2),
                           "first_starts_at": start,
                           "created_at": min(start - timedelta(days=45), self.now)},
                   "meetings": meetings, "enrollments": [], "course": course}
        self.sessions.append(session)
        return session

    def _enroll(self, session: dict, family: dict, status: EnrollmentStatus, created: datetime) -> None:
        for member_id in family["members"]:
            seated = status in (EnrollmentStatus.ENROLLED, EnrollmentStatus.COMPLETED)
            session["enrollments"].append({
                "household_id": family["household_id"], "member_id": member_id, "status": status,
                "makeup_meetings": None, "childcare_status": ChildcareStatus.NONE, "childcare_children": 0,
                "childcare_ages": "",
                "enrolled_by_id": family["user_id"], "created_at": created, "seat_at": created if seated else None,
                "cancelled_at": None,
                "completed_at": session["meetings"][-1]["starts_at"] + timedelta(hours=3)
                if status is EnrollmentStatus.COMPLETED else None})
            session["row"]["seats_taken"] += seated

    def past_preservice(self, licensed: list[dict]) -> None:
        """Each licensed family took the pre-service course in a cohort of up to 20 people that ended before its
        license: every meeting attended, the course's hours credited (with a certificate code) per parent."""
        course = self.courses[TIPS_MAPP]
        session = None
        for family in licensed:
            if session is None or session["row"]["seats_taken"] + len(family["members"]) > CAPACITY:
                first_day = family["licensed_on"] - timedelta(days=150 + self.rng.randint(0, 30))
                session = self._session(course, first_day, "es" if self.rng.random() < 0.3 else "en")
            self._enroll(session, family, EnrollmentStatus.COMPLETED,
                         session["row"]["first_starts_at"] - timedelta(days=self.rng.randint(5, 30)))

    def upcoming(self, course: dict, families: list[dict], *, waitlists: bool) -> None:
        """Sessions ahead filled in turn; with `waitlists`, one to three families wait behind each full one."""
        session, waiting = None, 0
        for family in families:
            if session is not None and session["row"]["seats_taken"] + len(family["members"]) > CAPACITY:
                if waitlists and session["row"]["seats_taken"] == CAPACITY and waiting > 0:
                    waiting -= 1
                    self._enroll(session, family, EnrollmentStatus.WAITLISTED, self.now - timedelta(hours=waiting))
                    continue
                session = None
            if session is None:
                first_day = self.today + timedelta(days=self.rng.randint(5, 90))
                session = self._session(course, first_day, "es" if self.rng.random() < 0.3 else "en")
                waiting = self.rng.randint(*WAITLISTED_HOUSEHOLDS)
            self._enroll(session, family, EnrollmentStatus.ENROLLED,
                         self.now - timedelta(days=self.rng.randint(1, 30)))

    def outside_hours(self, licensed: list[dict]) -> None:
        """CPR cards (most current) and in-service hours of the last year, per licensed parent."""
        for family in licensed:
            for member_id in family["members"]:
                current = self.rng.randrange(100) < CPR_CURRENT_PERCENT
                taken = self.today - timedelta(days=self.rng.randint(30, 600) if current else self.rng.randint(
                    760, 1000))
                self._credit(family, member_id, CreditSource.OUTSIDE, CourseCategory.CPR_FIRST_AID,
                             ("CPR and First Aid", "RCP y primeros auxilios"), 40, taken,
                             provider="American Red Cross", expires_on=taken + timedelta(days=730))
                for _ in range(self.rng.randint(*INSERVICE_CREDITS)):
                    title, provider, kind = self.rng.choice(INSERVICE_TITLES)
                    pending = self.rng.randrange(100) < PENDING_PERCENT
                    self._credit(family, member_id, CreditSource.OUTSIDE, CourseCategory.IN_SERVICE, (title, ""),
                                 self.rng.choice([15, 20, 30]),
                                 self.today - timedelta(days=self.rng.randint(5, 360)), provider=provider,
                                 kind=kind, status=CreditStatus.PENDING if pending else CreditStatus.APPROVED)

    def _credit(self, family: dict, member_id: int, source: CreditSource, category: CourseCategory,
                titles: tuple[str, str], tenths: int, completed_on: date, *, provider: str = "",
                expires_on: date | None = None, kind: str = "in_person", course_id: int | None = None,
                code: str | None = None, status: CreditStatus = CreditStatus.APPROVED) -> None:
        self.credits.append({
            "household_id": family["household_id"], "member_id": member_id, "source": source, "category": category,
            "status": status, "title": titles[0], "title_es": titles[1], "hours_tenths": tenths,
            "completed_on": completed_on, "expires_on": expires_on, "course_id": course_id,
            "certificate_code": code, "proof_path": "", "proof_filename": "", "provider": provider, "format": kind,
            "reason": "", "submitted_by_id": family["user_id"] if source is CreditSource.OUTSIDE else None,
            "decided_by_id": None, "created_at": datetime.combine(completed_on, time(20), tzinfo=self.now.tzinfo)})

    def flush(self) -> None:
        session_ids = insert_returning_ids(CourseSession, [session["row"] for session in self.sessions])
        meetings = []
        for session, session_id in zip(self.sessions, session_ids, strict=True):
            for meeting in session["meetings"]:
                meeting["session_id"] = session_id
                meetings.append(meeting)
            for enrollment in session["enrollments"]:
                enrollment["session_id"] = session_id
        meeting_ids = insert_returning_ids(SessionMeeting, meetings)
        for meeting, meeting_id in zip(meetings, meeting_ids, strict=True):
            meeting["id"] = meeting_id
        insert_rows(Enrollment, [e for session in self.sessions for e in session["enrollments"]])
        attendance, number = [], 0
        families = {}
        for session in self.sessions:
            course = session["course"]
            for enrollment in session["enrollments"]:
                if enrollment["status"] is not EnrollmentStatus.COMPLETED:
                    continue
                attendance += [{"meeting_id": meeting["id"], "member_id": enrollment["member_id"], "present": True,
                                "recorded_by_id": None, "recorded_at": meeting["starts_at"] + timedelta(hours=3)}
                               for meeting in session["meetings"]]
                number += 1
                family = families.setdefault(enrollment["household_id"], {
                    "household_id": enrollment["household_id"], "user_id": enrollment["enrolled_by_id"]})
                self._credit(family, enrollment["member_id"], CreditSource.COURSE, course["category"],
                             (course["title_en"], course["title_es"]), course["credit_tenths"],
                             enrollment["completed_at"].date(), course_id=course["id"],
                             code=f"SD{self.run}-{number}")
        insert_rows(Attendance, attendance)
        insert_rows(TrainingCredit, self.credits)


def _support_groups(rng: random.Random, households: int, licensed: list[dict], today: date) -> None:
    """One group for about every 500 families (the demo's kinds), meetings every two weeks from six months ago to
    three months ahead, a quarter of the licensed families as members, and RSVPs of members to meetings."""
    count = max(1, households // HOUSEHOLDS_PER_GROUP)
    groups = []
    for k in range(count):
        template = DEMO_GROUPS[k % len(DEMO_GROUPS)]
        groups.append({**template, "name_en": f"{template['name_en']} {k + 1}",
                       "name_es": f"{template['name_es']} {k + 1}", "recurrence": Recurrence.EVERY_TWO_WEEKS,
                       "starts_on": today - timedelta(days=190), "weekday": k % 5})
    group_ids = insert_returning_ids(SupportGroup, groups)
    meetings, schedule = [], []
    for group, group_id in zip(groups, group_ids, strict=True):
        day = group["starts_on"] + timedelta(days=(group["weekday"] - group["starts_on"].weekday()) % 7)
        while day <= today + timedelta(days=90):
            starts = local_to_utc(datetime.combine(day, group["time_of_day"]))
            meetings.append({"group_id": group_id, "starts_at": starts,
                             "duration_minutes": group["duration_minutes"],
                             "childcare_capacity": group["childcare_capacity"], "childcare_taken": 0, "sequence": 0,
                             "cancelled_at": None})
            schedule.append((group_id, starts))
            day += timedelta(days=14)
    meeting_ids = insert_returning_ids(GroupMeeting, meetings)
    by_group: dict[int, list[tuple[int, datetime]]] = {}
    for (group_id, starts), meeting_id in zip(schedule, meeting_ids, strict=True):
        by_group.setdefault(group_id, []).append((meeting_id, starts))
    members: dict[int, list[int]] = {}
    memberships = []
    for family in licensed:
        if rng.randrange(100) < GROUP_JOIN_PERCENT:
            group_id = rng.choice(group_ids)
            members.setdefault(group_id, []).append(family["household_id"])
            memberships.append({"group_id": group_id, "household_id": family["household_id"],
                                "joined_at": now_utc() - timedelta(days=rng.randint(30, 400)), "left_at": None})
    insert_rows(GroupMembership, memberships)
    rsvps, now = [], now_utc()
    for group_id, households_in in members.items():
        for meeting_id, starts in by_group[group_id]:
            for household_id in households_in:
                if rng.randrange(100) < RSVP_PERCENT:
                    cancelled = rng.randrange(100) < 5
                    rsvps.append({"meeting_id": meeting_id, "household_id": household_id,
                                  "status": RsvpStatus.CANCELLED if cancelled else RsvpStatus.GOING,
                                  "people": rng.randint(1, 2), "childcare_status": ChildcareStatus.NONE,
                                  "childcare_children": 0, "childcare_ages": "", "childcare_requested_at": None,
                                  "created_at": min(starts - timedelta(days=rng.randint(2, 10)), now),
                                  "cancelled_at": starts - timedelta(days=1) if cancelled else None,
                                  "reminder_sent_at": starts - timedelta(days=1) if starts < now else None})
    insert_rows(GroupRsvp, rsvps)
