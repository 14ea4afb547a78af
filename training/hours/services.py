"""Every write of training.hours: attendance and the course completions it makes, outside hours and their approval,
and the agency's training rule. Services flush, never commit; each change of credited hours sends `credits_changed`
so the licensing checklist follows (training/hours/checklist.py)."""

from __future__ import annotations

import calendar
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from werkzeug.datastructures import FileStorage

from licensing.application.models import Application, HouseholdMember, MemberRole
from licensing.tracker.models import RequirementTemplate
from licensing.uploads import store_upload
from portal import audit, emails
from portal.clock import agency_zone
from portal.database import now_utc
from portal.extensions import db
from portal.folding import fold
from portal.models import Household, User
from portal.services import household_accounts
from portal.transitions import TransitionRefused, transition
from training.catalog.models import (
    ENROLLMENT_MOVES,
    Attendance,
    Course,
    CourseCategory,
    CourseSession,
    Enrollment,
    EnrollmentStatus,
    SessionMeeting,
)
from training.hours.models import (
    CREDIT_MOVES,
    CreditFormat,
    CreditSource,
    CreditStatus,
    TrainingCredit,
    TrainingRule,
)
from training.signals import credits_changed

# Enrollments that take part in a meeting: seated, or already completed (attendance may be corrected afterwards).
ON_ROSTER = (EnrollmentStatus.ENROLLED, EnrollmentStatus.COMPLETED)
CERTIFICATE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone


# -- the agency's rule ----------------------------------------------------------------------------------------------

def current_rule() -> TrainingRule:
    """The agency's training rule (one row); the defaults, unsaved, if an admin never saved one."""
    rule = db.session.get(TrainingRule, 1)
    if rule is None:
        rule = TrainingRule(id=1)
        for column in TrainingRule.__table__.columns:
            if getattr(rule, column.key) is None and column.default is not None and column.key != "id":
                default = column.default.arg
                setattr(rule, column.key, default(None) if callable(default) else default)
    return rule


# Checklist requirements whose hours the rule sets: pre-service (licensing) and annual in-service (renewal).
RULE_HOURS_OF_TEMPLATE = {"preservice_training": "preservice_hours", "annual_training": "inservice_hours"}


def save_rule(admin: User, rule: TrainingRule, *, preservice_hours: int, inservice_hours: int,
              inservice_categories: list[str], support_groups_count: bool, cpr_valid_months: int,
              online_cpr_counts: bool) -> None:
    """Save the agency's rule; the checklist's training requirements take the same hours, so approving an item asks
    what the rule counts as met."""
    if db.session.get(TrainingRule, 1) is None:
        db.session.add(rule)
    changed = {}
    for name, value in (("preservice_hours", preservice_hours), ("inservice_hours", inservice_hours),
                        ("inservice_categories", sorted(inservice_categories)),
                        ("support_groups_count", support_groups_count), ("cpr_valid_months", cpr_valid_months),
                        ("online_cpr_counts", online_cpr_counts)):
        if getattr(rule, name) != value:
            setattr(rule, name, value)
            changed[name] = value
    rule.updated_by_id = admin.id
    for template in db.session.scalars(select(RequirementTemplate).where(
            RequirementTemplate.code.in_(list(RULE_HOURS_OF_TEMPLATE)))):
        template.hours_required = getattr(rule, RULE_HOURS_OF_TEMPLATE[template.code])
    audit.record("training_rule_saved", actor=admin, target=rule, **changed)
    db.session.flush()


# -- attendance -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RosterLine:
    member: HouseholdMember
    enrollment: Enrollment
    present: bool | None  # None: not taken yet
    makeup: bool


def roster(meeting: SessionMeeting) -> list[RosterLine]:
    """Who is expected at a meeting: the session's seated people, make-up enrollments of this meeting number
    included (three queries whatever the size)."""
    rows = db.session.execute(
        select(Enrollment, HouseholdMember).join(HouseholdMember, HouseholdMember.id == Enrollment.member_id)
        .where(Enrollment.session_id == meeting.session_id, Enrollment.status.in_(ON_ROSTER))
        .order_by(fold(HouseholdMember.last_name), fold(HouseholdMember.first_name), Enrollment.id)).all()
    taken = dict(db.session.execute(select(Attendance.member_id, Attendance.present)
                                    .where(Attendance.meeting_id == meeting.id)).all())
    lines: list[RosterLine] = []
    seen: set[int] = set()
    for enrollment, member in rows:
        makeup = enrollment.makeup_meetings is not None
        if makeup and meeting.number not in _numbers(enrollment.makeup_meetings):
            continue
        if member.id in seen:
            continue
        seen.add(member.id)
        lines.append(RosterLine(member=member, enrollment=enrollment, present=taken.get(member.id), makeup=makeup))
    return lines


def _numbers(values) -> set[int]:
    # ASCII digits only: "²".isdigit() is true and int("²") raises; ids never pass 2^31-1 (PostgreSQL's INTEGER).
    return {int(v) for v in values or [] if isinstance(v, int | str) and str(v).isascii() and str(v).isdigit()
            and len(str(v)) <= 10 and int(v) <= 2**31 - 1}


def record_attendance(actor: User, meeting: SessionMeeting, present_ids: set[int], today: date) -> int:
    """Attendance of one meeting: each person on its roster present or absent (saving again corrects it). A person
    corrected to absent loses the completion that meeting made (`withdraw_broken_completions`). Then each person
    present whose every meeting of the course is now attended completes it. Returns how many completed."""
    lines = roster(meeting)
    existing = {a.member_id: a for a in db.session.scalars(select(Attendance).where(
        Attendance.meeting_id == meeting.id))}
    households: dict[int, int] = {}
    corrected: list[int] = []  # present before, absent now
    for line in lines:
        present = line.member.id in present_ids
        households[line.member.id] = line.enrollment.household_id
        row = existing.get(line.member.id)
        if row is None:
            db.session.add(Attendance(meeting_id=meeting.id, member_id=line.member.id, present=present,
                                      recorded_by_id=actor.id))
        elif row.present != present:
            if row.present:
                corrected.append(line.member.id)
            row.present, row.recorded_by_id = present, actor.id
    db.session.flush()
    session = db.session.get(CourseSession, meeting.session_id)
    audit.record("attendance_recorded", actor=actor, target=meeting, course_id=session.course_id,
                 meeting=meeting.number, present=len(present_ids & set(households)), roster=len(lines))
    course = db.session.get(Course, session.course_id)
    withdraw_broken_completions(actor, course, meeting, corrected)
    present_members = [m for m in households if m in present_ids]
    return complete_courses(actor, course, present_members)


# Why a credit is withdrawn (the audit's reason; the family's record says it in their language).
ATTENDANCE_CORRECTED = "attendance corrected"


def withdraw_credit(actor: User | None, credit: TrainingCredit, reason: str = ATTENDANCE_CORRECTED) -> None:
    """Take back an approved credit (its attendance was corrected): it no longer counts anywhere. The caller sends
    `credits_changed` (with hours_down=True) once per household."""
    credit.reason = reason
    credit.decided_by_id = actor.id if actor else credit.decided_by_id
    transition(CREDIT_MOVES, credit, CreditStatus.WITHDRAWN, actor=actor, household_id=credit.household_id,
               reason=reason, member_id=credit.member_id, hours_tenths=credit.hours_tenths)


def _attended(course_id: int, member_ids: list[int]) -> list[tuple[int, int, int, date, bool]]:
    """Each meeting of the course these people were present at, in time order: (member, number, session, agency day,
    online)."""
    rows = db.session.execute(
        select(Attendance.member_id, SessionMeeting.number, SessionMeeting.session_id, SessionMeeting.starts_at,
               SessionMeeting.place, SessionMeeting.virtual_link)
        .join(SessionMeeting, SessionMeeting.id == Attendance.meeting_id)
        .join(CourseSession, CourseSession.id == SessionMeeting.session_id)
        .where(CourseSession.course_id == course_id, Attendance.present.is_(True),
               Attendance.member_id.in_(member_ids))
        .order_by(SessionMeeting.starts_at, SessionMeeting.id))
    zone = agency_zone()
    return [(member_id, number, session_id, starts_at.astimezone(zone).date(), bool(link) and not place)
            for member_id, number, session_id, starts_at, place, link in rows]


def withdraw_broken_completions(actor: User, course: Course, meeting: SessionMeeting, member_ids: list[int]) -> int:
    """These people were corrected to absent at this meeting: each completion of the course that stood on it (the
    meeting falls after the previous completion and on or before this one) and no longer has every meeting number
    attended is withdrawn, and the enrollments it completed go back to enrolled. Returns how many were withdrawn."""
    if not member_ids:
        return 0
    day = meeting.starts_at.astimezone(agency_zone()).date()
    credits: dict[int, list[TrainingCredit]] = defaultdict(list)
    for credit in db.session.scalars(select(TrainingCredit).where(
            TrainingCredit.course_id == course.id, TrainingCredit.source == CreditSource.COURSE,
            TrainingCredit.status == CreditStatus.APPROVED, TrainingCredit.member_id.in_(member_ids))
            .order_by(TrainingCredit.completed_on, TrainingCredit.id)):
        credits[credit.member_id].append(credit)
    if not credits:
        return 0
    attended = _attended(course.id, list(credits))
    needed = set(range(1, course.meeting_count + 1))
    withdrawn: list[TrainingCredit] = []
    reopen: set[tuple[int, int]] = set()  # (member, session) whose completed enrollment goes back to enrolled
    for member_id, own in credits.items():
        since: date | None = None
        for credit in own:
            if (since is None or since < day) and day <= credit.completed_on:
                window = [(number, session_id) for m, number, session_id, when, _online in attended
                          if m == member_id and (since is None or when > since) and when <= credit.completed_on]
                if not needed <= {number for number, _session in window}:
                    withdrawn.append(credit)
                    reopen |= {(member_id, session_id) for _number, session_id in window}
                    reopen.add((member_id, meeting.session_id))
                    continue  # the next completion's window reaches back past this one
            since = credit.completed_on
    if not withdrawn:
        return 0
    for credit in withdrawn:
        withdraw_credit(actor, credit)
    for enrollment in db.session.scalars(select(Enrollment).where(
            Enrollment.member_id.in_({m for m, _s in reopen}), Enrollment.session_id.in_({s for _m, s in reopen}),
            Enrollment.status == EnrollmentStatus.COMPLETED)):
        if (enrollment.member_id, enrollment.session_id) in reopen:
            enrollment.completed_at = None
            transition(ENROLLMENT_MOVES, enrollment, EnrollmentStatus.ENROLLED, actor=actor,
                       household_id=enrollment.household_id, course_id=course.id, reason=ATTENDANCE_CORRECTED)
    db.session.flush()
    for household_id in sorted({credit.household_id for credit in withdrawn}):
        credits_changed.send(household_id, actor=actor, hours_down=True)
    return len(withdrawn)


def complete_courses(actor: User | None, course: Course, member_ids: list[int]) -> int:
    """Each of these people who attended every meeting number of the course, in any of its sessions (make-ups),
    since their newest completion of it (a retake: CPR every two years) completes it: the enrollments of the sessions
    they attended move to completed and one credit is written, with its own expiry and certificate code. Only
    attendance after the newest credit's day counts, so a second run credits nobody twice. Returns how many were
    credited now."""
    if not member_ids:
        return 0
    since = dict(db.session.execute(
        select(TrainingCredit.member_id, func.max(TrainingCredit.completed_on)).where(
            TrainingCredit.course_id == course.id, TrainingCredit.source == CreditSource.COURSE,
            TrainingCredit.status == CreditStatus.APPROVED, TrainingCredit.member_id.in_(member_ids))
        .group_by(TrainingCredit.member_id)).all())
    attended: dict[int, dict[int, date]] = defaultdict(dict)
    sessions: dict[int, set[int]] = defaultdict(set)
    online: dict[int, bool] = defaultdict(lambda: True)
    for member_id, number, session_id, day, virtual in _attended(course.id, member_ids):
        if member_id in since and day <= since[member_id]:
            continue  # counted by a completion already
        sessions[member_id].add(session_id)
        if number not in attended[member_id]:
            attended[member_id][number] = day  # the first time each meeting number was attended
            online[member_id] = online[member_id] and virtual
    needed = set(range(1, course.meeting_count + 1))
    done = [m for m in member_ids if needed <= set(attended[m])]
    if not done:
        return 0
    enrollments = [e for e in db.session.scalars(
        select(Enrollment).where(Enrollment.member_id.in_(done),
                                 Enrollment.session_id.in_(set().union(*(sessions[m] for m in done))),
                                 Enrollment.status == EnrollmentStatus.ENROLLED))
        if e.session_id in sessions[e.member_id]]
    household_of = dict(db.session.execute(
        select(HouseholdMember.id, Application.household_id)
        .join(Application, Application.id == HouseholdMember.application_id)
        .where(HouseholdMember.id.in_(done))).all())
    for enrollment in enrollments:
        enrollment.completed_at = now_utc()
        transition(ENROLLMENT_MOVES, enrollment, EnrollmentStatus.COMPLETED, actor=actor,
                   household_id=enrollment.household_id, course_id=course.id)
    rule = current_rule()
    new = 0
    households: set[int] = set()
    for member_id in done:
        completed_on = max(attended[member_id][n] for n in needed)
        expires_on = None
        if course.category is CourseCategory.CPR_FIRST_AID:
            expires_on = add_months(completed_on, course.valid_months or rule.cpr_valid_months)
        credit = TrainingCredit(household_id=household_of[member_id], member_id=member_id,
                                source=CreditSource.COURSE, category=course.category, status=CreditStatus.APPROVED,
                                title=course.title_en, title_es=course.title_es,
                                hours_tenths=course.credit_tenths, completed_on=completed_on,
                                expires_on=expires_on, course_id=course.id, certificate_code=new_certificate_code(),
                                format=CreditFormat.ONLINE.value if online[member_id] else CreditFormat.IN_PERSON.value,
                                decided_by_id=actor.id if actor else None)
        db.session.add(credit)
        db.session.flush()
        audit.record("course_completed", actor=actor, target=credit, household_id=credit.household_id,
                     course_id=course.id, member_id=member_id, hours_tenths=credit.hours_tenths)
        households.add(credit.household_id)
        new += 1
    for household_id in sorted(households):
        credits_changed.send(household_id, actor=actor)
    return new


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has fewer days): a certification's expiry."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def new_certificate_code() -> str:
    """A short code printed on the certificate, for staff to check (unique; 32^10 possibilities)."""
    return "TC-" + "".join(secrets.choice(CERTIFICATE_ALPHABET) for _ in range(10))


# -- outside hours --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OutsideHours:
    member_id: int
    title: str
    provider: str
    category: CourseCategory
    format: CreditFormat
    hours_tenths: int
    completed_on: date
    expires_on: date | None = None


def applicants_of(household_id: int) -> list[HouseholdMember]:
    """The household's applicants (the people whose hours count), in the application's order."""
    return list(db.session.scalars(
        select(HouseholdMember).join(Application, Application.id == HouseholdMember.application_id)
        .where(Application.household_id == household_id, HouseholdMember.role != MemberRole.OTHER)
        .order_by(HouseholdMember.position, HouseholdMember.id)))


def _outside_credit(household_id: int, hours: OutsideHours, proof: FileStorage | None, by: User,
                    status: CreditStatus) -> TrainingCredit:
    if hours.member_id not in {m.id for m in applicants_of(household_id)}:
        raise TransitionRefused(_l("Choose a person of this household."))
    stored = store_upload(proof)  # FileRefused: said beside the file field
    rule = current_rule()
    expires_on = hours.expires_on
    if hours.category is CourseCategory.CPR_FIRST_AID and expires_on is None:
        expires_on = add_months(hours.completed_on, rule.cpr_valid_months)
    credit = TrainingCredit(household_id=household_id, member_id=hours.member_id, source=CreditSource.OUTSIDE,
                            category=hours.category, status=status, title=hours.title.strip(),
                            hours_tenths=hours.hours_tenths, completed_on=hours.completed_on, expires_on=expires_on,
                            provider=hours.provider.strip(), format=hours.format.value,
                            proof_path=stored.stored_name, proof_filename=stored.original_name,
                            submitted_by_id=by.id)
    db.session.add(credit)
    db.session.flush()
    return credit


def record_outside_hours(staff: User, household_id: int, hours: OutsideHours, proof: FileStorage | None,
                         ) -> TrainingCredit:
    """Staff record hours from an outside training, with its proof: approved at once."""
    credit = _outside_credit(household_id, hours, proof, staff, CreditStatus.APPROVED)
    credit.decided_by_id = staff.id
    audit.record("outside_hours_recorded", actor=staff, target=credit, household_id=household_id,
                 hours_tenths=credit.hours_tenths, category=credit.category.value)
    credits_changed.send(household_id, actor=staff)
    return credit


def submit_outside_hours(family: User, hours: OutsideHours, proof: FileStorage | None) -> TrainingCredit:
    """A family sends hours from an outside training with proof: they wait for staff approval."""
    credit = _outside_credit(family.household_id, hours, proof, family, CreditStatus.PENDING)
    audit.record("outside_hours_submitted", actor=family, target=credit, household_id=family.household_id,
                 hours_tenths=credit.hours_tenths, category=credit.category.value)
    return credit


def decide_outside_hours(staff: User, credit: TrainingCredit, approve: bool, reason: str = "") -> None:
    """Approve or reject a family's outside hours (a reason is needed to reject); the family is emailed in its
    language. Raises TransitionRefused."""
    target = CreditStatus.APPROVED if approve else CreditStatus.REJECTED
    CREDIT_MOVES.check(credit.status, target, reason)
    credit.reason = reason.strip() if not approve else ""
    credit.decided_by_id = staff.id
    transition(CREDIT_MOVES, credit, target, actor=staff, household_id=credit.household_id, reason=reason)
    db.session.flush()
    link = emails.portal_url("training.family_record")
    for user in household_accounts(credit.household_id):
        emails.queue_email(user.email, user.preferred_locale,
                           "outside_hours_approved" if approve else "outside_hours_rejected",
                           user=user, credit=credit, link=link)
    if approve:
        credits_changed.send(credit.household_id, actor=staff)


def pending_submissions_query() -> Select:
    """Families' outside hours waiting for staff, oldest first, with the person and household name (paged by the
    view: portal/paging.py)."""
    return (select(TrainingCredit, HouseholdMember, Household.name)
            .join(HouseholdMember, HouseholdMember.id == TrainingCredit.member_id)
            .join(Household, Household.id == TrainingCredit.household_id)
            .where(TrainingCredit.status == CreditStatus.PENDING)
            .order_by(TrainingCredit.created_at, TrainingCredit.id))
